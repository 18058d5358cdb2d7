"""Every CLI error path: one Norwegian line on stderr, exit 2, no traceback, nothing written.

In-process through `cli.main` (fast); test_bad_inputs.py covers the installed `lmp` script end to end, and
one case here runs it too.
"""

from __future__ import annotations

import hashlib
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from lmp_helpers import cli
from lmp_helpers.paths import SYNTHETIC_DIR

LMP = Path(sys.executable).with_name("lmp")


def snapshot(root: Path) -> dict[str, str]:
    return {
        str(p.relative_to(root)): "<dir>" if p.is_dir() else hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted(root.rglob("*"))
    }


@pytest.fixture
def work(tmp_path: Path, monkeypatch) -> Path:
    shutil.copytree(SYNTHETIC_DIR, tmp_path / "data")
    (tmp_path / "eksport.xlsx").write_bytes(b"PK\x03\x04 not really")
    (tmp_path / "fil.txt").write_text("x", encoding="utf-8")
    monkeypatch.chdir(tmp_path)
    return tmp_path


def lmp(argv: list[str], capsys) -> tuple[int, str]:
    try:
        code = cli.main(argv)
    except SystemExit as exc:  # argparse
        code = exc.code
    err = capsys.readouterr().err
    return code, err


def assert_one_line(code: int, err: str, expect: list[str]):
    lines = err.strip().splitlines()
    assert code == 2, (code, err)
    assert len(lines) == 1, err
    assert "Traceback" not in err and lines[0].startswith("lmp")
    missing = [rx for rx in expect if not re.search(rx, lines[0])]
    assert not missing, f"{lines[0]!r} lacks {missing}"


CASES = [
    ("min-n-not-a-number", ["tables", "--min-n", "abc", "--out", "ut"], [r"--min-n", r"'abc' er ikke et heltall"]),
    ("jobs-not-a-number", ["run", "--jobs", "to"], [r"--jobs", r"'to' er ikke et heltall"]),
    ("import-without-group", ["import", "e.csv", "--out", "ut"], [r"mangler påkrevd argument --group"]),
    ("unknown-subcommand", ["bygg"], [r"ugyldig valg 'bygg'", r"simulate"]),
    ("unknown-option", ["validate", "--fort"], [r"ukjente argumenter: --fort"]),
    ("empty-data-tables", ["tables", "--data", "", "--out", "ut"], [r"--data", r"tom tekst"]),
    ("empty-data-run", ["run", "--data", ""], [r"--data", r"tom tekst"]),
    ("empty-out-tables", ["tables", "--out", ""], [r"--out", r"tom tekst"]),
    ("empty-out-run", ["run", "--out", " "], [r"--out", r"tom tekst"]),
    ("empty-out-import", ["import", "e.csv", "--group", "ppt", "--out", ""], [r"--out", r"tom tekst"]),
    ("empty-out-simulate", ["simulate", "--out", ""], [r"--out", r"tom tekst"]),
    ("empty-data-validate", ["validate", ""], [r"tom tekst"]),
    ("data-is-a-file-tables", ["tables", "--data", "eksport.xlsx", "--out", "ut"],
     [r"eksport\.xlsx er en fil, ikke en mappe", r"lmp import"]),
    ("data-is-a-file-validate", ["validate", "fil.txt"], [r"fil\.txt er en fil, ikke en mappe"]),
    ("data-is-a-file-run", ["run", "--data", "eksport.xlsx"], [r"eksport\.xlsx", r"mappe, ikke en fil"]),
    ("out-is-a-file", ["tables", "--out", "fil.txt"], [r"fil\.txt er en fil"]),
    ("out-is-the-cwd", ["tables", "--out", "."], [r"mappen du står i"]),
    ("out-above-the-cwd", ["tables", "--out", ".."], [r"mappen du står i"]),
]


@pytest.mark.parametrize("case", CASES, ids=lambda c: c[0])
def test_cli_error_is_one_norwegian_line(work: Path, capsys, case):
    _id, argv, expect = case
    before = snapshot(work)
    code, err = lmp(argv, capsys)
    assert_one_line(code, err, expect)
    assert snapshot(work) == before


@pytest.mark.parametrize(
    "content, expect",
    [("- synthetic\n- real\n", r"innholdet er en liste"), ("synthetic\n", r"innholdet er teksten 'synthetic'")],
    ids=["list", "string"],
)
def test_datasource_yml_that_is_not_a_mapping(work: Path, capsys, content: str, expect: str):
    (work / "data" / "datasource.yml").write_text(content, encoding="utf-8")
    before = snapshot(work)
    code, err = lmp(["validate", "data"], capsys)
    assert_one_line(code, err, [r"datasource\.yml", expect, r"kind: synthetic"])
    assert snapshot(work) == before


def test_os_error_names_the_users_file_not_a_temp_file(work: Path, capsys, monkeypatch):
    from lmp_helpers import staging

    def full_disk(path, data, **kw):
        tmp = Path(path).with_name(f".{Path(path).name}.k3x9q.tmp")
        raise OSError(28, "No space left on device", str(tmp))

    monkeypatch.setattr(staging, "write_atomic", full_disk)
    code, err = lmp(["tables", "--out", "ut"], capsys)
    assert_one_line(code, err, [r"tabell1\.csv: disken er full"])
    assert ".tmp" not in err and "lmp-staging" not in err
    assert not (work / "ut").exists()


def test_debug_is_accepted_anywhere_on_the_line(work: Path, capsys):
    for argv in (["--debug", "tables", "--pulje", "9", "--out", "ut"],
                 ["tables", "--pulje", "9", "--debug", "--out", "ut"]):
        code, err = lmp(argv, capsys)
        assert code == 2 and "Traceback" in err and err.strip().splitlines()[-1].startswith("lmp tables: feil:")


def test_the_installed_script_gives_argparse_errors_in_norwegian(tmp_path: Path):
    proc = subprocess.run([str(LMP), "tables", "--min-n", "abc", "--out", "ut"], cwd=tmp_path,
                          capture_output=True, text=True)
    assert proc.returncode == 2 and proc.stderr.count("\n") == 1, proc.stderr
    assert "heltall" in proc.stderr and "usage" not in proc.stderr
    assert not list(tmp_path.iterdir())
