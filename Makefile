# Weft: build the eBPF object and the agent, run the tests, run the demo.
# `make demo` and `make test` do all their own set-up (tools/ensure-deps.sh, tools/ensure-host.sh).

SHELL := /bin/bash
OUT := out
BPF_OBJ := $(OUT)/bpf/weft.bpf.o
ARCH := $(shell uname -m | sed -e 's/x86_64/x86/' -e 's/aarch64/arm64/')
MULTIARCH := $(shell gcc -print-multiarch 2>/dev/null || echo x86_64-linux-gnu)
BPF_CFLAGS := -O2 -g -Wall -Werror -target bpf -D__TARGET_ARCH_$(ARCH) -I/usr/include/$(MULTIARCH)
DOTNET ?= dotnet
CONFIG ?= Release
export DOTNET_CLI_TELEMETRY_OPTOUT=1
export DOTNET_NOLOGO=1

.PHONY: all build deps host bpf bpf-object agent agent-publish test demo bench bench-smoke clean

all: build

deps:
	@tools/ensure-deps.sh

# bpffs and cgroup v2 mounted (a fresh VM may have neither mounted yet)
host:
	@tools/ensure-host.sh

bpf: deps bpf-object

# The object alone, without the dependency check: the image's first stage (daemonset/Dockerfile)
# runs this very target, so the image is built with the same flags as `make build`.
bpf-object: $(BPF_OBJ)

$(BPF_OBJ): bpf/weft.bpf.c bpf/weft_shared.h
	@mkdir -p $(dir $@)
	clang $(BPF_CFLAGS) -c $< -o $@

agent: bpf agent-publish
	$(DOTNET) publish agent/Weft.Lab/Weft.Lab.csproj -c $(CONFIG) -o $(OUT)/lab --nologo -v q
	cp $(BPF_OBJ) $(OUT)/agent/weft.bpf.o
	@mkdir -p bin
	@printf '#!/bin/sh\nexec "%s/%s/agent/weft" "$$@"\n' "$(CURDIR)" "$(OUT)" > bin/weft && chmod +x bin/weft
	@printf '#!/bin/sh\nexec "%s/%s/lab/weft-lab" "$$@"\n' "$(CURDIR)" "$(OUT)" > bin/weft-lab && chmod +x bin/weft-lab
	@echo "built bin/weft and bin/weft-lab"

# The agent alone, compiled ahead of time to one native binary (PublishAot in its project; about
# 3 minutes on 2 cores); the image's second stage runs this very target.
agent-publish:
	rm -rf $(OUT)/agent
	$(DOTNET) publish agent/Weft.Agent/Weft.Agent.csproj -c $(CONFIG) -o $(OUT)/agent --nologo -v q

build: agent

# Test projects run one after another: the privileged ones build labs and load BPF, and
# 2 cores are better spent on one at a time. The last line sums all of them.
TEST_PROJECTS := $(wildcard tests/*/*.Tests.csproj)
test: build host
	@rm -rf $(OUT)/test-results; status=0; \
	for p in $(TEST_PROJECTS); do \
	  n=$$(basename $$p .csproj); echo "== $$n"; \
	  $(DOTNET) test $$p --nologo -v q --logger "trx;LogFileName=$$n.trx" --results-directory $(OUT)/test-results || status=1; \
	done; \
	tools/test-summary.sh $(OUT)/test-results || status=1; \
	echo "== bench-smoke (the benchmark's harness, about a minute; asserts nothing about speed)"; \
	bin/weft-lab bench --smoke --out $(OUT)/bench-smoke || status=1; \
	exit $$status

demo: build host
	bin/weft-lab demo

# Issue 6's benchmark: direct, Weft (one node, two nodes) and stunnel, interleaved, medians.
# Results (md, json, svg) go to bench/results; about 7 minutes on 2 cores. `make test` runs the smoke variant.
bench: build host
	bin/weft-lab bench

# The same code path in seconds: fails only if a case cannot run, says nothing about speed.
bench-smoke: build host
	bin/weft-lab bench --smoke --out $(OUT)/bench-smoke

clean:
	rm -rf $(OUT) bin agent/*/bin agent/*/obj tests/*/bin tests/*/obj
