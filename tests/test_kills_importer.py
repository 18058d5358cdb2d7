"""Kill tests for `lmp_helpers/importer.py` (issue #16): what exports it accepts (encodings, separators, header
and sheet variants), the canonical file it makes of them, and the exact message for each bad input.

Every expected file and frame is written by hand from the rows the test itself puts into the export (an oracle
independent of the importer); messages are asserted word for word, since users read them. In-process and fast:
the mutation run calls these for every mutant of the importer."""

from __future__ import annotations

import csv
import io
import re
import zipfile
from pathlib import Path

import pytest
from openpyxl import Workbook

from lmp_helpers import importer
from lmp_helpers.codebook import load_codebook
from lmp_helpers.errors import LmpInputError
from lmp_helpers.importer import _decode, convert_export, import_export, read_export

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


# -- one small export, written by the test, and the canonical file it must give ------------------------
# (header cell, canonical column): an ignored metadata column, id and pulje aliases, item ids.
EXPORT_HEADER = ["Starttid", "RespondentID", "Pulje", *ITEMS]
EXPORT_ROWS = [
    ["2016-05-01 10:00", "s-1", "1", "I svært liten grad", "i liten grad", "VERKEN ELLER", "I stor grad",
     "I svært stor grad", "3.0", "4,0", "5", "Vet ikke", "", "1", "2"],
    ["2016-05-02 11:30", " s-2 ", "Pulje 2", "2.0", "1,0", "3,0", "4.0", "5.0", "5,0", "2,0", "1.0",
     "Ikke relevant", "Ubesvart", "  i  stor   grad ", "I SVÆRT STOR GRAD"],
    ["2016-05-03 09:15", "s-3", "2.0", "1", "2", "3", "4", "5", "1", "2", "3", "4", "5", "vet ikke", ""],
]
# written by hand from the rows above: codes, blanks for «Vet ikke»/«Ikke relevant»/«Ubesvart»/blank
EXPECTED_CSV = CANONICAL_HEADER + (
    "s-1,1,1,2,3,4,5,3,4,5,,,1,2\n"
    "s-2,2,2,1,3,4,5,5,2,1,,,4,5\n"
    "s-3,2,1,2,3,4,5,1,2,3,4,5,,\n"
)


def csv_bytes(rows: list[list[str]], sep: str = ";", encoding: str = "utf-8", newline: str = "\r\n") -> bytes:
    buf = io.StringIO()
    csv.writer(buf, delimiter=sep, lineterminator=newline).writerows(rows)
    return buf.getvalue().encode(encoding)


def write(path: Path, data: bytes) -> Path:
    path.write_bytes(data)
    return path


@pytest.mark.parametrize("sep", [";", ",", "\t"])
@pytest.mark.parametrize("encoding", ["utf-8", "utf-8-sig", "cp1252"])
def test_csv_in_each_encoding_and_separator_gives_the_canonical_file(tmp_path: Path, encoding: str, sep: str):
    export = write(tmp_path / "eksport.csv", csv_bytes([EXPORT_HEADER, *EXPORT_ROWS], sep, encoding))
    data = export.read_bytes()
    assert data.startswith(b"\xef\xbb\xbf") == (encoding == "utf-8-sig")
    assert "æ".encode("cp1252" if encoding == "cp1252" else "utf-8") in data
    target = import_export(export, GROUP, tmp_path / "ut")
    assert target == tmp_path / "ut" / "skoleeier.csv"
    assert target.read_text(encoding="utf-8") == EXPECTED_CSV


def test_decode_names_the_encoding_it_used(tmp_path: Path):
    text = "RespondentID;Pulje\nø;1\n"
    assert _decode(tmp_path / "x.csv", text.encode("utf-8")) == (text, "utf-8-sig")
    assert _decode(tmp_path / "x.csv", b"\xef\xbb\xbf" + text.encode("utf-8")) == (text, "utf-8-sig")
    assert _decode(tmp_path / "x.csv", text.encode("cp1252")) == (text, "cp1252")
    # a DEL (0x7F) is ASCII, not a sign of UTF-8: a cp1252 file holding one is still cp1252
    assert _decode(tmp_path / "x.csv", b"a\x7fb;\xe6\n") == ("a\x7fb;æ\n", "cp1252")
    # NFD letters (å as a + ring) come out composed
    assert _decode(tmp_path / "x.csv", "a\u030a".encode("utf-8")) == ("å", "utf-8-sig")


def test_classic_mac_line_ends_and_a_line_break_inside_a_quoted_id(tmp_path: Path):
    rows = [EXPORT_HEADER, *EXPORT_ROWS]
    export = write(tmp_path / "mac.csv", csv_bytes(rows, ";", "cp1252", newline="\r"))
    assert b"\n" not in export.read_bytes()
    frame = convert_export(export, GROUP)
    assert list(frame["respondent_id"]) == ["s-1", "s-2", "s-3"]
    rows = [EXPORT_HEADER, ["x", "a\r\nb", *EXPORT_ROWS[0][2:]]]
    frame = convert_export(write(tmp_path / "crlf.csv", csv_bytes(rows)), GROUP)
    assert list(frame["respondent_id"]) == ["a\r\nb"]


# -- encodings refused ------------------------------------------------------------------------------
@pytest.mark.parametrize("bom_and_codec", [(b"\xff\xfe", "utf-16-le"), (b"\xfe\xff", "utf-16-be"), (b"", "utf-16-le")])
def test_utf16_is_refused_by_name(tmp_path: Path, bom_and_codec):
    bom, codec = bom_and_codec
    path = write(tmp_path / "u.csv", bom + "RespondentID;Pulje\r\ns-1;1\r\n".encode(codec))
    with pytest.raises(LmpInputError) as exc:
        read_export(path)
    assert message(exc) == f"{path}: tegnkodingen ser ut som UTF-16 (Excel «Unicode-tekst»); {ALLOWED_ENCODINGS}"


@pytest.mark.parametrize("codec", ["utf-16-le", "utf-16-be"])
def test_utf16_with_a_bom_and_no_latin_letters_is_refused_by_its_bom(tmp_path: Path, codec: str):
    bom = "\ufeff".encode(codec)
    data = bom + "€–‰€–‰\u2028".encode(codec) * 4  # no character below U+0100: not one NUL byte
    assert b"\x00" not in data
    path = write(tmp_path / "u.csv", data)
    with pytest.raises(LmpInputError) as exc:
        read_export(path)
    assert message(exc) == f"{path}: tegnkodingen ser ut som UTF-16 (Excel «Unicode-tekst»); {ALLOWED_ENCODINGS}"


def test_a_few_nul_bytes_are_named_with_their_line_not_called_utf16(tmp_path: Path):
    # 9 NULs in 40 bytes: more than a fifth, not more than a quarter (UTF-16 has one in every other byte);
    # the first one is named
    data = b"RespondentID;Pulje\ns-1;1\n" + b"\x00" * 8 + b"abc\nd\x00e"
    assert len(data) == 40 and data.count(b"\x00") == 9
    path = write(tmp_path / "n.csv", data)
    with pytest.raises(LmpInputError) as exc:
        read_export(path)
    assert message(exc) == f"{path}, linje 3: en NUL-byte (0x00) midt i teksten; fjern den eller eksporter på nytt"
    # the UTF-16 guess looks at the first 4096 bytes only: a quarter of them NUL (not more), then a NUL after
    data = (b"\x00abc" * 1024) + b"\x00" + b"x" * 100
    path = write(tmp_path / "m.csv", data)
    with pytest.raises(LmpInputError) as exc:
        read_export(path)
    assert message(exc) == f"{path}, linje 1: en NUL-byte (0x00) midt i teksten; fjern den eller eksporter på nytt"


def test_mixed_encoding_names_the_byte_and_its_line(tmp_path: Path):
    path = write(tmp_path / "b.csv", "RespondentID;Pulje\nø;1\n".encode() + b"x\xe6;2\n")
    with pytest.raises(LmpInputError) as exc:
        read_export(path)
    assert message(exc) == (
        f"{path}, linje 3: byten 0xE6 er ikke UTF-8, men resten av filen er UTF-8 (blandet tegnkoding); rett tegnet "
        f"på den linjen; {ALLOWED_ENCODINGS}, men én av dem i hele filen"
    )
    # U+0080 (UTF-8 c2 80) is the lowest non-ASCII letter: still «the rest is UTF-8»
    path = write(tmp_path / "c.csv", b"a\xc2\x80b\nc\xe6d\n")
    with pytest.raises(LmpInputError) as exc:
        read_export(path)
    assert message(exc).startswith(f"{path}, linje 2: byten 0xE6 er ikke UTF-8, men resten av filen er UTF-8")


def test_bytes_neither_utf8_nor_cp1252(tmp_path: Path):
    path = write(tmp_path / "k.csv", b"RespondentID;Pulje\ns\x81;1\n")
    with pytest.raises(LmpInputError) as exc:
        read_export(path)
    assert message(exc) == f"{path}, linje 2: ukjent tegnkoding (byten 0x81); {ALLOWED_ENCODINGS}"


# -- file names and types -------------------------------------------------------------------------
@pytest.mark.parametrize(("name", "detail"), [
    ("eksport.xls", ".xls støttes ikke (gammelt Excel-format: åpne filen i Excel og lagre som .xlsx)"),
    ("eksport.txt", ".txt støttes ikke"),
    ("eksport", "(ingen) støttes ikke"),
])
def test_unsupported_file_types(tmp_path: Path, name: str, detail: str):
    path = write(tmp_path / name, b"RespondentID;Pulje\n")
    with pytest.raises(LmpInputError) as exc:
        read_export(path)
    assert message(exc) == f"{path}: filtypen {detail}; tillatt: .xlsx, .csv"


def test_content_that_does_not_match_the_name(tmp_path: Path):
    pdf = write(tmp_path / "svar.csv", b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n")
    with pytest.raises(LmpInputError) as exc:
        read_export(pdf)
    assert message(exc) == (
        f"{pdf}: filen heter .csv, men er et PDF-dokument; eksporter svarene på nytt som .xlsx eller .csv")
    book = xlsx(tmp_path / "bok.xlsx", {"Ark1": [["RespondentID", "Pulje"]]})
    renamed = write(tmp_path / "bok.csv", book.read_bytes())
    with pytest.raises(LmpInputError) as exc:
        read_export(renamed)
    assert message(exc) == f"{renamed}: filen heter .csv, men er en Excel-fil (.xlsx); gi den endelsen .xlsx"
    text = write(tmp_path / "tekst.xlsx", b"RespondentID;Pulje\ns-1;1\n")
    with pytest.raises(LmpInputError) as exc:
        read_export(text)
    assert message(exc) == f"{text}: filen heter .xlsx, men er en tekstfil (kanskje CSV); gi den endelsen .csv"


def test_one_byte_is_not_an_empty_file_and_blank_lines_are(tmp_path: Path):
    one = write(tmp_path / "en.csv", b"x")
    with pytest.raises(LmpInputError) as exc:
        convert_export(one, GROUP)
    assert message(exc).startswith(f"{one} (overskriften): ukjente kolonner 'x'; tillatt for skoleeier: ")
    blank = write(tmp_path / "blank.csv", b"\n" * 40)
    with pytest.raises(LmpInputError) as exc:
        read_export(blank)
    assert message(exc) == f"{blank}: filen er tom; tillatt: en overskriftslinje og minst én rad med svar"


def test_sheet_option_on_a_csv(tmp_path: Path):
    path = write(tmp_path / "e.csv", csv_bytes([EXPORT_HEADER, *EXPORT_ROWS]))
    with pytest.raises(LmpInputError) as exc:
        read_export(path, sheet="Ark1")
    assert message(exc) == f"{path}: --sheet gjelder bare .xlsx-filer; en CSV-fil har ingen ark"


# -- row shape ------------------------------------------------------------------------------------
@pytest.mark.parametrize(("sep", "sep_name"), [(";", "semikolon"), (",", "komma"), ("\t", "tabulator")])
def test_short_and_long_csv_lines_are_named(tmp_path: Path, sep: str, sep_name: str):
    short = write(tmp_path / "s.csv", csv_bytes([EXPORT_HEADER, EXPORT_ROWS[0], EXPORT_ROWS[1][:-1]], sep))
    with pytest.raises(LmpInputError) as exc:
        read_export(short)
    assert message(exc) == (
        f"{short}, linje 3: 14 felt (for få), men overskriften har 15 (skilletegn {sep_name}); tillatt: like mange "
        "felt på hver linje (ellers havner svarene under feil spørsmål)"
    )
    long = write(tmp_path / "l.csv", csv_bytes([EXPORT_HEADER, [*EXPORT_ROWS[0], "x"]], sep))
    with pytest.raises(LmpInputError) as exc:
        read_export(long)
    assert message(exc) == (
        f"{long}, linje 2: 16 felt (for mange), men overskriften har 15 (skilletegn {sep_name}); tillatt: like "
        "mange felt på hver linje (ellers havner svarene under feil spørsmål)"
    )


def test_xlsx_cell_right_of_the_header_is_named_by_its_cell(tmp_path: Path):
    rows = [EXPORT_HEADER, EXPORT_ROWS[0], [*EXPORT_ROWS[1], None, "forskjøvet"]]
    path = xlsx(tmp_path / "f.xlsx", {"Svar": rows})
    with pytest.raises(LmpInputError) as exc:
        read_export(path)
    assert message(exc) == (
        f"{path}, celle Q3: verdien 'forskjøvet' står til høyre for overskriftens siste kolonne (O); tillatt: "
        "ingen verdier utenfor overskriften (er raden forskjøvet?)"
    )
    # the same sheet starting in column C (two empty columns first): letters as Excel shows them
    shifted = xlsx(tmp_path / "g.xlsx", {"Svar": [[None, None, *r] for r in rows]})
    with pytest.raises(LmpInputError) as exc:
        read_export(shifted)
    assert message(exc) == (
        f"{shifted}, celle S3: verdien 'forskjøvet' står til høyre for overskriftens siste kolonne (Q); tillatt: "
        "ingen verdier utenfor overskriften (er raden forskjøvet?)"
    )


# -- xlsx layouts ---------------------------------------------------------------------------------
def test_xlsx_with_title_rows_data_from_column_b_and_numbers_gives_the_canonical_file(tmp_path: Path):
    def cell(v: str):  # codes as Excel numbers, as a survey tool writes them
        return float(v) if re.fullmatch(r"\d(\.0)?", v) else v

    rows = [["Spørreundersøkelse skoleeiere 2016"], [], [None, *EXPORT_HEADER]]
    rows += [[None, *(cell(v) for v in r)] for r in EXPORT_ROWS]
    path = xlsx(tmp_path / "t.xlsx", {"Data": rows})
    notes: list[str] = []
    target = import_export(path, GROUP, tmp_path / "ut", notes=notes)
    assert target.read_text(encoding="utf-8") == EXPECTED_CSV
    assert notes == [f"{path}: overskriften står på linje 3; linje 1–2 (tittel o.l.) er hoppet over"]


def test_csv_with_an_empty_leading_column(tmp_path: Path):
    rows = [["", *EXPORT_HEADER], *(["", *r] for r in EXPORT_ROWS)]
    path = write(tmp_path / "b.csv", csv_bytes(rows))
    assert canonical(convert_export(path, GROUP)) == EXPECTED_CSV
    # a value in the leading column of a data row: the column is kept, and its empty header is unknown
    rows[2][0] = "x"
    path = write(tmp_path / "c.csv", csv_bytes(rows))
    with pytest.raises(LmpInputError) as exc:
        convert_export(path, GROUP)
    assert message(exc).startswith(f"{path} (overskriften): ukjente kolonner ''; tillatt for skoleeier: ")


def canonical(frame) -> str:
    return importer.canonical_csv_text(frame, GROUP)


def test_xlsx_sheet_choice(tmp_path: Path):
    data = [EXPORT_HEADER, *EXPORT_ROWS]
    other = [EXPORT_HEADER, ["", "z-9", "1", *["3"] * 12]]
    info = [["Eksportert fra SurveyXact"], ["Dato", "2016-06-01"]]
    two = xlsx(tmp_path / "to.xlsx", {"A": other, "B": data})
    with pytest.raises(LmpInputError) as exc:
        read_export(two)
    assert message(exc) == f"{two}: flere ark ser ut som svardata ('A', 'B'); velg ett med --sheet"
    notes: list[str] = []
    assert canonical(convert_export(two, GROUP, sheet="B", notes=notes)) == EXPECTED_CSV
    assert notes == []
    target = import_export(two, GROUP, tmp_path / "ut", sheet="B")
    assert target.read_text(encoding="utf-8") == EXPECTED_CSV
    with pytest.raises(LmpInputError) as exc:
        read_export(two, sheet="C")
    assert message(exc) == f"{two}: arket 'C' finnes ikke; tillatt: 'A', 'B'"
    # an info sheet first: the data sheet is found, and the user told
    three = xlsx(tmp_path / "tre.xlsx", {"Info": info, "Svar": data, "Gammel": other}, hidden=("Gammel",))
    notes = []
    assert canonical(convert_export(three, GROUP, notes=notes)) == EXPECTED_CSV
    assert notes == [f"{three}: bruker arket 'Svar' (hoppet over 'Info', 'Gammel')"]
    # the data sheet first: no note
    first = xlsx(tmp_path / "først.xlsx", {"Svar": data, "Info": info})
    notes = []
    assert canonical(convert_export(first, GROUP, notes=notes)) == EXPECTED_CSV
    assert notes == []
    # no visible sheet looks like data: the first visible one is read (here: its row 2 is wider than row 1)
    none = xlsx(tmp_path / "ingen.xlsx", {"Skjult": data, "Info": info}, hidden=("Skjult",))
    with pytest.raises(LmpInputError) as exc:
        convert_export(none, GROUP)
    assert message(exc) == (
        f"{none} (ark 'Info'), celle B2: verdien '2016-06-01' står til høyre for overskriftens siste kolonne (A); "
        "tillatt: ingen verdier utenfor overskriften (er raden forskjøvet?)"
    )


def test_where_names_the_sheet_only_when_there_are_several(tmp_path: Path):
    bad = [EXPORT_HEADER, [*EXPORT_ROWS[0][:3], "Litt", *EXPORT_ROWS[0][4:]]]
    one = xlsx(tmp_path / "en.xlsx", {"Svar": bad})
    with pytest.raises(LmpInputError) as exc:
        convert_export(one, GROUP)
    assert message(exc).startswith(f"{one}: ukjente svar – kolonne kunnskap_skoleutvikling: 'Litt' på linje 2; ")
    two = xlsx(tmp_path / "to.xlsx", {"Svar": bad, "Info": [["Om eksporten"]]})
    with pytest.raises(LmpInputError) as exc:
        convert_export(two, GROUP)
    assert message(exc).startswith(
        f"{two} (ark 'Svar'): ukjente svar – kolonne kunnskap_skoleutvikling: 'Litt' på linje 2; ")


def test_empty_workbook_sheet(tmp_path: Path):
    path = xlsx(tmp_path / "tom.xlsx", {"Ark1": []})
    with pytest.raises(LmpInputError) as exc:
        read_export(path)
    assert message(exc) == f"{path}: filen er tom; tillatt: en overskriftslinje og minst én rad med svar"


def _without_dimension(path: Path) -> Path:
    """The workbook rewritten without the sheet's <dimension> (some survey tools write none): openpyxl then
    returns each row only as wide as its last cell."""
    src = zipfile.ZipFile(io.BytesIO(path.read_bytes()))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as dst:
        for item in src.infolist():
            data = src.read(item.filename)
            if item.filename.startswith("xl/worksheets/sheet"):
                data = re.sub(rb"<dimension [^>]*/>", b"", data)
            dst.writestr(item, data)
    path.write_bytes(out.getvalue())
    return path


def test_xlsx_rows_of_different_widths_without_a_dimension(tmp_path: Path):
    rows = [EXPORT_HEADER, *EXPORT_ROWS]
    rows[3] = rows[3][:-1]  # the last answer blank: the row ends one cell early
    path = _without_dimension(xlsx(tmp_path / "r.xlsx", {"Svar": rows}))
    assert b"<dimension" not in zipfile.ZipFile(path).read("xl/worksheets/sheet1.xml")
    assert canonical(convert_export(path, GROUP)) == EXPECTED_CSV


def test_a_formula_cell_counts_with_its_computed_value(tmp_path: Path):
    rows = [EXPORT_HEADER, *EXPORT_ROWS]
    path = xlsx(tmp_path / "f.xlsx", {"Svar": rows})
    wb_bytes = path.read_bytes()
    src = zipfile.ZipFile(io.BytesIO(wb_bytes))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as dst:
        for item in src.infolist():
            data = src.read(item.filename)
            if item.filename == "xl/worksheets/sheet1.xml":
                # cell D2 («I svært liten grad», code 1) becomes a formula whose stored result is 1
                data, n = re.subn(rb'<c r="D2" t="inlineStr"><is><t>[^<]*</t></is></c>',
                                  b'<c r="D2"><f>3-2</f><v>1</v></c>', data)
                assert n == 1
            dst.writestr(item, data)
    path.write_bytes(out.getvalue())
    assert canonical(convert_export(path, GROUP)) == EXPECTED_CSV


# -- header row: found below title rows, or given ------------------------------------------------------
def test_a_title_row_with_one_known_word_is_not_taken_for_the_header(tmp_path: Path):
    rows = [["Undersøkelse for skoleeiere", "Status"], EXPORT_HEADER, *EXPORT_ROWS]
    path = write(tmp_path / "t.csv", csv_bytes(rows))
    notes: list[str] = []
    assert canonical(convert_export(path, GROUP, notes=notes)) == EXPECTED_CSV
    assert notes == [f"{path}: overskriften står på linje 2; linje 1 (tittel o.l.) er hoppet over"]


@pytest.mark.parametrize(("text", "header", "first_line", "note_line"), [
    # two known names are enough, when they are at least half of the filled cells
    ("Tittel\nRespondentID;Pulje\nr;1\n", ["RespondentID", "Pulje"], 3, 2),
    ("Tittel;;;\nRespondentID;Pulje;foo;bar\nr;1;x;y\n", ["RespondentID", "Pulje", "foo", "bar"], 3, 2),
    # two of five is not a header: row 1 stays the header (a title, one filled column)
    ("Tittel;;;;\nRespondentID;Pulje;a;b;c\nr;1;x;y;z\n", ["Tittel"], 2, None),
])
def test_what_looks_like_a_header(tmp_path: Path, text: str, header: list[str], first_line: int, note_line):
    path = write(tmp_path / "h.csv", text.encode())
    notes: list[str] = []
    raw = read_export(path, notes=notes)
    assert raw.attrs["header"] == header
    assert raw.attrs["first_line"] == first_line
    assert raw.attrs["where"] == str(path)
    expected_notes = [] if note_line is None else [
        f"{path}: overskriften står på linje {note_line}; linje 1 (tittel o.l.) er hoppet over"]
    assert notes == expected_notes


def test_header_row_given(tmp_path: Path):
    # line 1 looks like a header too (two known names): only --header-row 2 reads this file right
    rows = [["RespondentID", "Pulje"], EXPORT_HEADER, *EXPORT_ROWS]
    path = write(tmp_path / "g.csv", csv_bytes(rows))
    assert canonical(convert_export(path, GROUP, header_row=2)) == EXPECTED_CSV
    target = import_export(path, GROUP, tmp_path / "ut", header_row=2)
    assert target.read_text(encoding="utf-8") == EXPECTED_CSV
    for bad in (0, 6):
        with pytest.raises(LmpInputError) as exc:
            read_export(path, header_row=bad)
        assert message(exc) == f"{path}: --header-row {bad} finnes ikke; tillatt: 1–5"


def test_line_numbers_count_the_title_rows(tmp_path: Path):
    rows = [["Undersøkelse for skoleeiere"], EXPORT_HEADER, *EXPORT_ROWS]
    rows[3] = [*rows[3][:3], "Litt", *rows[3][4:]]
    path = write(tmp_path / "l.csv", csv_bytes(rows))
    with pytest.raises(LmpInputError) as exc:
        convert_export(path, GROUP)
    assert message(exc).startswith(f"{path}: ukjente svar – kolonne kunnskap_skoleutvikling: 'Litt' på linje 4; ")
    rows = [["Undersøkelse for skoleeiere"], EXPORT_HEADER, *EXPORT_ROWS]
    rows[4] = [rows[4][0], "s-1", *rows[4][2:]]
    path = write(tmp_path / "d.csv", csv_bytes(rows))
    with pytest.raises(LmpInputError) as exc:
        convert_export(path, GROUP)
    assert message(exc) == (
        f"{path}, linje 3, 5, kolonne respondent_id: respondent-id 's-1' forekommer flere ganger; tillatt: hver id "
        "én gang"
    )


# -- columns ------------------------------------------------------------------------------------------
TEXTS = {k: load_codebook().item(k).text_for(GROUP) for k in ITEMS}


def test_numbered_question_texts_and_aliases(tmp_path: Path):
    header = ["Sluttid", "Respondent ID", "Puljenummer", f"1. {TEXTS[ITEMS[0]]}", f"Q2: {TEXTS[ITEMS[1]]}",
              f"Spm. 3) {TEXTS[ITEMS[2]]}", f"4 - {TEXTS[ITEMS[3]]}", "spm5", "Q6", "v7", "sp8", "spm_9",
              "ROLLE_MALOPPNAELSE", f"  {TEXTS[ITEMS[10]].upper()}  ", "Q12"]
    path = write(tmp_path / "n.csv", csv_bytes([header, *EXPORT_ROWS], ";", "cp1252"))
    assert canonical(convert_export(path, GROUP)) == EXPECTED_CSV


def test_canonical_names_match_without_any_codebook_alias(tmp_path: Path, monkeypatch):
    monkeypatch.setattr(importer, "_import_config", lambda: {})
    header = ["respondent_id", "pulje", *ITEMS]
    path = write(tmp_path / "c.csv", csv_bytes([header, *(r[1:] for r in EXPORT_ROWS)]))
    assert canonical(convert_export(path, GROUP)) == EXPECTED_CSV


def test_ignore_and_map(tmp_path: Path):
    header = [*EXPORT_HEADER, "Kommentar"]
    path = write(tmp_path / "i.csv", csv_bytes([header, *([*r, "fritekst"] for r in EXPORT_ROWS)]))
    assert canonical(convert_export(path, GROUP, ignore=["kommentar"])) == EXPECTED_CSV
    assert import_export(path, GROUP, tmp_path / "ut", ignore=[" KOMMENTAR "]).read_text("utf-8") == EXPECTED_CSV
    with pytest.raises(LmpInputError) as exc:
        convert_export(path, GROUP, ignore=["Starttid"])
    assert message(exc).startswith(f"{path} (overskriften): ukjente kolonner 'Kommentar'; tillatt for skoleeier: ")
    # --map: a user's own header for one question, and a column to leave out
    mapped = [h if h != ITEMS[0] else "Svar A" for h in header]
    path = write(tmp_path / "m.csv", csv_bytes([mapped, *([*r, "fritekst"] for r in EXPORT_ROWS)]))
    map_file = tmp_path / "kart.yml"
    map_file.write_text(f"Svar A: {ITEMS[0]}\nKommentar: ignorer\n", encoding="utf-8")
    target = import_export(path, GROUP, tmp_path / "ut2", mapping_file=map_file)
    assert target.read_text(encoding="utf-8") == EXPECTED_CSV
    mapping = {"svar a": ITEMS[0], "kommentar": None}
    assert canonical(convert_export(path, GROUP, mapping=mapping)) == EXPECTED_CSV


ALLOWED_COLUMNS = "respondent_id, pulje, " + ", ".join(ITEMS)


def test_unknown_columns_are_listed_up_to_eight(tmp_path: Path):
    for n, more in ((8, ""), (9, " (og 1 til)")):
        extra = [c * 3 for c in "abcdefghi"[:n]]
        path = write(tmp_path / f"u{n}.csv", csv_bytes([[*EXPORT_HEADER, *extra], [*EXPORT_ROWS[0], *extra]]))
        with pytest.raises(LmpInputError) as exc:
            convert_export(path, GROUP)
        listed = ", ".join(repr(c) for c in extra[:8])
        assert message(exc) == (
            f"{path} (overskriften): ukjente kolonner {listed}{more}; tillatt for skoleeier: {ALLOWED_COLUMNS}, "
            "spørsmålsteksten eller et alias – eller hopp over dem med --ignore, eller oversett dem med --map FIL"
        )
    long = "Hvor fornøyd er du alt i alt med samarbeidet med kommunen og fylkesmannen?"
    path = write(tmp_path / "lang.csv", csv_bytes([[*EXPORT_HEADER, long], [*EXPORT_ROWS[0], "x"]]))
    with pytest.raises(LmpInputError) as exc:
        convert_export(path, GROUP)
    assert message(exc).startswith(
        f"{path} (overskriften): ukjente kolonner 'Hvor fornøyd er du alt i alt med samarbeidet med kommunen og'")


def test_a_question_of_another_groups_survey_names_that_group(tmp_path: Path):
    ppt_text = load_codebook().item(ITEMS[0]).text_for("ppt")
    path = write(tmp_path / "p.csv", csv_bytes([[*EXPORT_HEADER, ppt_text], [*EXPORT_ROWS[0], "3"]]))
    with pytest.raises(LmpInputError) as exc:
        convert_export(path, GROUP)
    assert message(exc) == (
        f"{path} (overskriften): spørsmålene hører til ppt-surveyen, ikke skoleeier (f.eks. 'I hvilken grad "
        "opplever du at ansatte ved ditt PPT-kontor ha'); eksporten ser ut til å være for --group ppt"
    )


def test_duplicate_and_missing_columns(tmp_path: Path):
    header = ["RespondentID", "ID", "Pulje", "Kohort", *ITEMS]
    rows = [r[1:2] + r[1:3] + r[2:] for r in EXPORT_ROWS]
    path = write(tmp_path / "d.csv", csv_bytes([header, *rows]))
    with pytest.raises(LmpInputError) as exc:
        convert_export(path, GROUP)
    assert message(exc) == (
        f"{path} (overskriften): flere kolonner betyr det samme (pulje: 'Pulje', 'Kohort'; respondent_id: "
        "'RespondentID', 'ID'); tillatt: én per felt"
    )
    path = write(tmp_path / "m.csv", csv_bytes([EXPORT_HEADER[:-2], *(r[:-2] for r in EXPORT_ROWS)]))
    with pytest.raises(LmpInputError) as exc:
        convert_export(path, GROUP)
    assert message(exc) == (
        f"{path} (overskriften): mangler kolonne(r) rolle_skoleutvikling, rolle_kompetanse for skoleeier; "
        "tillatt: kolonnenavnet, spørsmålsteksten fra kodeboka eller et alias"
    )


# -- answers -------------------------------------------------------------------------------------------
ALLOWED_ANSWERS = (
    "tillatt: 1 / I svært liten grad, 2 / I liten grad, 3 / Verken eller, 4 / I stor grad, 5 / I svært stor grad, "
    "Vet ikke (mangler), Ikke relevant (mangler), Ubesvart (mangler) eller blank"
)


@pytest.mark.parametrize("n_bad", [3, 4, 5])
def test_unknown_answers_in_several_columns(tmp_path: Path, n_bad: int):
    header = ["RespondentID", "Pulje", *(TEXTS[k] for k in ITEMS[:5]), *ITEMS[5:]]
    rows = [r[1:] for r in EXPORT_ROWS]
    for j in range(n_bad):
        rows[0][2 + j] = "Litt"
        rows[2][2 + j] = " Mye "
    path = write(tmp_path / "a.csv", csv_bytes([header, *rows]))
    with pytest.raises(LmpInputError) as exc:
        convert_export(path, GROUP)
    first = "I hvilken grad opplever du at skolene ha"
    parts = [f"kolonne {k} ({first}…): 'Litt', 'Mye' på linje 2, 4" for k in ITEMS[:3]]
    more = {3: "", 4: " (og 1 kolonne til)", 5: " (og 2 kolonner til)"}[n_bad]
    assert message(exc) == f"{path}: ukjente svar – {'; '.join(parts)}{more}; {ALLOWED_ANSWERS}"


def export_with_pulje(tmp_path: Path, pulje_by_row: dict[int, str]) -> Path:
    """The export as a CSV file with the pulje cell of the given rows (1 = first answer, file line 2) replaced."""
    rows = [EXPORT_HEADER, *EXPORT_ROWS]
    for i, pulje in pulje_by_row.items():
        rows[i] = [rows[i][0], rows[i][1], pulje, *rows[i][3:]]
    return write(tmp_path / "p.csv", csv_bytes(rows))


def test_pulje_written_as_a_decimal_or_with_its_name(tmp_path: Path):
    path = export_with_pulje(tmp_path, {1: "1.0", 2: "pulje2"})
    assert canonical(convert_export(path, GROUP)) == EXPECTED_CSV


@pytest.mark.parametrize("written", ["1.0.0", "x.0", "1.5"])
def test_pulje_that_is_not_a_whole_number_is_refused_as_written(tmp_path: Path, written: str):
    # «1.0.0» used to lose one «.0» and pass as pulje 1; «x.0» was named as 'x'
    path = export_with_pulje(tmp_path, {1: written})
    with pytest.raises(LmpInputError) as exc:
        convert_export(path, GROUP)
    assert message(exc) == (
        f"{path}, linje 2, kolonne pulje: feil type, verdien '{written}' er ikke et heltall; "
        "tillatt: heltall, en av 1, 2"
    )


@pytest.mark.parametrize("blank", ["", "  "])
def test_a_blank_pulje_is_called_empty_not_a_bad_number(tmp_path: Path, blank: str):
    path = export_with_pulje(tmp_path, {2: blank})
    with pytest.raises(LmpInputError) as exc:
        convert_export(path, GROUP)
    assert message(exc) == f"{path}, linje 3, kolonne pulje: tom verdi; tillatt: heltall, en av 1, 2"


# -- what is written, and where ------------------------------------------------------------------------
def test_one_respondent_is_enough_and_a_header_alone_is_not(tmp_path: Path):
    path = write(tmp_path / "en.csv", csv_bytes([EXPORT_HEADER, EXPORT_ROWS[0]]))
    assert canonical(convert_export(path, GROUP)) == EXPECTED_CSV.split("s-2")[0]
    path = write(tmp_path / "null.csv", csv_bytes([EXPORT_HEADER]))
    with pytest.raises(LmpInputError) as exc:
        convert_export(path, GROUP)
    assert message(exc) == f"{path}: ingen rader med svar (bare overskrift); tillatt: minst én respondent"


def test_out_folder(tmp_path: Path):
    path = write(tmp_path / "e.csv", csv_bytes([EXPORT_HEADER, *EXPORT_ROWS]))
    with pytest.raises(LmpInputError) as exc:
        import_export(path, GROUP, " ")
    assert message(exc) == "--out er tom tekst (''); tillatt: en mappe (finnes den ikke, lages den)"
    nested = tmp_path / "a" / "b" / "c"
    target = import_export(path, GROUP, nested)
    assert target == nested / "skoleeier.csv"
    assert target.read_text(encoding="utf-8") == EXPECTED_CSV
    with pytest.raises(LmpInputError) as exc:
        import_export(path, GROUP, nested)
    assert message(exc) == f"{target} finnes allerede; lmp import skriver aldri over en fil – velg en annen --out"
    with pytest.raises(LmpInputError) as exc:
        import_export(path, GROUP, target)
    assert message(exc) == f"--out {target} er en fil; tillatt: en mappe (finnes den ikke, lages den)"


def test_cli_import_passes_every_option_and_prints_the_notes(tmp_path: Path, capsys):
    from argparse import Namespace

    header = [*EXPORT_HEADER, "Kommentar", "Fritekst"]
    header[3] = "Svar A"
    rows = [["Eksport fra spørreverktøyet"], ["RespondentID", "Pulje"], header,
            *([*r, "k", "f"] for r in EXPORT_ROWS)]
    path = xlsx(tmp_path / "e.xlsx", {"Info": [["Om eksporten"]], "Svar": rows})
    map_file = tmp_path / "kart.yml"
    map_file.write_text(f"Svar A: {ITEMS[0]}\nFritekst: ignorer\n", encoding="utf-8")
    args = Namespace(file=str(path), group=GROUP, out=str(tmp_path / "ut"), map=str(map_file),
                     ignore=["Kommentar"], sheet="Svar", header_row=3)
    assert importer.cli_import(args) == 0
    target = tmp_path / "ut" / "skoleeier.csv"
    assert target.read_text(encoding="utf-8") == EXPECTED_CSV
    assert capsys.readouterr().out == f"{target}: 3 respondenter skrevet (skoleeier)\n"  # the sheet was asked for
    # a caller's namespace with only the three required fields: the options default to none
    plain = write(tmp_path / "p.csv", csv_bytes([["Tittel"], EXPORT_HEADER, *EXPORT_ROWS]))
    args = Namespace(file=str(plain), group=GROUP, out=str(tmp_path / "ut2"))
    assert importer.cli_import(args) == 0
    assert (tmp_path / "ut2" / "skoleeier.csv").read_text(encoding="utf-8") == EXPECTED_CSV
    assert capsys.readouterr().out == (
        f"merk: {plain}: overskriften står på linje 2; linje 1 (tittel o.l.) er hoppet over\n"
        f"{tmp_path / 'ut2' / 'skoleeier.csv'}: 3 respondenter skrevet (skoleeier)\n"
    )


def test_a_ppt_header_of_ppt_wordings_and_metadata_is_found_below_a_title(tmp_path: Path):
    """The header is recognised by every group's names and the metadata columns together: here half of its
    cells are PPT-only wordings or metadata, names no other single group knows."""
    cb = load_codebook()
    ppt_items = cb.items_for_group("ppt")
    ppt_only = ["kunnskap_skoleutvikling", "kunnskap_laeringsmiljo", "kunnskap_klasseledelse", "kunnskap_mobbing",
                "ressurs"]
    header = ["Starttid", "Sluttid", "Status", "IP-adresse", "Språk", "Varighet", "RespondentID", "Pulje",
              *(cb.item(k).text_for("ppt") if k in ppt_only else k for k in ppt_items)]
    answers = ["1", "2", "3", "4", "5", "1", "2", "3", "4", "5", "1", "2", "3"]
    row = ["a", "b", "c", "d", "e", "f", "p-1", "3", *answers]
    path = write(tmp_path / "ppt.csv", csv_bytes([["PPT-undersøkelsen 2017"], header, row]))
    notes: list[str] = []
    frame = convert_export(path, "ppt", notes=notes)
    assert importer.canonical_csv_text(frame, "ppt") == (
        "respondent_id,pulje," + ",".join(ppt_items) + "\n" + "p-1,3," + ",".join(answers) + "\n")
    assert notes == [f"{path}: overskriften står på linje 2; linje 1 (tittel o.l.) er hoppet over"]


# -- survivors of the 2026-11 run (tests/mutation/survivors.tsv) -------------------------------------------
def refusal(call, *args, **kwargs) -> str:
    """The message of the LmpInputError that `call` raises."""
    with pytest.raises(LmpInputError) as exc:
        call(*args, **kwargs)
    return message(exc)


def test_an_old_excel_file_named_csv_gets_the_save_as_advice(tmp_path: Path):
    # OLE2 compound file magic (what Excel 97–2003 writes), then padding
    path = write(tmp_path / "svar.csv", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 504)
    assert refusal(read_export, path) == (
        f"{path}: filen heter .csv, men er en gammel Excel-fil (.xls) eller et annet Office-dokument; "
        "åpne den i Excel og lagre som .xlsx eller CSV"
    )


def test_a_pdf_or_plain_zip_named_xlsx_is_named_for_what_it_is(tmp_path: Path):
    pdf = write(tmp_path / "svar.xlsx", b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n")
    assert refusal(read_export, pdf) == (
        f"{pdf}: filen heter .xlsx, men er et PDF-dokument; eksporter svarene på nytt som .xlsx eller .csv")
    archive = tmp_path / "arkiv.xlsx"
    with zipfile.ZipFile(archive, "w") as zf:
        zf.writestr("svar.csv", "RespondentID;Pulje\n")
    assert refusal(read_export, archive) == (
        f"{archive}: filen heter .xlsx, men er et zip-arkiv; eksporter svarene på nytt som .xlsx eller .csv")


def test_a_long_stray_value_is_cut_at_40_characters_in_the_message(tmp_path: Path):
    stray = "Denne merknaden ble limt inn i feil kolonne av noen"
    rows = [EXPORT_HEADER, EXPORT_ROWS[0], [*EXPORT_ROWS[1], stray]]
    path = xlsx(tmp_path / "f.xlsx", {"Svar": rows})
    assert refusal(read_export, path) == (
        f"{path}, celle P3: verdien 'Denne merknaden ble limt inn i feil kolo' står til høyre for overskriftens "
        "siste kolonne (O); tillatt: ingen verdier utenfor overskriften (er raden forskjøvet?)"
    )


def test_header_row_one_and_the_last_row_are_allowed(tmp_path: Path):
    path = write(tmp_path / "h.csv", csv_bytes([EXPORT_HEADER, *EXPORT_ROWS]))
    assert canonical(convert_export(path, GROUP, header_row=1)) == EXPECTED_CSV
    # the last line as header: nothing below it, which is said as such (not «--header-row 2 finnes ikke»)
    path = write(tmp_path / "t.csv", csv_bytes([["Undersøkelse for skoleeiere"], EXPORT_HEADER]))
    assert refusal(convert_export, path, GROUP, header_row=2) == (
        f"{path}: ingen rader med svar (bare overskrift); tillatt: minst én respondent")


def test_map_file_that_is_not_pairs_is_refused(tmp_path: Path):
    map_file = tmp_path / "kart.yml"
    for text in (f"- {ITEMS[0]}\n- {ITEMS[1]}\n", "bare tekst\n", "{}\n"):
        map_file.write_text(text, encoding="utf-8")
        assert refusal(importer.load_mapping, map_file, GROUP) == (
            f"--map {map_file}: innholdet må være «overskrift: kolonne»-par, ett per linje")


def test_map_file_ignore_words_and_entries_after_an_ignored_one(tmp_path: Path):
    map_file = tmp_path / "kart.yml"
    map_file.write_text(
        'Kommentar: ""\nIP: "  "\nStart: ignore\nSlutt: IGNORE\nKommune: Ignorer\nSvar A: ' + ITEMS[0] + "\n",
        encoding="utf-8",
    )
    assert importer.load_mapping(map_file, GROUP) == {
        "kommentar": None, "ip": None, "start": None, "slutt": None, "kommune": None, "svar a": ITEMS[0],
    }


def test_ignore_option_is_comma_separated_and_keeps_spaces_inside_a_name():
    assert importer.parse_ignore(["Start, Slutt", "IP adresse", " , Kommentar ,"]) == [
        "Start", "Slutt", "IP adresse", "Kommentar"]
    assert importer.parse_ignore(None) == []


def test_a_chosen_sheet_is_named_in_the_messages(tmp_path: Path):
    bad = [EXPORT_HEADER, [*EXPORT_ROWS[0][:3], "Litt", *EXPORT_ROWS[0][4:]]]
    two = xlsx(tmp_path / "to.xlsx", {"A": [EXPORT_HEADER, *EXPORT_ROWS], "B": bad})
    assert refusal(convert_export, two, GROUP, sheet="B") == (
        f"{two} (ark 'B'): ukjente svar – kolonne kunnskap_skoleutvikling: 'Litt' på linje 2; " + ALLOWED_ANSWERS
    )
