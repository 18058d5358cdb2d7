#!/usr/bin/env bash
# The whole test suite, in order; `make test` calls this after creating .venv and installing chromium.
#   ruff -> pytest (unit, data, importer, bad inputs, papermill matrix) -> nbval -> book build (-W)
#   -> browser + privacy tests of the built site
# Every step must pass and every pytest step must run at least one test (pytest exits 5 otherwise).
# Step timings go to test-output/timings.txt.
set -euo pipefail
cd "$(dirname "$0")/.."

BIN=.venv/bin
DATA=${DATA:-data/synthetic}
MIN_N=${MIN_N:-5}
OUT=${LMP_TEST_OUTPUT:-test-output}
mkdir -p "$OUT"
TIMINGS="$OUT/timings.txt"
: >"$TIMINGS"
# pytest_no_skip (scripts/): a skipped or xfailed test fails its step.
export PYTHONPATH="$PWD/scripts${PYTHONPATH:+:$PYTHONPATH}"
PYTEST=("$BIN/python" -m pytest -q -p no:cacheprovider -p pytest_no_skip)
# The papermill matrix in the pytest step runs into generated/, so the book step's `lmp run` is a cache hit.
export LMP_RUN_OUT="$PWD/generated"
export DATA MIN_N
T0=$(date +%s)

# KEEP_GOING=1 runs every step even after a failure (to see all of them); the suite still fails at the end.
FAILED_STEPS=()
step() {
    local name=$1
    shift
    local start
    start=$(date +%s)
    echo "==> [$name] $*"
    if ! "$@"; then
        echo "FAILED: [$name] ($(( $(date +%s) - start )) s)" | tee -a "$TIMINGS" >&2
        FAILED_STEPS+=("$name")
        [[ "${KEEP_GOING:-0}" == 1 ]] || exit 1
        return 0
    fi
    echo "$name: $(( $(date +%s) - start )) s" | tee -a "$TIMINGS"
}

# The notebooks the book is made of (chapters and appendices), committed with their executed outputs.
mapfile -t NOTEBOOKS < <("$BIN/python" -c '
from lmp_helpers import runner
from lmp_helpers.paths import NOTEBOOKS_DIR
names = list(runner.CHAPTERS) + list(runner.APPENDICES) + list(runner.OPTIONAL_APPENDICES)
print("\n".join(str(NOTEBOOKS_DIR / f"{n}.ipynb") for n in names if (NOTEBOOKS_DIR / f"{n}.ipynb").is_file()))')
if [[ ${#NOTEBOOKS[@]} -eq 0 ]]; then
    echo "FAILED: no book notebooks found for nbval (lmp_helpers.runner.CHAPTERS)" >&2
    exit 1
fi

build_book() {
    "$BIN/lmp" run --pulje 1 2 3 alle --data "$DATA" --min-n "$MIN_N"
    # --all: a fresh Sphinx read, so a warning in an unchanged page is not hidden by the incremental cache.
    # LMP_PDF=1: the PDF per pulje too (book/_ext/lmp_pdf.py), checked by tests/test_pdf.py in the site step.
    LMP_PDF=1 "$BIN/jupyter-book" build . --all -W -n --keep-going
}

step ruff "$BIN/ruff" check .
# One pytest worker per core; --dist loadfile keeps a file's tests (and its session fixtures, e.g. the papermill
# matrix into generated/) in one worker.
XDIST=(-n "${LMP_TEST_WORKERS:-$(nproc)}" --dist loadfile)
step pytest "${PYTEST[@]}" "${XDIST[@]}" -m "not browser and not site"
step nbval "${PYTEST[@]}" -o addopts= --nbval --nbval-current-env --nbval-sanitize-with tests/nbval-sanitize.cfg \
    "${NOTEBOOKS[@]}"
step book build_book
step site "${PYTEST[@]}" "${XDIST[@]}" -m "browser or site"

echo "total: $(( $(date +%s) - T0 )) s" | tee -a "$TIMINGS"
if [[ ${#FAILED_STEPS[@]} -gt 0 ]]; then
    echo "FAILED steps: ${FAILED_STEPS[*]}" | tee -a "$TIMINGS" >&2
    exit 1
fi
