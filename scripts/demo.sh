#!/usr/bin/env bash
# The demo: the churn example in a fresh git repository, two commits that change data and
# params, and what mlci says about them.
#   demo.sh MLCI_BINARY
set -euo pipefail
MLCI="${1:?usage: demo.sh path/to/mlci}"
HERE="$(cd "$(dirname "$0")/.." && pwd)"
PY="${MLCI_PYTHON:-python3}"
command -v "$PY" >/dev/null || PY=python3
"$PY" -c 'import numpy' 2>/dev/null || { echo "demo: numpy is needed (make deps installs it)"; exit 2; }

WORK="$(mktemp -d "${TMPDIR:-/tmp}/mlci-demo-XXXXXX")"
trap 'rm -rf "$WORK"' EXIT
cp -r "$HERE/examples/churn/." "$WORK/"
cd "$WORK"
export GIT_CONFIG_GLOBAL=/dev/null GIT_CONFIG_NOSYSTEM=1
git init -q -b main
git config user.name "Demo Scientist"; git config user.email "demo@example.com"
sed -i "s#python3 #$PY #" mlci.yaml

say() { printf '\n\033[1m$ %s\033[0m\n' "$*"; }
stages() {  # the stages of mlci.yaml, in order (the runner arrives with `mlci verify`)
  "$PY" src/prepare.py && "$PY" src/train.py && "$PY" src/evaluate.py
}

echo "demo repository: $WORK"
stages
say "mlci lock"; "$MLCI" lock
git add -A && git commit -qm "Baseline churn model"

sed -i 's/rows: 2000/rows: 3000/; s/seed: 7/seed: 11/' params.yaml
sed -i 's/lr: 0.05/lr: 0.2/' params.yaml
stages
say "mlci status   # data and model changed since the lock"; "$MLCI" status || true
say "mlci lock"; "$MLCI" lock
git add -A && git commit -qm "More customers, higher learning rate"

say "mlci lineage"; "$MLCI" lineage
say "mlci log"; "$MLCI" log
say "mlci diff HEAD~1 HEAD"; "$MLCI" diff HEAD~1 HEAD
say "mlci diff HEAD~1 HEAD --json   # what dvc params diff + dvc metrics diff show, in one document"
"$MLCI" diff HEAD~1 HEAD --json | head -40
say "mlci status"; "$MLCI" status
