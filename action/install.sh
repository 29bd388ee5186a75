#!/usr/bin/env bash
# Puts mlci on PATH for the following steps: the cached build when there is one, else the
# release binary for MLCI_VERSION (checked against its .sha256), else a build of MLCI_SOURCE
# with SwiftPM. Needs Swift on the runner for the source build (GitHub's Ubuntu images have it).
set -euo pipefail
BIN="$HOME/.cache/mlci/bin"
mkdir -p "$BIN"
need_libgit2() {
  if ! pkg-config --exists libgit2 2>/dev/null; then
    sudo apt-get update -qq
    sudo env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq libgit2-dev zlib1g-dev pkg-config >/dev/null
  fi
}
works() { [ -x "$BIN/mlci" ] && "$BIN/mlci" --version >/dev/null 2>&1; }

if ! works && [ -n "${MLCI_VERSION:-}" ] && [ -n "${GITHUB_ACTION_REPOSITORY:-}" ]; then
  case "$MLCI_VERSION" in *[!0-9A-Za-z.-]*) echo "::error title=mlci::version must look like 1.2.3"; exit 2 ;; esac
  asset="mlci-$MLCI_VERSION-linux-$(uname -m).tar.gz"
  url="${GITHUB_SERVER_URL:-https://github.com}/$GITHUB_ACTION_REPOSITORY/releases/download/v$MLCI_VERSION/$asset"
  tmp="$(mktemp -d)"
  if curl -fsSL --retry 3 -o "$tmp/$asset" "$url" && curl -fsSL --retry 3 -o "$tmp/$asset.sha256" "$url.sha256" \
     && (cd "$tmp" && sha256sum -c "$asset.sha256" >/dev/null); then
    need_libgit2  # the binary links the system libgit2
    tar -xzf "$tmp/$asset" -C "$BIN" mlci
  else
    echo "mlci: no release binary for $MLCI_VERSION at $url; building the source this action was checked out from"
  fi
  rm -rf "$tmp"
fi

if ! works; then
  need_libgit2
  command -v swift >/dev/null || { echo "::error title=mlci::Swift is needed to build mlci; use an Ubuntu runner or install Swift first"; exit 2; }
  swift build -c release --package-path "$MLCI_SOURCE" --product mlci
  install -m 0755 "$(swift build -c release --package-path "$MLCI_SOURCE" --show-bin-path)/mlci" "$BIN/mlci"
fi
echo "$BIN" >> "$GITHUB_PATH"
"$BIN/mlci" --version
