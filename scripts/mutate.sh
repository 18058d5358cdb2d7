#!/usr/bin/env bash
# `make mutate`: mutation testing (mutmut, config [tool.mutmut] in pyproject.toml) of the modules that compute
# or protect published numbers. A fresh run over every mutant in scope (results always describe the current
# code); method, numbers and survivors: tests/MUTATION.md, whose results section this script rewrites.
#   MUTATE_JOBS=N     parallel mutants (default: the number of cores)
#   MUTATE_SAMPLE=N   test only a seeded random sample of N mutants per module (MUTATE_SEED=S; default: all)
#   MUTATE_RERUN_RECORDED=1  also re-run the survivors recorded in tests/mutation/survivors.tsv (equivalent or
#                     left) whose function and mutation are unchanged (by default they are left out:
#                     scripts/mutation_plan.py)
#   MUTATE_KEEP=1     keep mutants/ from the last run and re-test only the mutants named in MUTATE_NAMES
#                     (e.g. the survivors, after adding a kill test: tests added to files of the selection are
#                     picked up, their test map collected); `scripts/mutation_summary.py --names` lists them.
#                     The summary then covers the kept results with these re-tested.
#   MUTATE_RESUME=1   keep mutants/ and test only the mutants that have no result yet (a run that was stopped,
#                     e.g. at a deadline, continues where it stopped; results so far are kept)
# Logs in test-output/: mutation-full.log / mutation-recheck.log (timestamped), mutation-summary.md,
# mutation-survivors.txt (diffs), mutation-timing.json (run times, read back by a later recheck).
# Not part of `make test`.
set -euo pipefail
{  # the whole script is read before it runs: editing this file during a run cannot change the run
cd "$(dirname "$0")/.."
BIN=.venv/bin
OUT=${LMP_TEST_OUTPUT:-test-output}
SAMPLE=${MUTATE_SAMPLE:-all}
JOBS=${MUTATE_JOBS:-$(nproc)}
mkdir -p "$OUT"
# coverage's exclusions tell mutmut which functions of the mutated files are out of scope (see the file)
export COVERAGE_RCFILE="$PWD/tests/mutation/coveragerc"
# pytest reads every installed distribution's entry points to find plugins, in each mutant's pytest session:
# 0.07 of the 0.18 s CPU a one-test mutant took (the venv holds jupyter-book's ~300 packages). The selected tests
# use no third-party plugin (nbval, anyio, typeguard, xdist are for other runs), so none is loaded.
export PYTEST_DISABLE_PLUGIN_AUTOLOAD=1
[ "${MUTATE_KEEP:-0}" = 1 ] || [ "${MUTATE_RESUME:-0}" = 1 ] || rm -rf mutants
start=$(date +%s)
load_start=$(cut -d' ' -f1-3 /proc/loadavg)
# the load every 30 s, to tell what the machine was doing besides this run
( while sleep 30; do echo "$(( $(date +%s) - start )) $(cut -d' ' -f1 /proc/loadavg)"; done ) >"$OUT/mutation-load.txt" &
sampler=$!
trap 'kill $sampler 2>/dev/null || true' EXIT
KIND=full
[ "${MUTATE_KEEP:-0}" = 1 ] && KIND=recheck
[ "${MUTATE_RESUME:-0}" = 1 ] && KIND=resume
run_mutmut() {
    "$BIN/mutmut" run --max-children "$JOBS" "$@" 2>&1 \
        | "$BIN/python" scripts/mutation_timestamps.py "$OUT/mutation-$KIND.log" "$OUT/mutation-$KIND-phases.json"
}
if [ "$KIND" != full ]; then
    # mutmut would regenerate a changed file without the coverage filter (other mutants, other numbers): a
    # kept mutants/ folder is only valid for unchanged code. (Same content, newer mtime, e.g. after a git
    # checkout: `touch mutants/lmp_helpers/*.py`.)
    for f in lmp_helpers/*.py; do
        if [ -f "mutants/$f.meta" ] && [ "$f" -nt "mutants/$f" ]; then
            echo "mutate: $f changed after its mutants were made; run a full \`make mutate\`" >&2; exit 2
        fi
    done
fi
# mutmut measures coverage (its first pass over the selection) whenever mutate_only_covered_lines is on, even
# when the mutants exist: on for the run that generates them, off for everything after
no_coverage_pass() {
    cp -p pyproject.toml mutants/pyproject.toml.orig
    trap 'cp -p mutants/pyproject.toml.orig pyproject.toml; kill $sampler 2>/dev/null || true' EXIT
    sed -i 's/^mutate_only_covered_lines = true$/mutate_only_covered_lines = false/' pyproject.toml
}
[ "$KIND" != full ] && no_coverage_pass
# 1. mutants and test map: mutmut is asked for a mutant that does not exist and stops after generating the
#    mutants (first run: with the coverage filter) and collecting the stats of tests it has not timed yet
"$BIN/mutmut" run --max-children "$JOBS" "__generate_only__" 2>&1 \
    | "$BIN/python" scripts/mutation_timestamps.py "$OUT/mutation-generate.log" "$OUT/mutation-$KIND-generate-phases.json" \
    || true
test -s mutants/mutmut-stats.json || { tail -40 "$OUT/mutation-generate.log"; echo "mutmut: no stats" >&2; exit 1; }
# 2. the per-module test selection (tests/mutation/selection.toml) narrows mutmut's test map
"$BIN/python" scripts/mutation_select.py mutants/mutmut-stats.json | tee "$OUT/mutation-select.txt"
# 3. the mutants, without a second coverage pass (the mutants exist; it would run the whole selection again)
[ "$KIND" = full ] && no_coverage_pass
if [ "$KIND" = recheck ]; then
    read -r -a NAMES <<<"${MUTATE_NAMES:?MUTATE_KEEP=1 needs MUTATE_NAMES}"
else
    # every mutant (or a sample; or, resumed, the untested ones) minus the recorded survivors whose function
    # and mutation are unchanged (scripts/mutation_plan.py; MUTATE_RERUN_RECORDED=1 keeps them in)
    plan=(--sample "$SAMPLE" --seed "${MUTATE_SEED:-16}")
    [ "$KIND" = resume ] && plan+=(--untested-only)
    [ "${MUTATE_RERUN_RECORDED:-0}" = 1 ] && plan+=(--rerun-recorded)
    mapfile -t NAMES < <("$BIN/python" scripts/mutation_plan.py "${plan[@]}")
fi
if [ "${#NAMES[@]}" -gt 0 ]; then
    run_mutmut "${NAMES[@]}"
fi
cp -p mutants/pyproject.toml.orig pyproject.toml
seconds=$(( $(date +%s) - start ))
load_end=$(cut -d' ' -f1-3 /proc/loadavg)
kill $sampler 2>/dev/null || true
# CPU seconds of this script's children (mutmut and its workers), user + system
times >"$OUT/mutation-times.txt"  # not `times | …`: a pipeline runs it in a subshell, which has no children
cpu=$(tail -1 "$OUT/mutation-times.txt" | "$BIN/python" -c '
import re, sys
m = [float(a) * 60 + float(b) for a, b in re.findall(r"(\d+)m([\d.]+)s", sys.stdin.read())]
print(round(sum(m)))')
args=(--kind "$KIND" --seconds "$seconds" --cpu "$cpu" --load "$load_start" "$load_end"
      --load-log "$OUT/mutation-load.txt" --phases "$OUT/mutation-$KIND-generate-phases.json" "$OUT/mutation-$KIND-phases.json" --timing "$OUT/mutation-timing.json"
      --survivors "$OUT/mutation-survivors.txt")
if [ "$SAMPLE" = all ]; then
    args+=(--update tests/MUTATION.md)
fi
"$BIN/python" scripts/mutation_summary.py "${args[@]}" | tee "$OUT/mutation-summary.md"
# the recorded survivors found surviving get their fingerprint (or keep it), so the next run need not re-run them
[ "$SAMPLE" = all ] && "$BIN/python" scripts/mutation_plan.py --write-fingerprints
exit
}
