#!/bin/sh
# The long robustness runs (issues 9, 21): the [Explicit] tests CpuDifferentialTests.LongRun, CompilerFuzzTests.LongRun
# and WildCodeTests.LongRun (the runtime: random code, wild jumps and writes, random module text, corrupted kernel data,
# random bytes on the bare CPU).
#   tests/fuzz-long.sh [diff|compiler|runtime|all]   (KDSL_DIFF_CASES / KDSL_FUZZ_INPUTS default 100000,
#   KDSL_RUNTIME_CASES 30000; *_SEED to vary; KDSL_FUZZ_MINUTES caps the compiler and runtime campaigns' time, default 120)
# KDSL_FUZZ_TRACE=file keeps the compiler input being tried, for a crash the host cannot catch.
set -e
cd "$(dirname "$0")/.."
what=${1:-all}
artifacts=${KDSL_ARTIFACTS:-/tmp/kdsl-fuzz-long-runs}
run() {
    dotnet test tests/KDsl.Runtime.Tests --artifacts-path "$artifacts" --filter "FullyQualifiedName~$1" \
        --logger "console;verbosity=detailed" | grep -E "long run|DIVERGENCE|PROBLEM|Passed|Failed" || true
}
if [ "$what" = diff ] || [ "$what" = all ]; then run CpuDifferentialTests.LongRun; fi
if [ "$what" = compiler ] || [ "$what" = all ]; then run CompilerFuzzTests.LongRun; fi
if [ "$what" = runtime ] || [ "$what" = all ]; then run WildCodeTests.LongRun; fi
