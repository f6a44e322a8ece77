#!/usr/bin/env bash
# tools/pack-tool.sh [DIR]: packs the kdsl dotnet tool into DIR (default artifacts/packages) as the RID-specific tool
# .NET 10 installs (docs: "Create RID-specific, self-contained, and AOT .NET tools"):
#   KDsl.Tool            the package `dotnet tool install` is asked for; it only names the two below
#   KDsl.Tool.linux-x64  kdsl as a native program (Native AOT): no JIT, so a run starts in milliseconds
#   KDsl.Tool.any        the portable build, run by `dotnet` on every other platform
# `dotnet tool install --tool-path ~/.kdsl --add-source DIR KDsl.Tool` then picks the one for the machine.
#
# Native AOT compiles only for the platform it runs on, so the linux-x64 package is packed on linux-x64 alone; where
# it cannot be built there (Native AOT needs a C toolchain, gcc or clang) KDsl.Tool names the portable package only.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
out="$(mkdir -p "${1:-$root/artifacts/packages}" && cd "${1:-$root/artifacts/packages}" && pwd)"
cli="$root/src/Cli"

# The version stays 0.1.0 from pack to pack (a tool installed into a fresh --tool-path comes from the feed, not from
# the NuGet cache); NuGet skips writing a package it thinks current, so the old ones go first.
rm -f "$out"/KDsl.Tool.*nupkg

native=false
if [ "$(uname -s)-$(uname -m)" = Linux-x86_64 ]; then
    if dotnet pack "$cli" -r linux-x64 -o "$out" -nologo >"$out/pack-tool-native.log" 2>&1; then
        native=true
    else
        echo "pack-tool: Native AOT did not build here (see $out/pack-tool-native.log); packing the portable tool only" >&2
    fi
fi
dotnet pack "$cli" -r any -o "$out" -nologo
if $native; then
    dotnet pack "$cli" -o "$out" -nologo
else
    dotnet pack "$cli" -o "$out" -nologo -p:ToolPackageRuntimeIdentifiers=any
fi
ls "$out"/KDsl.Tool.*nupkg
