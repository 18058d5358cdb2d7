"""Wrong data is never accepted silently: row shape (CSV and XLSX, loader and importer), a fuzz of shifted
rows, and an export for another group.

A row with a field too few or too many would put answers under the wrong question. Each test either gets
an error naming the line (or cell), or the exact original data back.
"""

from __future__ import annotations

import random
from pathlib import Path

import pandas as pd
import pytest

from lmp_helpers.codebook import load_codebook
from lmp_helpers.data import load_survey, read_group
from lmp_helpers.errors import LmpInputError
from lmp_helpers.importer import convert_export
from lmp_helpers.paths import SYNTHETIC_DIR


def _canonical_lines(group: str) -> list[str]:
    return (SYNTHETIC_DIR / f"{group}.csv").read_text(encoding="utf-8").splitlines()


# -- the canonical loader -------------------------------------------------------------------------------
@pytest.mark.parametrize(
    "edit, pattern",
    [
        (lambda f: f.rsplit(",", 1)[0], r"linje 4: 14 felt \(for få\), men overskriften har 15"),
        (lambda f: f + ",3", r"linje 4: 16 felt \(for mange\)"),
        (lambda f: "", r"linje 4: tom linje"),
        # a field dropped in the middle: the row is one short even though its last value is a valid code
        (lambda f: ",".join(f.split(",")[:5] + f.split(",")[6:]), r"linje 4: 14 felt"),
    ],
    ids=["short", "long", "blank-line", "dropped-middle"],
)
def test_loader_refuses_a_row_of_the_wrong_shape(tmp_path: Path, edit, pattern):
    lines = _canonical_lines("ppt")
    lines[3] = edit(lines[3])
    path = tmp_path / "ppt.csv"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    with pytest.raises(LmpInputError, match=pattern):
        read_group(path, "ppt")


def test_loader_counts_quoted_fields_right(tmp_path: Path):
    # quoted ids with a comma inside are one field (the csv path, not the comma count)
    lines = _canonical_lines("skoleeier")
    first = lines[1].split(",")
    lines[1] = ",".join([f'"{first[0]}, Bodø"', *first[1:]])
    path = tmp_path / "skoleeier.csv"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    df = read_group(path, "skoleeier")
    assert df["respondent_id"].iloc[0].endswith(", Bodø")
    lines[2] = lines[2] + ","
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    with pytest.raises(LmpInputError, match=r"linje 3: 15 felt"):
        read_group(path, "skoleeier")


# -- fuzz: fields dropped, added, shifted -----------------------------------------------------------------
def _mutate(row: list[str], rng: random.Random) -> tuple[str, list[str]]:
    row = list(row)
    kind = rng.choice(["drop", "add", "shift-right", "shift-left", "drop-add-end"])
    i = rng.randrange(len(row))
    if kind == "drop":
        del row[i]
    elif kind == "add":
        row.insert(i, rng.choice(["", "3", "x", "5"]))
    elif kind == "shift-right":  # Excel «sett inn celle»: the row moves one column right
        row.insert(0, "")
    elif kind == "shift-left":
        del row[0]
    else:  # one field gone in the middle, one blank added at the end: as many fields, but one more at the end
        del row[i]
        row.extend(["", ""])
    return kind, row


def _is_original_or_refused(load, original: pd.DataFrame) -> str:
    try:
        got = load()
    except LmpInputError:
        return "refused"
    pd.testing.assert_frame_equal(got, original)  # accepted: must then be exactly the original data
    return "same"


@pytest.mark.parametrize("seed", range(3))
def test_fuzz_canonical_csv_row_shapes(tmp_path: Path, seed: int):
    rng = random.Random(seed)
    original = load_survey()["skoleleder"]
    lines = _canonical_lines("skoleleder")
    outcomes = []
    for case in range(12):
        mutated = list(lines)
        r = rng.randrange(1, len(lines))
        kind, row = _mutate(lines[r].split(","), rng)
        mutated[r] = ",".join(row)
        path = tmp_path / f"{case}" / "skoleleder.csv"
        path.parent.mkdir()
        path.write_text("\n".join(mutated) + "\n", encoding="utf-8")
        outcomes.append((kind, _is_original_or_refused(lambda p=path: read_group(p, "skoleleder"), original)))
    assert all(o == "refused" for _, o in outcomes), outcomes


def _export_rows(group: str) -> list[list[str]]:
    lines = _canonical_lines(group)
    return [line.split(",") for line in lines]


@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
def test_fuzz_export_row_shapes(tmp_path: Path, fmt: str):
    """CSV: every change of a row's field count is refused. XLSX has no field count, only cells: a shift is
    visible when it pushes a value right of the header's last column, and then it must be refused. A shift
    that only moves blanks across that edge (a deleted cell; an inserted one in a row whose last answer is
    blank) looks exactly like a valid row with «no answer» and cannot be told (see issue-13.md)."""
    from openpyxl import Workbook

    rng = random.Random(20170901)
    original = load_survey()["skoleeier"]
    rows = _export_rows("skoleeier")
    width = len(rows[0])
    outcomes = []
    for case in range(16 if fmt == "csv" else 30):
        mutated = [list(r) for r in rows]
        r = rng.randrange(1, len(rows))
        kind, mutated[r] = _mutate(mutated[r], rng)
        visible = fmt == "csv" or any(v.strip() for v in mutated[r][width:])
        path = tmp_path / f"e{case}.{fmt}"
        if fmt == "csv":
            path.write_text("".join(";".join(x) + "\r\n" for x in mutated), encoding="utf-8")
        else:
            wb = Workbook()
            for x in mutated:
                wb.active.append([int(v) if v.isdigit() else (v or None) for v in x])
            wb.save(path)
        if visible:
            outcomes.append((kind, _is_original_or_refused(lambda p=path: convert_export(p, "skoleeier"), original)))
    assert len(outcomes) >= 8, outcomes  # enough visible shifts were tried
    assert all(o == "refused" for _, o in outcomes), outcomes


def test_xlsx_cell_right_of_the_header_is_named(tmp_path: Path):
    from openpyxl import Workbook

    rows = _export_rows("skoleeier")
    wb = Workbook()
    for x in rows:
        wb.active.append([int(v) if v.isdigit() else (v or None) for v in x])
    wb.active.cell(row=6, column=len(rows[0]) + 1, value=4)
    path = tmp_path / "e.xlsx"
    wb.save(path)
    with pytest.raises(LmpInputError, match=r"celle O6: verdien '4' står til høyre for .* \(N\)"):
        convert_export(path, "skoleeier")


# -- an export for another group ---------------------------------------------------------------------------
@pytest.mark.parametrize(
    "export_group, asked_as",
    [("skoleeier", "skoleleder"), ("skoleleder", "skoleeier"), ("ppt", "skoleleder"), ("skoleleder", "ppt")],
)
def test_export_of_another_group_is_refused_naming_it(tmp_path: Path, export_group: str, asked_as: str):
    cb = load_codebook()
    df = load_survey()[export_group]
    out = pd.DataFrame({"respondent_id": df["respondent_id"], "pulje": df["pulje"]})
    for item in cb.items_for_group(export_group):
        out[cb.item(item).text_for(export_group)] = df[item]
    path = tmp_path / "e.csv"
    out.to_csv(path, sep=";", index=False)
    with pytest.raises(LmpInputError, match=rf"ser ut til å være for --group {export_group}"):
        convert_export(path, asked_as)
    pd.testing.assert_frame_equal(convert_export(path, export_group), df)
