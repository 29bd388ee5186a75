#!/usr/bin/env bash
# Builds the self-contained release: dist/mlci-VERSION-linux-ARCH.tar.gz and its .sha256.
# The binary needs only the C library: the Swift runtime is linked statically
# (--static-swift-stdlib), libgit2 and its dependencies from Debian's .a files, and libcurl is
# loaded with dlopen only when a command talks HTTP. Two runs give identical bytes.
#   release.sh [DIST_DIR]        env: SWIFT, RELEASE_BUILD (the SwiftPM build folder),
#                                     RELINK_ONLY=1 (skip compiling: relink and re-pack only)
set -euo pipefail
ROOT="$(cd "$(dirname "$0")/.." && pwd)"
cd "$ROOT"
SWIFT="${SWIFT:-swift}"
BUILD="${RELEASE_BUILD:-$ROOT/.build/release-static}"
DIST="${1:-$ROOT/dist}"
ARCH="$(uname -m)"
VERSION="$(sed -n 's/.*static let current = "\(.*\)".*/\1/p' Sources/MLCISupport/Version.swift)"
NAME="mlci-$VERSION-linux-$ARCH"

# Only .a files in this folder: `-lgit2` and friends resolve here before the system's .so.
STATIC="$BUILD/static-libs"
mkdir -p "$STATIC"
# libgit2 and its dependencies; the Parquet codecs (snappy is C++); the model scanner's bz2 and lzma;
# libyaml (MLCIYAML); libdeflate (pack files).
LIBS="git2 mbedtls mbedx509 mbedcrypto http_parser ssh2 crypto pcre2-8 z
      snappy zstd lz4 brotlidec brotlicommon bz2 lzma yaml deflate"
for lib in $LIBS; do
  found=""
  for dir in "/usr/lib/$ARCH-linux-gnu" /usr/lib64 /usr/lib /usr/local/lib; do
    if [ -f "$dir/lib$lib.a" ]; then found="$dir/lib$lib.a"; break; fi
  done
  [ -n "$found" ] || { echo "release: lib$lib.a is missing (make deps installs the -dev packages)" >&2; exit 2; }
  ln -sf "$found" "$STATIC/lib$lib.a"
done
# The Swift runtime's own -lstdc++ resolves here too (snappy, BoringSSL and the runtime are C++).
STDCXX="$(ls /usr/lib/gcc/"$ARCH"-linux-gnu/*/libstdc++.a 2>/dev/null | sort -V | tail -n 1)"
[ -n "$STDCXX" ] || { echo "release: libstdc++.a is missing (apt-get install libstdc++-12-dev)" >&2; exit 2; }
ln -sf "$STDCXX" "$STATIC/libstdc++.a"
# SwiftPM's `-L/usr/lib/<triple> -lgit2 -lz ...` come before any flag we can add, so the linker
# is a wrapper that turns each -lNAME with an archive here into that archive's path.
LLD="$(dirname "$(command -v "$SWIFT")")/ld.lld"
[ -x "$LLD" ] || LLD="$(command -v ld.lld)"
sed -e "s|@LLD@|$LLD|" -e "s|@STATIC_LIBS@|$STATIC|" packaging/static-ld.sh > "$STATIC/ld-static"
chmod 0755 "$STATIC/ld-static"
CC="$(command -v clang || command -v cc)"
"$CC" -O2 -c -fPIC -o "$STATIC/gssapi-stub.o" packaging/gssapi-stub.c
# libgit2 parses the CA bundle at the first TLS session, not in git_libgit2_init (see the file).
"$CC" -O2 -c -fPIC -o "$STATIC/lazy-ca.o" packaging/lazy-ca.c

# --disable-local-rpath: no RUNPATH $ORIGIN, whose missing libm paths the loader probed first.
flags=(-c release --static-swift-stdlib --disable-local-rpath --product mlci --build-path "$BUILD"
  -Xswiftc -use-ld=lld
  -Xswiftc -file-prefix-map -Xswiftc "$ROOT=/mlci" -Xswiftc -file-prefix-map -Xswiftc "$BUILD=/mlci/.build"
  -Xcc "-ffile-prefix-map=$ROOT=/mlci" -Xcc "-ffile-prefix-map=$BUILD=/mlci/.build"
  -Xswiftc -Xclang-linker -Xswiftc "-L$STATIC" -Xswiftc -Xclang-linker -Xswiftc -static-libgcc
  -Xswiftc -Xclang-linker -Xswiftc "--ld-path=$STATIC/ld-static"
  -Xlinker --build-id=none -Xlinker "$STATIC/gssapi-stub.o" -Xlinker "$STATIC/lazy-ca.o"
  -Xlinker --wrap=mbedtls_x509_crt_parse_file -Xlinker --wrap=mbedtls_x509_crt_parse_path
  -Xlinker --wrap=mbedtls_ssl_setup)
# The archives by path as well (lld takes an archive's symbols wherever it stands on the line);
# the wrapper above is what keeps the shared libraries out of the binary's NEEDED list.
flags+=(-Xlinker --as-needed)
for lib in $LIBS; do flags+=(-Xlinker "$STATIC/lib$lib.a"); done
flags+=(-Xlinker "$STDCXX")
flags+=(-Xlinker -ldl -Xlinker -lpthread -Xlinker -lrt)

if [ "${RELINK_ONLY:-0}" = 1 ]; then
  rm -f "$BUILD/release/mlci"   # SwiftPM relinks the product from the existing objects
fi
"$SWIFT" build "${flags[@]}"
BIN="$("$SWIFT" build "${flags[@]}" --show-bin-path)/mlci"

STAGE="$BUILD/stage/$NAME"
rm -rf "$BUILD/stage"; mkdir -p "$STAGE" "$DIST"
install -m 0755 "$BIN" "$STAGE/mlci"
strip --strip-all "$STAGE/mlci"
cp README.md "$STAGE/README.md"
chmod 0644 "$STAGE/README.md"
touch -h -d @0 "$STAGE" "$STAGE"/*
tar --sort=name --mtime=@0 --owner=0 --group=0 --numeric-owner --format=gnu \
    -C "$BUILD/stage" -cf - "$NAME" | gzip -n -9 > "$DIST/$NAME.tar.gz.tmp"
mv "$DIST/$NAME.tar.gz.tmp" "$DIST/$NAME.tar.gz"
(cd "$DIST" && sha256sum "$NAME.tar.gz" > "$NAME.tar.gz.sha256")
echo "release: $DIST/$NAME.tar.gz"
cat "$DIST/$NAME.tar.gz.sha256"
