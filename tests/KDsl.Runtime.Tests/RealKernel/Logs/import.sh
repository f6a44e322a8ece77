#!/bin/sh
# Copies one oracle serial-console log into this folder: from "ORACLE: running" to the end, CRs removed.
# usage: import.sh SOURCE.log PROFILE        e.g. import.sh /tmp/oracle/harness/logs/step5_512-norand.log linux-6.1
# Then add the file's one line to RealKernelLogs.All (RealKernel/RealKernelLogs.Catalog.cs) and a row to README.md.
set -eu
src=$1; profile=$2
dest="$(dirname "$0")/$profile/$(basename "$src")"
mkdir -p "$(dirname "$dest")"
sed -n '/ORACLE: running/,$p' "$src" | tr -d '\r' > "$dest"
[ -s "$dest" ] || { echo "no 'ORACLE: running' line in $src" >&2; rm -f "$dest"; exit 1; }
echo "$dest: $(wc -l < "$dest") lines"
