#!/usr/bin/env bash
# The operator binary at rest, a previous commit and the current tree side by side in one run: each is published as the
# images ship it (Native AOT), then started RUNS times against the API test server with the example CacheGroup; prints
# the median time to /readyz, to the first StatefulSet applied, and the idle RSS after 10 s (Reports/OperatorFootprint.cs).
# Usage: bash bench/scripts/operator-footprint.sh REV [RUNS]      (default 5 runs)
# The previous commit is checked out as a git worktree under artifacts/ (remove it with `git worktree remove`).
set -euo pipefail
cd "$(dirname "$0")/../.."

rev=$1
runs=${2:-5}
out=$PWD/artifacts/operator-footprint
rid=linux-x64
if [[ $(uname -m) == aarch64 ]]; then rid=linux-arm64; fi
source bench/scripts/before-tree.sh
checkout_before_tree "$rev"

publish() {
    local dir=$1 name=$2
    (cd "$dir" && dotnet publish operator/K8sCache.Operator -c Release -r "$rid" --nologo -v quiet -p:PublishAot=true \
        --artifacts-path "$dir/artifacts/footprint-build" -o "$out/$name")
}

publish "$tree" before
publish "$PWD" after
# The report runs from the benchmarks' own build root, so a test run's bin/ folders are left alone.
dotnet build bench/K8sCache.Benchmarks -c Release --nologo -v quiet --artifacts-path artifacts/bench
for name in before after; do
    dotnet artifacts/bench/bin/K8sCache.Benchmarks/release/K8sCache.Benchmarks.dll operator-footprint "$out/$name/k8scache-operator" "$runs"
done
