#!/usr/bin/env bash
# The whole-system fixture as a running cluster on this machine (docs/testing.md): the API test server, the real
# operator, pods as processes in network namespaces, dnsmasq as cluster DNS. Needs root. Arguments go to
# k8scache-local-cluster, e.g.
#   sudo bash scripts/local-cluster.sh --apply examples/cachegroup-with-app.yaml
# then, in another shell, the `export KUBECONFIG=…` it prints and `kubectl get cg,pods`. Ctrl-C removes everything.
# --no-build (first) skips the build, for callers that just built the solution.
set -euo pipefail
cd "$(dirname "$0")/.."

if [[ ${1:-} == --no-build ]]; then
    shift
else
    scripts/install-test-deps.sh >/dev/null
    dotnet build tests/K8sCache.LocalCluster -c Release --nologo -v quiet
    dotnet build examples/DemoApp -c Release --nologo -v quiet
fi

exec dotnet tests/K8sCache.LocalCluster/bin/Release/net10.0/k8scache-local-cluster.dll "$@"
