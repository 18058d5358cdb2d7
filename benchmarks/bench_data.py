"""Benchmark the data layer: `load_survey` (read + validate) and `lmp import` conversion, as ratios.

The reference is a bare `pandas.read_csv` of the same file (no validation, default type inference), so the
ratio says what validation costs independent of the machine. Measures only; never fails on a time.
Usage: python benchmarks/bench_data.py [--sizes 10000 100000 1000000]
"""

from __future__ import annotations

import argparse
import shutil
import tempfile
import time
from pathlib import Path

import numpy as np
import pandas as pd

from lmp_helpers.codebook import load_codebook
from lmp_helpers.data import load_survey
from lmp_helpers.importer import convert_export


def write_dir(d: Path, n_ppt: int, seed: int = 1) -> None:
    """A valid data dir with n_ppt PPT rows (the school groups keep their real sizes)."""
    cb = load_codebook()
    rng = np.random.default_rng(seed)
    for group, n in [("ppt", n_ppt), ("skoleleder", 36), ("skoleeier", 10)]:
        cols = cb.columns_for_group(group)
        df = pd.DataFrame({"respondent_id": [f"{group}-{i:07d}" for i in range(n)],
                           "pulje": rng.choice(cb.groups[group].pulje, n)})
        for item in cols[2:]:
            v = rng.integers(0, 6, n).astype(float)
            v[v == 0] = np.nan
            df[item] = pd.array(v, dtype="Int64")
        df.to_csv(d / cb.groups[group].file, index=False)


def best(fn, repeat: int) -> float:
    times = []
    for _ in range(repeat):
        t0 = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t0)
    return min(times)


def main(argv=None) -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--sizes", type=int, nargs="+", default=[10_000, 100_000, 1_000_000])
    args = parser.parse_args(argv)
    cb = load_codebook()
    head = ["PPT-rader", "load_survey", "read_csv", "forhold", "import (;, cp1252)", "forhold"]
    print(" ".join(f"{h:>{w}}" for h, w in zip(head, [10, 12, 9, 8, 19, 8], strict=True)))
    for n in args.sizes:
        tmp = Path(tempfile.mkdtemp(prefix="lmp-bench-"))
        try:
            write_dir(tmp, n)
            repeat = 3 if n <= 100_000 else 1
            t_load = best(lambda d=tmp: load_survey(d), repeat)
            t_bare = best(lambda d=tmp: pd.read_csv(d / "ppt.csv"), repeat)
            # a Norwegian-Excel-style export of the same PPT rows: labels, ';', cp1252
            df = pd.read_csv(tmp / "ppt.csv", dtype=str, keep_default_na=False)
            for item in cb.items_for_group("ppt"):
                df[item] = df[item].map(lambda v: cb.scale[int(v)] if v else "Vet ikke")
            export = tmp / "eksport.csv"
            df.to_csv(export, sep=";", encoding="cp1252", index=False)
            t_imp = best(lambda e=export: convert_export(e, "ppt"), 1)
            t_bare_imp = best(lambda e=export: pd.read_csv(e, sep=";", encoding="cp1252"), 1)
            print(f"{n:>10} {t_load:>11.2f}s {t_bare:>8.2f}s {t_load / t_bare:>8.1f} "
                  f"{t_imp:>18.2f}s {t_imp / t_bare_imp:>8.1f}")
        finally:
            shutil.rmtree(tmp)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
