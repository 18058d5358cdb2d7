"""`lmp import`: round trips through realistic exports, and each bad input its own error, nothing written."""

from __future__ import annotations

import hashlib
import shutil
import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest

from lmp_helpers.codebook import load_codebook
from lmp_helpers.data import load_survey, read_group
from lmp_helpers.errors import LmpInputError
from lmp_helpers.importer import convert_export, import_export
from lmp_helpers.paths import SYNTHETIC_DIR

GROUPS = ["ppt", "skoleleder", "skoleeier"]
LMP = Path(sys.executable).with_name("lmp")


def excel_style_export(group: str, *, headers: str = "text", answers: str = "label") -> pd.DataFrame:
    """The canonical data as a survey tool would export it: question texts as headers, answer labels in odd
    case with stray whitespace, «Vet ikke» for missing, «Pulje 2» style pulje, «RespondentID»."""
    cb = load_codebook()
    df = load_survey()[group]
    out = pd.DataFrame({"RespondentID": df["respondent_id"], " Pulje ": "Pulje " + df["pulje"].astype(str)})
    for i, item in enumerate(cb.items_for_group(group)):
        header = cb.item(item).text_for(group) if headers == "text" else item.upper()

        def fmt(v, i=i):
            if pd.isna(v):
                return ["Vet ikke", "", "  vet IKKE "][i % 3]
            if answers == "code":
                return str(int(v))
            label = cb.scale[int(v)]
            return [label.upper(), f"  {label.lower()} ", label.replace(" ", "  ")][i % 3]

        out[header] = df[item].map(fmt)
    return out


def snapshot(root: Path) -> dict[str, str]:
    return {
        str(p.relative_to(root)): "<dir>" if p.is_dir() else hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted(root.rglob("*"))
    }


# -- round trips ---------------------------------------------------------------------------------------
@pytest.mark.parametrize("group", GROUPS)
def test_roundtrip_norwegian_excel_csv(tmp_path: Path, group: str):
    export = tmp_path / "eksport.csv"
    excel_style_export(group).to_csv(export, sep=";", encoding="cp1252", index=False)
    assert b"\xf8" in export.read_bytes() or b"\xe6" in export.read_bytes()  # really cp1252 (ø/æ)
    target = import_export(export, group, tmp_path / "ekte")
    pd.testing.assert_frame_equal(read_group(target, group), load_survey()[group])
    # and the canonical file is byte-identical to the shipped one
    assert target.read_bytes() == (SYNTHETIC_DIR / f"{group}.csv").read_bytes()


@pytest.mark.parametrize("group", GROUPS)
def test_roundtrip_xlsx(tmp_path: Path, group: str):
    export = tmp_path / "eksport.xlsx"
    excel_style_export(group).to_excel(export, index=False, engine="openpyxl")
    target = import_export(export, group, tmp_path / "ekte")
    pd.testing.assert_frame_equal(read_group(target, group), load_survey()[group])


def test_xlsx_with_numeric_codes(tmp_path: Path):
    df = excel_style_export("skoleeier", headers="id", answers="code")
    for col in df.columns[2:]:  # real numbers in the cells, as Excel stores them
        df[col] = pd.to_numeric(df[col].replace({"Vet ikke": None, "": None, "  vet IKKE ": None}))
    export = tmp_path / "koder.xlsx"
    df.to_excel(export, index=False, engine="openpyxl")
    pd.testing.assert_frame_equal(convert_export(export, "skoleeier"), load_survey()["skoleeier"])


@pytest.mark.parametrize("encoding", ["utf-8", "utf-8-sig"])
def test_utf8_comma_codes_and_item_ids(tmp_path: Path, encoding: str):
    export = tmp_path / "eksport.csv"
    excel_style_export("ppt", headers="id", answers="code").to_csv(export, sep=",", encoding=encoding, index=False)
    pd.testing.assert_frame_equal(convert_export(export, "ppt"), load_survey()["ppt"])


def test_group_specific_question_text_is_matched(tmp_path: Path):
    cb = load_codebook()
    df = excel_style_export("skoleleder")
    assert cb.item("kunnskap_mobbing").text_for("skoleleder") in df.columns  # «du og dine ansatte»
    export = tmp_path / "e.csv"
    df.to_csv(export, sep=";", index=False, encoding="cp1252")
    assert convert_export(export, "skoleleder").equals(load_survey()["skoleleder"])


def test_cli_import_and_validate(tmp_path: Path):
    export = tmp_path / "e.csv"
    excel_style_export("ppt").to_csv(export, sep=";", encoding="cp1252", index=False)
    proc = subprocess.run([str(LMP), "import", str(export), "--group", "ppt", "--out", str(tmp_path / "ekte")],
                          capture_output=True, text=True)
    assert proc.returncode == 0, proc.stderr
    assert "28 respondenter" in proc.stdout
    assert (tmp_path / "ekte" / "ppt.csv").is_file()
    assert not (tmp_path / "ekte" / "datasource.yml").exists()  # imported data counts as real


# -- bad inputs: a specific error each, and the output directory untouched ------------------------------
def _export(tmp: Path, df: pd.DataFrame, name="e.csv", **kw) -> Path:
    path = tmp / name
    df.to_csv(path, sep=";", encoding="cp1252", index=False, **kw)
    return path


def _unknown_column(tmp):
    df = excel_style_export("ppt")
    df["Kommunenummer"] = "5001"
    df["Rolle uklar (PPT)"] = "3"
    # each unknown column is listed with the closest question, and the ways out are named
    listed = r"ukjente kolonner 'Kommunenummer', 'Rolle uklar \(PPT\)' \(nærmest: rolle_uklar\)"
    return _export(tmp, df), "ppt", [listed, r"tillatt for ppt", r"--ignore", r"--map"]


def _missing_column(tmp):
    cb = load_codebook()
    df = excel_style_export("skoleeier").drop(columns=[cb.item("rolle_uklar").text])
    return _export(tmp, df), "skoleeier", [r"mangler kolonne\(r\) rolle_uklar"]


def _duplicate_column(tmp):
    df = excel_style_export("skoleeier")
    df["ROLLE_UKLAR"] = "3"
    return _export(tmp, df), "skoleeier", [r"flere kolonner betyr det samme", r"rolle_uklar", r"ROLLE_UKLAR"]


def _unknown_label(tmp):
    cb = load_codebook()
    df = excel_style_export("ppt")
    col = cb.item("ressurs").text
    df.loc[3, col] = "Delvis enig"
    df.loc[7, col] = "7"
    return _export(tmp, df), "ppt", [r"ukjente svar", r"kolonne ressurs", r"'7', 'Delvis enig'", r"linje 5, 9\b",
                                     r"I svært liten grad", r"Vet ikke"]


def _invalid_pulje(tmp):
    df = excel_style_export("skoleeier")
    df.loc[2, " Pulje "] = "Pulje 3"
    return _export(tmp, df), "skoleeier", [r"linje 4\b", r"ugyldig pulje 3", r"tillatt for skoleeier: 1, 2"]


def _duplicate_id(tmp):
    df = excel_style_export("skoleleder")
    df.loc[5, "RespondentID"] = df.loc[1, "RespondentID"]
    return _export(tmp, df), "skoleleder", [r"linje 3, 7\b", r"respondent_id", r"flere ganger"]


def _empty_file(tmp):
    path = tmp / "tom.csv"
    path.write_bytes(b"")
    return path, "ppt", [r"tom\.csv", r"filen er tom"]


def _header_only(tmp):
    path = tmp / "h.csv"
    df = excel_style_export("ppt").iloc[:0]
    df.to_csv(path, sep=";", encoding="cp1252", index=False)
    return path, "ppt", [r"ingen rader"]


def _wrong_extension(tmp):
    path = tmp / "eksport.xls"
    path.write_bytes(b"\xd0\xcf\x11\xe0")
    return path, "ppt", [r"filtypen \.xls støttes ikke", r"\.xlsx, \.csv"]


def _undecodable(tmp):
    path = tmp / "rart.csv"
    path.write_bytes(b"respondent_id;pulje\n\x81\x8d\x90;1\n")  # bytes neither UTF-8 nor cp1252
    return path, "ppt", [r"ukjent tegnkoding", r"cp1252"]


def _ragged(tmp):
    path = _export(tmp, excel_style_export("skoleeier"))
    lines = path.read_bytes().split(b"\r\n" if b"\r\n" in path.read_bytes() else b"\n")
    lines[4] = lines[4] + b";ekstra"
    path.write_bytes(b"\n".join(lines))
    return path, "skoleeier", [r"linje 5\b", r"felt", r"skilletegn semikolon"]


def _missing_file(tmp):
    return tmp / "finnes-ikke.csv", "ppt", [r"fant ikke filen"]


def _unknown_group(tmp):
    return _export(tmp, excel_style_export("ppt")), "rektor", [r"ukjent gruppe 'rektor'", r"ppt, skoleleder, skoleeier"]


BAD = {f.__name__.strip("_"): f for f in [
    _unknown_column, _missing_column, _duplicate_column, _unknown_label, _invalid_pulje, _duplicate_id,
    _empty_file, _header_only, _wrong_extension, _undecodable, _ragged, _missing_file, _unknown_group,
]}


@pytest.mark.parametrize("case", list(BAD))
def test_bad_export_is_refused_and_nothing_written(tmp_path: Path, case: str):
    import re

    inputs = tmp_path / "inn"
    inputs.mkdir()
    path, group, patterns = BAD[case](inputs)
    out = tmp_path / "ut"
    out.mkdir()
    (out / "annet.csv").write_text("skal stå urørt\n", encoding="utf-8")
    before = snapshot(tmp_path)
    with pytest.raises(LmpInputError) as err:
        import_export(path, group, out)
    message = str(err.value)
    missing = [p for p in patterns if not re.search(p, message)]
    assert not missing, f"{message!r} lacks {missing}"
    assert snapshot(tmp_path) == before


def test_bad_export_into_missing_dir_creates_nothing(tmp_path: Path):
    path, group, _ = _unknown_label(tmp_path)
    with pytest.raises(LmpInputError):
        import_export(path, group, tmp_path / "ny")
    assert not (tmp_path / "ny").exists()


def test_never_overwrites_an_existing_file(tmp_path: Path):
    export = _export(tmp_path, excel_style_export("ppt"))
    out = tmp_path / "ekte"
    out.mkdir()
    (out / "ppt.csv").write_text("gammel fil\n", encoding="utf-8")
    with pytest.raises(LmpInputError, match=r"ppt\.csv finnes allerede.*skriver aldri over"):
        import_export(export, "ppt", out)
    assert (out / "ppt.csv").read_text(encoding="utf-8") == "gammel fil\n"
    assert sorted(p.name for p in out.iterdir()) == ["ppt.csv"]  # no temp file left behind


def test_refuses_to_mix_real_data_into_a_synthetic_dir(tmp_path: Path):
    syn = tmp_path / "syn"
    shutil.copytree(SYNTHETIC_DIR, syn)
    (syn / "ppt.csv").unlink()
    export = _export(tmp_path, excel_style_export("ppt"))
    with pytest.raises(LmpInputError, match=r"syntetisk datamappe"):
        import_export(export, "ppt", syn)
    assert not (syn / "ppt.csv").exists()


def test_cli_bad_input_one_line_exit_2(tmp_path: Path):
    path, group, _ = _unknown_column(tmp_path)
    proc = subprocess.run([str(LMP), "import", str(path), "--group", group, "--out", str(tmp_path / "ut")],
                          capture_output=True, text=True)
    assert proc.returncode == 2
    lines = proc.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("lmp import: feil:") and "Kommunenummer" in lines[0]
    assert not (tmp_path / "ut").exists()
