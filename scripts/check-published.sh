#!/usr/bin/env bash
# Runs the publish script (as the Dockerfile does) and smoke-tests its output, since trimming can break what the
# untrimmed tests never see: the trimmed sidecar starts on a loopback address of its own and answers /readyz and a
# PUT/GET; the trimmed operator renders the example. Prints "N passed, N failed" for scripts/test.sh to add up.
# Starts exactly one process and stops exactly that one (by the PID it started), whatever happens.
set -uo pipefail
cd "$(dirname "$0")/.."

passed=0
failed=0
check() {
    local name=$1
    shift
    if "$@"; then
        echo "check-published: PASS $name"
        passed=$((passed + 1))
    else
        echo "check-published: FAIL $name"
        failed=$((failed + 1))
    fi
}

out=artifacts/publish
check "publish script (trimmed or AOT, warnings are errors)" bash scripts/publish.sh --output "$out"

work=$(mktemp -d)
pid=
cleanup() {
    if [[ -n $pid ]]; then kill "$pid" 2>/dev/null; wait "$pid" 2>/dev/null; fi
    rm -rf "$work"
}
trap cleanup EXIT

sidecar_serves() {
    [[ -x $out/sidecar/k8scache-sidecar ]] || return 1
    local ip="127.$((RANDOM % 200 + 30)).$((RANDOM % 250 + 1)).1"
    head -c 24 /dev/urandom | od -An -tx1 | tr -d ' \n' >"$work/token"
    cat >"$work/config.json" <<JSON
{ "K8sCache": { "Self": "$ip:7070", "PeerAddress": "$ip:7070", "ApiAddress": "$ip:7071", "GrpcAddress": "$ip:7072",
  "AdminAddress": "$ip:9090", "RespAddress": "$ip:6379", "PeerTokenFile": "$work/token", "Groups": [ { "Name": "kv", "MaxBytes": "1Mi" } ] } }
JSON
    "$out/sidecar/k8scache-sidecar" --config "$work/config.json" >"$work/sidecar.log" 2>&1 &
    pid=$!
    for _ in $(seq 1 100); do
        curl -sf "http://$ip:9090/readyz" >/dev/null && break
        sleep 0.1
    done
    curl -sf -X PUT --data published "http://$ip:7071/v1/groups/kv/keys/k" >/dev/null \
        && [[ $(curl -sf "http://$ip:7071/v1/groups/kv/keys/k") == published ]] \
        && curl -sf "http://$ip:9090/metrics" | grep -q 'k8scache_gets_total{group="kv"} 1' \
        && [[ $(redis-cli -h "$ip" -p 6379 GET kv:k) == published ]] \
        && [[ $(redis-cli -h "$ip" -p 6379 SET kv:r resp) == OK ]] \
        && [[ $(curl -sf "http://$ip:7071/v1/groups/kv/keys/r") == resp ]] \
        || { cat "$work/sidecar.log"; return 1; }
}

operator_renders() {
    [[ -x $out/operator/k8scache-operator ]] \
        && "$out/operator/k8scache-operator" render -f examples/cachegroup.yaml | grep -q "kind: StatefulSet"
}

check "trimmed sidecar serves" sidecar_serves
check "trimmed operator renders" operator_renders
echo "$passed passed, $failed failed"
