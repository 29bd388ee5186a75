#!/usr/bin/env bash
# The release's must-holds, run by `make test` (target test-release). Each check prints
# "ok - NAME" or "not ok - NAME" and the script exits 1 if any failed.
#   1. reproducible      two `scripts/release.sh` runs give identical .tar.gz bytes. The first
#                        builds; the second relinks the product from the same objects, strips
#                        and re-packs into a fresh, empty dist folder (RELINK_ONLY=1) — it
#                        compares link, strip, tar and gzip. MLCI_FULL_REPRO=1 makes the second
#                        a full build in another build folder instead (slow).
#   2. ldd               the binary lists only the C library family (scripts/check-release.sh).
#   2b. no-icu           the binary holds no ICU (no `icudt` data, no ucol_/ubrk_/u_strToUpper
#                        symbols in the unstripped build) and `mlci --version` opens no shared
#                        library but the C library's (strace); prints the binary's size.
#   3. chroot            in a minimal Debian root made with debootstrap (variant minbase, cached
#                        in .build/release-test/root; no Swift, libgit2 or Python inside):
#                        `mlci --version`, `mlci lineage`, `mlci verify --dry-run` on a
#                        repository copied in, each checked by what it prints (/proc is
#                        bind-mounted for the run: the Swift runtime reads argv there).
#   3b. lazy-ca          the CA bundle is read at the first TLS session, not at start-up, and still
#                        decides: `ci --sync-notes` in the root against a loopback HTTPS
#                        server reaches HTTP with the server's CA bundled, and is refused with
#                        another CA or none.
#   4. install           scripts/install.sh installs from a local tarball, refuses a bad checksum.
#   5. demo x N          scripts/demo.sh runs N (MLCI_DEMO_RUNS, default 10) times with exit 0,
#                        with the release binary (built once above).
set -euo pipefail
ROOT="$(cd "$(dirname "$0")/.." && pwd)"
cd "$ROOT"
OUT="$ROOT/.build/release-test"
ROOTFS="$OUT/root"
SUITE="${DEBIAN_SUITE:-bookworm}"
MIRROR="${DEBIAN_MIRROR:-}"  # empty: debootstrap's own default mirror
mkdir -p "$OUT"
failures=0
check() {  # check NAME COMMAND...
  local name="$1"; shift
  local started=$SECONDS
  # A subshell outside any `if`, so that `set -e` holds inside the checked function.
  set +e; ( set -e; "$@" ) > "$OUT/$name.log" 2>&1; local status=$?; set -e
  if [ "$status" = 0 ]; then echo "ok - $name ($((SECONDS - started)) s)"
  else echo "not ok - $name ($((SECONDS - started)) s); log:"; tail -20 "$OUT/$name.log" | sed 's/^/    /'; failures=$((failures + 1)); fi
}

# 1. Reproducible.
rm -rf "$OUT/dist1" "$OUT/dist2"
scripts/release.sh "$OUT/dist1" > "$OUT/release.log" 2>&1 || { tail -30 "$OUT/release.log"; echo "not ok - release build"; exit 1; }
TARBALL="$(ls "$OUT"/dist1/mlci-*-linux-*.tar.gz)"
NAME="$(basename "$TARBALL" .tar.gz)"
second() {
  if [ "${MLCI_FULL_REPRO:-0}" = 1 ]; then RELEASE_BUILD="$ROOT/.build/release-static-2" scripts/release.sh "$OUT/dist2"
  else RELINK_ONLY=1 scripts/release.sh "$OUT/dist2"; fi
  cmp "$TARBALL" "$OUT/dist2/$NAME.tar.gz" && cmp "$TARBALL.sha256" "$OUT/dist2/$NAME.tar.gz.sha256"
}
check reproducible second

# 2. Only the C library.
check ldd scripts/check-release.sh "$TARBALL"

# 2b. No ICU, and nothing but libc at start-up (README: What loads).
no_icu() {
  local tmp; tmp="$(mktemp -d)"; trap 'rm -rf "$tmp"' RETURN
  tar -xzf "$TARBALL" -C "$tmp"
  local bin="$tmp/$NAME/mlci" built="${RELEASE_BUILD:-$ROOT/.build/release-static}/release/mlci"
  echo "size: $(stat -c %s "$bin") bytes stripped ($(( $(stat -c %s "$bin") / 1048576 )) MiB)"
  # ICU's data archive names itself icudtNNl; its code has ucol_*, ubrk_*, u_strToUpper* (swift_-prefixed
  # in Foundation's copy, _FoundationICU).
  local data; data="$(LC_ALL=C grep -a -c 'icudt[0-9]' "$bin" || true)"
  [ "$data" = 0 ] || { echo "the binary holds ICU data ($data lines with icudtNN)"; return 1; }
  [ -f "$built" ] || { echo "no unstripped build at $built to look for ICU symbols in"; return 1; }
  local symbols; symbols="$(nm "$built" | grep -c -E ' (swift_)?(ucol_open|ubrk_open|u_strToUpper)' || true)"
  [ "$symbols" = 0 ] || { echo "the build links ICU: $symbols ICU symbols"; return 1; }
  command -v strace >/dev/null || { echo "strace is missing (make deps installs it)"; return 1; }
  strace -f -e trace=openat,open -o "$tmp/trace" "$bin" --version
  # Files actually opened (the loader also probes $ORIGIN, the binary's RUNPATH, and misses).
  local opened; opened="$(grep -v ' = -1 ' "$tmp/trace" | grep -o '"[^"]*\.so[^"]*"' | tr -d '"' | sort -u)"
  echo "opened at start-up: ${opened:-nothing}"
  local bad; bad="$(echo "$opened" | grep -v -E '^$|^/etc/ld\.so\.cache$|/(libc|libm|libpthread|libdl|librt|ld-linux[^/]*)\.so' || true)"
  [ -z "$bad" ] || { echo "--version loads more than the C library: $bad"; return 1; }
}
check no-icu no_icu

# 3. A minimal Debian root, made once and kept.
make_root() {
  [ -x "$ROOTFS/bin/sh" ] && return 0
  command -v debootstrap >/dev/null || { echo "debootstrap is missing (make deps installs it)"; return 1; }
  rm -rf "$ROOTFS.tmp"
  debootstrap --variant=minbase "$SUITE" "$ROOTFS.tmp" ${MIRROR:+"$MIRROR"}
  mv "$ROOTFS.tmp" "$ROOTFS"
}
in_chroot() {
  make_root
  for tool in python3 swift; do ! chroot "$ROOTFS" sh -c "command -v $tool" || { echo "$tool is in the root"; return 1; }; done
  ! ls "$ROOTFS"/usr/lib/*/libgit2* 2>/dev/null || { echo "libgit2 is in the root"; return 1; }
  rm -rf "$ROOTFS/opt/mlci" "$ROOTFS/work"
  mkdir -p "$ROOTFS/opt/mlci" "$ROOTFS/work"
  tar -xzf "$TARBALL" -C "$ROOTFS/opt/mlci" --no-same-owner
  # The repository is made outside (git is not in the root) and copied in.
  cp -r examples/churn "$ROOTFS/work/repo"
  git -C "$ROOTFS/work/repo" init -q -b main
  git -C "$ROOTFS/work/repo" -c user.name=T -c user.email=t@example.com add -A
  git -C "$ROOTFS/work/repo" -c user.name=T -c user.email=t@example.com commit -qm "churn"
  local mlci="/opt/mlci/$NAME/mlci"
  # The static Swift runtime reads the arguments from /proc/self/cmdline: without /proc the
  # command line is empty, and mlci must refuse (exit 2), not print its help and exit 0.
  umount "$ROOTFS/proc" 2>/dev/null || true
  local out status=0
  out="$(chroot "$ROOTFS" "$mlci" verify 2>&1)" || status=$?
  [ "$status" = 2 ] && grep -q 'is /proc mounted' <<<"$out" \
    || { echo "without /proc, verify gave exit $status: $out"; return 1; }
  mountpoint -q "$ROOTFS/proc" || mount --bind /proc "$ROOTFS/proc" \
    || { echo "cannot mount /proc in $ROOTFS"; return 1; }
  trap 'umount "$ROOTFS/proc" 2>/dev/null || true' EXIT
  local version="${NAME#mlci-}"
  version="${version%-linux-*}"
  out="$(chroot "$ROOTFS" "$mlci" --version)"; echo "$out"
  [ "$out" = "mlci $version" ] || { echo "--version printed '$out', not 'mlci $version'"; return 1; }
  out="$(chroot "$ROOTFS" sh -c "cd /work/repo && HOME=/work $mlci lineage")"; echo "$out"
  grep -q '^commit [0-9a-f]\{40\}$' <<<"$out" && grep -q 'data/train.csv' <<<"$out" \
    || { echo "lineage did not print the commit and its data"; return 1; }
  out="$(chroot "$ROOTFS" sh -c "cd /work/repo && HOME=/work $mlci verify --dry-run")"; echo "$out"
  grep -q 'dry run: nothing ran, nothing was recorded' <<<"$out" \
    || { echo "verify --dry-run did not print its plan"; return 1; }
}
check chroot in_chroot

# 3b. The CA bundle is parsed at the first TLS session, not at start-up (packaging/lazy-ca.c),
# and still decides: in the root, `ci --sync-notes` fetches from a loopback HTTPS server.
# With the server's CA in the root's bundle it gets past TLS (the server answers 404); with
# another CA there, or no bundle, libgit2 refuses the certificate.
lazy_ca() {
  local tmp; tmp="$(mktemp -d)"
  local server=""
  trap 'rm -rf "$tmp"; [ -z "$server" ] || kill "$server" 2>/dev/null || true; umount "$ROOTFS/proc" 2>/dev/null || true; rm -f "$ROOTFS/etc/ssl/certs/ca-certificates.crt"' RETURN
  ( cd "$tmp"
    openssl req -x509 -newkey rsa:2048 -nodes -keyout ca.key -out ca.pem -days 2 -subj "/CN=mlci test CA"
    openssl req -x509 -newkey rsa:2048 -nodes -keyout other.key -out other.pem -days 2 -subj "/CN=another CA"
    openssl req -newkey rsa:2048 -nodes -keyout server.key -out server.csr -subj "/CN=localhost"
    printf 'subjectAltName=DNS:localhost\nbasicConstraints=CA:FALSE\n' > ext.cnf
    openssl x509 -req -in server.csr -CA ca.pem -CAkey ca.key -CAcreateserial -out server.pem -days 2 -extfile ext.cnf ) 2>/dev/null
  python3 scripts/tls_404_server.py "$tmp/server.pem" "$tmp/server.key" "$tmp/port" & server=$!
  for _ in $(seq 1 50); do [ -s "$tmp/port" ] && break; sleep 0.1; done
  [ -s "$tmp/port" ] || { echo "the TLS server did not start"; return 1; }
  grep -q localhost "$ROOTFS/etc/hosts" 2>/dev/null || printf '127.0.0.1 localhost\n' >> "$ROOTFS/etc/hosts"
  mountpoint -q "$ROOTFS/proc" || mount --bind /proc "$ROOTFS/proc"
  mkdir -p "$ROOTFS/etc/ssl/certs"
  local url="https://localhost:$(cat "$tmp/port")/notes.git" mlci="/opt/mlci/$NAME/mlci" out
  sync_notes() { chroot "$ROOTFS" sh -c "cd /work/repo && HOME=/work $mlci ci --sync-notes --remote $url --dry-run" 2>&1 || true; }
  cp "$tmp/ca.pem" "$ROOTFS/etc/ssl/certs/ca-certificates.crt"
  # A command that opens the repository but connects nowhere never reads the bundle.
  strace -f -e trace=open,openat -o "$tmp/trace" chroot "$ROOTFS" sh -c "cd /work/repo && HOME=/work $mlci lineage" >/dev/null
  grep -q 'ca-certificates' "$tmp/trace" && { echo "lineage read the CA bundle at start-up"; return 1; }
  out="$(sync_notes)"; echo "trusted CA: $out"
  grep -q '404' <<<"$out" || { echo "with the server's CA in the bundle, the fetch did not reach HTTP"; return 1; }
  cp "$tmp/other.pem" "$ROOTFS/etc/ssl/certs/ca-certificates.crt"
  out="$(sync_notes)"; echo "other CA: $out"
  grep -qi 'certificate' <<<"$out" && ! grep -q '404' <<<"$out" || { echo "a server no bundled CA signed was not refused"; return 1; }
  rm -f "$ROOTFS/etc/ssl/certs/ca-certificates.crt"
  out="$(sync_notes)"; echo "no bundle: $out"
  grep -qi 'certificate' <<<"$out" && ! grep -q '404' <<<"$out" || { echo "without a CA bundle, the server was not refused"; return 1; }
}
check lazy-ca lazy_ca

# 4. The installer.
install_checks() {
  rm -rf "$OUT/prefix" "$OUT/bad"
  scripts/install.sh --prefix "$OUT/prefix" "$TARBALL"
  "$OUT/prefix/bin/mlci" --version
  mkdir -p "$OUT/bad"
  cp "$TARBALL" "$OUT/bad/$NAME.tar.gz"
  printf '%064d  %s\n' 0 "$NAME.tar.gz" > "$OUT/bad/$NAME.tar.gz.sha256"
  local status=0
  scripts/install.sh --prefix "$OUT/bad/prefix" "$OUT/bad/$NAME.tar.gz" || status=$?
  [ "$status" = 1 ] || { echo "a bad checksum gave exit $status, not 1"; return 1; }
  [ ! -e "$OUT/bad/prefix/bin/mlci" ] || { echo "a bad checksum installed mlci"; return 1; }
  # A tarball changed after its checksum was taken is refused too.
  (cd "$OUT/bad" && sha256sum "$NAME.tar.gz" > "$NAME.tar.gz.sha256")
  printf 'x' >> "$OUT/bad/$NAME.tar.gz"
  status=0
  scripts/install.sh --prefix "$OUT/bad/prefix" "$OUT/bad/$NAME.tar.gz" || status=$?
  [ "$status" = 1 ] && [ ! -e "$OUT/bad/prefix/bin/mlci" ]
}
check install install_checks

# 5. The demo, again and again.
demo_runs() {
  local bin="$OUT/prefix/bin/mlci"
  for run in $(seq 1 "${MLCI_DEMO_RUNS:-10}"); do
    scripts/demo.sh "$bin" > "$OUT/demo-$run.log" 2>&1 || { echo "run $run failed with exit $?"; tail -20 "$OUT/demo-$run.log"; return 1; }
    echo "run $run: exit 0"
  done
}
check "demo-x${MLCI_DEMO_RUNS:-10}" demo_runs

[ "$failures" = 0 ] || { echo "test-release: $failures check(s) failed"; exit 1; }
echo "test-release: all checks passed"
