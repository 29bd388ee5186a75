#!/usr/bin/env bash
# Puts mlci on PATH for the following steps: the cached binary when there is one, else the
# self-contained release binary (checked against its .sha256 by scripts/install.sh), or — only
# when MLCI_FROM_SOURCE=true — a SwiftPM build of MLCI_SOURCE (needs Swift on the runner).
# MLCI_VERSION empty: the version of the action's tag (vX.Y.Z), else the one in its source.
set -euo pipefail
PREFIX="$HOME/.cache/mlci"
BIN="$PREFIX/bin"
mkdir -p "$BIN"
works() { [ -x "$BIN/mlci" ] && "$BIN/mlci" --version >/dev/null 2>&1; }

version="${MLCI_VERSION:-}"
if [ -z "$version" ]; then
  case "${GITHUB_ACTION_REF:-}" in
    v[0-9]*) version="${GITHUB_ACTION_REF#v}" ;;
    *) version="$(sed -n 's/.*static let current = "\(.*\)".*/\1/p' "$MLCI_SOURCE/Sources/MLCISupport/Version.swift")" ;;
  esac
fi

if ! works && [ "${MLCI_FROM_SOURCE:-false}" != true ]; then
  repo="${MLCI_RELEASE_REPO:-${GITHUB_ACTION_REPOSITORY:-}}"
  [ -n "$repo" ] || { echo "::error title=mlci::no repository to download the release from; set from-source: true"; exit 2; }
  if ! "$MLCI_SOURCE/scripts/install.sh" --prefix "$PREFIX" --version "$version" --repo "$repo" \
       --server "${GITHUB_SERVER_URL:-https://github.com}"; then
    echo "::error title=mlci::no verified release binary of mlci $version in $repo; use a released version or set from-source: true"
    exit 2
  fi
fi

if ! works; then
  if ! pkg-config --exists libgit2 2>/dev/null; then
    sudo apt-get update -qq
    sudo env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq libgit2-dev zlib1g-dev libbz2-dev liblzma-dev libyaml-dev libsnappy-dev libzstd-dev liblz4-dev libbrotli-dev libdeflate-dev libcurl4-openssl-dev pkg-config >/dev/null
  fi
  command -v swift >/dev/null || { echo "::error title=mlci::Swift is needed to build mlci from source; use an Ubuntu runner or install Swift first"; exit 2; }
  swift build -c release --package-path "$MLCI_SOURCE" --product mlci
  install -m 0755 "$(swift build -c release --package-path "$MLCI_SOURCE" --show-bin-path)/mlci" "$BIN/mlci"
fi
echo "$BIN" >> "$GITHUB_PATH"
"$BIN/mlci" --version
