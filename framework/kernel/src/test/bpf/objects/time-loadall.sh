#!/usr/bin/env bash
# time-loadall.sh OBJ N: median and min wall time (ms) of `bpftool prog loadall OBJ` over N runs
o=$1; n=$2; d=/sys/fs/bpf/bpf_osgi_timeit; ts=()
for i in $(seq "$n"); do rm -rf "$d"; s=$(date +%s%N); bpftool prog loadall "$o" "$d" || exit 1; e=$(date +%s%N); ts+=($(( (e-s)/1000 ))); done
rm -rf "$d"
printf '%s\n' "${ts[@]}" | sort -n | awk '{a[NR]=$1} END {printf "median %.1f ms, min %.1f ms (%d runs)\n", a[int((NR+1)/2)]/1000, a[1]/1000, NR}'
