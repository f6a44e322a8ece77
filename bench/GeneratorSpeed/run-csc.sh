#!/bin/bash
# The generator inside the real compiler, as a command-line `dotnet build` without the compiler server runs it: the SDK's
# csc (ReadyToRun Roslyn) in a fresh process over N step5 variants (or a folder's .kdsl files cycled to N), with the
# generator's time from -reportanalyzer.
#   bench/GeneratorSpeed/run-csc.sh DIR [N=200] [examples/step5.kdsl | FOLDER]
# DIR holds KDsl.Generator.dll, KDsl.Dsl.dll and Iced.dll (e.g. the bin folder of a Release build of this project, or
# of `dotnet publish -r linux-x64 -p:PublishReadyToRun=true`). The csc process time includes compiling the generated C#.
set -euo pipefail
BIN=$(cd "$1" && pwd); N=${2:-200}
DOTNET_ROOT=$(dirname "$(readlink -f "$(command -v dotnet)")")
CSC=$(ls -d "$DOTNET_ROOT"/sdk/*/Roslyn/bincore/csc.dll | sort -V | tail -1)
REF=$(ls -d "$DOTNET_ROOT"/packs/Microsoft.NETCore.App.Ref/*/ref/net* | sort -V | tail -1)
SOURCE=${3:-$(cd "$(dirname "$0")/../.." && pwd)/examples/step5.kdsl}
WORK=$(mktemp -d); trap 'rm -rf "$WORK"' EXIT
if [ -d "$SOURCE" ]; then
  mapfile -t FILES < <(ls "$SOURCE"/*.kdsl | sort)
  for ((i = 0; i < N; i++)); do
    f=${FILES[$((i % ${#FILES[@]}))]}
    cp "$f" "$WORK/$(printf %03d $i)_$(basename "$f")"
  done
else
  for ((i = 0; i < N; i++)); do
    sed "s/const BUF = 4096;/const BUF = $((64 + 8 * i));/" "$SOURCE" > "$WORK/step5_$(printf %03d $i).kdsl"
  done
fi
echo 'namespace GeneratorSpeed { internal static class Empty { } }' > "$WORK/empty.cs"
{
  echo "-nologo -t:library -nostdlib -warn:0 -reportanalyzer -out:$WORK/out.dll"
  for r in "$REF"/*.dll; do echo "-r:$r"; done
  echo "-r:$BIN/KDsl.Dsl.dll"
  for a in KDsl.Generator.dll KDsl.Dsl.dll Iced.dll; do echo "-analyzer:$BIN/$a"; done
  for f in "$WORK"/*.kdsl; do echo "-additionalfile:$f"; done
  echo "$WORK/empty.cs"
} > "$WORK/args.rsp"
/usr/bin/time -f "csc process: %e s wall, %U s user, %S s sys" dotnet exec "$CSC" -noconfig "@$WORK/args.rsp" 2>&1 |
  grep -E "Total generator execution time|csc process|error"
