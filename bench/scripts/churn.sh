#!/usr/bin/env bash
# Memory under churn: one published (Native AOT) sidecar told its memory limit is LIMIT (default 256Mi) and a group
# without MaxBytes, so the group's budget is derived from the limit; then SECONDS (default 180) of random SETs and GETs
# (redis-benchmark, 50 connections, 100-byte values) over a key space ten times what the budget holds. Samples the
# process's RSS every half second and prints the peak against the limit. Starts exactly one sidecar and stops exactly
# that one, whatever happens. Usage: bash bench/scripts/churn.sh [LIMIT_MIB] [SECONDS]
set -euo pipefail
cd "$(dirname "$0")/../.."

limit_mib=${1:-256}
seconds=${2:-180}
command -v redis-benchmark >/dev/null || scripts/install-test-deps.sh >/dev/null
[[ -x artifacts/bench/publish/sidecar/k8scache-sidecar ]] \
    || bash scripts/publish.sh --output artifacts/bench/publish --artifacts-path artifacts/bench >/dev/null

work=$(mktemp -d)
pid=
cleanup() {
    if [[ -n $pid ]]; then kill "$pid" 2>/dev/null; wait "$pid" 2>/dev/null || true; fi
    rm -rf "$work"
}
trap cleanup EXIT

ip=127.74.0.1
echo "churn-token-0123456789abcdef" >"$work/token"
cat >"$work/config.json" <<JSON
{ "K8sCache": { "Self": "$ip:7070", "PeerAddress": "$ip:7070", "ApiAddress": "$ip:7071", "GrpcAddress": "$ip:7072",
  "AdminAddress": "$ip:9090", "RespAddress": "$ip:6379", "PeerTokenFile": "$work/token",
  "MemoryLimit": "${limit_mib}Mi", "Groups": [ { "Name": "churn" } ] } }
JSON
# The container image's GC settings (Dockerfile), and the heap limit .NET sets itself inside a container whose cgroup
# has this memory limit (75% of it): this machine's own cgroup has none, so it is given explicitly.
hard_limit=$(printf '0x%x' $((limit_mib * 1048576 * 3 / 4)))
DOTNET_gcServer=0 DOTNET_GCConserveMemory=5 DOTNET_GCgen0size=200000 DOTNET_GCHeapHardLimit=$hard_limit \
    artifacts/bench/publish/sidecar/k8scache-sidecar --config "$work/config.json" >"$work/log" 2>&1 &
pid=$!
for _ in $(seq 1 100); do
    curl -sf "http://$ip:9090/readyz" >/dev/null && break
    sleep 0.1
done

budget=$(curl -sf "http://$ip:7071/v1/stats" | /usr/bin/python3 -c 'import json,sys; g=json.load(sys.stdin)["groups"]["churn"]; print(g["main"]["maxBytes"] + g["hot"]["maxBytes"])')
# An entry of a 16-character key and a 100-byte value is accounted as 144 bytes (docs/configuration.md).
keys=$((budget / 144 * 10))
echo "limit ${limit_mib} MiB, group budget $((budget / 1048576)) MiB (~$((budget / 144)) entries), key space $keys keys, ${seconds} s"

end=$((SECONDS + seconds))
peak=0
(
    while ((SECONDS < end)); do
        redis-benchmark -h "$ip" -p 6379 -c 50 -n 200000 -P 8 -r "$keys" -q SET churn:key:__rand_int__ "$(head -c 100 /dev/zero | tr '\0' v)" >/dev/null 2>&1
        redis-benchmark -h "$ip" -p 6379 -c 50 -n 200000 -P 8 -r "$keys" -q GET churn:key:__rand_int__ >/dev/null 2>&1
    done
) &
load=$!
while kill -0 "$load" 2>/dev/null; do
    rss=$(awk '/VmRSS/ {print $2}' "/proc/$pid/status")
    ((rss > peak)) && peak=$rss
    sleep 0.5
done
wait "$load" || true
entries=$(curl -sf "http://$ip:7071/v1/stats" | /usr/bin/python3 -c 'import json,sys; g=json.load(sys.stdin)["groups"]["churn"]; print(g["main"]["items"] + g["hot"]["items"])')
echo "peak RSS $((peak / 1024)) MiB of a ${limit_mib} MiB limit ($((peak * 100 / (limit_mib * 1024)))%); entries at the end: $entries"
