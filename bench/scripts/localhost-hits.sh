#!/usr/bin/env bash
# Localhost hit path of the HTTP API: one node (local mode, --nodes 1), 10,000 keys of 100 bytes warmed with PUT, then
# wrk with 50 connections for 10 s, a random key per request. Prints wrk's report (throughput, p50/p99).
# Installs wrk if missing. Starts exactly one sidecar process and stops exactly that one, whatever happens.
set -euo pipefail
cd "$(dirname "$0")/../.."

if ! command -v wrk >/dev/null; then
    sudo_cmd=(); [[ $(id -u) -ne 0 ]] && sudo_cmd=(sudo)
    "${sudo_cmd[@]}" apt-get update -qq && DEBIAN_FRONTEND=noninteractive "${sudo_cmd[@]}" apt-get install -y -qq wrk >/dev/null
fi

# Built under the benchmarks' own build root, apart from the folders the test suite builds and runs from.
dotnet build sidecar/K8sCache.Sidecar -c Release --nologo -v quiet --artifacts-path artifacts/bench >/dev/null
dll=artifacts/bench/bin/K8sCache.Sidecar/release/k8scache-sidecar.dll
log=$(mktemp)
dotnet "$dll" local --nodes 1 >"$log" 2>&1 &
pid=$!
trap 'kill "$pid" 2>/dev/null; wait "$pid" 2>/dev/null; rm -f "$log"' EXIT

for _ in $(seq 1 100); do
    curl -sf http://127.0.0.1:9090/readyz >/dev/null && break
    sleep 0.1
done

/usr/bin/python3 bench/scripts/warm.py 127.0.0.1 7071 scores 10000 100
KEYS=10000 GROUP=scores wrk -t2 -c50 -d10s --latency -s bench/scripts/random-get.lua http://127.0.0.1:7071
