#!/usr/bin/env bash
# Runs every benchmark binary in the build tree and prints one table.
#   bench/run-all.sh [BUILD_DIR] [--quick]
# --quick: a short smoke run of each (CI); figures are then not meaningful.
set -euo pipefail
build=${1:-build}
shift || true
here=$(cd "$(dirname "$0")/.." && pwd)
cd "$here"
raw=$(mktemp)
trap 'rm -f "$raw"' EXIT
status=0
for bin in "$build"/bench/*_bench; do
  [ -x "$bin" ] || continue
  echo "== $(basename "$bin")" >&2
  if ! "$bin" "$@" | tee -a "$raw" >&2; then
    echo "benchmark $(basename "$bin") failed" >&2
    status=1
  fi
done
echo
echo "machine: $(uname -m), $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs)"
echo "commit:  $(git rev-parse --short HEAD 2>/dev/null || echo unknown), $(date -u +%Y-%m-%d)"
printf '%-58s %14s  %-10s %s\n' "measurement" "value" "unit" "target"
grep '^BENCH' "$raw" | while IFS=$'\t' read -r _ name value unit target; do
  printf '%-58s %14s  %-10s %s\n' "$name" "$value" "$unit" "$target"
done
exit $status
