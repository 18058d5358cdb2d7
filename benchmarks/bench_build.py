"""Build speed of the book: naive (serial papermill, then a Jupyter Book build that executes everything
again) against `lmp run` + `jupyter-book build` with execution off, in one run on this machine.

Scenarios for our build: cold (nothing generated, no _build), nothing changed, one chapter edited, one
data file changed. The floor is what perfect parallelism would cost: (sum of the bare papermill runs of
every variant, measured serially in the naive build) / cores + the Sphinx write of a cold build.

Everything runs in a scratch copy of the project (PYTHONPATH points the helpers and kernels there), so the
working tree, generated/ and _build/ are untouched. Prints a Markdown table and writes
benchmarks/results/build.json. Never fails on a time.

    .venv/bin/python benchmarks/bench_build.py [--keep]
"""

from __future__ import annotations

import argparse
import json
import os
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
BIN = Path(sys.executable).parent
COPY = ["_config.yml", "_toc.yml", "book", "notebooks", "lmp_helpers", "data", "Makefile", "requirements.txt",
        "constraints.txt", "pyproject.toml"]
JB = [str(BIN / "jupyter-book"), "build", ".", "-W", "-n", "--keep-going", "-q"]


def scratch_copy() -> Path:
    dest = Path(tempfile.mkdtemp(prefix="lmp-bench-build-"))
    for name in COPY:
        src = ROOT / name
        if src.is_dir():
            shutil.copytree(src, dest / name, ignore=shutil.ignore_patterns("__pycache__", ".ipynb_checkpoints"))
        else:
            shutil.copy2(src, dest / name)
    # `make book` in the copy uses the project's installed venv (its install stamp stays newer than the
    # copied requirement files, whose mtimes copy2 keeps).
    (dest / ".venv").symlink_to(ROOT / ".venv")
    return dest


def sh(cmd: list[str], cwd: Path, env: dict) -> tuple[float, str]:
    t0 = time.perf_counter()
    proc = subprocess.run(cmd, cwd=cwd, env=env, capture_output=True, text=True)
    dt = time.perf_counter() - t0
    if proc.returncode:
        raise SystemExit(f"{' '.join(cmd)} failed ({proc.returncode}):\n{proc.stdout[-3000:]}\n{proc.stderr[-3000:]}")
    return dt, proc.stdout + proc.stderr


def lmp_run(cwd: Path, env: dict, *extra: str) -> tuple[float, int, int]:
    dt, out = sh([sys.executable, "-m", "lmp_helpers.cli", "run", *extra], cwd, env)
    m = re.search(r"(\d+) kjørt, (\d+) uendret", out)
    return dt, int(m.group(1)), int(m.group(2))


def make_book(cwd: Path, env: dict) -> dict:
    """`make book` as a user runs it; the lmp run part is read from its own summary line."""
    dt, out = sh(["make", "--no-print-directory", "book"], cwd, env)
    m = re.search(r"(\d+) kjørt, (\d+) uendret \(cache\), ([\d.]+) s", out)
    t_run = float(m.group(3))
    return {"lmp_run": t_run, "build": dt - t_run, "total": dt, "executed": int(m.group(1)),
            "skipped": int(m.group(2)), "sphinx_ran": "jupyter-book build" in out}


def build(cwd: Path, env: dict, config: str | None = None, strict: bool = True) -> float:
    cmd = list(JB) if strict else [str(BIN / "jupyter-book"), "build", ".", "-q"]
    if config:
        cmd += ["--config", config]
    return sh(cmd, cwd, env)[0]


def edit_chapter(work: Path) -> None:
    import nbformat

    path = work / "notebooks" / "praksisendring.ipynb"
    nb = nbformat.read(path, as_version=4)
    md = next(c for c in nb.cells[1:] if c.cell_type == "markdown")
    md.source += "\n\nEn ny setning i teksten."
    nbformat.write(nb, path)


def edit_data(work: Path) -> None:
    """Swap two PPT respondents' answers to one item: still valid data, different bytes and numbers."""
    path = work / "data" / "synthetic" / "ppt.csv"
    lines = path.read_text(encoding="utf-8").splitlines()
    a, b = lines[1].split(","), lines[2].split(",")
    col = next(i for i in range(2, len(a)) if a[i] != b[i])
    a[col], b[col] = b[col], a[col]
    lines[1], lines[2] = ",".join(a), ",".join(b)
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")


def _load() -> float:
    return round(os.getloadavg()[0], 2)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--keep", action="store_true", help="keep the scratch copy")
    ap.add_argument("--rounds", type=int, default=2, help="naive-serial / cold pairs, alternated (median used)")
    args = ap.parse_args(argv)
    cores = os.cpu_count() or 1
    work = scratch_copy()
    env = dict(os.environ, PYTHONPATH=str(work), PYTHONDONTWRITEBYTECODE="1")
    naive_cfg = work / "_config_naive.yml"
    naive_cfg.write_text(
        (work / "_config.yml").read_text(encoding="utf-8").replace(
            'execute_notebooks: "off"', 'execute_notebooks: "force"\n  timeout: 600'
        ),
        encoding="utf-8",
    )
    results: dict = {"cores": cores, "python": sys.version.split()[0], "rounds": [], "load_1min": []}
    try:
        # Alternate the serial papermill pass (naive, and the floor's «bare papermill runs») with our cold
        # build, so both see the same machine load; the medians are used.
        for _ in range(args.rounds):
            results["load_1min"].append(_load())
            t_pm, n_runs, _ = lmp_run(work, env, "--jobs", "1", "--force", "--out", str(work / "generated-naive"))
            for d in ("generated", "_build"):
                shutil.rmtree(work / d, ignore_errors=True)
            cold = make_book(work, env)
            results["rounds"].append({"papermill_serial": t_pm, "cold": cold, "runs": n_runs})
        t_pm = statistics.median(r["papermill_serial"] for r in results["rounds"])
        n_runs = results["rounds"][0]["runs"]
        cold = min((r["cold"] for r in results["rounds"]), key=lambda c: c["total"])
        if args.rounds > 1:  # the median of two is their mean; report the one closest to it
            med = statistics.median(r["cold"]["total"] for r in results["rounds"])
            cold = min((r["cold"] for r in results["rounds"]), key=lambda c: abs(c["total"] - med))

        # Naive, second half: a Jupyter Book build that executes every notebook again.
        results["load_1min"].append(_load())
        t_jb_exec = build(work, env, config=str(naive_cfg), strict=False)
        results["naive"] = {"papermill_serial": t_pm, "jupyter_book_executing": t_jb_exec,
                            "total": t_pm + t_jb_exec, "runs": n_runs}

        # The floor: the serial papermill work spread perfectly over the cores, plus a cold Sphinx write.
        shutil.rmtree(work / "_build")
        t_sphinx = build(work, env)
        results["sphinx_noop"] = build(work, env)  # incremental Sphinx with nothing changed (make skips it)
        (work / "_build" / "html" / ".lmp-built").touch()
        floor = t_pm / cores + t_sphinx
        results["floor"] = {"papermill_serial_over_cores": t_pm / cores, "sphinx_cold_write": t_sphinx,
                            "total": floor, "bare_papermill_mean": t_pm / n_runs}

        # Our incremental scenarios, as a user runs them.
        results["load_1min"].append(_load())
        ours = {"cold": cold, "nothing_changed": make_book(work, env)}
        edit_chapter(work)
        ours["one_chapter_edited"] = make_book(work, env)
        edit_data(work)
        ours["one_data_file_changed"] = make_book(work, env)
        results["ours"] = ours
        results["load_1min"].append(_load())
        results["ratios"] = {
            "naive_over_cold": results["naive"]["total"] / ours["cold"]["total"],
            "cold_over_floor": ours["cold"]["total"] / floor,
            # per round: the serial pass and the cold build of a round ran back to back (same load)
            "per_round": [
                {"naive_over_cold": (r["papermill_serial"] + t_jb_exec) / r["cold"]["total"],
                 "cold_over_floor": r["cold"]["total"] / (r["papermill_serial"] / cores + t_sphinx)}
                for r in results["rounds"]
            ],
        }
    finally:
        if args.keep:
            print(f"scratch copy kept: {work}")
        else:
            shutil.rmtree(work, ignore_errors=True)

    out_dir = ROOT / "benchmarks" / "results"
    out_dir.mkdir(parents=True, exist_ok=True)
    (out_dir / "build.json").write_text(json.dumps(results, indent=2), encoding="utf-8")
    n, o, f, r = results["naive"], results["ours"], results["floor"], results["ratios"]
    print("| scenario | lmp run | build | total | notebooks executed |\n|---|---:|---:|---:|---:|")
    print(f"| naive: serial papermill + jupyter-book executing | {n['papermill_serial']:.1f} s | "
          f"{n['jupyter_book_executing']:.1f} s | {n['total']:.1f} s | {n['runs']} + {n['runs']} |")
    for key, label in (("cold", "ours, cold"), ("nothing_changed", "ours, nothing changed"),
                       ("one_chapter_edited", "ours, one chapter edited"),
                       ("one_data_file_changed", "ours, one data file changed")):
        s = o[key]
        build_txt = f"{s['build']:.1f} s" if s["sphinx_ran"] else f"skipped ({s['build']:.1f} s)"
        print(f"| {label} (`make book`) | {s['lmp_run']:.1f} s | {build_txt} | {s['total']:.1f} s | "
              f"{s['executed']} |")
    print(f"| floor: {n['runs']} × {f['bare_papermill_mean']:.2f} s / {cores} cores + Sphinx write | "
          f"{f['papermill_serial_over_cores']:.1f} s | {f['sphinx_cold_write']:.1f} s | {f['total']:.1f} s | – |")
    print(f"\nnaive / cold = {r['naive_over_cold']:.2f}×   cold / floor = {r['cold_over_floor']:.2f}×   "
          f"no-op incremental Sphinx (skipped by make) = {results['sphinx_noop']:.1f} s   "
          f"load (1 min) during run: {results['load_1min']}")
    print("per round (naive/cold, cold/floor): "
          + ", ".join(f"({x['naive_over_cold']:.2f}×, {x['cold_over_floor']:.2f}×)" for x in r["per_round"]))
    print("rounds (serial papermill, cold total): "
          + ", ".join(f"({x['papermill_serial']:.1f} s, {x['cold']['total']:.1f} s)" for x in results["rounds"]))
    return 0


if __name__ == "__main__":
    sys.exit(main())
