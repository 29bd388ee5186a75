# mlci — build, test, benchmark and demo. Every target installs what it needs (`make deps`).
SWIFT    ?= swift
PREFIX   ?= /usr/local
VENV     ?= $(CURDIR)/.venv
PYTHON   ?= python3
RELEASE_FLAGS ?= -c release --static-swift-stdlib
export PATH := $(VENV)/bin:$(PATH)
export MLCI_PYTHON := $(VENV)/bin/python
export MLCI_DEPLOY_TOOLS := $(VENV)-deploy/bin
export MLCI_CI_TOOLS := $(VENV)-ci/bin
export MLCI_REMOTE_TOOLS := $(VENV)-remote/bin
export MLCI_DATA_PYTHON := $(VENV)-data/bin/python
export MLCI_MODELSCAN_PYTHON := $(VENV)-modelscan/bin/python
export DVC_NO_ANALYTICS := 1

.PHONY: all deps build release test test-release bench install demo lint schema templates clean fuzz

all: build

## deps: system libraries (libgit2) and the Python validators/peers in .venv (idempotent)
deps:
	@scripts/deps.sh "$(VENV)" "$(PYTHON)"

## build: debug build of the mlci binary
build:
	@pkg-config --exists libgit2 || $(MAKE) deps
	$(SWIFT) build

## release: the self-contained tarball dist/mlci-VERSION-linux-ARCH.tar.gz (+ .sha256): Swift runtime,
## libgit2 and its dependencies linked statically, libcurl loaded only to talk HTTP (scripts/release.sh)
release:
	@pkg-config --exists libgit2 || $(MAKE) deps
	SWIFT="$(SWIFT)" scripts/release.sh "$(CURDIR)/dist"

## test: every test (unit, libgit2 against the git CLI, DVC compatibility, end to end)
test: deps
	$(SWIFT) build --build-tests
	$(SWIFT) test
	@scripts/fuzz.sh 3
	SWIFT="$(SWIFT)" scripts/test-release.sh

## fuzz: libFuzzer harnesses of the model-file readers, each run briefly on a seed corpus (FUZZ_SECONDS each)
FUZZ_SECONDS ?= 5
fuzz:
	@scripts/fuzz.sh $(FUZZ_SECONDS)

## test-release (also the last step of test): the release tarball is reproducible, needs only libc, runs in a
## debootstrap root, installs with scripts/install.sh (refusing a bad checksum); the demo passes 10 times in a row
test-release: deps
	SWIFT="$(SWIFT)" scripts/test-release.sh

## bench: mlci against sha256sum/md5sum/openssl, DVC and git, side by side (see scripts/bench.sh)
bench: deps release
	@scripts/bench.sh "$(CURDIR)/.build/release-static/release/mlci"

## install: the release binary into $(PREFIX)/bin
install: release
	scripts/install.sh --prefix "$(DESTDIR)$(PREFIX)" dist/mlci-*-linux-$$(uname -m).tar.gz

## demo: the example ML repository, committed twice, with lineage, log and diff
demo: deps build
	@scripts/demo.sh "$(CURDIR)/.build/debug/mlci"

## templates: embed templates/deploy into the binary (Sources/MLCIDeploy/BuiltinTemplates.swift)
templates:
	$(PYTHON) scripts/embed-templates.py

## lint: a warning-free build and an up-to-date JSON Schema
lint:
	$(SWIFT) build -Xswiftc -warnings-as-errors
	@$(SWIFT) run -q mlci schema | diff -u schemas/mlci.schema.json - && echo "schemas/mlci.schema.json is up to date"

## schema: regenerate schemas/mlci.schema.json from the loader's schema
schema: build
	.build/debug/mlci schema > schemas/mlci.schema.json

clean:
	rm -rf .build dist
