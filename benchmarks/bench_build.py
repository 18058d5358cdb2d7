"""Build speed of the book, in one run on this machine:

- **naive**: every variant executed serially with papermill, then a Jupyter Book build that executes every
  notebook again (`execute_notebooks: force`);
- **today's method** (`LMP_WARM_KERNELS=0 LMP_SPHINX_INCREMENTAL=0`): `lmp run` with one freshly started
  papermill kernel per notebook (one per core in parallel, cache) + `jupyter-book build` with execution
  off and Sphinx's own incremental bookkeeping, skipped by make when no site input changed;
- **new method** (the default): the same, with every notebook run in a kernel forked from a warm parent
  that has already imported what the notebooks import (lmp_helpers/kernel_pool.py), and an incremental
  Sphinx build that rewrites only the pages that changed (book/_ext/lmp_incremental.py).

Scenarios for both methods: cold (nothing generated, no _build), nothing changed, one chapter edited, one
data file changed. Floors: the old one (serial bare papermill runs / cores + the Sphinx write of a cold
build) and the new one (the notebooks' own work, i.e. the sum of cell execution times measured in warm
kernels, / cores + the same Sphinx write).

After the one-chapter scenario the new method's site is compared with a fresh Sphinx build of the same
sources (every HTML page and the search index; `?v=` cache-busting suffixes left out): they must be the
same (`site_identical` in the JSON). The load average is recorded at the start and the end.

The machine is shared, so the cold builds of both methods and the serial papermill pass alternate in
rounds (order swapped every round) and each incremental scenario runs both methods back to back from the
same starting state; ratios are computed within a round. Everything runs in a scratch copy of the project
(PYTHONPATH points the helpers and kernels there), so the working tree, generated/ and _build/ are
untouched. Prints Markdown tables and writes benchmarks/results/build.json. Never fails on a time.

    .venv/bin/python benchmarks/bench_build.py [--rounds N] [--keep]
    .venv/bin/python benchmarks/bench_build.py --only one-chapter [--repeat N]   # quick check

Every cold round also measures the new floor next to the new method's cold build, so «new cold / new floor»
compares numbers taken at the same load; every `make book` also records the CPU seconds it used (its own
and its waited-for descendants', the warm kernels included), which a shared machine disturbs less than wall
time.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from datetime import datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
BIN = Path(sys.executable).parent
COPY = ["_config.yml", "_toc.yml", "book", "notebooks", "lmp_helpers", "data", "Makefile", "requirements.txt",
        "constraints.txt", "pyproject.toml"]
JB = [str(BIN / "jupyter-book"), "build", ".", "-W", "-n", "--keep-going", "-q"]
METHODS = {"today": {"LMP_WARM_KERNELS": "0", "LMP_SPHINX_INCREMENTAL": "0"},
           "new": {"LMP_WARM_KERNELS": "1", "LMP_SPHINX_INCREMENTAL": "1"}}
WRITTEN = re.compile(r"writing output\.\.\. .*?\[\s*\d+%\]")
EDITED = ["notebooks/praksisendring.ipynb", "data/synthetic/ppt.csv"]


def scratch_copy() -> Path:
    # A stale install stamp would make `make book` in the copy reinstall the shared venv with the copy's paths
    # (entry points then name a python in a deleted temp folder): refuse before copying.
    if subprocess.run(["make", "-q", ".venv/.installed-stamp"], cwd=ROOT).returncode != 0:
        raise SystemExit("bench_build: .venv er eldre enn requirements.txt/constraints.txt/pyproject.toml; "
                         "kjør `make venv` først (eller `make bench`)")
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


def _children_cpu() -> float:
    """CPU seconds (user + system) of every finished child process and the descendants they waited for
    (the warm kernels are reaped by their warm parent, which `lmp run` waits for)."""
    ru = resource.getrusage(resource.RUSAGE_CHILDREN)
    return ru.ru_utime + ru.ru_stime


LAST_CPU = [0.0]  # CPU seconds of the last `sh` command (a shared machine slows wall time, not CPU time)


def sh(cmd: list[str], cwd: Path, env: dict) -> tuple[float, str]:
    t0, c0 = time.perf_counter(), _children_cpu()
    proc = subprocess.run(cmd, cwd=cwd, env=env, capture_output=True, text=True)
    dt = time.perf_counter() - t0
    LAST_CPU[0] = _children_cpu() - c0
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
    return {"lmp_run": t_run, "build": dt - t_run, "total": dt, "cpu": LAST_CPU[0], "executed": int(m.group(1)),
            "skipped": int(m.group(2)), "sphinx_ran": "jupyter-book build" in out,
            "pages_written": len(WRITTEN.findall(out))}


def site_files(html: Path) -> dict[str, bytes]:
    """Every HTML page and the search index, without the `?v=` suffixes (Sphinx adds one to a static file
    only when it already exists when a page is written, which differs between a fresh and a later build)."""
    files = sorted(html.rglob("*.html")) + [html / "searchindex.js"]
    return {str(p.relative_to(html)): re.sub(rb"\?v=[0-9a-f]{8}", b"", p.read_bytes()) for p in files}


def compare_with_fresh_build(work: Path, env: dict) -> dict:
    """The incremental site in work/_build against a fresh Sphinx build of the same sources."""
    incremental = site_files(work / "_build" / "html")
    shutil.move(work / "_build", work / ".bench-incremental-build")
    try:
        build(work, env)
        fresh = site_files(work / "_build" / "html")
    finally:
        shutil.rmtree(work / "_build", ignore_errors=True)
        shutil.move(work / ".bench-incremental-build", work / "_build")
    differ = sorted(f for f in set(incremental) | set(fresh) if incremental.get(f) != fresh.get(f))
    return {"site_identical": not differ, "pages_compared": len(fresh), "differ": differ[:20]}


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


def _uptime() -> str:
    return subprocess.run(["uptime"], capture_output=True, text=True).stdout.strip()


def cell_times() -> dict:
    """In the scratch copy (PYTHONPATH): every variant run serially in warm kernels; the sum of its cells'
    execution times as the kernel saw them (nbclient's iopub.execute_input → shell.execute_reply)."""
    from lmp_helpers import kernel_pool, runner

    jobs = runner.plan_jobs(runner.parse_pulje_list(None), Path(tempfile.mkdtemp()), None, 5)
    total, per_job = 0.0, {}
    t0 = time.perf_counter()
    with kernel_pool.KernelPool(size=1, cwd=runner.PROJECT_ROOT, extra_arguments=runner.KERNEL_QUIET) as pool:
        for job in jobs:
            nb = kernel_pool.execute_notebook(
                str(job.source), None, parameters=job.parameters, kernel_name=runner.KERNEL_NAME,
                cwd=str(runner.PROJECT_ROOT), progress_bar=False, log_output=False, pool=pool,
            )
            seconds = 0.0
            for cell in nb.cells:
                ex = cell.metadata.get("execution", {})
                if "iopub.execute_input" in ex and "shell.execute_reply" in ex:
                    seconds += (datetime.fromisoformat(ex["shell.execute_reply"].replace("Z", "+00:00"))
                                - datetime.fromisoformat(ex["iopub.execute_input"].replace("Z", "+00:00"))
                                ).total_seconds()
            per_job[job.label] = round(seconds, 3)
            total += seconds
    return {"cell_seconds": total, "runs": len(jobs), "serial_warm_wall": time.perf_counter() - t0,
            "per_job": per_job}


def tree_cpu(pid: int) -> float:
    """CPU seconds (user + system) of a live process tree: every process's own time plus the time of the
    children it has reaped (the watcher's forked kernels and Sphinx children are reaped by their warm
    parents, which stay alive)."""
    tick = os.sysconf("SC_CLK_TCK")
    stats: dict[int, list[str]] = {}
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            stats[int(stat.parent.name)] = stat.read_text().rsplit(")", 1)[1].split()
        except (OSError, ValueError):
            continue
    children: dict[int, list[int]] = {}
    for p, fields in stats.items():
        children.setdefault(int(fields[1]), []).append(p)
    total, todo = 0.0, [pid]
    while todo:
        p = todo.pop()
        if p in stats:
            total += sum(int(x) for x in stats[p][11:15]) / tick  # utime, stime, cutime, cstime
        todo.extend(children.get(p, []))
    return total


class WatchProcess:
    """`lmp watch` running in its own copy of the project; `edit_and_wait` times an edit until the watcher
    has printed the line that says the site is updated (printed after the site stamp is touched)."""

    def __init__(self, work: Path, env: dict):
        import queue
        import threading

        self.work = work
        self.proc = subprocess.Popen([sys.executable, "-m", "lmp_helpers.cli", "watch"], cwd=work, env=env,
                                     stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
        self.lines: queue.Queue = queue.Queue()
        self.log: list[str] = []

        def read():
            for line in self.proc.stdout:
                self.lines.put(line.rstrip("\n"))
            self.lines.put(None)

        threading.Thread(target=read, daemon=True).start()

    def wait_line(self, pattern: str, timeout: float = 900) -> str:
        import queue

        end = time.monotonic() + timeout
        while True:
            try:
                line = self.lines.get(timeout=max(0.1, end - time.monotonic()))
            except queue.Empty:
                raise SystemExit(f"lmp watch: no line matching {pattern!r} in {timeout} s: {self.log[-5:]}") from None
            if line is None:
                raise SystemExit(f"lmp watch exited: {self.log[-10:]}")
            self.log.append(line)
            if "feilet" in line:
                raise SystemExit(f"lmp watch: a build failed: {line}")
            if re.search(pattern, line):
                return line

    def edit_and_wait(self, edit) -> dict:
        c0, t0 = tree_cpu(self.proc.pid), time.perf_counter()
        edit(self.work)
        line = self.wait_line(r"^\[[\d:]+\] endret ")
        dt, cpu = time.perf_counter() - t0, tree_cpu(self.proc.pid) - c0
        m = re.search(r"(\d+) notebook\(er\) kjørt \(([\d.]+) s\), (?:(\d+) side\(r\) skrevet)?", line)
        return {"total": dt, "cpu": cpu, "executed": int(m.group(1)), "lmp_run": float(m.group(2)),
                "pages_written": int(m.group(3)) if m.group(3) else 0, "line": line}

    def stop(self) -> None:
        import signal

        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGINT)
            try:
                self.proc.wait(timeout=60)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()


def executed_notebooks(work: Path) -> dict[str, bytes]:
    return {str(p.relative_to(work)): p.read_bytes() for p in (work / "generated").rglob("*.ipynb")}


def revert_chapter(work: Path) -> None:
    shutil.copy2(work / ".bench-orig" / EDITED[0], work / EDITED[0])


def watch_copy(work: Path, env: dict) -> tuple[Path, WatchProcess]:
    """A second copy of the built project (its own generated/ and _build/) with `lmp watch` running in it,
    warmed up by one unmeasured edit and its revert (Sphinx re-reads a moved project once)."""
    wwork = work.parent / (work.name + "-watch")
    shutil.copytree(work, wwork, symlinks=True, ignore=shutil.ignore_patterns(".bench-snap"))
    wenv = dict(env, PYTHONPATH=str(wwork))
    watcher = WatchProcess(wwork, wenv)
    watcher.wait_line(r"første bygging")
    for edit in (edit_chapter, revert_chapter):
        watcher.edit_and_wait(edit)
    return wwork, watcher


def watch_pairs(work: Path, env: dict, repeat: int, wwork: Path, watcher: WatchProcess) -> list[dict]:
    """`repeat` rounds of the one-chapter scenario: today's method (`make book`), the new method (`make
    book`) and `lmp watch` (from edit to the site updated), order rotated every round; afterwards the
    watcher's site and executed notebooks are compared with the new method's `make book` of the same sources
    (today's method's differs in searchindex.js: Sphinx's own incremental build drops the index entries of
    the pages it does not write, see book/_ext/lmp_incremental.py)."""
    rounds = []
    orders = (("today", "new", "watch"), ("watch", "today", "new"), ("new", "watch", "today"))
    for i in range(repeat):
        rnd: dict = {"order": orders[i % 3]}
        for m in orders[i % 3]:
            if m == "watch":
                if (wwork / EDITED[0]).read_bytes() != (work / ".bench-orig" / EDITED[0]).read_bytes():
                    watcher.edit_and_wait(revert_chapter)  # back to the starting state (not measured)
                rnd[m] = dict(watcher.edit_and_wait(edit_chapter), load_1min=_load())
            else:
                restore(work)
                edit_chapter(work)
                rnd[m] = dict(make_book(work, env[m]), load_1min=_load())
                if m == "new":  # the site the watcher must match (today's method drops index entries)
                    theirs = site_files(work / "_build" / "html") | executed_notebooks(work)
        ours = site_files(wwork / "_build" / "html") | executed_notebooks(wwork)
        differ = sorted(f for f in set(ours) | set(theirs) if ours.get(f) != theirs.get(f))
        rnd["watch_site_same_as_new_make_book"] = {"identical": not differ, "files": len(theirs), "differ": differ[:20]}
        for m in ("watch", "new"):
            rnd[f"{m}_over_today"] = rnd[m]["total"] / rnd["today"]["total"]
            rnd[f"{m}_over_today_cpu"] = rnd[m]["cpu"] / rnd["today"]["cpu"]
        rounds.append(rnd)
        print(f"[{time.strftime('%H:%M:%S')} load {_load()}] one chapter, round {i + 1} ({', '.join(rnd['order'])}): "
              + "; ".join(f"{m} {rnd[m]['total']:.1f} s wall, {rnd[m]['cpu']:.1f} s CPU, "
                          f"{rnd[m]['pages_written']} pages" for m in ("today", "new", "watch"))
              + f" → watch/today {rnd['watch_over_today']:.2f}× wall, {rnd['watch_over_today_cpu']:.2f}× CPU; "
                f"new/today {rnd['new_over_today']:.2f}× wall; watch site = new make book site: "
                f"{rnd['watch_site_same_as_new_make_book']['identical']}", flush=True)
    return rounds


def snapshot(work: Path) -> None:
    snap = work / ".bench-snap"
    shutil.rmtree(snap, ignore_errors=True)
    for name in ("generated", "_build"):
        shutil.copytree(work / name, snap / name, symlinks=True)


def restore(work: Path) -> None:
    """Back to the built state of the snapshot, with the original sources (mtimes kept, so make and
    Sphinx see exactly what they saw after that build)."""
    for name in ("generated", "_build"):
        shutil.rmtree(work / name, ignore_errors=True)
        shutil.copytree(work / ".bench-snap" / name, work / name, symlinks=True)
    for rel in EDITED:
        shutil.copy2(work / ".bench-orig" / rel, work / rel)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--keep", action="store_true", help="keep the scratch copy")
    ap.add_argument("--rounds", type=int, default=2, help="rounds of both cold builds (order alternated)")
    ap.add_argument("--only", choices=["one-chapter", "cold"],
                    help="quick checks: one-chapter = one new-method cold build for the starting state, then only "
                         "the one-chapter scenario, the methods rotated --repeat times (build-one-chapter.json); "
                         "cold = only the --rounds cold rounds, each with the new floor beside the new method's cold "
                         "build (writes build-cold.json)")
    ap.add_argument("--repeat", type=int, default=3,
                    help="rounds of one-chapter builds (today, new, watch; order rotated): with --only, and "
                         "the watch comparison of the full run")
    ap.add_argument("--cell-times", action="store_true", help=argparse.SUPPRESS)  # internal, in the copy
    args = ap.parse_args(argv)
    if args.cell_times:
        print(json.dumps(cell_times()))
        return 0
    cores = os.cpu_count() or 1
    work = scratch_copy()
    for rel in EDITED:
        (work / ".bench-orig" / rel).parent.mkdir(parents=True, exist_ok=True)
        shutil.copy2(work / rel, work / ".bench-orig" / rel)
    base = dict(os.environ, PYTHONPATH=str(work), PYTHONDONTWRITEBYTECODE="1")
    env = {m: dict(base, **extra) for m, extra in METHODS.items()}
    naive_cfg = work / "_config_naive.yml"
    naive_cfg.write_text(
        (work / "_config.yml").read_text(encoding="utf-8").replace(
            'execute_notebooks: "off"', 'execute_notebooks: "force"\n  timeout: 600'
        ),
        encoding="utf-8",
    )
    results: dict = {"cores": cores, "python": sys.version.split()[0], "started": time.strftime("%Y-%m-%d %H:%M"),
                     "rounds": [], "load_1min": []}
    out_dir = ROOT / "benchmarks" / "results"
    out_dir.mkdir(parents=True, exist_ok=True)
    results_file = "build-cold.json" if args.only == "cold" else "build.json"

    def step(what: str, value) -> None:
        """Log each measurement as it is made and keep the JSON current (a long run can be cut short)."""
        print(f"[{time.strftime('%H:%M:%S')} load {_load()}] {what}: {json.dumps(value)[:300]}", flush=True)
        (out_dir / results_file).write_text(json.dumps(results, indent=2), encoding="utf-8")

    def new_floor() -> dict:
        """The new floor, measured now (needs generated/): a cold Sphinx write + the notebooks' own work in
        warm kernels (serially) / cores. Leaves a fresh _build."""
        shutil.rmtree(work / "_build", ignore_errors=True)
        t_sphinx = build(work, env["new"])
        cpu_sphinx = LAST_CPU[0]
        c0 = _children_cpu()
        proc = subprocess.run([sys.executable, str(Path(__file__).resolve()), "--cell-times"], cwd=work,
                              env=env["new"], capture_output=True, text=True, check=True)
        cells = json.loads(proc.stdout.strip().splitlines()[-1])
        return {"cell_seconds": cells["cell_seconds"], "cell_seconds_over_cores": cells["cell_seconds"] / cores,
                "sphinx_cold_write": t_sphinx, "sphinx_cold_write_cpu": cpu_sphinx,
                "cell_pass_cpu": _children_cpu() - c0, "total": cells["cell_seconds"] / cores + t_sphinx,
                "cells": cells}

    def cold_round(i: int) -> None:
        """Cold builds of both methods back to back, order swapped every round, and the new floor measured
        right next to the new method's cold build (after it in even rounds, before it in odd ones), so that
        new cold / new floor compares numbers taken at the same load."""
        cold, load, floor = {}, [_load()], None
        for m in (("today", "new", "floor") if i % 2 == 0 else ("floor", "new", "today")):
            if m == "floor":
                floor = new_floor()
            else:
                for d in ("generated", "_build"):
                    shutil.rmtree(work / d, ignore_errors=True)
                cold[m] = make_book(work, env[m])
            load.append(_load())
        results["rounds"].append({"cold": cold, "floor_new": floor, "load_1min": load,
                                  "new_cold_over_new_floor": cold["new"]["total"] / floor["total"]})
        step(f"cold round {i + 1} (order {'today, new, floor' if i % 2 == 0 else 'floor, new, today'})",
             {**cold, "floor_new": {k: v for k, v in floor.items() if k != "cells"},
              "new_cold_over_new_floor": round(cold["new"]["total"] / floor["total"], 3)})

    if args.only == "one-chapter":
        return only_one_chapter(work, env, args.repeat, out_dir / "build-one-chapter.json", args.keep)
    if args.only == "cold":
        results["uptime_start"] = _uptime()
        try:
            for i in range(args.rounds):
                cold_round(i)
        finally:
            results["uptime_end"] = _uptime()
            if not args.keep:
                shutil.rmtree(work, ignore_errors=True)
            (out_dir / results_file).write_text(json.dumps(results, indent=2), encoding="utf-8")
        for i, r in enumerate(results["rounds"], 1):
            today, new, floor = r["cold"]["today"], r["cold"]["new"], r["floor_new"]
            print(f"cold round {i}: today {today['total']:.1f} s, new {new['total']:.1f} s "
                  f"(new/today {new['total'] / today['total']:.2f}×), new floor {floor['total']:.1f} s "
                  f"(new/floor {r['new_cold_over_new_floor']:.2f}×), load {r['load_1min']}")
        print(f"uptime at start: {results['uptime_start']}; at end: {results['uptime_end']}")
        return 0

    results["uptime_start"] = _uptime()
    try:
        cold_round(0)
        floor0 = results["rounds"][0]["floor_new"]
        t_sphinx = floor0["sphinx_cold_write"]
        results["sphinx_cold_write"] = t_sphinx
        results["cell_times"] = floor0["cells"]
        results["floor_new"] = {k: floor0[k] for k in ("cell_seconds_over_cores", "sphinx_cold_write", "total")}

        # An incremental Sphinx run with nothing to do (make skips it), on the fresh _build of the floor.
        results["sphinx_noop"] = build(work, env["new"])
        (work / "_build" / "html" / ".lmp-built").touch()
        snapshot(work)
        step("sphinx no-op", results["sphinx_noop"])

        # Incremental scenarios, both methods from the same built state, back to back.
        scenarios = {"nothing_changed": None, "one_chapter_edited": edit_chapter, "one_data_file_changed": edit_data}
        incremental: dict = results.setdefault("incremental", {"today": {}, "new": {}})
        for i, (name, edit) in enumerate(scenarios.items()):
            for m in (("today", "new") if i % 2 == 0 else ("new", "today")):
                restore(work)
                if edit:
                    edit(work)
                incremental[m][name] = make_book(work, env[m])
                if m == "new" and name == "one_chapter_edited":
                    results["site_check_one_chapter"] = compare_with_fresh_build(work, env["new"])
            step(name, {m: incremental[m][name] for m in incremental})
        step("site after one chapter edited vs fresh build", results.get("site_check_one_chapter"))

        # The edit loop: `lmp watch` in a copy of the built state against `make book` (both methods).
        restore(work)  # the built starting state (the data-file scenario left its edit in place)
        wwork, watcher = watch_copy(work, env["new"])
        try:
            results["watch_one_chapter"] = watch_pairs(work, env, args.repeat, wwork, watcher)
        finally:
            watcher.stop()
            shutil.rmtree(wwork, ignore_errors=True)
        step("one chapter: today / new / watch", [{k: v for k, v in r.items() if k.endswith("over_today")}
                                                  for r in results["watch_one_chapter"]])

        # Naive (slow): every variant serially with a fresh papermill kernel, then a Jupyter Book build that
        # executes every notebook again. Its serial pass is also the old floor.
        restore(work)
        t_pm, n_runs, _ = lmp_run(work, env["today"], "--jobs", "1", "--force", "--out", str(work / "generated-naive"))
        results["floor_old"] = {"papermill_serial_over_cores": t_pm / cores, "sphinx_cold_write": t_sphinx,
                                "total": t_pm / cores + t_sphinx, "bare_papermill_mean": t_pm / n_runs}
        step("serial papermill (old floor)", results["floor_old"])
        t_jb_exec = build(work, env["today"], config=str(naive_cfg), strict=False)
        results["naive"] = {"papermill_serial": t_pm, "jupyter_book_executing": t_jb_exec,
                            "total": t_pm + t_jb_exec, "runs": n_runs}
        step("naive", results["naive"])

        for i in range(1, args.rounds):  # further cold rounds last: a run cut short has everything else
            cold_round(i)

        floor_new = results["floor_new"]["total"]
        results["ratios"] = {
            "per_round": [
                {"new_over_today_cold": r["cold"]["new"]["total"] / r["cold"]["today"]["total"],
                 "naive_over_today_cold": results["naive"]["total"] / r["cold"]["today"]["total"],
                 "today_cold_over_old_floor": r["cold"]["today"]["total"] / results["floor_old"]["total"],
                 "new_cold_over_new_floor": r["cold"]["new"]["total"] / floor_new,
                 # the floor measured next to this round's new cold build (same load)
                 "new_cold_over_adjacent_new_floor": r["new_cold_over_new_floor"]}
                for r in results["rounds"]
            ],
            **{f"new_over_today_{name}": incremental["new"][name]["total"] / incremental["today"][name]["total"]
               for name in scenarios},
        }
        results["uptime_end"] = _uptime()
        step("done", results["ratios"])
    finally:
        if args.keep:
            print(f"scratch copy kept: {work}")
        else:
            shutil.rmtree(work, ignore_errors=True)

    (out_dir / "build.json").write_text(json.dumps(results, indent=2), encoding="utf-8")
    report(results)
    return 0


def only_one_chapter(work: Path, env: dict, repeat: int, out: Path, keep: bool = False) -> int:
    """The one-chapter scenario alone (a quick check, not the full benchmark): a cold new-method build for
    the starting state, a watcher in a copy of that state, then `repeat` rounds of today's method, the new
    method and the watcher (order rotated)."""
    res: dict = {"uptime_start": _uptime(), "rounds": []}
    wwork, watcher = None, None
    try:
        res["cold_new"] = make_book(work, env["new"])
        snapshot(work)
        wwork, watcher = watch_copy(work, env["new"])
        res["rounds"] = watch_pairs(work, env, repeat, wwork, watcher)
        res["uptime_end"] = _uptime()
    finally:
        if watcher is not None:
            watcher.stop()
            res["watch_log"] = watcher.log
        if keep:
            print(f"scratch copies kept: {work} {wwork}")
        else:
            shutil.rmtree(work, ignore_errors=True)
            if wwork is not None:
                shutil.rmtree(wwork, ignore_errors=True)
        out.write_text(json.dumps(res, indent=2), encoding="utf-8")
    print(f"uptime at start: {res['uptime_start']}; at end: {res.get('uptime_end')}")
    return 0


def _fmt(s: dict) -> str:
    build_txt = (f"{s['build']:.1f} s ({s.get('pages_written', '?')} pages)" if s["sphinx_ran"]
                 else f"skipped ({s['build']:.1f} s)")
    return f"{s['lmp_run']:.1f} s | {build_txt} | {s['total']:.1f} s | {s['executed']}"


def report(results: dict) -> None:
    n, inc, r = results["naive"], results["incremental"], results["ratios"]
    fo, fn, cells = results["floor_old"], results["floor_new"], results["cell_times"]
    print("| scenario | lmp run | build | total | notebooks executed |\n|---|---:|---:|---:|---:|")
    print(f"| naive: serial papermill + jupyter-book executing | {n['papermill_serial']:.1f} s | "
          f"{n['jupyter_book_executing']:.1f} s | {n['total']:.1f} s | {n['runs']} + {n['runs']} |")
    for i, rnd in enumerate(results["rounds"], 1):
        for m in ("today", "new"):
            print(f"| cold, round {i}, {m} (`make book`) | {_fmt(rnd['cold'][m])} |")
    for name, label in (("nothing_changed", "nothing changed"), ("one_chapter_edited", "one chapter edited"),
                        ("one_data_file_changed", "one data file changed")):
        for m in ("today", "new"):
            print(f"| {label}, {m} (`make book`) | {_fmt(inc[m][name])} |")
    print(f"| old floor: {n['runs']} × {fo['bare_papermill_mean']:.2f} s bare papermill / {results['cores']} cores "
          f"+ Sphinx write | {fo['papermill_serial_over_cores']:.1f} s | {fo['sphinx_cold_write']:.1f} s | "
          f"{fo['total']:.1f} s | – |")
    print(f"| new floor: {cells['cell_seconds']:.1f} s of cell execution / {results['cores']} cores + Sphinx write | "
          f"{fn['cell_seconds_over_cores']:.1f} s | {fn['sphinx_cold_write']:.1f} s | {fn['total']:.1f} s | – |")
    print("\nper round: " + "; ".join(
        f"new/today cold {x['new_over_today_cold']:.2f}×, naive/today {x['naive_over_today_cold']:.2f}×, "
        f"today/old floor {x['today_cold_over_old_floor']:.2f}×, new/new floor (round 1's) "
        f"{x['new_cold_over_new_floor']:.2f}×, new/new floor measured next to it "
        f"{x['new_cold_over_adjacent_new_floor']:.2f}×"
        for x in r["per_round"]))
    for i, rnd in enumerate(results["rounds"], 1):
        f = rnd["floor_new"]
        print(f"round {i}: new floor {f['cell_seconds']:.1f} s cells / {results['cores']} + "
              f"{f['sphinx_cold_write']:.1f} s Sphinx = {f['total']:.1f} s; "
              f"new cold {rnd['cold']['new']['total']:.1f} s → "
              f"{rnd['new_cold_over_new_floor']:.2f}×; CPU s: cold today {rnd['cold']['today']['cpu']:.1f}, "
              f"new {rnd['cold']['new']['cpu']:.1f}, floor cells {f['cell_pass_cpu']:.1f} + Sphinx "
              f"{f['sphinx_cold_write_cpu']:.1f}; load (1 min) {rnd['load_1min']}")
    print(f"new/today: nothing changed {r['new_over_today_nothing_changed']:.2f}×, one chapter "
          f"{r['new_over_today_one_chapter_edited']:.2f}×, "
          f"one data file {r['new_over_today_one_data_file_changed']:.2f}×")
    print(f"site after one chapter edited (new method) vs a fresh build: {results.get('site_check_one_chapter')}")
    print(f"uptime at start: {results.get('uptime_start')}; at end: {results.get('uptime_end')}")
    print(f"no-op incremental Sphinx (skipped by make) = {results['sphinx_noop']:.1f} s; serial warm pass "
          f"{cells['serial_warm_wall']:.1f} s for {cells['runs']} notebooks; load (1 min) during run: "
          f"per round {[x['load_1min'] for x in results['rounds']]}")


if __name__ == "__main__":
    sys.exit(main())
