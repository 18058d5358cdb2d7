"""Benchmark: compute every figure's table for 10 000, 100 000 and 1 000 000 respondents.

Not a test (no timed asserts): it prints the times and the growth ratios. Run with `make bench` (all
benchmarks) or `.venv/bin/python benchmarks/bench_tables.py [--sizes 10000 100000] [--repeat 3]`.

The synthetic frames have the canonical shape (respondent_id, pulje int64, items nullable Int64 1–5 with
~5 % missing), split between the groups in the report's proportions (28 : 36 : 10), puljer drawn at
random from those each group was asked in. "Every figure's table" = `figure_table` for fig2_1, fig3_1,
fig4_1 and fig4_2 for one pulje (alle), which counts all puljer to decide suppression; the
`all puljer` column repeats that for alle, 1, 2 and 3 (what `lmp run` needs).
"""

from __future__ import annotations

import argparse
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import pandas as pd

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from lmp_helpers.codebook import load_codebook  # noqa: E402
from lmp_helpers.tables import figure_table  # noqa: E402

FIGURES = ["fig2_1", "fig3_1", "fig4_1", "fig4_2"]
SHARES = {"ppt": 28, "skoleleder": 36, "skoleeier": 10}


def build_survey(n_total: int, seed: int = 1) -> dict[str, pd.DataFrame]:
    cb = load_codebook()
    rng = np.random.default_rng(seed)
    weight = sum(SHARES.values())
    survey = {}
    for group, share in SHARES.items():
        n = n_total * share // weight
        g = cb.group(group)
        data = {
            cb.id_column: pd.array(np.char.add(f"{group}-", np.arange(n).astype(str)), dtype="str"),
            cb.pulje_column: rng.choice(np.array(g.pulje, dtype=np.int64), size=n),
        }
        for item in cb.items_for_group(group):
            codes = rng.integers(1, 6, size=n)
            mask = rng.random(n) < 0.05
            data[item] = pd.arrays.IntegerArray(codes, mask)
        survey[group] = pd.DataFrame(data)
    return survey


def time_tables(survey, puljer, repeat: int) -> float:
    times = []
    for _ in range(repeat):
        t0 = time.perf_counter()
        for pulje in puljer:
            for fig in FIGURES:
                figure_table(fig, pulje, survey=survey)
        times.append(time.perf_counter() - t0)
    return min(times)


def time_import(module: str = "lmp_helpers", repeat: int = 7) -> tuple[float, float]:
    """Wall time of `python -c 'import <module>'` and that minus a bare interpreter start, best of `repeat`."""

    def run(code):
        best = float("inf")
        for _ in range(repeat):
            t0 = time.perf_counter()
            subprocess.run([sys.executable, "-c", code], check=True, cwd=ROOT)
            best = min(best, time.perf_counter() - t0)
        return best

    bare = run("pass")
    full = run(f"import {module}")
    # -X importtime would be more precise, but the wall time is what a user of the CLI feels.
    return full, full - bare


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[10_000, 100_000, 1_000_000])
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args(argv)

    # warm-up: codebook cache, lazy imports
    time_tables(build_survey(1000), ["alle"], 1)
    print(f"bench_tables: figure_table for fig2_1, fig3_1, fig4_1, fig4_2 (best of {args.repeat})")
    print(f"{'respondenter':>13} {'build (s)':>10} {'alle (s)':>10} {'ratio':>7} {'alle puljer (s)':>16}")
    prev = None
    results = []
    for n in args.sizes:
        t0 = time.perf_counter()
        survey = build_survey(n)
        build = time.perf_counter() - t0
        one = time_tables(survey, ["alle"], args.repeat)
        every = time_tables(survey, ["alle", 1, 2, 3], args.repeat)
        ratio = f"{one / prev:.1f}x" if prev else "-"
        print(f"{n:>13,} {build:>10.2f} {one:>10.3f} {ratio:>7} {every:>16.3f}".replace(",", " "))
        results.append((n, one, every))
        prev = one
    for module in ["lmp_helpers", "lmp_helpers.tables"]:
        full, net = time_import(module)
        print(f"import {module} (subprocess, best of 7): {full:.3f} s wall, {net:.3f} s over a bare interpreter")
    if len(results) >= 2:
        (n0, t0_, _), (n1, t1_, _) = results[0], results[-1]
        print(f"growth {n0:,} -> {n1:,}: x{n1 / n0:.0f} respondents, x{t1_ / t0_:.1f} time".replace(",", " "))
    return 0


if __name__ == "__main__":
    sys.exit(main())
