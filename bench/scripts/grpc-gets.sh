#!/usr/bin/env bash
# The localhost gRPC Get of one sidecar build: one node on a loopback address of its own, 10,000 keys of 100 bytes
# written with gRPC Sets, then SECONDS (default 10) of Gets of random keys, 64 in flight, through the benchmark tool's
# Grpc.Net.Client (so two builds measured with it differ only on the server). Prints "N gets/s, p50 …, p99 …".
# Usage: bash bench/scripts/grpc-gets.sh SIDECAR [SECONDS]   (SIDECAR: a k8scache-sidecar binary or .dll)
# Starts exactly one sidecar and stops exactly that one (by the PID it started), whatever happens.
set -euo pipefail
cd "$(dirname "$0")/../.."

sidecar=$1
seconds=${2:-10}
dotnet build bench/K8sCache.Benchmarks -c Release --nologo -v quiet --artifacts-path artifacts/bench >/dev/null
bench=(dotnet artifacts/bench/bin/K8sCache.Benchmarks/release/K8sCache.Benchmarks.dll)

work=$(mktemp -d)
pid=
cleanup() {
    if [[ -n $pid ]]; then kill "$pid" 2>/dev/null; wait "$pid" 2>/dev/null || true; fi
    rm -rf "$work"
}
trap cleanup EXIT

ip="127.71.$((RANDOM % 200 + 30)).1"
head -c 24 /dev/urandom | od -An -tx1 | tr -d ' \n' >"$work/token"
cat >"$work/config.json" <<JSON
{ "K8sCache": { "Self": "$ip:7070", "Discovery": "static:///$ip:7070", "PeerAddress": "$ip:7070", "ApiAddress": "$ip:7071",
  "GrpcAddress": "$ip:7072", "AdminAddress": "$ip:9090", "RespAddress": "", "PeerTokenFile": "$work/token",
  "Groups": [ { "Name": "bench", "MaxBytes": "64Mi" } ] } }
JSON
if [[ $sidecar == *.dll ]]; then
    DOTNET_gcServer=0 DOTNET_GCConserveMemory=5 dotnet "$sidecar" --config "$work/config.json" >"$work/log" 2>&1 &
else
    DOTNET_gcServer=0 DOTNET_GCConserveMemory=5 "$sidecar" --config "$work/config.json" >"$work/log" 2>&1 &
fi
pid=$!
for _ in $(seq 1 200); do
    curl -sf "http://$ip:9090/readyz" >/dev/null && break
    sleep 0.1
done
curl -sf "http://$ip:9090/readyz" >/dev/null || { cat "$work/log"; exit 1; }

"${bench[@]}" load "http://$ip:7072" bench 10000 100 >/dev/null
"${bench[@]}" grpc-gets "http://$ip:7072" bench 10000 "$seconds"
