"""nbval must catch drift: a changed data value, or a stored output that no longer matches the code.

A chapter notebook and the synthetic data are copied to a temporary folder, the notebook is pointed at the
copied data and executed once to get reference outputs; nbval (as a subprocess, with the project's
sanitize file and without --nbval-lax) then passes on the untouched copy and fails after each mutation.
"""

from __future__ import annotations

import csv
import json
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from lmp_helpers.paths import NOTEBOOKS_DIR, PROJECT_ROOT, SYNTHETIC_DIR

pytestmark = pytest.mark.slow

SANITIZE = PROJECT_ROOT / "tests" / "nbval-sanitize.cfg"
NOTEBOOK = "kunnskapstilforsel.ipynb"


def nbval(path: Path) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", "-o", "addopts=", "--nbval",
         "--nbval-current-env", "--nbval-sanitize-with", str(SANITIZE), str(path)],
        cwd=path.parent, capture_output=True, text=True, timeout=600,
    )


def set_parameter(nb: dict, name: str, value: str) -> None:
    cell = next(c for c in nb["cells"] if "parameters" in c.get("metadata", {}).get("tags", []))
    lines = "".join(cell["source"]).splitlines()
    assert any(line.startswith(f"{name} =") for line in lines), lines
    cell["source"] = "\n".join(f"{name} = {value}" if line.startswith(f"{name} =") else line for line in lines)


@pytest.fixture(scope="module")
def reference(tmp_path_factory) -> Path:
    """A copy of the chapter, reading a copy of the data, executed once (its outputs are the reference)."""
    root = tmp_path_factory.mktemp("nbval")
    shutil.copytree(SYNTHETIC_DIR, root / "data")
    nb = json.loads((NOTEBOOKS_DIR / NOTEBOOK).read_text(encoding="utf-8"))
    set_parameter(nb, "data_dir", repr(str(root / "data")))
    path = root / NOTEBOOK
    path.write_text(json.dumps(nb, ensure_ascii=False, indent=1), encoding="utf-8")
    proc = subprocess.run(
        [str(Path(sys.executable).with_name("jupyter")), "nbconvert", "--to", "notebook", "--execute", "--inplace",
         str(path)],
        cwd=root, capture_output=True, text=True, timeout=600,
    )
    assert proc.returncode == 0, proc.stderr[-2000:]
    return path


def fresh_copy(reference: Path, tmp_path: Path) -> Path:
    shutil.copytree(reference.parent / "data", tmp_path / "data")
    nb = json.loads(reference.read_text(encoding="utf-8"))
    set_parameter(nb, "data_dir", repr(str(tmp_path / "data")))
    path = tmp_path / NOTEBOOK
    path.write_text(json.dumps(nb, ensure_ascii=False, indent=1), encoding="utf-8")
    return path


def test_unchanged_copy_passes(reference: Path, tmp_path: Path):
    proc = nbval(fresh_copy(reference, tmp_path))
    assert proc.returncode == 0, proc.stdout[-3000:]
    assert " passed" in proc.stdout and "failed" not in proc.stdout


def test_changed_data_value_fails(reference: Path, tmp_path: Path):
    path = fresh_copy(reference, tmp_path)
    data = tmp_path / "data" / "ppt.csv"
    rows = list(csv.reader(data.open(encoding="utf-8")))
    col = rows[0].index("kunnskap_mobbing")
    row = next(r for r in rows[1:] if r[col] in {"1", "2", "3"})
    row[col] = "5"  # one PPT office moves into «i stor/svært stor grad»: the share changes
    with data.open("w", encoding="utf-8", newline="") as fh:
        csv.writer(fh, lineterminator="\n").writerows(rows)
    proc = nbval(path)
    assert proc.returncode == 1, proc.stdout[-3000:]
    assert "mismatch 'text/html'" in proc.stdout  # the table, not a crash


@pytest.mark.parametrize("mime", ["text/html", "application/papermill.record/text/plain", "text/markdown"])
def test_broken_stored_output_fails(reference: Path, tmp_path: Path, mime: str):
    """Edit one stored output of the given kind (table, glued number, prose/banner) and nbval fails."""
    path = fresh_copy(reference, tmp_path)
    nb = json.loads(path.read_text(encoding="utf-8"))
    code = [c for c in nb["cells"] if c["cell_type"] == "code"]
    outputs = [o for c in code for o in c.get("outputs", []) if mime in o.get("data", {})]
    assert outputs, f"no {mime} output in {NOTEBOOK}"
    data = outputs[-1]["data"]
    text = "".join(data[mime]) if isinstance(data[mime], list) else data[mime]
    data[mime] = text + " endret"
    path.write_text(json.dumps(nb, ensure_ascii=False, indent=1), encoding="utf-8")
    proc = nbval(path)
    assert proc.returncode == 1, proc.stdout[-3000:]
    assert f"mismatch '{mime}'" in proc.stdout


def test_book_notebooks_are_committed_executed():
    """nbval compares nothing for a cell without stored outputs, so an unexecuted commit would pass it."""
    from lmp_helpers import runner

    names = list(runner.CHAPTERS) + list(runner.APPENDICES) + list(runner.OPTIONAL_APPENDICES)
    problems = []
    for name in names:
        path = NOTEBOOKS_DIR / f"{name}.ipynb"
        if name in runner.OPTIONAL_APPENDICES and not path.is_file():
            continue
        nb = json.loads(path.read_text(encoding="utf-8"))
        for i, cell in enumerate(nb["cells"]):
            if cell["cell_type"] != "code" or "parameters" in cell.get("metadata", {}).get("tags", []):
                continue
            if cell.get("execution_count") is None or not cell.get("outputs"):
                problems.append(f"{name}.ipynb cell {i}: no stored output")
    assert problems == []
