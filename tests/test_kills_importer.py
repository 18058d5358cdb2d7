"""Kill tests for `lmp_helpers/importer.py` (issue #16): what exports it accepts (encodings, separators, header
and sheet variants), the canonical file it makes of them, and the exact message for each bad input.

Every expected file and frame is written by hand from the rows the test itself puts into the export (an oracle
independent of the importer); messages are asserted word for word, since users read them. In-process and fast:
the mutation run calls these for every mutant of the importer."""

from __future__ import annotations

from pathlib import Path

import pytest
from openpyxl import Workbook

from lmp_helpers.codebook import load_codebook
from lmp_helpers.errors import LmpInputError
from lmp_helpers.importer import convert_export

GROUP = "skoleeier"
ITEMS = [
    "kunnskap_skoleutvikling", "kunnskap_laeringsmiljo", "kunnskap_klasseledelse", "kunnskap_mobbing",
    "praksis_skoleutvikling", "praksis_laeringsmiljo", "praksis_klasseledelse", "praksis_mobbing",
    "rolle_uklar", "rolle_maloppnaelse", "rolle_skoleutvikling", "rolle_kompetanse",
]
CANONICAL_HEADER = "respondent_id,pulje," + ",".join(ITEMS) + "\n"
ALLOWED_ENCODINGS = "tillatt: UTF-8, UTF-8 med BOM eller cp1252 (Windows/Excel)"


def message(exc_info) -> str:
    return str(exc_info.value)


def xlsx(path: Path, sheets: dict[str, list[list[object]]], hidden: tuple[str, ...] = ()) -> Path:
    """An .xlsx with the given sheets (rows of cell values, None = empty cell), in order."""
    wb = Workbook()
    wb.remove(wb.active)
    for name, rows in sheets.items():
        ws = wb.create_sheet(name)
        for r, row in enumerate(rows, start=1):
            for c, value in enumerate(row, start=1):
                if value is not None:
                    ws.cell(row=r, column=c, value=value)
        if name in hidden:
            ws.sheet_state = "hidden"
    wb.save(path)
    return path


def test_the_codebook_still_has_the_columns_these_tests_are_written_for():
    assert load_codebook().columns_for_group(GROUP) == ["respondent_id", "pulje", *ITEMS]


# -- a sheet without any header text -------------------------------------------------------------------
def test_xlsx_with_an_empty_first_row_and_no_header_gets_a_clear_error(tmp_path: Path):
    """Found through mutant read_export_104: a blank header row in an .xlsx crashed with openpyxl's
    «Invalid column index 0» (column letter of column 0) instead of saying what is wrong."""
    path = xlsx(tmp_path / "e.xlsx", {"Ark1": [[None, None], ["foo", "bar"], ["1", "2"]]})
    with pytest.raises(LmpInputError) as exc:
        convert_export(path, GROUP)
    assert message(exc) == (
        f"{path}, linje 1: overskriften er tom (ingen kolonnenavn); tillatt: kolonnenavn, spørsmålstekster eller "
        "alias på overskriftslinjen (velg linjen med --header-row N)"
    )


def test_csv_with_an_empty_header_line_names_it(tmp_path: Path):
    path = tmp_path / "e.csv"
    path.write_text(";;\n;y;z\n", encoding="utf-8")
    with pytest.raises(LmpInputError) as exc:
        convert_export(path, GROUP)
    assert message(exc) == (
        f"{path}, linje 1: overskriften er tom (ingen kolonnenavn); tillatt: kolonnenavn, spørsmålstekster eller "
        "alias på overskriftslinjen (velg linjen med --header-row N)"
    )
