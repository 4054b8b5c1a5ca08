# Kinglet: the commands README shows. Every target installs what it needs first.
SHELL := /bin/bash
SWIFT ?= swift
PYTHON ?= python3
# Debug build for tests and the demo; the release build is what ships and what `make bench` measures.
BUILD := .build
RELEASE_BIN := $(BUILD)/release/kinglet
APT_PACKAGES := libxml2-dev libmbedtls-dev libsqlite3-dev pkg-config prosody lua-unbound ejabberd openssl sqlite3 ca-certificates
PY_REQUIREMENTS := Tests/Integration/requirements.txt
# What `make bench` needs besides: the C reference agent's libraries (libstrophe brings OpenSSL and expat).
BENCH_APT_PACKAGES := libstrophe-dev gcc
REFAGENT := $(BUILD)/refagent

.PHONY: all deps build release test unit integration test-kernel demo bench clean profiles

all: build

# Installs the C libraries, Prosody, ejabberd (a second server for the interop tests) and the
# Python peers where they are missing (needs root, as CI has). If the package starts a system
# ejabberd, the tests run their own next to it (own node, ports and no epmd).
deps:
	@missing=$$(for p in $(APT_PACKAGES); do dpkg -s $$p >/dev/null 2>&1 || echo $$p; done); \
	if [ -n "$$missing" ]; then \
		echo "installing:" $$missing; \
		apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends $$missing >/dev/null; \
	fi
	@$(PYTHON) -c 'import slixmpp, aioxmpp, pytest' 2>/dev/null || $(PYTHON) -m pip install -q -r $(PY_REQUIREMENTS)

build: deps
	$(SWIFT) build -Xswiftc -warnings-as-errors

release: deps
	$(SWIFT) build -c release --static-swift-stdlib -Xswiftc -warnings-as-errors
	strip -o $(BUILD)/kinglet-stripped $(RELEASE_BIN)

unit: deps
	$(SWIFT) build --build-tests -Xswiftc -warnings-as-errors
	$(SWIFT) test --skip-build

integration: build
	$(PYTHON) -m pytest -q Tests/Integration

test: unit integration

# The real-kernel test (Tests/Kernel/run.sh): Linux 6.1 in QEMU with simulated GPIO, IIO and
# thermal hardware. Status 77 means the VM cannot run on this machine: reported as SKIPPED.
test-kernel: release
	@status=0; Tests/Kernel/run.sh $(BUILD)/kinglet-stripped || status=$$?; \
	if [ $$status = 77 ]; then echo "test-kernel: SKIPPED (the reason is above); nothing was tested"; \
	elif [ $$status != 0 ]; then echo "test-kernel: FAILED"; exit $$status; fi

demo: build
	$(PYTHON) Tests/Integration/demo.py

bench: release $(REFAGENT)
	$(SWIFT) build -c release --product kinglet-bench -Xswiftc -warnings-as-errors
	$(BUILD)/release/kinglet-bench
	$(PYTHON) Benchmarks/bench_agent.py --binary $(BUILD)/kinglet-stripped
	$(PYTHON) Benchmarks/bench_outbox.py --binary $(BUILD)/kinglet-stripped
	$(PYTHON) Benchmarks/bench_latency.py --binary $(BUILD)/kinglet-stripped

# The shipped profiles compiled into the binary; BuiltInProfileTests fails when they drift.
profiles:
	$(PYTHON) Devices/embed_profiles.py > Sources/Devices/Profile/BuiltInProfiles.swift

# The reference agent the figures are compared with (Benchmarks/reference/refagent.c).
$(REFAGENT): Benchmarks/reference/refagent.c
	@missing=$$(for p in $(BENCH_APT_PACKAGES); do dpkg -s $$p >/dev/null 2>&1 || echo $$p; done); \
	if [ -n "$$missing" ]; then \
		echo "installing:" $$missing; \
		apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends $$missing >/dev/null; \
	fi
	@mkdir -p $(BUILD)
	cc -O2 -Wall -Wextra -Werror -o $@ $< $$(pkg-config --cflags --libs libstrophe) -lsqlite3

clean:
	rm -rf $(BUILD) test-run demo-run
