#!/bin/bash
# Compares two Release builds of kdsl on this noisy shared machine: both run `kdsl bench` at the same time, one per
# core (swapped every round), so a slow moment of the host slows both and the per-round ratio B/A stays meaningful.
#   bench/ab.sh A_ARTIFACTS B_ARTIFACTS [ROUNDS]
# A_ARTIFACTS/B_ARTIFACTS: --artifacts-path folders of `dotnet build -c Release src/Cli` (copy one aside before rebuilding).
set -e
cd "$(dirname "$0")/.."
a=$1; b=$2; rounds=${3:-4}
out=$(mktemp -d)
for i in $(seq 1 "$rounds"); do
    if [ $((i % 2)) = 1 ]; then ca=0; cb=1; else ca=1; cb=0; fi
    taskset -c $ca dotnet "$a/bin/KDsl.Cli/release/kdsl.dll" bench --dir bench/workloads --repeat 5 2>/dev/null > "$out/a" &
    taskset -c $cb dotnet "$b/bin/KDsl.Cli/release/kdsl.dll" bench --dir bench/workloads --repeat 5 2>/dev/null > "$out/b" &
    wait
    paste "$out/a" "$out/b" | awk '{ printf "%s A %6.1f B %6.1f MIPS  B/A %.3f\n", $1, $5, $11, $11 / $5 }'
done
rm -rf "$out"
