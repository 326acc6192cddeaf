#!/usr/bin/env bash
# What coherent in-process caches cost: three sidecars on loopback addresses of their own, then for 1, 2, 4 and 8
# application instances (spread over the sidecars) WRITES (default 300) keys each held in every instance's memory and
# changed by a writer; prints how long until the last copy was gone and the messages per write (docs/benchmarks.md).
# Usage: bash bench/scripts/invalidation-fanout.sh [WRITES]
# Starts exactly three sidecars and stops exactly those (by the PIDs it started), whatever happens.
set -euo pipefail
cd "$(dirname "$0")/../.."

writes=${1:-300}
dotnet build bench/K8sCache.Benchmarks -c Release --nologo -v quiet --artifacts-path artifacts/bench >/dev/null
bench=(dotnet artifacts/bench/bin/K8sCache.Benchmarks/release/K8sCache.Benchmarks.dll)
sidecar=artifacts/bench/bin/K8sCache.Sidecar/release/k8scache-sidecar.dll

work=$(mktemp -d)
pids=()
cleanup() {
    for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null; wait "$pid" 2>/dev/null || true; done
    rm -rf "$work"
}
trap cleanup EXIT

net="127.72.$((RANDOM % 200 + 30))"
head -c 24 /dev/urandom | od -An -tx1 | tr -d ' \n' >"$work/token"
members="$net.1:7070,$net.2:7070,$net.3:7070"
for i in 1 2 3; do
    ip="$net.$i"
    cat >"$work/config-$i.json" <<JSON
{ "K8sCache": { "Self": "$ip:7070", "Discovery": "static:///$members", "PeerAddress": "$ip:7070", "ApiAddress": "$ip:7071",
  "GrpcAddress": "$ip:7072", "AdminAddress": "$ip:9090", "RespAddress": "$ip:6379", "PeerTokenFile": "$work/token",
  "Groups": [ { "Name": "bench", "MaxBytes": "64Mi" } ] } }
JSON
    dotnet "$sidecar" --config "$work/config-$i.json" >"$work/log-$i" 2>&1 &
    pids+=($!)
done
for i in 1 2 3; do
    for _ in $(seq 1 200); do
        curl -sf "http://$net.$i:9090/readyz" >/dev/null && break
        sleep 0.1
    done
    curl -sf "http://$net.$i:9090/readyz" >/dev/null || { cat "$work/log-$i"; exit 1; }
done

for instances in 1 2 4 8; do
    "${bench[@]}" fanout "$net.1:6379,$net.2:6379,$net.3:6379" bench "$instances" "$writes"
done
