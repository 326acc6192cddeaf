#!/usr/bin/env bash
# The ceiling of the localhost hit path: wrk (same settings as localhost-hits.sh) against a bare Kestrel handler that
# answers 100 bytes, next to nothing else. Starts exactly one server process and stops exactly that one.
set -euo pipefail
cd "$(dirname "$0")/../.."
dotnet build bench/K8sCache.Benchmarks -c Release --nologo -v quiet --artifacts-path artifacts/bench >/dev/null
DOTNET_gcServer=0 dotnet artifacts/bench/bin/K8sCache.Benchmarks/release/K8sCache.Benchmarks.dll kestrel-baseline 18555 &
pid=$!
trap 'kill "$pid" 2>/dev/null; wait "$pid" 2>/dev/null' EXIT
for _ in $(seq 1 100); do curl -sf http://127.0.0.1:18555/ >/dev/null && break; sleep 0.1; done
KEYS=10000 PREFIX=/v1/groups/bench/keys/ wrk -t2 -c50 -d10s --latency -s bench/compare/wrk/get.lua http://127.0.0.1:18555
