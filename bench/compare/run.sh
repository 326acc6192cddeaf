#!/usr/bin/env bash
# One command for the side-by-side comparison (bench/compare/compare.py says what it measures). Installs what it
# needs, idempotently: Debian's redis-server, redis-tools, memcached, wrk, golang-go and
# golang-github-golang-groupcache-dev; the Garnet server as the .NET tool garnet-server. Builds K8sCache in Release,
# the trimmed sidecar, and the groupcache node (GOPATH mode, no module proxy). Arguments go to compare.py.
set -euo pipefail
cd "$(dirname "$0")/../.."

packages=(redis-server redis-tools memcached wrk golang-go golang-github-golang-groupcache-dev)
missing=()
for package in "${packages[@]}"; do
    dpkg-query -W -f='${Status}' "$package" 2>/dev/null | grep -q "install ok installed" || missing+=("$package")
done
if ((${#missing[@]} > 0)); then
    sudo_cmd=(); [[ $(id -u) -ne 0 ]] && sudo_cmd=(sudo)
    "${sudo_cmd[@]}" apt-get update -qq
    DEBIAN_FRONTEND=noninteractive "${sudo_cmd[@]}" apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi

build=bench/compare/.build
mkdir -p "$build"
if [[ ! -x $build/tools/garnet-server ]]; then
    dotnet tool install garnet-server --tool-path "$build/tools" >/dev/null
fi

gopath=$(mktemp -d)
mkdir -p "$gopath/src/groupcache-node"
cp bench/compare/groupcache-node/main.go "$gopath/src/groupcache-node/"
(cd "$gopath/src/groupcache-node" && GO111MODULE=off GOPATH="$gopath:/usr/share/gocode" go build -o "$OLDPWD/$build/groupcache-node" .)
rm -rf "$gopath"

# The benchmarks' own build root (artifacts/bench): a comparison run beside the test suite never rewrites the folders
# the tests build and run from.
bench_build=(-c Release --nologo -v quiet --artifacts-path artifacts/bench)
dotnet build sidecar/K8sCache.Sidecar "${bench_build[@]}" >/dev/null
dotnet build bench/K8sCache.Benchmarks "${bench_build[@]}" >/dev/null
bash scripts/publish.sh --output artifacts/bench/publish --artifacts-path artifacts/bench >/dev/null
dotnet publish sidecar/K8sCache.Sidecar -c Release -r linux-x64 --self-contained -p:PublishTrimmed=true \
    -p:PublishReadyToRun=true --nologo -v quiet --artifacts-path artifacts/bench -o "$build/sidecar-r2r" >/dev/null
exec /usr/bin/python3 bench/compare/compare.py "$@"
