"""Bad input, in one place, through the real command line (`lmp ...` as a subprocess).

Every case must: exit non-zero (2, the CLI's code for LmpInputError), print exactly one line on stderr that
names what was wrong and where, print no traceback (unless --debug), and write nothing: the whole working
directory (inputs and the --out target) is byte-for-byte the same before and after.
"""

from __future__ import annotations

import hashlib
import re
import shutil
import subprocess
import sys
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import pytest

from lmp_helpers.codebook import load_codebook
from lmp_helpers.paths import SYNTHETIC_DIR

LMP = Path(sys.executable).with_name("lmp")


def run_lmp(args: list[str], cwd: Path, timeout: int = 300) -> subprocess.CompletedProcess:
    assert LMP.is_file(), f"console script {LMP} missing: `pip install -e .` (make venv) first"
    return subprocess.run(
        [str(LMP), *args], cwd=cwd, capture_output=True, text=True, timeout=timeout, encoding="utf-8"
    )


def snapshot(root: Path) -> dict[str, str]:
    """relative path -> sha256 of every file and '<dir>' for every directory under root."""
    snap = {}
    for path in sorted(root.rglob("*")):
        rel = str(path.relative_to(root))
        snap[rel] = "<dir>" if path.is_dir() else hashlib.sha256(path.read_bytes()).hexdigest()
    return snap


# -- data defects: each edits a fresh copy of the synthetic data dir ---------------------------------


def _rewrite(path: Path, fn: Callable[[list[str]], list[str]]) -> None:
    lines = path.read_text(encoding="utf-8").splitlines()
    path.write_text("\n".join(fn(lines)) + "\n", encoding="utf-8")


def drop_column(data: Path) -> None:
    def fn(lines):
        header = lines[0].split(",")
        i = header.index("kunnskap_laeringsmiljo")
        return [",".join(c for j, c in enumerate(line.split(",")) if j != i) for line in lines]

    _rewrite(data / "ppt.csv", fn)


def out_of_range(data: Path) -> None:
    def fn(lines):
        header = lines[0].split(",")
        row = lines[1].split(",")
        row[header.index("praksis_mobbing")] = "7"
        return [lines[0], ",".join(row), *lines[2:]]

    _rewrite(data / "ppt.csv", fn)


def duplicate_id(data: Path) -> None:
    def fn(lines):
        first_id = lines[1].split(",")[0]
        row3 = lines[3].split(",")
        row3[0] = first_id
        return [*lines[:3], ",".join(row3), *lines[4:]]

    _rewrite(data / "ppt.csv", fn)


def wrong_encoding(data: Path) -> None:
    # a cp1252 «ø» in a data row (not the header): canonical CSVs are UTF-8
    path = data / "skoleleder.csv"
    lines = path.read_text(encoding="utf-8").splitlines()
    row = lines[5].split(",")
    row[0] = row[0] + "-Bodø"
    lines[5] = ",".join(row)
    path.write_bytes(("\n".join(lines) + "\n").encode("cp1252"))


def empty_group(data: Path) -> None:
    path = data / "skoleeier.csv"
    path.write_text(path.read_text(encoding="utf-8").splitlines()[0] + "\n", encoding="utf-8")


def unknown_column(data: Path) -> None:
    _rewrite(data / "skoleeier.csv", lambda lines: [lines[0] + ",kunnskap_ukjent"] + [x + ",3" for x in lines[1:]])


@dataclass
class Case:
    id: str
    defect: Callable[[Path], None] | None
    expect: list[str]  # regexes the stderr line must match (what and where)
    data_arg: str = "data"
    pulje: list[str] = field(default_factory=lambda: ["alle"])


DATA_CASES = [
    Case("missing-data-dir", None, [r"nope", r"finnes ikke"], data_arg="nope"),
    Case("missing-column", drop_column, [r"ppt\.csv", r"kunnskap_laeringsmiljo"]),
    Case("unknown-column", unknown_column, [r"skoleeier\.csv", r"kunnskap_ukjent"]),
    Case("out-of-range-code", out_of_range, [r"ppt\.csv", r"linje 2\b", r"praksis_mobbing", r"\b7\b", r"1.5"]),
    Case("duplicate-id", duplicate_id, [r"ppt\.csv", r"ppt-\d+", r"linje 2, 4\b"]),
    Case("wrong-encoding", wrong_encoding, [r"skoleleder\.csv", r"UTF-8"]),
    Case("empty-group", empty_group, [r"skoleeier\.csv", r"ingen rader|tom"]),
]
WRONG_PULJE = [
    Case("wrong-pulje-4", None, [r"pulje", r"'4'", r"1, 2, 3, alle"], pulje=["4"]),
    Case("wrong-pulje-word", None, [r"pulje", r"'fire'", r"1, 2, 3, alle"], pulje=["fire"]),
]


def command(name: str, case: Case) -> list[str]:
    if name == "validate":
        return ["validate", case.data_arg]
    if name == "tables":
        return ["tables", "--pulje", case.pulje[0], "--data", case.data_arg, "--out", "out"]
    if name == "run":
        return ["run", "--pulje", *case.pulje, "--data", case.data_arg, "--out", "out", "--jobs", "1"]
    raise AssertionError(name)


@pytest.fixture
def workdir(tmp_path: Path) -> Path:
    shutil.copytree(SYNTHETIC_DIR, tmp_path / "data")
    return tmp_path


def assert_clean_failure(proc: subprocess.CompletedProcess, expect: list[str], before: dict, after: dict):
    lines = proc.stderr.strip().splitlines()
    assert proc.returncode == 2, f"exit {proc.returncode}, stderr: {proc.stderr!r}"
    assert len(lines) == 1, f"expected one line on stderr, got {len(lines)}: {proc.stderr!r}"
    assert "Traceback" not in proc.stderr + proc.stdout
    assert lines[0].startswith("lmp "), lines[0]
    missing = [rx for rx in expect if not re.search(rx, lines[0])]
    assert not missing, f"message {lines[0]!r} lacks {missing}"
    assert after == before, f"files changed: {sorted(set(after.items()) ^ set(before.items()))}"


DATA_COMMANDS = ["validate", "tables", "run"]


@pytest.mark.parametrize("cmd", DATA_COMMANDS)
@pytest.mark.parametrize("case", DATA_CASES, ids=lambda c: c.id)
def test_bad_data(workdir: Path, cmd: str, case: Case):
    if case.defect:
        case.defect(workdir / "data")
    before = snapshot(workdir)
    proc = run_lmp(command(cmd, case), workdir)
    assert_clean_failure(proc, case.expect, before, snapshot(workdir))


@pytest.mark.parametrize("cmd", ["tables", "run"])
@pytest.mark.parametrize("case", WRONG_PULJE, ids=lambda c: c.id)
def test_wrong_pulje(workdir: Path, cmd: str, case: Case):
    before = snapshot(workdir)
    proc = run_lmp(command(cmd, case), workdir)
    assert_clean_failure(proc, case.expect, before, snapshot(workdir))


def test_run_rejects_a_bad_pulje_among_good_ones(workdir: Path):
    # nothing is run for pulje 1 when pulje 9 is invalid
    before = snapshot(workdir)
    proc = run_lmp(["run", "--pulje", "1", "9", "--data", "data", "--out", "out"], workdir)
    assert_clean_failure(proc, [r"'9'", r"1, 2, 3, alle"], before, snapshot(workdir))


def test_tables_into_existing_out_keeps_old_tables_on_error(workdir: Path):
    # a failed run must not leave a mix of new and old tables behind
    out = workdir / "out"
    out.mkdir()
    (out / "fig2_1.csv").write_text("gammel\n")
    duplicate_id(workdir / "data")
    before = snapshot(workdir)
    proc = run_lmp(["tables", "--data", "data", "--out", "out"], workdir)
    assert_clean_failure(proc, [r"ppt-\d+"], before, snapshot(workdir))


@pytest.mark.parametrize("cmd", ["validate", "tables"])
def test_debug_shows_the_traceback(workdir: Path, cmd: str):
    out_of_range(workdir / "data")
    proc = run_lmp(["--debug", *command(cmd, Case("x", None, []))], workdir)
    assert proc.returncode == 2
    assert "Traceback (most recent call last)" in proc.stderr
    assert "LmpInputError" in proc.stderr


def test_the_good_data_passes(workdir: Path):
    # the control: the same commands on unmodified data succeed, so the failures above are the defects'
    proc = run_lmp(["validate", "data"], workdir)
    assert proc.returncode == 0, proc.stderr
    proc = run_lmp(["tables", "--data", "data", "--out", "out"], workdir)
    assert proc.returncode == 0, proc.stderr
    cb = load_codebook()
    assert {p.stem for p in (workdir / "out").glob("*.csv")} >= set(cb.figures)


# -- lmp import: a survey-tool export (labels, «;», Excel encodings) -> canonical CSV -----------------


def write_export(path: Path, group: str = "skoleeier", edit: Callable[[list[list[str]]], None] | None = None,
                 encoding: str = "utf-8") -> Path:
    """An export as the survey tool gives it: scale labels instead of codes, «;»-separated."""
    cb = load_codebook()
    cols = cb.columns_for_group(group)
    rows = [cols]
    for r in sitecheck_rows(SYNTHETIC_DIR / cb.groups[group].file):
        rows.append([r[c] if c in (cb.id_column, cb.pulje_column) else (cb.scale[int(r[c])] if r[c] else "Vet ikke")
                     for c in cols])
    if edit:
        edit(rows)
    path.write_bytes("".join(";".join(r) + "\r\n" for r in rows).encode(encoding))
    return path


def sitecheck_rows(path: Path) -> list[dict[str, str]]:
    import csv

    with open(path, encoding="utf-8", newline="") as fh:
        return list(csv.DictReader(fh))


def _set(row: int, col: str, value: str):
    def edit(rows):
        rows[row][rows[0].index(col)] = value

    return edit


def _drop(col: str):
    def edit(rows):
        i = rows[0].index(col)
        for r in rows:
            del r[i]

    return edit


def _header_only(rows):
    del rows[1:]


IMPORT_CASES = [
    ("unknown-label", _set(1, "kunnskap_mobbing", "Kanskje"), "utf-8", [r"eksport\.csv", r"'Kanskje'", r"linje 2\b",
                                                                       r"kunnskap_mobbing", r"I svært stor grad"]),
    ("out-of-range-code", _set(2, "praksis_mobbing", "9"), "utf-8", [r"'9'", r"linje 3\b", r"praksis_mobbing"]),
    ("missing-column", _drop("rolle_uklar"), "utf-8", [r"eksport\.csv", r"rolle_uklar"]),
    ("duplicate-id", _set(3, "respondent_id", "skoleeier-001"), "utf-8", [r"skoleeier-001", r"linje 2, 4\b"]),
    ("wrong-pulje", _set(1, "pulje", "3"), "utf-8", [r"pulje", r"\b3\b", r"1, 2"]),
    ("empty-group", _header_only, "utf-8", [r"eksport\.csv", r"ingen rader"]),
    # bytes that are neither UTF-8 nor cp1252 (0x81, 0x90 are undefined in cp1252)
    ("wrong-encoding", None, "raw-bytes", [r"eksport\.csv", r"tegnkoding", r"UTF-8", r"cp1252"]),
    # Excel's «Unicode text» is UTF-16: it decodes as cp1252 full of NULs, so the message must name the
    # encoding, not a field count
    ("utf-16", None, "utf-16", [r"eksport\.csv", r"tegnkoding|UTF-16", r"UTF-8"]),
]


@pytest.mark.parametrize("case", IMPORT_CASES, ids=lambda c: c[0])
def test_bad_import(tmp_path: Path, case):
    _id, edit, encoding, expect = case
    export = tmp_path / "eksport.csv"
    if encoding == "raw-bytes":
        write_export(export)
        export.write_bytes(export.read_bytes().replace(b"I stor grad", b"I stor gr\x81\x90d", 1))
        assert b"\x81" in export.read_bytes()
    else:
        write_export(export, edit=edit, encoding=encoding)
    before = snapshot(tmp_path)
    proc = run_lmp(["import", "eksport.csv", "--group", "skoleeier", "--out", "ut"], tmp_path)
    assert_clean_failure(proc, expect, before, snapshot(tmp_path))


def test_import_refuses_unknown_group_and_missing_file(tmp_path: Path):
    write_export(tmp_path / "eksport.csv")
    before = snapshot(tmp_path)
    proc = run_lmp(["import", "eksport.csv", "--group", "rektor", "--out", "ut"], tmp_path)
    assert_clean_failure(proc, [r"'rektor'", r"ppt, skoleleder, skoleeier"], before, snapshot(tmp_path))
    proc = run_lmp(["import", "finnes-ikke.csv", "--group", "ppt", "--out", "ut"], tmp_path)
    assert_clean_failure(proc, [r"finnes-ikke\.csv"], before, snapshot(tmp_path))


@pytest.mark.parametrize("encoding", ["utf-8", "utf-8-sig", "cp1252"])
def test_good_export_imports(tmp_path: Path, encoding: str):
    # the control for the cases above: the unedited export imports, in every encoding Excel writes
    write_export(tmp_path / "eksport.csv", encoding=encoding)
    proc = run_lmp(["import", "eksport.csv", "--group", "skoleeier", "--out", "ut"], tmp_path)
    assert proc.returncode == 0, proc.stderr
    out = sitecheck_rows(tmp_path / "ut" / "skoleeier.csv")
    assert out == sitecheck_rows(SYNTHETIC_DIR / "skoleeier.csv")
