#!/bin/sh
# Builds every real-kernel experiment's C file (tests/KDsl.Runtime.Tests/RealKernel/Logs/experiments/*.c, BUF=700
# where the file takes one) as a module with GCC and the Debian 6.1 headers, and prints each function's frame (the
# pushes and the sub rsp of its prologue) beside the frame KDsl gives the .kdsl twin: where they differ, KDsl's code
# is not GCC's. Needs gcc and linux-headers-6.1.0-56-amd64 (apt-get), and a built src/Cli.
# usage: tools/gcc-frames/compare.sh [WORKDIR]
set -eu
repo=$(cd "$(dirname "$0")/../.." && pwd)
work=${1:-/tmp/kdsl-gcc-frames}
headers=/usr/src/linux-headers-6.1.0-56-amd64
experiments=$repo/tests/KDsl.Runtime.Tests/RealKernel/Logs/experiments
rm -rf "$work"; mkdir -p "$work"; cd "$work"
cp "$experiments"/*.c .
objs=""
for f in *.c; do
    b=${f%.c}
    case $b in
        *_BUF) n=${b%_BUF}; printf '#define BUF 700\n#include "%s"\n' "$f" > "${n}_x.c"; objs="$objs ${n}_x.o";;
        *) objs="$objs $b.o";;
    esac
done
echo "obj-m := $objs" > Kbuild
make -s -C "$headers" M="$work" CC=gcc modules >/dev/null 2>&1 || make -C "$headers" M="$work" CC=gcc modules
python3 "$repo/tools/gcc-frames/frames.py" "$experiments" "$repo/src/Cli/bin/Debug/net10.0/kdsl.dll" "$work"
