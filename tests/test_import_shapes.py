"""Exports shaped like the common survey tools' (title rows, numbered question-text headers, metadata columns,
an info sheet first, hidden sheets, data from column B, tabs, decomposed letters, odd case and spacing)
import with the documented options, checked value by value against the canonical CSV; and files that are
not what they claim are diagnosed before any decoding, with one line, exit 2 and nothing written.
"""

from __future__ import annotations

import gzip
import hashlib
import re
import unicodedata
from pathlib import Path

import pandas as pd
import pytest

from lmp_helpers import cli
from lmp_helpers.codebook import load_codebook
from lmp_helpers.data import load_survey
from lmp_helpers.errors import LmpInputError
from lmp_helpers.importer import convert_export, import_export, load_mapping, parse_ignore


def answers(group: str, style: int = 0) -> pd.DataFrame:
    """The canonical data with labels instead of codes, in a tool's case and spacing, «Vet ikke» for blank."""
    cb = load_codebook()
    df = load_survey()[group]
    out = pd.DataFrame(index=df.index)
    for item in cb.items_for_group(group):
        def fmt(v):
            if pd.isna(v):
                return ["Vet ikke", "", "VET IKKE"][style % 3]
            label = cb.scale[int(v)]
            return [label, label.upper(), "  " + label.lower().replace(" ", "  ") + " "][style % 3]

        out[item] = df[item].map(fmt)
    return out


def same_as_canonical(frame: pd.DataFrame, group: str) -> None:
    pd.testing.assert_frame_equal(frame, load_survey()[group])


# -- exports that must import -------------------------------------------------------------------------------
def test_nettskjema_like_csv_title_rows_numbered_texts_metadata(tmp_path: Path):
    cb = load_codebook()
    group = "ppt"
    df = load_survey()[group]
    body = answers(group, style=1)
    header = ["Starttid", "Svar-ID", "Pulje"] + [
        f"{i}. {cb.item(item).text_for(group)}" for i, item in enumerate(cb.items_for_group(group), start=1)
    ] + ["Status", "IP-adresse"]
    rows = [["Læringsmiljøprosjektet – PPT-undersøkelsen 2017"], ["Eksportert 01.09.2017"], [], header]
    for i in range(len(df)):
        rows.append(["01.09.2017 10:00", df["respondent_id"][i], f"Pulje {df['pulje'][i]}",
                     *body.iloc[i].tolist(), "Fullført", "10.0.0.1"])
    path = tmp_path / "nettskjema.csv"
    path.write_bytes("".join(";".join(r) + "\r\n" for r in rows).encode("cp1252"))
    notes: list[str] = []
    same_as_canonical(convert_export(path, group, notes=notes), group)
    assert any("overskriften står på linje 4" in n for n in notes), notes
    # the same with the header row given
    same_as_canonical(convert_export(path, group, header_row=4), group)


def _xlsx(path: Path, sheets: list[tuple[str, list[list], str]], start_col: int = 1) -> Path:
    from openpyxl import Workbook

    wb = Workbook()
    wb.remove(wb.active)
    for name, rows, state in sheets:
        ws = wb.create_sheet(name)
        ws.sheet_state = state
        for r, row in enumerate(rows, start=1):
            for c, v in enumerate(row, start=start_col):
                if v not in (None, ""):
                    ws.cell(row=r, column=c, value=v)
    wb.save(path)
    return path


def _questback_rows(group: str) -> list[list]:
    cb = load_codebook()
    df = load_survey()[group]
    items = cb.items_for_group(group)
    header = ["ResponseId", "StartDate", "EndDate", "Progress", "Pulje"] + [
        f"Q{list(cb.items).index(item) + 1}" for item in items
    ]
    rows = [header]
    for i in range(len(df)):
        codes = [None if pd.isna(df[item][i]) else int(df[item][i]) for item in items]
        rows.append([df["respondent_id"][i], "2016-05-01", "2016-05-01", 100, int(df["pulje"][i]), *codes])
    return rows


def test_questback_like_xlsx_info_sheet_first_hidden_sheet_column_b(tmp_path: Path):
    group = "skoleleder"
    info = [["Om undersøkelsen"], ["Skoleledere, pulje 1 og 2, mai 2016"]]
    path = _xlsx(tmp_path / "qb.xlsx", [("Info", info, "visible"), ("Gammel", _questback_rows("ppt"), "hidden"),
                                         ("Svar", _questback_rows(group), "visible")], start_col=2)
    notes: list[str] = []
    same_as_canonical(convert_export(path, group, notes=notes), group)
    assert any("bruker arket 'Svar'" in n for n in notes), notes


def test_two_data_sheets_need_sheet_option(tmp_path: Path):
    rows = _questback_rows("skoleeier")
    path = _xlsx(tmp_path / "to.xlsx", [("Runde 1", rows, "visible"), ("Runde 2", rows, "visible")])
    two = r"flere ark ser ut som svardata \('Runde 1', 'Runde 2'\); velg ett med --sheet"
    with pytest.raises(LmpInputError, match=two):
        convert_export(path, "skoleeier")
    same_as_canonical(convert_export(path, "skoleeier", sheet="Runde 2"), "skoleeier")
    with pytest.raises(LmpInputError, match=r"arket 'Runde 3' finnes ikke; tillatt: 'Runde 1', 'Runde 2'"):
        convert_export(path, "skoleeier", sheet="Runde 3")


def test_tab_separated_bom_decomposed_letters_and_labels_with_odd_spacing(tmp_path: Path):
    cb = load_codebook()
    group = "skoleeier"
    df = load_survey()[group]
    body = answers(group, style=2)
    header = ["respondent id", "PULJE"] + [cb.item(i).text_for(group) for i in cb.items_for_group(group)]
    rows = [header] + [[df["respondent_id"][i], str(df["pulje"][i]), *body.iloc[i].tolist()] for i in range(len(df))]
    text = "".join("\t".join(r) + "\n" for r in rows)
    text = unicodedata.normalize("NFD", text)  # «ø» stays, but «å» becomes a + ring (macOS style)
    assert "a\u030a" in text
    path = tmp_path / "mac.csv"
    path.write_bytes(b"\xef\xbb\xbf" + text.encode("utf-8"))
    same_as_canonical(convert_export(path, group), group)


def test_map_file_and_ignore_option(tmp_path: Path):
    cb = load_codebook()
    group = "skoleeier"
    df = load_survey()[group]
    body = answers(group)
    own = {item: f"Vår variabel {n}" for n, item in enumerate(cb.items_for_group(group), start=1)}
    header = ["Løpenr", "Kommune", "Puljenummer", *own.values(), "Avdeling"]
    rows = [header] + [[df["respondent_id"][i], "Bodø", str(df["pulje"][i]), *body.iloc[i].tolist(), "Skole"]
                       for i in range(len(df))]
    path = tmp_path / "egen.csv"
    path.write_text("".join(";".join(r) + "\n" for r in rows), encoding="utf-8")
    mapfile = tmp_path / "kart.yml"
    mapfile.write_text("Løpenr: respondent_id\nKommune:\n" + "".join(f"{v}: {k}\n" for k, v in own.items()),
                       encoding="utf-8")
    with pytest.raises(LmpInputError, match=r"ukjente kolonner 'Avdeling'.*--ignore"):
        convert_export(path, group, mapping=load_mapping(mapfile, group))
    frame = convert_export(path, group, mapping=load_mapping(mapfile, group), ignore=parse_ignore(["Avdeling"]))
    same_as_canonical(frame, group)
    target = import_export(path, group, tmp_path / "ekte", mapping_file=mapfile, ignore=["avdeling"])
    assert target.read_bytes() == (Path(load_codebook().source).parent / "synthetic" / "skoleeier.csv").read_bytes()


def test_map_file_errors(tmp_path: Path):
    bad = tmp_path / "kart.yml"
    bad.write_text("Spm 1: kunnskap_ukjent\n", encoding="utf-8")
    with pytest.raises(LmpInputError, match=r"'Spm 1' peker på 'kunnskap_ukjent'.*tillatt: respondent_id"):
        load_mapping(bad, "ppt")
    bad.write_text("- a\n- b\n", encoding="utf-8")
    with pytest.raises(LmpInputError, match=r"«overskrift: kolonne»"):
        load_mapping(bad, "ppt")


# -- files that are not what they say: one line, exit 2, nothing written ------------------------------------
def _png(p: Path):
    p.write_bytes(b"\x89PNG\r\n\x1a\n" + b"\x00" * 40)


def _pdf(p: Path):
    p.write_bytes(b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n")


def _gzip(p: Path):
    p.write_bytes(gzip.compress(b"respondent_id;pulje\n"))


def _xlsx_named_csv(p: Path):
    _xlsx(p.with_suffix(".tmp.xlsx"), [("Ark1", _questback_rows("ppt"), "visible")]).rename(p)


def _xls_named_csv(p: Path):
    p.write_bytes(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 100)


def _zip_named_csv(p: Path):
    import zipfile

    with zipfile.ZipFile(p, "w") as zf:
        zf.writestr("svar.csv", "respondent_id;pulje\n")


def _csv_named_xlsx(p: Path):
    p.write_text("respondent_id;pulje\nppt-1;1\n", encoding="utf-8")


def _mixed_encoding(p: Path):
    lines = ["respondent_id;pulje;Kommentar", "ppt-1;1;Trondheim", "ppt-2;1;Bodø", "ppt-3;2;Tromsø"]
    data = "\n".join(lines).encode("utf-8").replace("Tromsø".encode(), b"Troms\xf8")  # one cp1252 ø, line 4
    p.write_bytes(data)


def _stray_nul(p: Path):
    p.write_bytes(b"respondent_id;pulje\nppt-1;1\nppt-2;\x002\n")


def _title_only(p: Path):
    p.write_text("Læringsmiljøprosjektet\nEksportert 2017\n", encoding="utf-8")


FILE_CASES = [
    ("png", "svar.csv", _png, [r"svar\.csv: filen heter \.csv, men er et PNG-bilde"]),
    ("pdf", "svar.csv", _pdf, [r"men er et PDF-dokument"]),
    ("gzip", "svar.csv", _gzip, [r"men er et gzip-komprimert arkiv"]),
    ("xlsx-named-csv", "svar.csv", _xlsx_named_csv, [r"men er en Excel-fil \(\.xlsx\); gi den endelsen \.xlsx"]),
    ("xls-named-csv", "svar.csv", _xls_named_csv, [r"gammel Excel-fil \(\.xls\)", r"lagre som \.xlsx"]),
    ("zip-named-csv", "svar.csv", _zip_named_csv, [r"men er et zip-arkiv"]),
    ("csv-named-xlsx", "svar.xlsx", _csv_named_xlsx, [r"filen heter \.xlsx, men er en tekstfil", r"\.csv"]),
    ("mixed-encoding", "svar.csv", _mixed_encoding, [r"linje 4: byten 0xF8 er ikke UTF-8", r"blandet tegnkoding"]),
    ("stray-nul", "svar.csv", _stray_nul, [r"linje 3: en NUL-byte"]),
    ("title-rows-only", "svar.csv", _title_only, [r"ukjente kolonner 'Læringsmiljøprosjektet'"]),
]


@pytest.mark.parametrize("case", FILE_CASES, ids=lambda c: c[0])
def test_wrong_file_is_diagnosed(tmp_path: Path, capsys, monkeypatch, case):
    _id, name, make, expect = case
    make(tmp_path / name)
    monkeypatch.chdir(tmp_path)
    before = {str(p): hashlib.sha256(p.read_bytes()).hexdigest() for p in tmp_path.rglob("*")}
    code = cli.main(["import", name, "--group", "ppt", "--out", "ut"])
    err = capsys.readouterr().err
    lines = err.strip().splitlines()
    assert code == 2 and len(lines) == 1 and "Traceback" not in err, err
    missing = [rx for rx in expect if not re.search(rx, lines[0])]
    assert not missing, f"{lines[0]!r} lacks {missing}"
    assert {str(p): hashlib.sha256(p.read_bytes()).hexdigest() for p in tmp_path.rglob("*")} == before


def test_import_prints_what_it_found(tmp_path: Path, capsys, monkeypatch):
    group = "skoleleder"
    path = _xlsx(tmp_path / "qb.xlsx", [("Info", [["Om undersøkelsen"]], "visible"),
                                         ("Svar", _questback_rows(group), "visible")])
    monkeypatch.chdir(tmp_path)
    assert cli.main(["import", "qb.xlsx", "--group", group, "--out", "ut"]) == 0
    out = capsys.readouterr().out
    assert "merk:" in out and "bruker arket 'Svar'" in out and "respondenter skrevet" in out
    assert path.is_file() and (tmp_path / "ut" / "skoleleder.csv").is_file()


def test_import_removes_the_temp_file_of_a_killed_import(tmp_path: Path):
    out = tmp_path / "ekte"
    out.mkdir()
    (out / ".ppt.csv.abc123.tmp").write_text("halv fil", encoding="utf-8")
    path = tmp_path / "e.csv"
    path.write_bytes((load_codebook().source.parent / "synthetic" / "ppt.csv").read_bytes())
    import_export(path, "ppt", out)
    assert sorted(p.name for p in out.iterdir()) == ["ppt.csv"]
