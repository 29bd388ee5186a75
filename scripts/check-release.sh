#!/usr/bin/env bash
# Checks a release tarball: its checksum, one executable mlci, and that the binary's shared
# libraries (ldd) are only the C library family and no symbol needs a glibc newer than 2.35.
# Prints the ldd listing.
#   check-release.sh dist/mlci-VERSION-linux-ARCH.tar.gz
set -euo pipefail
TARBALL="${1:?usage: check-release.sh TARBALL}"
(cd "$(dirname "$TARBALL")" && sha256sum -c "$(basename "$TARBALL").sha256" >/dev/null) \
  || { echo "check-release: $TARBALL does not match its .sha256" >&2; exit 1; }
TMP="$(mktemp -d)"; trap 'rm -rf "$TMP"' EXIT
tar -xzf "$TARBALL" -C "$TMP"
BIN="$(find "$TMP" -type f -name mlci)"
[ -x "$BIN" ] || { echo "check-release: no executable mlci in $TARBALL" >&2; exit 1; }
listing="$(ldd "$BIN" 2>&1 || true)"
echo "$listing"
bad="$(echo "$listing" | awk '{print $1}' | grep -v -E '^(linux-vdso\.so\.1|libc\.so\.6|libm\.so\.6|libpthread\.so\.0|libdl\.so\.2|librt\.so\.1|libutil\.so\.1|/lib64/ld-linux-x86-64\.so\.2|/lib/ld-linux-aarch64\.so\.1|ld-linux.*|statically|not)$' || true)"
if [ -n "$bad" ]; then
  echo "check-release: the binary needs more than the C library: $bad" >&2
  exit 1
fi
echo "check-release: only the C library family"
# The README promises glibc 2.35 (Ubuntu 22.04): no symbol may ask for a newer version.
newest="$(objdump -T "$BIN" | grep -o 'GLIBC_[0-9.]*' | sort -Vu | tail -n 1)"
if [ "$(printf '%s\nGLIBC_2.35\n' "$newest" | sort -V | tail -n 1)" != "GLIBC_2.35" ]; then
  echo "check-release: the binary asks for $newest; the README promises glibc 2.35" >&2
  exit 1
fi
echo "check-release: newest glibc symbol version $newest (≤ GLIBC_2.35)"
# Start-up: the loader searches no RUNPATH before the system's libm and libc, and the binary
# exports no symbols of its own (the Swift runtime's start-up dladdr() scans every exported
# symbol, and a dlopen'ed libcurl could bind to them).
if readelf -d "$BIN" | grep -E -q '\((RUNPATH|RPATH)\)'; then
  echo "check-release: the binary has a RUNPATH/RPATH: $(readelf -d "$BIN" | grep -E '\((RUNPATH|RPATH)\)')" >&2
  exit 1
fi
exported="$(nm -D --defined-only "$BIN" | awk '{print $3}' | grep -v -E '^(stdin|stdout|stderr)@' || true)"
if [ -n "$exported" ]; then
  echo "check-release: the binary exports $(echo "$exported" | wc -l) symbols, e.g. $(echo "$exported" | head -n 3 | tr '\n' ' ')" >&2
  exit 1
fi
echo "check-release: no RUNPATH, no exported symbols but libc's copied stdio"
