#!/usr/bin/env bash
# Measures a previous commit and the current tree side by side, in one run, with the same commands: peer fetch against
# groupcache and the sidecar's footprint (bench/compare, its "peer" and "footprint" workloads), the unary gRPC round trip
# (BenchmarkDotNet, short job, in process) and the localhost gRPC Get (bench/scripts/grpc-gets.sh, with this tree's client).
# Usage: bash bench/scripts/before-after.sh REV [RUNS]      Reports go to artifacts/before-after/{before,after}-*.
# The previous commit is checked out as a git worktree under artifacts/ (remove it with `git worktree remove`).
set -euo pipefail
cd "$(dirname "$0")/../.."

rev=$1
runs=${2:-3}
out=$PWD/artifacts/before-after
mkdir -p "$out"
source bench/scripts/before-tree.sh
checkout_before_tree "$rev"

measure() {
    local name=$1 dir=$2
    echo "before-after: $name ($dir)"
    (cd "$dir" && bash bench/compare/run.sh --only peer footprint --runs "$runs" --out "$out/$name-compare.md" >/dev/null)
    # In process: the benchmark tool was built by bench/compare/run.sh under the tree's own build root.
    (cd "$dir" && dotnet artifacts/bench/bin/K8sCache.Benchmarks/release/K8sCache.Benchmarks.dll \
        --filter '*UnaryRoundTrip*' --inProcess --job short --exporters markdown --artifacts "$out/$name-bdn" >/dev/null)
    bash bench/scripts/grpc-gets.sh "$dir/artifacts/bench/bin/K8sCache.Sidecar/release/k8scache-sidecar.dll" 10 | tee "$out/$name-grpc-gets.txt"
}

measure before "$tree"
measure after "$PWD"
echo "before-after: reports in $out"
