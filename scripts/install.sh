#!/bin/sh
# Installs a mlci release: the tarball from a URL or a local path, checked against its sha256
# before anything is unpacked, the binary to PREFIX/bin.
#   install.sh [--prefix DIR] [--sha256 HEX | --sha256-file FILE] URL-OR-TARBALL
#   install.sh [--prefix DIR] --version 1.2.3 [--repo OWNER/NAME] [--server https://github.com]
#                                                                  (the GitHub release asset)
# Without --sha256/--sha256-file the checksum is read from TARBALL.sha256 beside it (or
# URL.sha256). A mismatch, or no checksum at all, installs nothing and exits 1.
set -eu
PREFIX="${PREFIX:-/usr/local}"
SUM=""
SUM_FILE=""
VERSION=""
REPO="${MLCI_REPO:-mlci/mlci}"
SERVER="${GITHUB_SERVER_URL:-https://github.com}"
SOURCE=""
die() { echo "install.sh: $1" >&2; exit "${2:-2}"; }
while [ $# -gt 0 ]; do
  case "$1" in
    --prefix) PREFIX="${2:?--prefix needs a folder}"; shift 2 ;;
    --sha256) SUM="${2:?--sha256 needs a hex digest}"; shift 2 ;;
    --sha256-file) SUM_FILE="${2:?--sha256-file needs a file}"; shift 2 ;;
    --version) VERSION="${2:?--version needs a version}"; shift 2 ;;
    --repo) REPO="${2:?--repo needs owner/name}"; shift 2 ;;
    --server) SERVER="${2:?--server needs a URL}"; shift 2 ;;
    -h|--help) sed -n '2,9p' "$0"; exit 0 ;;
    -*) die "unknown option $1" ;;
    *) SOURCE="$1"; shift ;;
  esac
done
if [ -n "$VERSION" ]; then
  case "$VERSION" in *[!0-9A-Za-z.-]*|"") die "version must look like 1.2.3" ;; esac
  case "$REPO" in *[!0-9A-Za-z._/-]*) die "repo must look like owner/name" ;; esac
  SOURCE="$SERVER/$REPO/releases/download/v$VERSION/mlci-$VERSION-linux-$(uname -m).tar.gz"
fi
[ -n "$SOURCE" ] || die "give a tarball path or URL, or --version"

TMP="$(mktemp -d "${TMPDIR:-/tmp}/mlci-install-XXXXXX")"
trap 'rm -rf "$TMP"' EXIT INT TERM
fetch() {  # fetch URL FILE
  if command -v curl >/dev/null 2>&1; then curl -fsSL --retry 3 -o "$2" "$1"
  elif command -v wget >/dev/null 2>&1; then wget -q -O "$2" "$1"
  elif command -v python3 >/dev/null 2>&1; then
    python3 -c 'import sys, urllib.request; urllib.request.urlretrieve(sys.argv[1], sys.argv[2])' "$1" "$2"
  else die "curl, wget or python3 is needed to download $1"; fi
}
case "$SOURCE" in
  http://*|https://*)
    fetch "$SOURCE" "$TMP/mlci.tar.gz" || die "could not download $SOURCE"
    if [ -z "$SUM" ] && [ -z "$SUM_FILE" ]; then
      fetch "$SOURCE.sha256" "$TMP/mlci.tar.gz.sha256" || die "could not download $SOURCE.sha256" 1
      SUM_FILE="$TMP/mlci.tar.gz.sha256"
    fi ;;
  *)
    [ -f "$SOURCE" ] || die "$SOURCE: no such file"
    cp "$SOURCE" "$TMP/mlci.tar.gz"
    if [ -z "$SUM" ] && [ -z "$SUM_FILE" ]; then SUM_FILE="$SOURCE.sha256"; fi ;;
esac
if [ -z "$SUM" ]; then
  [ -f "$SUM_FILE" ] || die "no checksum: $SUM_FILE is missing (or pass --sha256)" 1
  SUM="$(cut -d' ' -f1 < "$SUM_FILE")"
fi
case "$SUM" in *[!0-9a-fA-F]*|"") die "the checksum is not a hex sha256" 1 ;; esac
[ ${#SUM} -eq 64 ] || die "the checksum is not a hex sha256" 1
ACTUAL="$(sha256sum "$TMP/mlci.tar.gz" | cut -d' ' -f1)"
EXPECTED="$(echo "$SUM" | tr 'A-F' 'a-f')"
[ "$ACTUAL" = "$EXPECTED" ] || die "checksum mismatch for $SOURCE: expected $EXPECTED, got $ACTUAL; nothing installed" 1

mkdir "$TMP/x"
tar -xzf "$TMP/mlci.tar.gz" -C "$TMP/x" --no-same-owner
BIN="$(find "$TMP/x" -type f -name mlci -perm -u+x | head -n 1)"
[ -n "$BIN" ] || die "the tarball holds no mlci binary" 1
mkdir -p "$PREFIX/bin"
cp "$BIN" "$PREFIX/bin/.mlci.tmp.$$"
chmod 0755 "$PREFIX/bin/.mlci.tmp.$$"
mv -f "$PREFIX/bin/.mlci.tmp.$$" "$PREFIX/bin/mlci"
echo "installed $("$PREFIX/bin/mlci" --version 2>/dev/null || echo mlci) to $PREFIX/bin/mlci"
