#!/usr/bin/env bash
# Mounts what the lab, the tests and the demo need from the kernel when it is not mounted yet:
# the BPF file system at /sys/fs/bpf (pins) and a cgroup v2 hierarchy (where the capture
# programs attach). Root only; without root the privileged tests skip (or fail under CI=true).
set -euo pipefail
[[ $(id -u) -eq 0 ]] || exit 0

if [[ $(stat -f -c %T /sys/fs/bpf 2>/dev/null) != bpf_fs ]]; then
  echo "weft: mounting the BPF file system at /sys/fs/bpf" >&2
  mkdir -p /sys/fs/bpf
  mount -t bpf bpf /sys/fs/bpf
fi

if ! grep -q ' - cgroup2 ' /proc/self/mountinfo; then
  echo "weft: mounting cgroup v2 at /sys/fs/cgroup/unified" >&2
  mkdir -p /sys/fs/cgroup/unified
  mount -t cgroup2 none /sys/fs/cgroup/unified
fi
