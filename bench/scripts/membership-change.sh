#!/usr/bin/env bash
# What a deploy or a scale change costs the origin, with and without hand-over: a rolling restart of 3 sidecars, a
# scale-down 5 -> 3 and a scale-up 3 -> 5, each under a steady read load of KEYS (default 20,000) keys
# (bench/K8sCache.Benchmarks/Reports/MembershipChange.cs). Prints one line per run (docs/testing.md, "Hand-over").
# Usage: bash bench/scripts/membership-change.sh [KEYS]
# Every sidecar it starts is on a loopback address of its own and is stopped by the PID it was started with.
set -euo pipefail
cd "$(dirname "$0")/../.."

keys=${1:-20000}
dotnet build bench/K8sCache.Benchmarks -c Release --nologo -v quiet --artifacts-path artifacts/bench >/dev/null
bench=(dotnet artifacts/bench/bin/K8sCache.Benchmarks/release/K8sCache.Benchmarks.dll)
sidecar=artifacts/bench/bin/K8sCache.Sidecar/release/k8scache-sidecar.dll

for handover in off on; do
    "${bench[@]}" membership "$sidecar" roll 3 3 "$keys" "$handover"
    "${bench[@]}" membership "$sidecar" down 5 3 "$keys" "$handover"
    "${bench[@]}" membership "$sidecar" up 3 5 "$keys" "$handover"
done
