"""`lmp run`: validation before any work, the cache (what re-executes and what does not), atomic writes,
failures that name notebook + cell + error, and the post-processing for the book.

Cache and failure tests use tiny notebooks in a temp folder (a kernel start each, no pandas), so they are
fast; the real chapters are executed once per pulje in tests/test_notebooks.py.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import nbformat
import pytest

from lmp_helpers import runner
from lmp_helpers.errors import LmpError, LmpInputError
from lmp_helpers.paths import PROJECT_ROOT, SYNTHETIC_DIR

LMP = [sys.executable, "-m", "lmp_helpers.cli"]


def _notebook(path: Path, body: str, title: str = "Test") -> Path:
    nb = nbformat.v4.new_notebook()
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
    params = nbformat.v4.new_code_cell('pulje = "alle"\ndata_dir = None\nmin_n = 5')
    params.metadata["tags"] = ["parameters"]
    fig = nbformat.v4.new_code_cell(body)
    fig.metadata["mystnb"] = {"figure": {"name": "fig-test", "caption": "Test"}}
    nb.cells = [
        nbformat.v4.new_markdown_cell(
            f"# {title}\n\n(avsnitt-test)=\nSe {{numref}}`fig-test` og {{ref}}`avsnitt-test`."
        ),
        params,
        fig,
    ]
    nbformat.write(nb, path)
    return path


@pytest.fixture
def tiny(tmp_path):
    """Two tiny chapters, a copy of the synthetic data and an output folder."""
    nbdir = tmp_path / "notebooks"
    nbdir.mkdir()
    _notebook(nbdir / "a.ipynb", "print('a', pulje, min_n)", "Kapittel A")
    _notebook(nbdir / "b.ipynb", "print('b', pulje)", "Kapittel B")
    data = tmp_path / "data"
    shutil.copytree(SYNTHETIC_DIR, data)
    return {"nbdir": nbdir, "data": data, "out": tmp_path / "out"}


def _run(tiny, **kw):
    args = dict(
        pulje=["1", "alle"],
        data=tiny["data"],
        out=tiny["out"],
        jobs=2,
        notebooks_dir=tiny["nbdir"],
        chapters=("a", "b"),
        appendices=(),
        log=lambda *_: None,
    )
    args.update(kw)
    return runner.run(**args)


def _labels(jobs) -> set[str]:
    return {j.label for j in jobs}


# -- validation first -----------------------------------------------------------------------------------


@pytest.mark.parametrize("bad", ["4", "x", "0", ""])
def test_wrong_pulje_fails_before_anything_is_written(tmp_path, bad):
    out = tmp_path / "out"
    with pytest.raises(LmpInputError) as err:
        runner.run(pulje=["1", bad], out=out, log=lambda *_: None)
    assert "1, 2, 3, alle" in str(err.value)
    assert not out.exists()


@pytest.mark.parametrize("bad", ["4", "x"])
def test_cli_wrong_pulje_one_line_exit_2_no_output(tmp_path, bad):
    out = tmp_path / "out"
    proc = subprocess.run(
        [*LMP, "run", "--pulje", bad, "--out", str(out)], capture_output=True, text=True, cwd=PROJECT_ROOT
    )
    assert proc.returncode == 2
    lines = proc.stderr.strip().splitlines()
    assert len(lines) == 1 and "tillatt: 1, 2, 3, alle" in lines[0] and repr(bad) in lines[0]
    assert "Traceback" not in proc.stderr
    assert not out.exists()


def test_missing_data_dir_and_bad_min_n_rejected(tmp_path):
    with pytest.raises(LmpInputError, match="finnes ikke"):
        runner.run(pulje=["1"], data=tmp_path / "nope", out=tmp_path / "out", log=lambda *_: None)
    with pytest.raises(LmpInputError, match="min_n"):
        runner.run(pulje=["1"], min_n=0, out=tmp_path / "out", log=lambda *_: None)
    with pytest.raises(LmpInputError, match="jobs"):
        runner.run(pulje=["1"], jobs=0, out=tmp_path / "out", log=lambda *_: None)
    assert not (tmp_path / "out").exists()


def test_pulje_list_accepts_commas_and_dedups():
    assert runner.parse_pulje_list(["1,2", "2", "ALLE"]) == [1, 2, "alle"]
    assert runner.parse_pulje_list(None) == [1, 2, 3, "alle"]


def test_plan_covers_every_chapter_per_pulje_and_appendices_once(tmp_path):
    jobs = runner.plan_jobs([1, 2, 3, "alle"], tmp_path, None, 5)
    chapters = [j for j in jobs if j.is_chapter]
    assert len(chapters) == 4 * len(runner.CHAPTERS)
    assert {j.output.relative_to(tmp_path).as_posix() for j in chapters} == {
        f"pulje-{p}/{c}.ipynb" for p in (1, 2, 3, "alle") for c in runner.CHAPTERS
    }
    appendices = [j for j in jobs if not j.is_chapter]
    assert {j.name for j in appendices} >= set(runner.APPENDICES)
    assert all(j.parameters["pulje"] == "alle" and j.output.parent.name == "vedlegg" for j in appendices)


# -- cache ----------------------------------------------------------------------------------------------


def test_cache_reexecutes_exactly_what_changed(tiny):
    first = _run(tiny)
    assert _labels(first.executed) == {"pulje-1/a", "pulje-1/b", "pulje-alle/a", "pulje-alle/b"}
    assert not first.skipped

    # Nothing changed: nothing runs.
    again = _run(tiny)
    assert not again.executed and len(again.skipped) == 4

    # Touching a notebook (mtime only, same bytes) is not a change: the key is content-based.
    os.utime(tiny["nbdir"] / "a.ipynb")
    assert not _run(tiny).executed

    # Editing one chapter re-executes only that chapter, for every pulje.
    nb = nbformat.read(tiny["nbdir"] / "a.ipynb", as_version=4)
    nb.cells[0].source += "\n\nNy setning."
    nbformat.write(nb, tiny["nbdir"] / "a.ipynb")
    edited = _run(tiny)
    assert _labels(edited.executed) == {"pulje-1/a", "pulje-alle/a"}
    assert _labels(edited.skipped) == {"pulje-1/b", "pulje-alle/b"}

    # Changing a data file re-executes everything that reads the data (every notebook).
    ppt = tiny["data"] / "ppt.csv"
    ppt.write_text(ppt.read_text(encoding="utf-8") + "\n", encoding="utf-8")
    changed = _run(tiny)
    assert len(changed.executed) == 4 and not changed.skipped

    # Different parameters are a different key; --force ignores the cache.
    assert len(_run(tiny, min_n=3).executed) == 4
    assert len(_run(tiny, min_n=3, force=True).executed) == 4


def test_cache_key_covers_helper_code_and_project_data(tiny, monkeypatch):
    job = runner.plan_jobs([1], tiny["out"], None, 5, tiny["nbdir"], ("a",), ())[0]
    base = runner.cache_key(job, runner.shared_inputs_digest(tiny["data"]))
    helpers = tiny["out"].parent / "helpers"
    shutil.copytree(runner.PACKAGE_DIR, helpers, ignore=shutil.ignore_patterns("__pycache__"))
    monkeypatch.setattr(runner, "PACKAGE_DIR", helpers)
    assert runner.cache_key(job, runner.shared_inputs_digest(tiny["data"])) == base
    (helpers / "tables.py").write_text((helpers / "tables.py").read_text() + "\n# changed\n")
    assert runner.cache_key(job, runner.shared_inputs_digest(tiny["data"])) != base
    monkeypatch.setattr(runner, "PACKAGE_DIR", runner.PROJECT_ROOT / "lmp_helpers")
    project_data = tiny["out"].parent / "projectdata"
    shutil.copytree(runner.DATA_DIR, project_data, ignore=shutil.ignore_patterns("synthetic"))
    monkeypatch.setattr(runner, "DATA_DIR", project_data)
    assert runner.cache_key(job, runner.shared_inputs_digest(tiny["data"])) == base
    quotes = project_data / "quotes.csv"
    quotes.write_text(quotes.read_text(encoding="utf-8") + "\n", encoding="utf-8")
    assert runner.cache_key(job, runner.shared_inputs_digest(tiny["data"])) != base


# -- failures and atomic writes -----------------------------------------------------------------------


def test_failing_notebook_stops_with_notebook_cell_and_error(tiny):
    _run(tiny)
    before = (tiny["out"] / "pulje-1" / "a.ipynb").read_bytes()
    _notebook(tiny["nbdir"] / "a.ipynb", "raise ValueError('kaputt i test')", "Kapittel A")
    with pytest.raises(LmpError) as err:
        _run(tiny, pulje=["1"])
    msg = str(err.value)
    # Cell 3 of the source notebook (title, parameters, the failing cell); papermill's injected cell is not
    # counted, since the user edits the source.
    assert "a.ipynb" in msg and "pulje 1" in msg and "feilet i celle 3" in msg
    assert "ValueError: kaputt i test" in msg
    # The old output stays as it was, and no temp file is left behind.
    assert (tiny["out"] / "pulje-1" / "a.ipynb").read_bytes() == before
    assert not [p for p in tiny["out"].rglob("*") if p.name.startswith(".")]


def test_bad_data_fails_once_before_any_notebook_runs(tiny):
    ppt = tiny["data"] / "ppt.csv"
    lines = ppt.read_text(encoding="utf-8").splitlines()
    lines[1] = lines[1].rsplit(",", 1)[0] + ",9"
    ppt.write_text("\n".join(lines) + "\n", encoding="utf-8")
    with pytest.raises(LmpInputError, match="ppt.csv"):
        _run(tiny)
    assert not list(tiny["out"].glob("pulje-*/*.ipynb"))


def test_outputs_are_fit_for_the_book(tiny):
    _run(tiny)
    variant = nbformat.read(tiny["out"] / "pulje-1" / "a.ipynb", as_version=4)
    injected = [c for c in variant.cells if "injected-parameters" in c.metadata.get("tags", [])]
    assert len(injected) == 1 and "remove-cell" in injected[0].metadata["tags"]
    assert "pulje = 1" in injected[0].source
    # The published source names the data folder only, never the building machine's path.
    assert 'data_dir = "data"' in injected[0].source
    assert str(tiny["data"]) not in (tiny["out"] / "pulje-1" / "a.ipynb").read_text(encoding="utf-8")
    # Labels are unique per pulje (Sphinx needs unique labels), references follow, the title names the pulje.
    assert variant.cells[0].source.startswith("# Kapittel A – Pulje 1")
    assert "{numref}`fig-test-pulje-1`" in variant.cells[0].source
    assert "(avsnitt-test-pulje-1)=" in variant.cells[0].source
    assert "{ref}`avsnitt-test-pulje-1`" in variant.cells[0].source
    fig_cell = next(c for c in variant.cells if "mystnb" in c.metadata)
    assert fig_cell.metadata["mystnb"]["figure"]["name"] == "fig-test-pulje-1"
    assert fig_cell.outputs[0]["text"] == "a 1 5\n"
    # «alle» keeps the source labels; no run timestamps in the file (outputs depend only on inputs).
    alle = nbformat.read(tiny["out"] / "pulje-alle" / "a.ipynb", as_version=4)
    assert "{numref}`fig-test`" in alle.cells[0].source
    raw = (tiny["out"] / "pulje-1" / "a.ipynb").read_text(encoding="utf-8")
    assert "start_time" not in raw and "duration" not in raw and '"papermill"' not in raw
    assert json.loads(raw)["metadata"]["lmp"]["pulje"] == "1"
    # The source-note page the Markdown pages include.
    assert "syntetiske data" in (tiny["out"] / "datakilde.md").read_text(encoding="utf-8")


def test_suffix_refs_only_touches_known_labels():
    text = "(fig-2-1)=\n{numref}`fig-2-1` {numref}`Figur %s <fig-2-1>` {ref}`annet` (fig-2-1)=\n"
    out = runner._suffix_refs(text, {"fig-2-1"}, "-pulje-2")
    assert out == (
        "(fig-2-1-pulje-2)=\n{numref}`fig-2-1-pulje-2` {numref}`Figur %s <fig-2-1-pulje-2>` {ref}`annet` (fig-2-1)=\n"
    )


def test_outputs_are_byte_identical_run_to_run_and_pool_to_cold(tiny, monkeypatch):
    """Same inputs → same bytes: two forced runs through the warm pool, and one through freshly started
    kernels (`LMP_WARM_KERNELS=0`), write identical files (papermill's random injected-cell id is fixed)."""

    def outputs() -> dict[str, bytes]:
        return {str(p.relative_to(tiny["out"])): p.read_bytes() for p in sorted(tiny["out"].rglob("*.ipynb"))}

    _run(tiny)
    first = outputs()
    assert len(first) == 4
    _run(tiny, force=True)
    assert outputs() == first
    monkeypatch.setenv("LMP_WARM_KERNELS", "0")
    _run(tiny, force=True)
    assert outputs() == first
    cell_ids = [c.id for c in nbformat.read(tiny["out"] / "pulje-1" / "a.ipynb", as_version=4).cells]
    assert runner.INJECTED_CELL_ID in cell_ids and len(set(cell_ids)) == len(cell_ids)


def test_nothing_changed_skips_validation_and_staging_but_any_change_does_not(tiny, monkeypatch):
    """The «nothing changed» path trusts the stamp of the last successful run with the same inputs: no data
    validation (pandas), no staging copy. Any change to inputs, arguments or outputs takes the full path."""
    from lmp_helpers import data, staging

    _run(tiny)
    assert (tiny["out"] / runner.RUN_STAMP).is_file()

    def must_not_run(*_a, **_k):
        raise AssertionError("full path taken although nothing changed")

    monkeypatch.setattr(data, "load_survey", must_not_run)
    monkeypatch.setattr(staging, "staged_output", must_not_run)
    again = _run(tiny)
    assert not again.executed and len(again.skipped) == 4
    # A different set of puljer, a lost output file or changed data: the full path (which the patches stop).
    with pytest.raises(AssertionError, match="full path"):
        _run(tiny, pulje=["1"])
    (tiny["out"] / "datakilde.md").unlink()
    with pytest.raises(AssertionError, match="full path"):
        _run(tiny)
    monkeypatch.undo()
    assert not _run(tiny).executed  # datakilde.md back, nothing re-executed
    assert (tiny["out"] / "datakilde.md").is_file()
    ppt = tiny["data"] / "ppt.csv"
    ppt.write_text(ppt.read_text(encoding="utf-8") + "\n", encoding="utf-8")
    monkeypatch.setattr(data, "load_survey", must_not_run)
    with pytest.raises(AssertionError, match="full path"):
        _run(tiny)


def test_stored_key_reads_the_tail_and_falls_back_to_the_whole_file(tmp_path):
    key = "ab" * 32
    nb = nbformat.v4.new_notebook()
    nb.metadata["lmp"] = {"cache_key": key}
    nb.cells = [nbformat.v4.new_markdown_cell('x\n "metadata": {\n' + "y" * 20000)]  # the marker inside a cell
    written = tmp_path / "written.ipynb"
    written.write_text(nbformat.writes(nb), encoding="utf-8")
    assert runner.stored_key(written) == key
    compact = tmp_path / "compact.ipynb"  # other formatting (no one-space indent): parsed whole
    compact.write_text(json.dumps({"metadata": {"lmp": {"cache_key": key}}, "cells": [], "nbformat": 4}),
                       encoding="utf-8")
    assert runner.stored_key(compact) == key
    for text in ("", "{", '{"cells": []}', '\n "metadata": {"lmp": 1}, "nbformat": 4}'):
        (tmp_path / "bad.ipynb").write_text(text, encoding="utf-8")
        assert runner.stored_key(tmp_path / "bad.ipynb") is None
