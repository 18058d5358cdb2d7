"""A write that fails half-way leaves the old output intact and no temp file behind.

The failure is injected below the code under test: every file opened for writing inside the output folder
(by `open`, `io.open`, `os.fdopen` or `Path.write_text`, whichever the code uses) writes part of its data
and then raises «No space left on device». So the tests hold whatever the write path looks like (temp file
+ rename, a staging folder, …) and fail for a direct write over the target, which would leave a cut file.
The contract checked is the whole tree: every file that was there has its old bytes (or, for a multi-file
export written file by file, its complete new bytes), and no other file exists afterwards.
"""

from __future__ import annotations

import builtins
import errno
import io
import os
from pathlib import Path

import nbformat
import pytest

from lmp_helpers import runner, tables
from lmp_helpers.paths import SYNTHETIC_DIR


class _DiskFull:
    """Proxy for a file object: the first `write` writes half its data, flushes it and raises ENOSPC."""

    def __init__(self, fh):
        self._fh = fh

    def write(self, data):
        self._fh.write(data[: max(1, len(data) // 2)])
        self._fh.flush()
        raise OSError(errno.ENOSPC, "No space left on device (injected by the test)")

    def writelines(self, lines):
        for line in lines:
            self.write(line)

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self._fh.close()
        return False

    def __iter__(self):
        return iter(self._fh)

    def __getattr__(self, name):
        return getattr(self._fh, name)


def _path_of(file) -> Path | None:
    if isinstance(file, int):  # os.fdopen(fd) from mkstemp: find the file's name through /proc
        try:
            return Path(os.readlink(f"/proc/self/fd/{file}"))
        except OSError:
            return None
    try:
        return Path(os.fsdecode(file)).resolve()
    except (TypeError, ValueError):
        return None


def inject_disk_full(monkeypatch, root: Path, after: int = 0) -> list[Path]:
    """Make writes inside `root` fail half-way, starting with the (after+1)-th file opened for writing.

    Returns the list of paths opened for writing inside root (for the test to check the injection hit).
    """
    real_open = io.open
    root = root.resolve()
    opened: list[Path] = []

    def fake_open(file, mode="r", *args, **kwargs):
        fh = real_open(file, mode, *args, **kwargs)
        path = _path_of(file)
        writing = any(m in mode for m in "wax+")
        if writing and path is not None and (path == root or root in path.parents):
            opened.append(path)
            if len(opened) > after:
                return _DiskFull(fh)
        return fh

    monkeypatch.setattr(io, "open", fake_open)
    monkeypatch.setattr(builtins, "open", fake_open)
    return opened


def tree(root: Path) -> dict[str, bytes]:
    # The empty lock file beside an output folder stays by design (lmp_helpers/staging.py: removing a flock
    # file is racy); it holds no output.
    return {str(p.relative_to(root)): p.read_bytes() for p in sorted(root.rglob("*"))
            if p.is_file() and not p.name.endswith(".lmp-lock")}


# -- lmp tables (tables.write_tables) -------------------------------------------------------------------
@pytest.fixture
def old_and_new_tables(tmp_path):
    """An export folder holding the pulje-1 tables, and what a clean pulje-2 export writes (elsewhere)."""
    out = tmp_path / "tabeller"
    tables.write_tables(out, pulje=1)
    clean = tmp_path / "clean"
    tables.write_tables(clean, pulje=2)
    old, new = tree(out), tree(clean)
    same_file = {f: f.replace("pulje-1", "pulje-2") for f in old}  # the Excel files are named by pulje
    assert set(same_file.values()) == set(new) and all(old[f] != new[same_file[f]] for f in old), \
        "pulje 1 and 2 should differ"
    return out, old, new


@pytest.mark.parametrize("after", [0, 2])
def test_failing_table_write_leaves_old_files_and_no_temp(monkeypatch, tmp_path, old_and_new_tables, after):
    out, old, new = old_and_new_tables
    opened = inject_disk_full(monkeypatch, tmp_path, after=after)
    with pytest.raises(OSError, match="No space left"):
        tables.write_tables(out, pulje=2)
    monkeypatch.undo()
    assert len(opened) == after + 1, opened  # the injection hit the (after+1)-th file written
    now = tree(out)
    # No temp, staging or partial file anywhere in the export's parent folder.
    assert set(tree(tmp_path)) == {f"tabeller/{f}" for f in old} | {f"clean/{f}" for f in new}
    assert set(now) == set(old)
    for name, data in now.items():
        assert data in (old[name], new.get(name)), f"{name} is neither the old nor the complete new file"
    # The file whose write failed is the old one, byte for byte.
    failed = opened[-1]
    if failed.parent == out.resolve() and failed.name in old:
        assert now[failed.name] == old[failed.name]
    assert any(now[f] == old[f] for f in now)


def test_table_export_after_a_failure_is_complete(monkeypatch, tmp_path, old_and_new_tables):
    """A failed export does not leave anything that breaks the next one."""
    out, _, new = old_and_new_tables
    inject_disk_full(monkeypatch, tmp_path)
    with pytest.raises(OSError):
        tables.write_tables(out, pulje=2)
    monkeypatch.undo()
    tables.write_tables(out, pulje=2)
    assert tree(out) == new


# -- lmp run (runner: the executed notebook) -------------------------------------------------------------
def _chapter(path: Path) -> None:
    nb = nbformat.v4.new_notebook()
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
    params = nbformat.v4.new_code_cell('pulje = "alle"\ndata_dir = None\nmin_n = 5')
    params.metadata["tags"] = ["parameters"]
    nb.cells = [nbformat.v4.new_markdown_cell("# Kapittel A"), params, nbformat.v4.new_code_cell("print(pulje)")]
    nbformat.write(nb, path)


def test_failing_notebook_write_leaves_old_output_and_no_temp(monkeypatch, tmp_path):
    import shutil

    nbdir = tmp_path / "notebooks"
    nbdir.mkdir()
    _chapter(nbdir / "a.ipynb")
    data = tmp_path / "data"
    shutil.copytree(SYNTHETIC_DIR, data)
    out = tmp_path / "out"
    kwargs = dict(pulje=["1"], data=data, out=out, jobs=1, notebooks_dir=nbdir, chapters=("a",), appendices=(),
                  log=lambda *_: None)
    # The previous build's output: a valid notebook with another cache key, so the chapter re-executes.
    target = out / "pulje-1" / "a.ipynb"
    target.parent.mkdir(parents=True)
    old_nb = nbformat.v4.new_notebook()
    old_nb.cells = [nbformat.v4.new_markdown_cell("# Forrige bygg\n" + "x" * 5000)]
    old_nb.metadata["lmp"] = {"cache_key": "stale"}
    nbformat.write(old_nb, target)
    runner.write_source_note(out.resolve(), data)
    before = tree(tmp_path)

    # The whole folder around the output: a run may write beside it (a staging folder swapped in at the end).
    opened = inject_disk_full(monkeypatch, tmp_path)
    with pytest.raises(OSError, match="No space left"):
        runner.run(**kwargs)
    monkeypatch.undo()
    assert opened, "the run wrote nothing inside the output folder: the injection did not hit"
    assert tree(tmp_path) == before  # old notebook byte for byte, no temp or staging file anywhere

    # And without the injected failure the same run does replace it (so the test above did exercise a write).
    runner.run(**kwargs)
    assert target.read_bytes() != before[str(target.relative_to(tmp_path))]
    assert nbformat.read(target, as_version=4).metadata["lmp"]["cache_key"] != "stale"


@pytest.mark.parametrize("writer", ["notebook", "source note"])
def test_failing_write_in_process_leaves_the_old_file_and_no_temp(monkeypatch, tmp_path, writer):
    """The same contract without a kernel (fast; `make mutate` uses it): the runner's two writers, each
    failing half-way, leave the old file byte for byte and nothing beside it."""
    out = tmp_path / "out"
    out.mkdir()
    if writer == "notebook":
        target = out / "a.ipynb"
        old_nb = nbformat.v4.new_notebook()
        old_nb.cells = [nbformat.v4.new_markdown_cell("# Forrige bygg\n" + "x" * 5000)]
        nbformat.write(old_nb, target)
        new_nb = nbformat.v4.new_notebook()
        new_nb.cells = [nbformat.v4.new_markdown_cell("# Nytt bygg\n" + "y" * 5000)]

        def write():
            runner.atomic_write_notebook(new_nb, target)
    else:
        target = out / "datakilde.md"
        target.write_text("forrige merknad\n" + "x" * 5000, encoding="utf-8")

        def write():
            runner.write_source_note(out, None)
    before = tree(tmp_path)
    opened = inject_disk_full(monkeypatch, tmp_path)
    with pytest.raises(OSError, match="No space left"):
        write()
    monkeypatch.undo()
    assert opened, "nothing was written inside the folder: the injection did not hit"
    assert tree(tmp_path) == before
    write()  # without the failure the same call replaces the file
    assert target.read_bytes() != before[str(target.relative_to(tmp_path))]
    assert sorted(p.name for p in out.iterdir()) == [target.name]
