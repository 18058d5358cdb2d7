#!/usr/bin/env bash
# The whole test suite, in order; `make test` calls this after creating .venv and installing chromium.
# Every step must pass and every pytest step must run at least one test (pytest exits 5 otherwise).
# Step timings go to test-output/timings.txt.
set -euo pipefail
cd "$(dirname "$0")/.."

BIN=.venv/bin
OUT=${LMP_TEST_OUTPUT:-test-output}
mkdir -p "$OUT"
TIMINGS="$OUT/timings.txt"
: >"$TIMINGS"
PYTEST=("$BIN/python" -m pytest -q -p no:cacheprovider)
T0=$(date +%s)

step() {
    local name=$1
    shift
    local start
    start=$(date +%s)
    echo "==> [$name] $*"
    if ! "$@"; then
        echo "FAILED: [$name] ($(( $(date +%s) - start )) s)" | tee -a "$TIMINGS" >&2
        exit 1
    fi
    echo "$name: $(( $(date +%s) - start )) s" | tee -a "$TIMINGS"
}

step ruff "$BIN/ruff" check .
# unit, data, importer, bad inputs, papermill matrix (everything but the built-site tests)
step pytest "${PYTEST[@]}" -m "not browser and not site"
# the browser harness on fixture sites (needs chromium, not the book)
step browser "${PYTEST[@]}" -m browser tests/browser/test_harness.py

echo "total: $(( $(date +%s) - T0 )) s" | tee -a "$TIMINGS"
