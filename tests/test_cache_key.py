"""The cache key of `lmp run`, in process and without a kernel: what changes it and what does not, and the key
read back from an output notebook. (test_runner.py checks the same through real runs with kernels; this file
is the fast variant that `make mutate` uses.)"""

from __future__ import annotations

import json
import os
import shutil
from pathlib import Path

import nbformat
import pytest

from lmp_helpers import runner
from lmp_helpers.paths import SYNTHETIC_DIR
from lmp_helpers.pulje import parse_pulje


def _job(tmp_path: Path, name: str = "a", pulje="1", chapter: bool = True, min_n: int = 5) -> runner.Job:
    source = tmp_path / "nb" / f"{name}.ipynb"
    if not source.exists():
        source.parent.mkdir(exist_ok=True)
        nb = nbformat.v4.new_notebook()
        nb.cells = [nbformat.v4.new_markdown_cell(f"# {name}")]
        nbformat.write(nb, source)
    p = parse_pulje(pulje)
    return runner.Job(name, source, tmp_path / "out" / f"{name}.ipynb", p,
                      {"pulje": str(p), "data_dir": None, "min_n": min_n}, is_chapter=chapter)


@pytest.fixture
def data(tmp_path: Path) -> Path:
    d = tmp_path / "data"
    shutil.copytree(SYNTHETIC_DIR, d)
    return d


def test_key_is_stable_and_content_based(tmp_path: Path, data: Path):
    job = _job(tmp_path)
    key = runner.cache_key(job, runner.shared_inputs_digest(data))
    assert len(key) == 64 and key == runner.cache_key(_job(tmp_path), runner.shared_inputs_digest(data))
    os.utime(job.source, (1, 1))  # mtime only: same bytes, same key
    assert runner.cache_key(job, runner.shared_inputs_digest(data)) == key


def test_every_input_of_a_job_changes_the_key(tmp_path: Path, data: Path):
    digest = runner.shared_inputs_digest(data)
    job = _job(tmp_path)
    base = runner.cache_key(job, digest)
    keys = {
        "other pulje": runner.cache_key(_job(tmp_path, pulje="2"), digest),
        "other min_n": runner.cache_key(_job(tmp_path, min_n=7), digest),
        "appendix": runner.cache_key(_job(tmp_path, chapter=False), digest),
        "other shared inputs": runner.cache_key(job, runner.shared_inputs_digest(data.parent)),
    }
    nb = nbformat.read(job.source, as_version=4)
    nb.cells[0].source += "\n\nNy setning."
    nbformat.write(nb, job.source)
    keys["edited notebook"] = runner.cache_key(job, digest)
    assert base not in keys.values() and len(set(keys.values())) == len(keys), keys


def test_shared_digest_follows_every_survey_file_and_their_names(tmp_path: Path, data: Path):
    base = runner.shared_inputs_digest(data)
    ppt = data / "ppt.csv"
    original = ppt.read_bytes()
    ppt.write_bytes(original + b"\n")
    changed = runner.shared_inputs_digest(data)
    ppt.write_bytes(original)
    assert changed != base and runner.shared_inputs_digest(data) == base
    # the same bytes under another name are another input
    ppt.rename(data / "ppt2.csv")
    assert runner.shared_inputs_digest(data) != base
    (data / "ppt2.csv").rename(ppt)
    # hidden files (editor droppings, .lock) are not inputs
    (data / ".hidden").write_text("x", encoding="utf-8")
    assert runner.shared_inputs_digest(data) == base
    # the boundary between two files counts: moving one byte from one file to the next changes the digest
    files = sorted(p for p in data.iterdir() if p.is_file() and not p.name.startswith("."))
    a, b = files[0], files[1]
    ta, tb = a.read_bytes(), b.read_bytes()
    a.write_bytes(ta[:-1])
    b.write_bytes(ta[-1:] + tb)
    assert runner.shared_inputs_digest(data) != base


def test_stored_key_reads_the_key_the_run_wrote(tmp_path: Path):
    nb = nbformat.v4.new_notebook()
    nb.metadata["lmp"] = {"cache_key": "abc123"}
    path = tmp_path / "ut" / "kap.ipynb"
    runner.atomic_write_notebook(nb, path)
    assert runner.stored_key(path) == "abc123"
    assert nbformat.read(path, as_version=4).metadata["lmp"]["cache_key"] == "abc123"
    assert path.read_text(encoding="utf-8").endswith("}\n")
    assert [p.name for p in path.parent.iterdir()] == ["kap.ipynb"]


@pytest.mark.parametrize("content", [None, "", "{ikke json", json.dumps({"metadata": {}}),
                                     json.dumps({"metadata": {"lmp": {}}}), "\udcff"])
def test_stored_key_is_none_for_a_missing_or_unreadable_output(tmp_path: Path, content):
    path = tmp_path / "kap.ipynb"
    if content == "\udcff":
        path.write_bytes(b"\xff\xfe{")  # not UTF-8
    elif content is not None:
        path.write_text(content, encoding="utf-8")
    assert runner.stored_key(path) is None


def test_source_note_is_written_once_and_rewritten_when_the_source_changes(tmp_path: Path, data: Path):
    out = tmp_path / "bok"
    path = runner.write_source_note(out, None)
    assert path == out / "datakilde.md" and path.read_text(encoding="utf-8") == runner.source_note(None)
    os.utime(path, (1, 1))
    runner.write_source_note(out, None)
    assert path.stat().st_mtime == 1  # unchanged text: not rewritten
    (data / "datasource.yml").unlink()  # a folder without the synthetic marker holds real data
    runner.write_source_note(out, data)
    assert path.read_text(encoding="utf-8") == runner.source_note(data) != runner.source_note(None)
    assert sorted(p.name for p in out.iterdir()) == ["datakilde.md"]
