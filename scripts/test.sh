#!/usr/bin/env bash
# The whole test suite: installs test dependencies, builds the solution (warnings are errors), runs every test project,
# and ends with one line "N passed, N failed" totalled over all of them. Exits non-zero when anything failed.
set -uo pipefail
cd "$(dirname "$0")/.."

scripts/install-test-deps.sh || { echo "0 passed, 1 failed"; exit 1; }

results=artifacts/test-results
rm -rf "$results"
mkdir -p "$results"

if ! dotnet build K8sCache.sln -c Release --nologo -v quiet; then
    echo "build failed"
    echo "0 passed, 1 failed"
    exit 1
fi

status=0
for project in tests/*/*.Tests.csproj; do
    name=$(basename "$project" .csproj)
    dotnet test "$project" -c Release --no-build --nologo \
        --logger "trx;LogFileName=$name.trx" --logger "console;verbosity=minimal" \
        --results-directory "$results" || status=1
done

passed=0
failed=0

# The publish the Dockerfile runs, and a smoke test of its trimmed output.
bash scripts/check-published.sh >"$results/published.log" 2>&1
cat "$results/published.log"
published=$(tail -1 "$results/published.log")
p=$(sed -n 's/^\([0-9]*\) passed, \([0-9]*\) failed$/\1/p' <<<"$published")
f=$(sed -n 's/^\([0-9]*\) passed, \([0-9]*\) failed$/\2/p' <<<"$published")
passed=$((passed + ${p:-0}))
failed=$((failed + ${f:-1}))

for trx in "$results"/*.trx; do
    [[ -e $trx ]] || continue
    counters=$(grep -o '<Counters [^>]*>' "$trx" | head -1)
    p=$(sed -n 's/.* passed="\([0-9]*\)".*/\1/p' <<<"$counters")
    f=$(sed -n 's/.* failed="\([0-9]*\)".*/\1/p' <<<"$counters")
    passed=$((passed + ${p:-0}))
    failed=$((failed + ${f:-0}))
done

if ((status != 0 && failed == 0)); then
    # A test host that crashed or a project that did not run still fails the run.
    failed=1
fi

echo "$passed passed, $failed failed"
((status == 0 && failed == 0))
