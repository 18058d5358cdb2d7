"""One run = one state: `lmp run` killed at random points, and two runs into one folder at once.

The output folder must always hold one complete state – every notebook and datakilde.md from the same
run's data – and the next run must succeed and leave no staging or temp files.

Cheap setup: two tiny chapters, and notebook execution replaced by a stand-in that builds the executed
notebook without a kernel (the staging, locking and swapping under test are the real code; kernels are
covered by test_runner.py and test_notebooks.py). Each run is a fork of the test process (no new Python to
start), so a run takes a fraction of a second.
"""

from __future__ import annotations

import json
import multiprocessing
import os
import random
import shutil
import signal
import time
from pathlib import Path

import nbformat
import pytest

from lmp_helpers import runner
from lmp_helpers.errors import LmpError
from lmp_helpers.paths import SYNTHETIC_DIR


def _fake_execute(job, key, labels, cwd=None):
    """Stands in for the kernel: the executed notebook as papermill would return it, then the real
    post-processing and write."""
    nb = nbformat.read(job.source, as_version=4)
    cell = nbformat.v4.new_code_cell(
        "# Parameters\n" + "\n".join(f"{k} = {json.dumps(v)}" for k, v in job.parameters.items())
    )
    cell.metadata["tags"] = ["injected-parameters"]
    nb.cells.insert(2, cell)
    time.sleep(_DELAY[0])
    runner.postprocess(nb, job, key, labels)
    runner.atomic_write_notebook(nb, job.output)
    return job


_DELAY = [0.0]


def _child(setup: dict, data: str, delay: float, umask: int | None) -> None:
    """Body of a forked `lmp run` (no re-import: the fork costs milliseconds, a new Python seconds)."""
    _DELAY[0] = delay
    if umask is not None:
        os.umask(umask)
    runner.execute_job = _fake_execute
    code = 0
    try:
        runner.run(pulje=["1", "2", "alle"], data=setup["root"] / data, out=setup["out"], jobs=2, force=True,
                   notebooks_dir=setup["nbdir"], chapters=("a", "b"), appendices=(), log=lambda *a: None)
    except LmpError as exc:
        (setup["root"] / f"feil-{os.getpid()}.txt").write_text(str(exc), encoding="utf-8")
        code = 2
    os._exit(code)


# runner.RUN_STAMP: written last by a successful run (the «nothing changed» path of lmp run)
EXPECTED = {"datakilde.md", runner.RUN_STAMP, *(f"pulje-{p}/{c}.ipynb" for p in ("1", "2", "alle") for c in ("a", "b"))}


@pytest.fixture
def setup(tmp_path: Path) -> dict:
    nbdir = tmp_path / "notebooks"
    nbdir.mkdir()
    for name in ("a", "b"):
        nb = nbformat.v4.new_notebook()
        params = nbformat.v4.new_code_cell('pulje = "alle"\ndata_dir = None\nmin_n = 5')
        params.metadata["tags"] = ["parameters"]
        nb.cells = [nbformat.v4.new_markdown_cell(f"# Kapittel {name}"), params, nbformat.v4.new_code_cell("1")]
        nbformat.write(nb, nbdir / f"{name}.ipynb")
    shutil.copytree(SYNTHETIC_DIR, tmp_path / "syntetisk")
    shutil.copytree(SYNTHETIC_DIR, tmp_path / "ekte")
    (tmp_path / "ekte" / "datasource.yml").unlink()  # a folder without it counts as real data
    return {"root": tmp_path, "nbdir": nbdir, "out": tmp_path / "ut"}


def start(setup: dict, data: str, delay: float = 0.0, umask: int | None = None):
    proc = multiprocessing.get_context("fork").Process(target=_child, args=(setup, data, delay, umask))
    proc.start()
    return proc


def finish(proc, timeout: float = 120) -> int:
    proc.join(timeout)
    assert proc.exitcode is not None, "run did not finish"
    return proc.exitcode


def message(setup: dict, proc) -> str:
    path = setup["root"] / f"feil-{proc.pid}.txt"
    return path.read_text(encoding="utf-8") if path.exists() else ""


def state(out: Path) -> str | None:
    """The data folder every file of `out` was built from; None if `out` does not exist yet. Fails on a
    mixed or incomplete folder."""
    if not out.exists():
        return None
    files = {str(p.relative_to(out)) for p in out.rglob("*") if p.is_file()}
    assert files == EXPECTED, f"incomplete or extra files: {sorted(files ^ EXPECTED)}"
    note = (out / "datakilde.md").read_text(encoding="utf-8")
    sources = {"syntetisk" if "Syntetiske data" in note else "ekte"}
    for rel in EXPECTED - {"datakilde.md", runner.RUN_STAMP}:
        nb = json.loads((out / rel).read_text(encoding="utf-8"))  # complete JSON, not half a file
        injected = next(c for c in nb["cells"] if "injected-parameters" in c["metadata"].get("tags", []))
        sources.add(json.loads("".join(injected["source"]).split("data_dir = ", 1)[1].splitlines()[0]))
    assert len(sources) == 1, f"mixed state in {out}: {sources}"
    return sources.pop()


def leftovers(setup: dict) -> list[str]:
    return sorted(p.name for p in setup["root"].iterdir() if ".lmp-staging" in p.name or ".lmp-old" in p.name)


def test_killed_runs_leave_one_complete_state(setup: dict):
    t0 = time.perf_counter()
    proc = start(setup, "syntetisk")
    assert finish(proc) == 0, message(setup, proc)
    full = time.perf_counter() - t0
    assert state(setup["out"]) == "syntetisk"
    rng = random.Random(13)
    for i in range(20):
        data = ("ekte", "syntetisk")[i % 2]
        proc = start(setup, data, delay=rng.uniform(0, 0.02))
        time.sleep(rng.uniform(0.1 * full, 1.2 * full))
        os.kill(proc.pid, signal.SIGKILL)
        finish(proc)
        state(setup["out"])  # one complete earlier or later state, every time
    proc = start(setup, "ekte")
    assert finish(proc) == 0, message(setup, proc)
    assert state(setup["out"]) == "ekte"
    assert not leftovers(setup), leftovers(setup)  # the killed runs' staging folders are gone
    assert not [p for p in setup["out"].rglob(".*")]


def test_two_concurrent_runs_never_mix(setup: dict):
    first, second = start(setup, "syntetisk", delay=0.2), start(setup, "ekte", delay=0.2)
    codes = [finish(first), finish(second)]
    errors = [message(setup, first), message(setup, second)]
    assert 0 in codes, errors
    for code, err in zip(codes, errors, strict=True):
        if code != 0:  # the one that found the folder locked stops with a message naming the other
            assert code == 2, (code, err)
            assert "en annen lmp run skriver allerede til" in err and "vent til den er ferdig" in err
    assert state(setup["out"]) in ("syntetisk", "ekte")
    assert not leftovers(setup)


def test_files_follow_the_umask(setup: dict):
    proc = start(setup, "ekte", umask=0o002)
    assert finish(proc) == 0, message(setup, proc)
    modes = {oct((setup["out"] / rel).stat().st_mode & 0o777) for rel in EXPECTED}
    assert modes == {"0o664"}, modes


def test_tables_failing_on_the_third_file_keeps_every_old_table(tmp_path: Path, monkeypatch):
    from lmp_helpers import staging, tables

    out = tmp_path / "tabeller"
    tables.write_tables(out, pulje="alle")
    before = {p.relative_to(out): p.read_bytes() for p in out.rglob("*") if p.is_file()}
    real_write, calls = staging.write_atomic, []

    def failing_write(path, data, **kw):
        calls.append(path)
        if len(calls) == 3:
            raise OSError(28, "No space left on device", str(path))
        real_write(path, data, **kw)

    monkeypatch.setattr(staging, "write_atomic", failing_write)
    with pytest.raises(OSError):
        tables.write_tables(out, pulje=1)
    assert {p.relative_to(out): p.read_bytes() for p in out.rglob("*") if p.is_file()} == before
    assert sorted(p.name for p in tmp_path.iterdir()) == [".tabeller.lmp-lock", "tabeller"]
