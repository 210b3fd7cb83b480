#!/usr/bin/env bash
# Runs every test of the repository: starts the test environment (Docker engine, local registry,
# stand-in .NET images), then the unit, integration and end-to-end suites. Prints "N passed, N failed".
set -euo pipefail
repo="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$repo"

bash eng/testenv/up.sh

results="$repo/artifacts/test-results"
rm -rf "$results"
mkdir -p "$results"

status=0
dotnet build MultiStage.Sdk.sln -c Debug -nologo -v:q || status=$?
if [ "$status" -eq 0 ]; then
  dotnet test MultiStage.Sdk.sln --no-build -nologo \
    --logger "trx" --logger "console;verbosity=normal" \
    --results-directory "$results" "$@" || status=$?
fi

# Count from the real results: the TRX counters of every test assembly.
passed=0; failed=0; engine=0
shopt -s nullglob
for trx in "$results"/*.trx; do
  counters=$(grep -o '<Counters [^>]*>' "$trx" | head -n 1 || true)
  p=$(sed -n 's/.* passed="\([0-9]*\)".*/\1/p' <<<"$counters")
  f=$(sed -n 's/.* failed="\([0-9]*\)".*/\1/p' <<<"$counters")
  passed=$((passed + ${p:-0})); failed=$((failed + ${f:-0}))
  # Tests of the "Engine" category need the real engine; a run without any of them proves nothing about images.
  e=$(grep -o 'TestCategory="Engine"' "$trx" | wc -l || true)
  engine=$((engine + ${e:-0}))
done

if [ "$engine" -eq 0 ] && [ "${MULTISTAGE_ALLOW_NO_ENGINE_TESTS:-0}" != "1" ]; then
  echo "error: no engine test ran; the end-to-end suites must run against the real Docker engine" >&2
  status=1
fi
if [ "$failed" -gt 0 ] || [ "$passed" -eq 0 ]; then
  status=1
fi

# The hostile-value harness's summary (tests/MultiStage.Hostile.Tests), which the runner shows only for failed tests.
if [ -f "$results/hostile-values.txt" ]; then
  cat "$results/hostile-values.txt"
fi
echo "${passed} passed, ${failed} failed"
exit "$status"
