#!/usr/bin/env bash
# The release link's linker: ld.lld, with every `-lNAME` for which STATIC_LIBS/libNAME.a exists
# replaced by that archive. SwiftPM puts `-L/usr/lib/<triple>` and the modules' `-lgit2 -lz ...`
# ahead of anything a build flag can add, so the linker would otherwise pick the shared libraries.
# Response files (@file) are expanded first. scripts/release.sh copies this file with LLD and
# STATIC_LIBS filled in and hands it to clang as --ld-path.
# The Swift driver's static-stdlib link asks for -export-dynamic: the binary would export its
# ~11,000 Swift and BoringSSL symbols, which the runtime's start-up dladdr() scans one by one and
# a dlopen'ed libcurl could bind to. Nothing looks them up, so the flag is dropped.
set -euo pipefail
LLD="@LLD@"
STATIC_LIBS="@STATIC_LIBS@"
args=()
add() {
  case "$1" in
    -export-dynamic|--export-dynamic) ;;
    -l*) if [ -f "$STATIC_LIBS/lib${1#-l}.a" ]; then args+=("$STATIC_LIBS/lib${1#-l}.a"); else args+=("$1"); fi ;;
    *) args+=("$1") ;;
  esac
}
pending_l=0
for arg in "$@"; do
  if [ "$pending_l" = 1 ]; then add "-l$arg"; pending_l=0; continue; fi
  case "$arg" in
    -l) pending_l=1 ;;
    @*) while IFS= read -r word; do [ -z "$word" ] || add "$word"; done < <(xargs -r -n 1 printf '%s\n' < "${arg#@}") ;;
    *) add "$arg" ;;
  esac
done
exec "$LLD" "${args[@]}"
