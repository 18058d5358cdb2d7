#!/usr/bin/env bash
# `make mutate`: mutation testing (mutmut, config [tool.mutmut] in pyproject.toml) of the modules that compute
# or protect published numbers. A fresh run each time (results always describe the current code).
#   MUTATE_SAMPLE=N  test a seeded random sample of N mutants per module (default 20; `all` = every mutant,
#                    several hours on 2 cores); MUTATE_SEED=S picks another sample; MUTATE_JOBS = parallel mutants.
# The summary per module, the run time and the machine load go to test-output/mutation-summary.md, the
# survivors' diffs to test-output/mutation-survivors.txt. Copy what changed into tests/MUTATION.md.
# Not part of `make test`.
set -euo pipefail
cd "$(dirname "$0")/.."
BIN=.venv/bin
OUT=${LMP_TEST_OUTPUT:-test-output}
SAMPLE=${MUTATE_SAMPLE:-20}
mkdir -p "$OUT"
# coverage's exclusions tell mutmut which functions are out of scope (see the file)
export COVERAGE_RCFILE="$PWD/tests/mutation/coveragerc"
rm -rf mutants
start=$(date +%s)
load_start=$(cut -d' ' -f1-3 /proc/loadavg)
# 1. generate the mutants and map tests to functions (mutmut's stats run). mutmut has no separate command for
#    this, so it is asked for a mutant that does not exist and stops right after these two steps.
"$BIN/mutmut" run --max-children "${MUTATE_JOBS:-2}" "__generate_only__" >"$OUT/mutation-generate.log" 2>&1 || true
test -s mutants/mutmut-stats.json || { tail -40 "$OUT/mutation-generate.log"; echo "mutmut: no stats" >&2; exit 1; }
# 2. run the sampled mutants. mutmut would measure coverage again (the whole selected suite, 12 min under load
#    here) although the mutants exist already, so coverage is switched off for this call (restored on exit).
mapfile -t NAMES < <("$BIN/python" scripts/mutation_sample.py "$SAMPLE" --seed "${MUTATE_SEED:-16}")
cp pyproject.toml mutants/pyproject.toml.orig
trap 'cp mutants/pyproject.toml.orig pyproject.toml' EXIT
sed -i 's/^mutate_only_covered_lines = true$/mutate_only_covered_lines = false/' pyproject.toml
"$BIN/mutmut" run --max-children "${MUTATE_JOBS:-2}" "${NAMES[@]}"
cp mutants/pyproject.toml.orig pyproject.toml
seconds=$(( $(date +%s) - start ))
load_end=$(cut -d' ' -f1-3 /proc/loadavg)
"$BIN/python" scripts/mutation_summary.py --seconds "$seconds" --load "$load_start" "$load_end" \
    --survivors "$OUT/mutation-survivors.txt" | tee "$OUT/mutation-summary.md"
times
