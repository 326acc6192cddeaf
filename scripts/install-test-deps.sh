#!/usr/bin/env bash
# Installs what the test suite needs beyond the .NET SDK, idempotently: each step is skipped when already present.
#   Debian: python3-grpcio and python3-protobuf (the Python gRPC interop peer, for Debian's /usr/bin/python3);
#           dnsmasq-base (the DNS server of the dns:/// discovery tests; the binary only, no system service)
#   npm:    @grpc/grpc-js and @grpc/proto-loader (the Node gRPC interop peer), pinned in tests/interop/node
set -euo pipefail
cd "$(dirname "$0")/.."

apt_packages=(python3-grpcio python3-protobuf dnsmasq-base)

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
fi

if [[ ! -d tests/interop/node/node_modules/@grpc/grpc-js || ! -d tests/interop/node/node_modules/@grpc/proto-loader ]]; then
    echo "install-test-deps: installing npm packages in tests/interop/node"
    (cd tests/interop/node && npm ci --no-audit --no-fund --loglevel=error)
fi
