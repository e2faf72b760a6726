# Xieshang: the two commands a newcomer needs are `make demo` and `make test`.
SHELL := /bin/bash
.SHELLFLAGS := -eu -o pipefail -c
SWIFT ?= swift
CONFIG ?= debug
# How many tests `make test` runs at once.
TEST_WIDTH ?= 6

# Debian packages the build, the tests and the demo need.
APT_PACKAGES := libzmq3-dev libprotobuf-c-dev protobuf-c-compiler pkg-config libsqlite3-dev sqlite3 libcurl4-openssl-dev libpq5 postgresql openssl msmtp python3-aiosmtpd docker-compose systemd prometheus \
  chromium chromium-driver python3-selenium fonts-noto-cjk nginx

PROTO_DIR := proto
PROTOS := $(shell find $(PROTO_DIR) -name '*.proto' | LC_ALL=C sort)
C_DIR := Sources/CXieshangProto
SWIFT_GEN_DIR := Sources/XieshangWire/Generated
GEN_BUILD := .build-generate
# How the suite is built for running (the demo, the benchmarks, operators, the container
# image): the Swift runtime and Foundation linked in (no Swift toolchain on the machine that
# runs it), by lld with packed relative relocations (glibc 2.36+, Debian 12) and without
# exporting the executable's own symbols (nothing loads against them), so that starting reads
# about 50 KiB of relocations instead of 2.5 MiB and a 15 KiB dynamic symbol table instead of
# 3 MiB, and an idle service stays under 30 MiB. A crash's backtrace still names functions
# (from .symtab) where SWIFT_BACKTRACE says where the static backtracer is, e.g.
# SWIFT_BACKTRACE=enable=yes,swift-backtrace=/opt/swift/usr/libexec/swift/linux/swift-backtrace-static
#
# Each function in a section of its own (Swift's and C's), and the functions the services run
# from start to idle (STARTUP_ORDER, written by `make startup-order`) placed together at the
# front of the text: an idle service then touches a few MiB of its 27 MiB of code instead of
# pages scattered over 16 MiB of it (the kernel maps 64 KiB around each page it faults in).
STARTUP_ORDER := $(CURDIR)/Tests/Bench/startup-functions.txt
RELEASE_FLAGS := -c release --static-swift-stdlib -Xswiftc -use-ld=lld -Xlinker -z -Xlinker pack-relative-relocs \
  -Xlinker --no-export-dynamic -Xswiftc -Xfrontend -Xswiftc -function-sections -Xcc -ffunction-sections \
  -Xlinker --symbol-ordering-file=$(STARTUP_ORDER) -Xlinker --no-warn-symbol-ordering
PRODUCTS := member-registry meeting-scheduler proposal-tracker notifier duty-record portal gateway loadtest

.PHONY: help bootstrap build release test demo up down bench startup-order fuzz soak generate generate-c generate-swift check-generated clean

help:
	@echo "make demo             build and run the demo"
	@echo "make test             install what is missing, build, run every test"
	@echo "make up / make down   start the suite as processes under ./run (with keys) / stop it"
	@echo "make soak             the crash, outage, bad-input, overload and storage tests, longer (SOAK=6)"
	@echo "make fuzz             libFuzzer over the envelope and every decoder (FUZZ_SECONDS=300)"
	@echo "make release          the executables as they are deployed, in .build/release"
	@echo "make bench            benchmarks against baselines measured in the same run"
	@echo "make startup-order    profile the services from start to idle (valgrind) for make release's link order"
	@echo "make generate         regenerate the C (protoc-c) and Swift wire code from proto/"
	@echo "make check-generated  fail if the committed generated code is stale"

# Installs the Debian packages that are missing; does nothing when all are there.
bootstrap:
	@missing=""; for p in $(APT_PACKAGES); do \
	  dpkg-query -W -f='$${Status}' $$p 2>/dev/null | grep -q "install ok installed" || missing="$$missing $$p"; \
	done; \
	if [ -n "$$missing" ]; then \
	  echo "bootstrap: installing$$missing"; \
	  SUDO=""; [ "$$(id -u)" -eq 0 ] || SUDO="sudo"; \
	  $$SUDO apt-get update -qq; \
	  DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -qq --no-install-recommends $$missing; \
	fi
	@# The tests check .ics files with a strict parser, Python's icalendar (from PyPI).
	@python3 -c "import icalendar" 2>/dev/null || { echo "bootstrap: installing icalendar (PyPI)"; \
	  python3 -m pip install -q --disable-pip-version-check --root-user-action=ignore icalendar; }

build: bootstrap
	$(SWIFT) build -c $(CONFIG)

# Not after bootstrap: the container image installs its own build packages.
# A release folder built with other flags (or with flags unknown: no stamp) is built afresh:
# swift build kept objects compiled without -function-sections when only that flag was added.
# An executable older than the order file is linked again (swift build does not know the file).
release:
	@bin=$$($(SWIFT) build -c release --show-bin-path); \
	if [ -d "$$bin" ] && [ "$$(cat "$$bin/.release-flags" 2>/dev/null)" != "$(RELEASE_FLAGS)" ]; then \
	  echo "release: $$bin was built with other flags; building afresh"; rm -rf "$$(readlink -f "$$bin")"; fi; \
	for product in $(PRODUCTS); do \
	  if [ "$(STARTUP_ORDER)" -nt "$$bin/$$product" ]; then rm -f "$$bin/$$product"; fi; done
	for product in $(PRODUCTS); do $(SWIFT) build $(RELEASE_FLAGS) --product "$$product"; done
	@echo "$(RELEASE_FLAGS)" >"$$($(SWIFT) build -c release --show-bin-path)/.release-flags"

# Profiles the release services from start to idle under valgrind (see the script).
startup-order: release
	@command -v valgrind >/dev/null || { SUDO=""; [ "$$(id -u)" -eq 0 ] || SUDO="sudo"; \
	  DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -qq --no-install-recommends valgrind; }
	Tests/Bench/startup-order.sh

test: bootstrap
	@if command -v protoc-c >/dev/null; then \
	  $(MAKE) --no-print-directory check-generated; \
	  Tests/Scripts/check-generated-detects-staleness.sh; \
	 else echo "test: protoc-c not found, skipping the generated-code checks"; fi
	Tests/Scripts/check-compose.sh
	@# The heavy tests run on their own after the rest, so their load does not eat into other
	@# tests' deadlines: the attacker's (a 32,000-member file, twenty parallel imports); the
	@# portal's sign-ins behind a proxy (slow password hashes by design) with the scheduler's
	@# copy of the registry (its staleness limit is a clock); the scheduler's replicas on
	@# PostgreSQL killed, raced and restarted under loadtest; then the portal in headless Chromium.
	@# At most $(TEST_WIDTH) tests at once (Swift Testing's bound; unbounded, every suite starts
	@# its services in the first seconds, 80 processes runnable on two cores, and in-process
	@# RPC tests missed their 5 s deadlines): the run takes as long, with a tenth of the load.
	SWT_EXPERIMENTAL_MAXIMUM_PARALLELIZATION_WIDTH=$(TEST_WIDTH) $(SWIFT) test --skip HostileInputTests --skip PortalBrowserTests --skip PortalProxyTests --skip RegistryModelProcessTests \
	  --skip SchedulerReplicaTests
	$(SWIFT) test --skip-build --filter HostileInputTests
	$(SWIFT) test --skip-build --filter SchedulerReplicaTests
	$(SWIFT) test --skip-build --filter "PortalProxyTests|RegistryModelProcessTests"
	$(SWIFT) test --skip-build --filter PortalBrowserTests
	Tests/Scripts/check-systemd.sh

# The suite as plain processes under ./run (data, logs, CURVE keys), left running.
up: bootstrap
	$(SWIFT) build --product member-registry
	$(SWIFT) build --product meeting-scheduler
	$(SWIFT) build --product proposal-tracker
	$(SWIFT) build --product notifier
	$(SWIFT) build --product duty-record
	$(SWIFT) build --product portal
	$(SWIFT) build --product gateway
	compose/xieshang-local start --run-dir run

down:
	compose/xieshang-local stop --run-dir run

# The demo runs release builds, as a committee would.
demo: bootstrap release
	XIESHANG_BIN=$$($(SWIFT) build -c release --show-bin-path) compose/demo.sh

bench: bootstrap release
	Tests/Bench/bench.sh

# --- generated code -----------------------------------------------------------------
# Step 1: protoc-c writes C into $(C_DIR) (sources by package path, headers under include/),
# then gen-c-accessors.sh writes the descriptor accessors and the umbrella header.
# Step 2: wire-gen (which links that C) walks the descriptors and writes the Swift layer.
generate: generate-c generate-swift

generate-c: bootstrap
	@$(MAKE) --no-print-directory gen-c-into OUT=$(C_DIR)

generate-swift:
	$(SWIFT) build --product wire-gen
	$$($(SWIFT) build --show-bin-path)/wire-gen --proto-root $(PROTO_DIR) --out $(SWIFT_GEN_DIR) $(PROTOS)
	Tests/Fuzz/gen-catalogue.sh $(SWIFT_GEN_DIR) > Tests/Fuzz/Catalogue.swift

gen-c-into:
	@test -n "$(OUT)"
	@tmp=$$(mktemp -d); trap 'rm -rf $$tmp' EXIT; \
	protoc-c -I $(PROTO_DIR) --c_out=$$tmp $(PROTOS); \
	rm -rf $(OUT)/xieshang $(OUT)/include/xieshang; mkdir -p $(OUT)/include; \
	(cd $$tmp && find . -name '*.pb-c.h' -o -name '*.pb-c.c') | while read -r f; do \
	  f=$${f#./}; case $$f in \
	    *.h) mkdir -p $(OUT)/include/$$(dirname $$f); cp $$tmp/$$f $(OUT)/include/$$f;; \
	    *.c) mkdir -p $(OUT)/$$(dirname $$f); cp $$tmp/$$f $(OUT)/$$f;; \
	  esac; done; \
	proto/gen-c-accessors.sh $(OUT)

# Regenerates both layers into a temporary folder and fails on any difference.
check-generated:
	@tmp=$$(mktemp -d); trap 'rm -rf $$tmp' EXIT; \
	mkdir -p $$tmp/c; \
	$(MAKE) --no-print-directory -s gen-c-into OUT=$$tmp/c; \
	if ! diff -r $(C_DIR) $$tmp/c >$$tmp/c.diff; then \
	  echo "check-generated: the C in $(C_DIR) is stale; run 'make generate'"; head -n 40 $$tmp/c.diff; exit 1; fi; \
	$(SWIFT) build --product wire-gen -q >/dev/null; \
	$$($(SWIFT) build --show-bin-path)/wire-gen --proto-root $(PROTO_DIR) --out $$tmp/swift $(PROTOS) >/dev/null; \
	if ! diff -r $(SWIFT_GEN_DIR) $$tmp/swift >$$tmp/swift.diff; then \
	  echo "check-generated: the Swift in $(SWIFT_GEN_DIR) is stale; run 'make generate'"; head -n 40 $$tmp/swift.diff; exit 1; fi; \
	Tests/Fuzz/gen-catalogue.sh $(SWIFT_GEN_DIR) > $$tmp/Catalogue.swift; \
	if ! diff Tests/Fuzz/Catalogue.swift $$tmp/Catalogue.swift >$$tmp/fuzz.diff; then \
	  echo "check-generated: Tests/Fuzz/Catalogue.swift is stale; run 'make generate'"; head -n 20 $$tmp/fuzz.diff; exit 1; fi; \
	echo "check-generated: generated code is up to date"

# The reliability tests' long variants: SOAK times the kills, the load and the inputs
# (default 6; about two and a half minutes).
SOAK ?= 6
soak: bootstrap
	XIESHANG_SOAK=$(SOAK) $(SWIFT) test --filter 'SchedulerCrashTests|CrashTests|BadInputCatalogueTests|OverloadTests|StorageFaultTests|DependencyOutageTests'

# libFuzzer over the RPC envelope and every message decoder, from the seed corpus in
# Tests/Fuzz/corpus, for FUZZ_SECONDS (default 300). A crash is saved as .build-fuzz/crash-*;
# replay it with `swift build --product wire-fuzz && .build/debug/wire-fuzz --run FILE`.
FUZZ_SECONDS ?= 300
FUZZ_FLAGS := -Xswiftc -sanitize=fuzzer,address -Xswiftc -DFUZZING \
  -Xswiftc -enable-experimental-feature -Xswiftc Extern -Xswiftc -Xclang-linker -Xswiftc -fuse-ld=lld
fuzz: bootstrap
	$(SWIFT) build --scratch-path .build-fuzz --product wire-fuzz $(FUZZ_FLAGS)
	@work=$$(mktemp -d); trap 'rm -rf $$work' EXIT; cp Tests/Fuzz/corpus/* $$work/; \
	.build-fuzz/debug/wire-fuzz -max_total_time=$(FUZZ_SECONDS) -print_final_stats=1 \
	  -artifact_prefix=.build-fuzz/crash- $$work

clean:
	rm -rf .build $(GEN_BUILD)
