#!/usr/bin/env bash
# tools/measure-user-paths.sh [RUNS]: the wall times a new user meets, measured on a clean clone of this repository's
# HEAD in a temporary directory (median of RUNS, default 5):
#   - README's main command, ./kdsl run examples/step5.kdsl: its first call (restore and the Native AOT build
#     included; NuGet packages already in the machine's cache are not downloaded again) and later calls;
#   - the kdsl tool: tools/pack-tool.sh, `dotnet tool install` into a new tool path, and a run of the installed kdsl
#     from outside the repository;
#   - kdsl sweep examples/step5.kdsl --param BUF=64..16384:64 on every core and with --jobs 1, whose outputs must be
#     the same bytes.
# The load average is printed before and after: on a shared machine the figures are only as good as it is idle.
set -euo pipefail
runs="${1:-5}"
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1

# Wall seconds of one command, its output to $work/last.out.
seconds() {
    local start end
    start=$(date +%s%N)
    "$@" >"$work/last.out" 2>&1
    end=$(date +%s%N)
    awk -v ns=$((end - start)) 'BEGIN { printf "%.3f\n", ns / 1e9 }'
}

# The median of RUNS timings of a command, with all of them: "0.061 (0.058 0.060 0.061 0.065 0.070)".
median() {
    local times=()
    for _ in $(seq "$runs"); do times+=("$(seconds "$@")"); done
    printf '%s\n' "${times[@]}" | sort -n | awk '{ t[NR] = $1; all = all (NR > 1 ? " " : "") $1 }
        END { m = NR % 2 ? t[(NR + 1) / 2] : (t[NR / 2] + t[NR / 2 + 1]) / 2; printf "%.3f s (%s)\n", m, all }'
}

echo "load average: $(cut -d' ' -f1-3 /proc/loadavg), $(nproc) cores"
git clone -q "$root" "$work/kdsl"
cd "$work/kdsl"
echo "clean clone of $(git log --oneline -1 | cut -c1-60)"

echo "./kdsl run examples/step5.kdsl, first call:   $(seconds ./kdsl run examples/step5.kdsl) s"
echo "./kdsl run examples/step5.kdsl, later calls:  $(median ./kdsl run examples/step5.kdsl)"

echo "tools/pack-tool.sh:                           $(seconds tools/pack-tool.sh "$work/feed") s"
install_tool() { rm -rf "$work/tool" && dotnet tool install --tool-path "$work/tool" --add-source "$work/feed" KDsl.Tool; }
echo "dotnet tool install KDsl.Tool:                $(median install_tool)"
echo "installed: $(readlink "$work/tool/kdsl" || echo "$work/tool/kdsl")"
cd "$work"
echo "installed kdsl run step5.kdsl, outside:       $(median "$work/tool/kdsl" run "$work/kdsl/examples/step5.kdsl")"
cd "$work/kdsl"

sweep=(./kdsl sweep examples/step5.kdsl --param BUF=64..16384:64)
"${sweep[@]}" >"$work/sweep-parallel.out" 2>/dev/null
"${sweep[@]}" --jobs 1 >"$work/sweep-one.out" 2>/dev/null
cmp -s "$work/sweep-parallel.out" "$work/sweep-one.out" && same="the same bytes" || same="DIFFERENT output"
echo "sweep BUF=64..16384:64, every core:           $(median "${sweep[@]}")"
echo "sweep BUF=64..16384:64, --jobs 1:             $(median "${sweep[@]}" --jobs 1)"
echo "sweep outputs, every core and --jobs 1: $same ($(wc -l <"$work/sweep-one.out") lines)"
echo "load average: $(cut -d' ' -f1-3 /proc/loadavg)"
