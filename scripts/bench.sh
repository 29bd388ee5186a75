#!/usr/bin/env bash
# mlci's benchmarks, each side by side with the peer it replaces, measured in one run.
#   bench.sh MLCI_BINARY            (make bench builds the release binary first)
# Environment: BENCH_DIR (default: a new temp dir, kept for re-runs when set), RUNS (default 10),
#              BENCH_ONLY="status-10k version ..." (run only these measurements).
# Prints a table of medians and ratios; raw hyperfine JSON lands in $BENCH_DIR/results/.
set -euo pipefail
MLCI="$(cd "$(dirname "$1")" && pwd)/$(basename "$1")"
HERE="$(cd "$(dirname "$0")/.." && pwd)"
RUNS="${RUNS:-10}"
W="${BENCH_DIR:-$(mktemp -d "${TMPDIR:-/tmp}/mlci-bench-XXXXXX")}"
mkdir -p "$W/results"
PY="${MLCI_PYTHON:-python3}"
VENV_BIN="$(dirname "$PY")"
export PATH="$VENV_BIN:$PATH" DVC_NO_ANALYTICS=1 GIT_CONFIG_GLOBAL=/dev/null GIT_CONFIG_NOSYSTEM=1 LC_ALL=C
command -v hyperfine >/dev/null || { echo "bench: installing hyperfine"; apt-get install -y -qq hyperfine >/dev/null; }
selected() { for name in "$@"; do case " ${BENCH_ONLY:-$name} " in *" $name "*) return 0 ;; esac; done; return 1; }
log() { printf '[bench %s] %s\n' "$(date +%H:%M:%S)" "$*" >&2; }
set -E; trap 'log "FAILED: line $LINENO: $BASH_COMMAND"' ERR  # a setup step that fails says which
gitinit() { git init -q -b main "$1"; git -C "$1" config user.name bench; git -C "$1" config user.email bench@example.invalid; git -C "$1" config gc.auto 0; }

# ------------------------------------------------------------------ data (kept when BENCH_DIR is reused)
if selected sha256-1GiB md5-1GiB && [ ! -f "$W/big.bin" ]; then
  log "1 GiB of seeded pseudo-random bytes"
  "$PY" -c 'import random,sys
r = random.Random(20261121)
with open(sys.argv[1], "wb") as f:
    for _ in range(1024): f.write(r.randbytes(1 << 20))' "$W/big.bin"
fi
if selected dir-10k status-10k status-vs-stat verify-noop verify-noop-status && [ ! -d "$W/small" ]; then
  log "10,000 files of 8-12 KiB in 100 folders"
  "$PY" -c 'import os, random, sys
r = random.Random(424242)
for i in range(10000):
    d = os.path.join(sys.argv[1], "d%02d" % (i // 100)); os.makedirs(d, exist_ok=True)
    open(os.path.join(d, "f%03d.bin" % (i % 100)), "wb").write(r.randbytes(r.randint(8192, 12288)))' "$W/small.part"
  mv "$W/small.part" "$W/small"
fi
if selected status-10k status-vs-stat && [ ! -d "$W/status" ]; then
  log "status repo: 10,000 data files declared in mlci.yaml and tracked by DVC, 3-stage pipeline"
  gitinit "$W/status"
  mkdir -p "$W/status/data"
  cp -r "$W/small" "$W/status/data/small"
  ( cd "$W/status"
    printf 'version: 1\ndata:\n  - data/small\nstages:\n  prepare: {cmd: "true", deps: [data/small], outs: [prep.txt]}\n  train: {cmd: "true", deps: [prep.txt], outs: [model.bin]}\n  evaluate: {cmd: "true", deps: [model.bin], metrics: [metrics.json]}\n' > mlci.yaml
    printf '/data/small\n' > .gitignore
    dvc init -q && dvc config --local core.site_cache_dir "$W/dvc-site-cache" && dvc config --local core.analytics false
    dvc add -q data/small
    "$MLCI" lock >/dev/null
    git add -A && git commit -qm "data" )
fi
if selected model-scan-1GiB && [ ! -f "$W/dense.pkl" ]; then
  log "1 GiB pickle of 119 million floats (the densest opcode stream a model file has)"
  "$PY" -c 'import pickle, sys
open(sys.argv[1], "wb").write(pickle.dumps([0.5] * ((1 << 30) // 9), protocol=4))' "$W/dense.pkl"
fi
if selected drift-1M && [ ! -f "$W/drift/current.csv" ]; then
  log "drift: reference.csv and current.csv, 1,000,000 rows x 10 numeric columns"
  "$PY" "$HERE/scripts/drift_data.py" "$W/drift" 1000000
fi
# The Parquet pair (snappy, pyarrow's defaults) and its peer need pyarrow: the data venv.
DATA_PY="${MLCI_DATA_PYTHON:-$PY}"
if selected drift-parquet-1M && [ ! -f "$W/drift/current.parquet" ]; then
  log "drift: the same tables as Parquet (snappy)"
  "$DATA_PY" -c 'import sys, pyarrow.csv as c, pyarrow.parquet as q
for n in ("reference", "current"): q.write_table(c.read_csv(f"{sys.argv[1]}/{n}.csv"), f"{sys.argv[1]}/{n}.parquet", compression="snappy")' "$W/drift"
fi
! selected drift-1M || "$PY" -c 'import pandas, scipy' 2>/dev/null || { log "installing pandas and scipy (the drift peer)"; "$VENV_BIN/pip" install -q pandas==3.1.1 scipy==1.17.1; }
if selected verify-noop verify-noop-status && [ ! -d "$W/pipeline" ]; then
  log "pipeline repo: 3 stages over 10,000 data files, in mlci.yaml and dvc.yaml"
  gitinit "$W/pipeline"
  mkdir -p "$W/pipeline/data"
  cp -r "$W/small" "$W/pipeline/data/small"
  ( cd "$W/pipeline"
    printf '/data/small\n' > .gitignore
    dvc init -q && dvc config --local core.site_cache_dir "$W/dvc-site-cache" && dvc config --local core.analytics false
    dvc add -q data/small
    cat > dvc.yaml <<'YAML'
stages:
  prepare: {cmd: "head -c 100 data/small/d00/f000.bin > prep.txt", deps: [data/small], outs: [prep.txt]}
  train: {cmd: "cp prep.txt model.bin", deps: [prep.txt], outs: [model.bin]}
  evaluate: {cmd: "echo '{\"accuracy\": 0.9}' > metrics.json", deps: [model.bin], metrics: [metrics.json]}
YAML
    cat > mlci.yaml <<'YAML'
version: 1
metrics: [metrics.json]
gate:
  metrics:
    accuracy: {min: 0.5, max_drop: 0.05}
YAML
    dvc repro -q
    git add -A && git commit -qm "pipeline"
    # dvc.yaml stages are recorded in dvc.lock, which `dvc repro` wrote: the first verify may
    # have nothing new to commit.
    "$MLCI" verify >/dev/null
    git add -A && { git diff --cached --quiet || git commit -qm "what the first verify recorded"; }
    "$MLCI" verify >/dev/null )
fi
if selected dvc-gs-noop dvc-200-noop dvc-200-force && [ ! -d "$W/dvcgs" ]; then
  log "dvc.yaml pipelines: a get-started-shaped project (dvc add-ed CSV, 4 stages) and a 200-stage foreach"
  gitinit "$W/dvcgs"
  ( cd "$W/dvcgs"
    dvc init -q && dvc config --local core.site_cache_dir "$W/dvc-site-cache-gs" && dvc config --local core.analytics false
    mkdir -p data src
    "$PY" -c 'import random; r = random.Random(7); open("data/data.csv", "w").write("x,y\n" + "".join("%f,%d\n" % (r.random(), r.randint(0, 1)) for _ in range(20000)))'
    dvc add -q data/data.csv
    printf 'prepare:\n  split: 0.2\nfeaturize:\n  scale: 2\ntrain:\n  epochs: 3\n  lr: 0.01\n' > params.yaml
    cat > dvc.yaml <<'YAML'
stages:
  prepare:
    cmd: python3 -c "import shutil, os; os.makedirs('data/prepared', exist_ok=True); shutil.copy('data/data.csv', 'data/prepared/train.csv')"
    deps: [data/data.csv]
    params: [prepare.split]
    outs: [data/prepared]
  featurize:
    cmd: python3 -c "import os; os.makedirs('data/features', exist_ok=True); open('data/features/f.csv', 'w').write(open('data/prepared/train.csv').read())"
    deps: [data/prepared]
    params: [featurize]
    outs: [data/features]
  train:
    cmd: python3 -c "open('model.pkl', 'w').write('w=1')"
    deps: [data/features]
    params: [train]
    outs: [model.pkl]
  evaluate:
    cmd: python3 -c "import json; json.dump(dict(accuracy=0.9), open('metrics.json', 'w'))"
    deps: [model.pkl, data/features]
    metrics: [{metrics.json: {cache: false}}]
YAML
    printf 'version: 1\nmetrics: [metrics.json]\ngate:\n  metrics:\n    accuracy: {min: 0.5}\n' > mlci.yaml
    git add -A && git commit -qm "get started" && dvc repro -q && git add -A && git commit -qm "dvc repro" )
  gitinit "$W/dvc200"
  ( cd "$W/dvc200"
    dvc init -q && dvc config --local core.site_cache_dir "$W/dvc-site-cache-200" && dvc config --local core.analytics false
    "$PY" -c 'print("items:"); [print("- s%03d" % i) for i in range(200)]' > params.yaml
    printf 'stages:\n  step:\n    foreach: ${items}\n    do:\n      cmd: echo ${item} > out/${item}.txt\n      outs:\n      - out/${item}.txt\n' > dvc.yaml
    mkdir -p out && printf 'version: 1\ngate:\n  allow_empty: true\n' > mlci.yaml
    git add -A && git commit -qm "200 stages" && dvc repro -q && git add -A && git commit -qm "dvc repro" )
fi
if selected log-10k-commits && [ ! -d "$W/history" ]; then
  log "history: 10,000 commits by git fast-import, every 10th touches data/"
  gitinit "$W/history"
  "$PY" -c 'import sys
out = sys.stdout.buffer
def blob(s):
    b = s.encode(); return b"data %d\n" % len(b) + b + b"\n"
for i in range(10000):
    ts = 1700000000 + 60 * i
    out.write(b"commit refs/heads/main\nmark :%d\n" % (i + 1))
    out.write(b"author Bench <bench@example.invalid> %d +0000\ncommitter Bench <bench@example.invalid> %d +0000\n" % (ts, ts))
    out.write(blob("commit %d\n" % i))
    if i: out.write(b"from :%d\n" % i)
    out.write(b"M 100644 inline src/step.txt\n" + blob("step %d\n" % i))
    if i % 10 == 0:
        out.write(b"M 100644 inline data/data.csv\n" + blob("rev,row\n" + "".join("%d,%d\n" % (i, j) for j in range(50))))
    out.write(b"\n")' | git -C "$W/history" fast-import --quiet
  git -C "$W/history" reset -q --hard main
fi
if selected emit promote && [ ! -d "$W/deploy" ]; then
  log "deploy repo: the churn example's deploy section, approved"
  gitinit "$W/deploy"
  ( cd "$W/deploy"
    mkdir -p models src && head -c 65536 /dev/urandom > models/model.npz
    cp "$HERE/examples/churn/src/serve.py" src/ && cp "$HERE/examples/churn/requirements.txt" .
    # Verdicts are signed (a fresh Ed25519 key listed in allowed_signers), so emit and promote
    # measure the signature check too.
    ssh-keygen -q -t ed25519 -N '' -C bench@example.invalid -f "$W/signing-key"
    printf 'bench@example.invalid %s\n' "$(cat "$W/signing-key.pub")" > allowed_signers
    { printf 'version: 1\nmodels: [models/model.npz]\ngate: {allow_empty: true}\ntrust: {allowed_signers: allowed_signers, require_signatures: true}\n'
      sed -n '/^deploy:/,$p' "$HERE/examples/churn/mlci.yaml" | grep -v train_job; } > mlci.yaml
    "$MLCI" lock >/dev/null && git add -A && git commit -qm "deploy" && "$MLCI" verify --signing-key "$W/signing-key" >/dev/null
    "$MLCI" lineage HEAD --payload > "$W/verdict.payload" && "$MLCI" lineage HEAD --signature > "$W/verdict.sig"
    "$MLCI" emit --out "$W/deploy-emitted" >/dev/null
    mkdir -p "$W/deploy-env" && cp -r "$W/deploy-emitted/k8s/base" "$W/deploy-env/" && mkdir -p "$W/deploy-env/overlays" \
      && cp -r "$W/deploy-emitted/k8s/overlays/production" "$W/deploy-env/overlays/" )
fi

# ------------------------------------------------------------------ measurements
bench() {  # bench NAME RUNS CWD CMD_MLCI CMD_PEER
  local name="$1" runs="$2" cwd="$3"; shift 3
  selected "$name" || return 0
  # Slow rows (3 runs or fewer: a 200-stage dvc repro -f takes minutes) warm up once.
  (cd "$cwd" && hyperfine -N -i --style none --warmup "$([ "$runs" -le 3 ] && echo 1 || echo 2)" --runs "$runs" --export-json "$W/results/$name.json" "$@" >"$W/results/$name.log" 2>&1) \
    || log "FAILED: $name (see $W/results/$name.log)"
}
log "measuring (RUNS=$RUNS); results in $W/results"
bench sha256-1GiB 5 "$W" "$MLCI hash big.bin" "openssl dgst -sha256 big.bin"
bench md5-1GiB 5 "$W" "$MLCI hash --dvc big.bin" "md5sum big.bin"
bench dir-10k "$RUNS" "$W" "$MLCI hash small" "sh -c 'find small -type f -print0 | xargs -0 cat | md5sum'"
! selected status-10k status-vs-stat || (cd "$W/status" && "$MLCI" status >/dev/null) || true  # warm mlci's hash cache, as any earlier command would
bench status-10k "$RUNS" "$W/status" "$MLCI status" "dvc status"
# The floor: stat of every tracked file, nothing else (GNU find's -printf of size and mtime).
bench status-vs-stat "$RUNS" "$W/status" "$MLCI status" "find data/small -type f -printf '%s %T@\n'"
bench verify-noop "$RUNS" "$W/pipeline" "$MLCI verify" "dvc repro"
bench verify-noop-status "$RUNS" "$W/pipeline" "$MLCI verify" "dvc status"
bench dvc-gs-noop "$RUNS" "$W/dvcgs" "$MLCI verify --no-record" "dvc repro"
bench dvc-200-noop "$RUNS" "$W/dvc200" "$MLCI verify --no-record" "dvc repro"
bench dvc-200-force 3 "$W/dvc200" "$MLCI verify --no-record --force" "dvc repro -f"
# The 200 stages' own commands, as both tools spawn them (one shell per command line).
bench dvc-200-commands 3 "$W/dvc200" "sh -c 'for i in \$(seq 200); do sh -c \"echo s > /dev/null\"; done'" "true"
bench log-10k-commits "$RUNS" "$W/history" "$MLCI log -- data/" "git log --format=%H -- data/"
bench drift-1M 5 "$W/drift" "$MLCI check drift --methods ks,psi --reference reference.csv --current current.csv" "$PY $HERE/scripts/drift_peer.py reference.csv current.csv"
bench drift-parquet-1M 5 "$W/drift" "$MLCI check drift --methods ks,psi --reference reference.parquet --current current.parquet" "$DATA_PY $HERE/scripts/drift_peer.py reference.parquet current.parquet"
# Peak memory of the Parquet drift against the parsed numbers (2 files x 1M x 10 doubles = 160 MB).
! selected drift-parquet-1M || (cd "$W/drift" && /usr/bin/time -f '%M' -o "$W/results/drift-parquet-rss.txt" "$MLCI" check drift --methods ks,psi --reference reference.parquet --current current.parquet >/dev/null) || true
if selected drift-1M; then  # peak resident memory of both, against the parsed numbers (2 x 1M x 10 doubles)
  (cd "$W/drift" && "$PY" - "$MLCI" "$PY" "$HERE/scripts/drift_peer.py" > "$W/results/drift-memory.txt" <<'PYEOF'
import resource, subprocess, sys
mlci, py, peer = sys.argv[1:4]
def peak(cmd):
    before = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    subprocess.run(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    return resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss * 1024  # ru_maxrss is the max over children so far
parsed = 2 * 1_000_000 * 10 * 8
m = peak([mlci, "check", "drift", "--methods", "ks,psi", "--reference", "reference.csv", "--current", "current.csv"])
p = peak([py, peer, "reference.csv", "current.csv"])
print(f"drift peak RSS: mlci {m / 2**20:.0f} MiB ({m / parsed:.2f}x the {parsed / 2**20:.0f} MiB of parsed numbers), pandas+scipy {p / 2**20:.0f} MiB")
PYEOF
  ) || log "FAILED: drift memory"
fi
bench model-scan-1GiB 5 "$W" "$MLCI check model dense.pkl" "cat dense.pkl"
bench version 20 "$W" "$MLCI --version" "git --version"
bench verdict-signature "$RUNS" "$W/deploy" "$MLCI lineage HEAD" \
  "sh -c 'ssh-keygen -Y verify -f allowed_signers -I bench@example.invalid -n mlci-verdict@v1 -s $W/verdict.sig < $W/verdict.payload'"
bench emit "$RUNS" "$W/deploy" "$MLCI emit --out $W/deploy-out" "kubectl kustomize $W/deploy-emitted/k8s/overlays/production"
# Each run commits the environment's 8 manifests as a new root commit of a fresh branch.
! selected promote || (cd "$W/deploy" && hyperfine -N -i --style none --warmup 2 --runs "$RUNS" --export-json "$W/results/promote.json" \
  --prepare "sh -c 'git update-ref -d refs/heads/gitops; git update-ref -d refs/heads/gitops-peer; true'" \
  "$MLCI promote --env production" "$HERE/scripts/gitops_peer.sh $W/deploy-env churn-model/production" >"$W/results/promote.log" 2>&1) \
  || log "FAILED: promote (see $W/results/promote.log)"

# mlci pull against dvc pull (dvc-s3) of a 1 GiB directory of 1,000 files from moto on loopback.
REMOTE_BIN="${MLCI_REMOTE_TOOLS:-$(dirname "$VENV_BIN")/.venv-remote/bin}"
if [ -x "$REMOTE_BIN/moto_server" ]; then
  PORT="$("$PY" -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')"
  "$REMOTE_BIN/moto_server" -H 127.0.0.1 -p "$PORT" >"$W/results/moto.log" 2>&1 &
  MOTO=$!
  trap 'kill -9 $MOTO 2>/dev/null || true' EXIT
  for _ in $(seq 100); do (echo >"/dev/tcp/127.0.0.1/$PORT") 2>/dev/null && break; sleep 0.2; done
  export AWS_ACCESS_KEY_ID=bench AWS_SECRET_ACCESS_KEY=bench-secret
  "$REMOTE_BIN/python" -c 'import boto3, sys; boto3.client("s3", endpoint_url=sys.argv[1], region_name="us-east-1").create_bucket(Bucket="bench")' "http://127.0.0.1:$PORT"
  rm -rf "$W/pull" && gitinit "$W/pull" && mkdir -p "$W/pull/data/files"
  (cd "$W/pull/data/files" && split -n 1000 -d -a 3 "$W/big.bin" part-)
  ( cd "$W/pull"
    "$REMOTE_BIN/dvc" init -q && "$REMOTE_BIN/dvc" config --local core.site_cache_dir "$W/dvc-site-cache-pull"
    "$REMOTE_BIN/dvc" remote add -q -d s3 s3://bench/store && "$REMOTE_BIN/dvc" remote modify s3 endpointurl "http://127.0.0.1:$PORT"
    "$REMOTE_BIN/dvc" add -q data/files && git add -A && git commit -qm data
    log "dvc push of 1 GiB / 1,000 files to moto"
    "$REMOTE_BIN/dvc" push -q )
  (cd "$W/pull" && hyperfine -N -i --style none --warmup 0 --runs "${PULL_RUNS:-3}" --export-json "$W/results/pull-1GiB-s3.json" \
    --prepare "rm -rf $W/pull/.dvc/cache $W/pull/data/files" \
    "$MLCI pull" "$REMOTE_BIN/dvc pull -q" >"$W/results/pull-1GiB-s3.log" 2>&1) || log "FAILED: pull (see $W/results/pull-1GiB-s3.log)"
  kill -9 "$MOTO" 2>/dev/null || true
else
  log "skipping pull: no moto_server in $REMOTE_BIN (make deps)"
fi

# Last: modelscan takes minutes and about 12 GB for the 1 GiB pickle, and the rows measured after
# it (start-up, allocation-heavy drift) came out slower on a machine still reclaiming that
# memory. Two runs, no warm-up: at minutes per run, noise is not what limits it.
MODELSCAN="${MLCI_MODELSCAN_PYTHON:-${VENV_BIN%/bin}-modelscan/bin/python}"
MODELSCAN="$(dirname "$MODELSCAN")/modelscan"
if selected model-scan-vs-modelscan && [ -x "$MODELSCAN" ]; then
  (cd "$W" && hyperfine -N -i --style none --warmup 0 --runs 2 --export-json "$W/results/model-scan-vs-modelscan.json" \
    "$MLCI check model dense.pkl" "$MODELSCAN -p dense.pkl" >"$W/results/model-scan-vs-modelscan.log" 2>&1) \
    || log "FAILED: model-scan-vs-modelscan (see $W/results/model-scan-vs-modelscan.log)"
elif selected model-scan-vs-modelscan; then
  log "skipping model-scan-vs-modelscan: no $MODELSCAN (scripts/deps.sh makes it)"
fi

"$PY" - "$W/results" <<'PYEOF'
import json, os, sys
d = sys.argv[1]
rows = [
    ("sha256-1GiB", "SHA-256 of a 1 GiB file", "≥ 0.9× openssl speed"),
    ("md5-1GiB", "md5 of a 1 GiB file (DVC's hash)", "≥ 0.9× md5sum speed"),
    ("dir-10k", "10,000 small files, directory hash", "faster than cat | md5sum"),
    ("status-10k", "status, nothing changed, 10,000 files", "≤ 0.05 (≥ 20× faster)"),
    ("status-vs-stat", "status vs a bare stat of the 10,000 files", "≤ 1.5"),
    ("verify-noop", "no-op verify, 3 stages, 10,000 data files", "≤ 0.05 (≥ 20× faster)"),
    ("verify-noop-status", "no-op verify vs dvc status", "(for reference)"),
    ("dvc-gs-noop", "no-op verify, get-started dvc.yaml (4 stages)", "≥ 20× faster"),
    ("dvc-200-noop", "no-op verify, 200-stage foreach dvc.yaml", "≥ 20× faster"),
    ("dvc-200-force", "verify --force, 200 stages (vs repro -f)", "overhead < 5% of dvc's"),
    ("dvc-200-commands", "the 200 stage commands alone (subtract)", "(true)"),
    ("log-10k-commits", "log -- data/ over 10,000 commits", "≤ 1.5"),
    ("drift-1M", "drift KS+PSI, 1M rows x 10 columns", "≤ 0.1 (≥ 10× faster)"),
    ("model-scan-1GiB", "model scan of a 1 GiB pickle (vs reading it)", "≤ 10× cat"),
    ("model-scan-vs-modelscan", "model scan of a 1 GiB pickle vs modelscan", "≥ 50× faster"),
    ("version", "--version", "≤ 5"),
    ("drift-parquet-1M", "drift KS+PSI, 2 Parquet files 1M x 10 (snappy)", "≥ 10× faster"),
    ("verdict-signature", "lineage incl. checking the verdict's SSHSIG", "(ssh-keygen -Y verify alone)"),
    ("emit", "emit: signature, approval, lineage, Dockerfile + 12 manifests", "(kustomize build of one overlay)"),
    ("promote", "promote: render + commit 8 manifests + note", "(git plumbing commit of the same files)"),
    ("pull-1GiB-s3", "pull 1 GiB / 1,000 files from loopback S3", "≤ 1× dvc pull"),
]
print()
print(f"{'benchmark':45} {'mlci median':>12} {'peer median':>12} {'mlci/peer':>9}  peer / target")
for key, title, target in rows:
    path = os.path.join(d, key + ".json")
    if not os.path.exists(path) or os.path.getsize(path) == 0: continue
    res = json.load(open(path))["results"]
    m, p = res[0]["median"], res[1]["median"]
    words = res[1]["command"].split()
    peer = " ".join([os.path.basename(words[0])] + words[1:])[:40]
    extra = f"  ({(1 << 30) / m / 1e6:.0f} MB/s)" if key.startswith("model-scan") else ""
    print(f"{title:45} {m*1000:10.1f}ms {p*1000:10.1f}ms {m/p:9.2f}  {peer} / {target}{extra}")
rss = os.path.join(d, "drift-parquet-rss.txt")
if os.path.exists(rss):
    kb = int(open(rss).read().split()[-1])
    print(f"{'drift Parquet peak memory':45} {kb/1024:10.1f}MB {'160.0':>10}MB {kb*1024/160e6:9.2f}  parsed numbers / ≤ 1.5×")
memory = os.path.join(d, "drift-memory.txt")
if os.path.exists(memory): print(open(memory).read().strip())
PYEOF
