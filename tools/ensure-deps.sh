#!/usr/bin/env bash
# Checks the system packages Weft needs to build and test; installs the missing ones with
# apt when run as root, otherwise names exactly what to install and fails.
set -euo pipefail

# command-or-file -> Debian package
declare -A need=(
  [clang]=clang
  # the agent is compiled ahead of time: clang links it, objcopy splits its symbols, zlib is linked in
  [objcopy]=binutils
  [/usr/include/zlib.h]=zlib1g-dev
  [llvm-strip]=llvm
  [bpftool]=bpftool
  [/usr/include/bpf/bpf_helpers.h]=libbpf-dev
  [/usr/include/x86_64-linux-gnu/asm/types.h]=linux-libc-dev
  [ip]=iproute2
  [nsenter]=util-linux
  [tshark]=tshark
  [nft]=nftables
  [openssl]=openssl
  [python3]=python3
  # HTTP/2 interop peers of the tunnel tests: Debian's h2 for /usr/bin/python3, and nghttp
  [/usr/lib/python3/dist-packages/h2/__init__.py]=python3-h2
  [nghttp]=nghttp2-client
  # a real Prometheus (server and promtool) for the telemetry tests, run by the tests on loopback
  [promtool]=prometheus
  # the benchmark's traffic tools and its TLS baseline (make bench)
  [iperf3]=iperf3
  [sockperf]=sockperf
  [stunnel4]=stunnel4
)
libbpf_so=$(ldconfig -p 2>/dev/null | grep -c 'libbpf.so.1 ' || true)

missing=()
for what in "${!need[@]}"; do
  if [[ $what == /* ]]; then [[ -e $what ]] || missing+=("${need[$what]}")
  else command -v "$what" >/dev/null 2>&1 || [[ -x /usr/sbin/$what ]] || missing+=("${need[$what]}"); fi
done
[[ $libbpf_so -gt 0 ]] || missing+=(libbpf1)
# the arch-specific header path differs off x86-64; linux-libc-dev covers it either way
mapfile -t missing < <(printf '%s\n' "${missing[@]}" | sort -u | sed '/^$/d')

if [[ ${#missing[@]} -eq 0 ]]; then exit 0; fi
if [[ $(id -u) -ne 0 ]]; then
  echo "weft: missing system packages: ${missing[*]}" >&2
  echo "      install them with: sudo apt-get install -y ${missing[*]}" >&2
  exit 1
fi
echo "weft: installing ${missing[*]}" >&2
export DEBIAN_FRONTEND=noninteractive
# tshark asks whether non-root users may capture; answer no without a prompt
echo "wireshark-common wireshark-common/install-setuid boolean false" | debconf-set-selections 2>/dev/null || true
# iperf3 asks whether to run a system iperf3 server; the benchmark starts its own inside lab pods
echo "iperf3 iperf3/start_daemon boolean false" | debconf-set-selections 2>/dev/null || true
# no recommends: prometheus would bring node-exporter, a service nothing here wants
if ! apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null 2>&1; then
  apt-get update -qq >/dev/null
  apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi
# The package starts a system Prometheus; the tests run their own on loopback, so stop it.
if command -v systemctl >/dev/null 2>&1 && systemctl is-enabled prometheus >/dev/null 2>&1; then
  systemctl disable --now prometheus >/dev/null 2>&1 || true
fi
