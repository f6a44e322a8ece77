#!/usr/bin/env bash
# Issue 21's hostile experiments through the CLI: each one's wall time and peak RSS (/usr/bin/time -v), its exit code
# against the one expected, and the report it ended with, as a table.
#   tools/measure-hostile.sh [FILE.kdsl...]     (default: tests/hostile/*.kdsl and the generated ones below)
# The files in tests/hostile/ run with `kdsl run` (their expect blocks say how each must end; tests/KDsl.Runtime.Tests
# runs them too); a line `// kdsl run --scenario all` runs every scenario, `// kdsl run exits N` expects exit code N
# (default 0). The reproducers too big to keep in the repository are written to a temporary directory and checked
# with `kdsl check`: 20,000 and 1,000,000 compile errors (calls of undefined functions, which the parser reads whole
# but keeps only up to the cap, where the binder stops; and syntax errors, where the parse itself stops), a chain of
# 5,000 functions, a 5 MB string literal.
# KDSL_CLI overrides the command (default: the Debug build, `dotnet src/Cli/bin/Debug/net10.0/kdsl.dll`, built first;
# e.g. KDSL_CLI=artifacts/kdsl/kdsl for README's native build).
set -uo pipefail
cd "$(dirname "$0")/.."
root=$PWD
if [ -z "${KDSL_CLI:-}" ]; then
    dotnet build src/Cli -v q -nologo >/dev/null || { echo "build failed" >&2; exit 1; }
    KDSL_CLI="dotnet $root/src/Cli/bin/Debug/net10.0/kdsl.dll"
fi
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

# The generated reproducers: name, then the kdsl command, then the expected exit code (2: compile errors).
generate() {
    python3 - "$work" <<'EOF'
import sys, os
d = sys.argv[1]
def write(name, text):
    with open(os.path.join(d, name), "w", encoding="utf-8") as f: f.write(text)
calls = lambda n: "".join(f"    undefined_{i}();\n" for i in range(n))
write("errors-20k.kdsl", 'module m "20,000 calls of undefined functions";\ninit {\n' + calls(20000) + "}\n")
write("errors-1m.kdsl", 'module m "1,000,000 calls of undefined functions";\ninit {\n' + calls(1000000) + "}\n")
write("errors-syntax-1m.kdsl", 'module m "1,000,000 syntax errors";\ninit {\n' + "    f() 1;\n" * 1000000 + "}\n")
n = 5000
chain = "".join(f"void f{i}(long x) {{ {f'f{i + 1}(x + 1);' if i + 1 < n else 'x = x + 1;'} }}\n" for i in range(n))
write("chain-5000.kdsl", 'module chain "a chain of 5,000 distinct functions";\n' + chain + "init { f0(0); }\n")
write("string-5mb.kdsl", 'module big "a 5 MB string literal";\ninit {\n    printk("' + "x" * (5 << 20) + '\\n");\n}\n')
EOF
}
generate || { echo "could not write the generated reproducers" >&2; exit 1; }

if [ $# -gt 0 ]; then files=("$@"); else files=(tests/hostile/*.kdsl "$work"/errors-20k.kdsl "$work"/errors-1m.kdsl "$work"/errors-syntax-1m.kdsl "$work"/chain-5000.kdsl "$work"/string-5mb.kdsl); fi

# The line a run or a check ended with: the first kernel report, KDsl's own word, or the process's end.
report() {
    grep -a -m1 -oE '(BUG: .*|WARNING: .*|unable to execute userspace code.*|watchdog: BUG: .*|Kernel panic.*|kdsl: .*|[a-z_]+\[[0-9]+\]: (stopped by|exit status).*|(error|warning|info) KDSL(0016|1002|1003|1004).*|[0-9]+ of [0-9]+ scenarios met.*)' "$1" |
        sed -E 's/^(.{100}).*/\1.../'
}

printf '%-34s %-6s %-5s %-5s %8s %9s  %s\n' FILE CMD EXIT WANT WALL_S PEAK_MB "ENDED WITH"
failed=0
for f in "${files[@]}"; do
    name=$(basename "$f")
    cmd=run; want=0; extra=()
    case "$name" in
        errors-*) cmd=check; want=2 ;;
        chain-5000.kdsl|string-5mb.kdsl) cmd=check ;;
    esac
    grep -q '^// kdsl run --scenario all' "$f" && extra=(--scenario all)
    w=$(sed -nE 's|^// kdsl run exits ([0-9]+).*|\1|p' "$f" | head -1); [ -n "$w" ] && want=$w
    out="$work/out"; tv="$work/time"
    /usr/bin/time -v -o "$tv" $KDSL_CLI "$cmd" "$f" "${extra[@]}" >"$out" 2>&1
    code=$?
    wall=$(sed -nE 's/.*Elapsed \(wall clock\) time.*: ([0-9:.]+)$/\1/p' "$tv" | awk -F: '{ s = 0; for (i = 1; i <= NF; i++) s = s * 60 + $i; printf "%.2f", s }')
    rss=$(sed -nE 's/.*Maximum resident set size \(kbytes\): ([0-9]+)/\1/p' "$tv" | awk '{ printf "%.0f", $1 / 1024 }')
    ended=$(report "$out")
    # a run that ends as it should with no report: its last log line
    [ -n "$ended" ] || ended="last line: $(grep -av '^counters:' "$out" | tail -1 | sed -E 's/^\[ *[0-9.]+\] //; s/^(.{90}).*/\1.../')"
    case "$name" in
        errors-*) ended="$(grep -c 'error KDSL' "$out") errors reported; $ended" ;;
        chain-5000.kdsl) ended="$(grep -c 'KDSL1003' "$out") KDSL1003; $ended" ;;
    esac
    [ "$code" = "$want" ] || failed=$((failed + 1))
    printf '%-34s %-6s %-5s %-5s %8s %9s  %s\n' "$name" "$cmd" "$code" "$want" "$wall" "$rss" "$ended"
done
echo "load average: $(cut -d' ' -f1-3 /proc/loadavg); $(nproc) cores; $KDSL_CLI"
[ "$failed" -eq 0 ] || { echo "$failed ended with an exit code other than the one expected"; exit 1; }
