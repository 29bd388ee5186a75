#!/usr/bin/env bash
# The demo: the churn example in a fresh git repository; mlci verifies a baseline on main,
# a branch that improves the model (approved) and one that degrades it (rejected), then shows
# the ledger: lineage, log and diff.
#   demo.sh MLCI_BINARY
set -euo pipefail
MLCI="${1:?usage: demo.sh path/to/mlci}"
HERE="$(cd "$(dirname "$0")/.." && pwd)"
PY="${MLCI_PYTHON:-python3}"
command -v "$PY" >/dev/null || PY=python3
"$PY" -c 'import numpy' 2>/dev/null || { echo "demo: numpy is needed (make deps installs it)"; exit 2; }

WORK="$(mktemp -d "${TMPDIR:-/tmp}/mlci-demo-XXXXXX")"
KEYS="$(mktemp -d "${TMPDIR:-/tmp}/mlci-demo-keys-XXXXXX")"
trap 'rm -rf "$WORK" "$KEYS"' EXIT
cp -r "$HERE/examples/churn/." "$WORK/"
cd "$WORK"
export GIT_CONFIG_GLOBAL=/dev/null GIT_CONFIG_NOSYSTEM=1
git init -q -b main
git config user.name "Demo Scientist"; git config user.email "demo@example.com"
sed -i "s#python3 #$PY #" mlci.yaml
# Verdicts and promotions are signed with a throwaway Ed25519 key that allowed_signers lists.
ssh-keygen -q -t ed25519 -N '' -C ci@example.com -f "$KEYS/signing-key"
printf 'ci@example.com %s\n' "$(cat "$KEYS/signing-key.pub")" > allowed_signers
printf '\ntrust: {allowed_signers: allowed_signers, require_signatures: true}\n' >> mlci.yaml
MLCI_SIGNING_KEY="$(cat "$KEYS/signing-key")"; export MLCI_SIGNING_KEY

say() { printf '\n\033[1m$ %s\033[0m\n' "$*"; }
verify() { say "mlci verify   # $1"; "$MLCI" verify && echo "(exit 0)" || echo "(exit $?)"; }

echo "demo repository: $WORK"
git add -A && git commit -qm "Churn model: code, params, mlci.yaml"
verify "first run: every stage runs, no baseline yet"
git add -A && git commit -qm "Baseline churn model"
verify "nothing changed: every stage is skipped, the verdict is recorded"

git checkout -q -b cleaner-labels
sed -i 's/noise: 0.8/noise: 0.4/' params.yaml
verify "cleaner labels: data changes, prepare/train/evaluate re-run, accuracy improves"
git add -A && git commit -qm "Cleaner labels"
verify "the committed branch: its verdict is recorded for this commit"

git checkout -q main
git checkout -q -b strong-regularisation
sed -i 's/l2: 0.001/l2: 1.0/' params.yaml
verify "strong regularisation: only train and evaluate re-run, accuracy drops"
git add -A && git commit -qm "Stronger regularisation"
verify "the committed branch: rejected, recorded for this commit"

git checkout -q cleaner-labels
say "mlci lineage"; "$MLCI" lineage
say "mlci log main~1..BRANCH   # both branches, with their verdicts"
for branch in cleaner-labels strong-regularisation; do "$MLCI" log "main~1..$branch"; done
say "mlci diff main cleaner-labels"; "$MLCI" diff main cleaner-labels
say "mlci status"; "$MLCI" status

# Shipping: only approved commits on main ship; promotions go to the gitops branch.
git checkout -q main
say "mlci promote --env production   # the approved baseline on main"; "$MLCI" promote --env production
git merge -q --ff-only cleaner-labels
say "mlci emit --out deploy-out   # Dockerfile and kustomize manifests of the approved merge"
# No `| head` here: under pipefail a closed pipe would fail the demo (SIGPIPE, exit 141).
"$MLCI" emit --out "$WORK/deploy-out" > "$WORK/emit.txt"
sed -n '1,4p' "$WORK/emit.txt"; echo "  … ($(wc -l < "$WORK/emit.txt") lines; the Dockerfile's base and label:)"
grep -m 2 -E '^(FROM|LABEL)' "$WORK/deploy-out/Dockerfile" || true
say "mlci promote --env staging && mlci promote --env production"
"$MLCI" promote --env staging && "$MLCI" promote --env production
say "git log --format='%h %s' gitops"; git log --format='%h %s' gitops
say "mlci rollback --env production"; "$MLCI" rollback --env production
say "mlci models"; "$MLCI" models
git checkout -q strong-regularisation
say "mlci emit   # on the rejected branch: refused"; "$MLCI" emit --out "$WORK/rejected-out" && echo "(exit 0)" || echo "(exit $?)"
