#!/bin/sh
# The long robustness runs (issue 9): the [Explicit] tests CpuDifferentialTests.LongRun and CompilerFuzzTests.LongRun.
#   tests/fuzz-long.sh [diff|compiler|all]   (KDSL_DIFF_CASES / KDSL_FUZZ_INPUTS default 100000; *_SEED to vary;
#   KDSL_FUZZ_MINUTES caps the compiler campaign's time, default 120)
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
