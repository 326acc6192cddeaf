#!/usr/bin/env bash
# Publishes the sidecar and the operator as the container images ship them: ahead-of-time compiled where the SDK's
# Native AOT packs can be restored, else trimmed self-contained. Warnings are errors, so a trim or AOT warning fails
# the publish. The Dockerfile runs this script; the test suite runs it too, proving it builds here.
# Usage: scripts/publish.sh [--output DIR] [--aot auto|on|off] [--artifacts-path DIR]   (default: artifacts/publish, auto)
# --artifacts-path keeps the build's intermediate and output folders under DIR (the benchmarks' own build root), so a
# publish never rewrites the folders a test run builds and runs from.
set -euo pipefail
cd "$(dirname "$0")/.."

output=artifacts/publish
aot=auto
build_root=()
while (($# > 0)); do
    case $1 in
        --output) output=$2; shift 2 ;;
        --aot) aot=$2; shift 2 ;;
        --artifacts-path) build_root=(-p:UseArtifactsOutput=true "-p:ArtifactsPath=$(realpath -m "$2")"); shift 2 ;;
        *) echo "publish: unknown argument $1" >&2; exit 2 ;;
    esac
done

rid=linux-x64
if [[ $(uname -m) == aarch64 ]]; then rid=linux-arm64; fi

publish() {
    local project=$1 name=$2 mode=$3
    local common=(-c Release -r "$rid" --nologo -v quiet -p:TreatWarningsAsErrors=true -o "$output/$name" "${build_root[@]}")
    if [[ $mode == aot ]]; then
        dotnet publish "$project" "${common[@]}" -p:PublishAot=true
    else
        dotnet publish "$project" "${common[@]}" --self-contained -p:PublishTrimmed=true
    fi
    echo "publish: $name ($mode) -> $output/$name"
}

mode=trimmed
if [[ $aot == on ]]; then
    mode=aot
elif [[ $aot == auto ]] && dotnet restore sidecar/K8sCache.Sidecar -r "$rid" -p:PublishAot=true "${build_root[@]}" --nologo -v quiet >/dev/null 2>&1; then
    mode=aot
fi

if [[ $mode == trimmed ]]; then
    echo "publish: the Native AOT packs are not available here; publishing trimmed self-contained"
fi

rm -rf "$output"
publish sidecar/K8sCache.Sidecar sidecar "$mode"
publish operator/K8sCache.Operator operator "$mode"
