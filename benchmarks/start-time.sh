#!/usr/bin/env bash
# Wall and CPU time of one-shot commands, N runs each (default 10): median wall, mean user+sys.
# Usage: benchmarks/start-time.sh [N] -- CMD ARGS...   (e.g. -- ./bpf-osgi lsmod)
set -euo pipefail
n=10
if [ "${1:-}" != "--" ]; then n="$1"; shift; fi
shift
walls=(); cpus=()
for i in $(seq 1 "$n"); do
  tf="$(mktemp)"
  /usr/bin/time -o "$tf" -f '%e %U %S' "$@" >/dev/null 2>&1 || true
  read -r w u s < <(tail -1 "$tf"); rm -f "$tf"
  walls+=("$w"); cpus+=("$(echo "$u + $s" | bc -l)")
done
median="$(printf '%s\n' "${walls[@]}" | sort -n | awk '{a[NR]=$1} END {print (NR%2 ? a[(NR+1)/2] : (a[NR/2]+a[NR/2+1])/2)}')"
cpu="$(printf '%s\n' "${cpus[@]}" | awk '{s+=$1} END {printf "%.2f", s/NR}')"
echo "median wall ${median} s, mean cpu ${cpu} s over $n runs: $*"
