"""The loader (`load_survey`, `lmp validate`), `data_source`, Tabell 1 and the quotes.

Expected numbers are typed here from the report, not computed by the code under test.
"""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import pandas as pd
import pytest

from lmp_helpers.cli import main
from lmp_helpers.codebook import load_codebook
from lmp_helpers.data import data_source, load_claims, load_quotes, load_survey, load_tabell1
from lmp_helpers.errors import LmpInputError
from lmp_helpers.paths import SYNTHETIC_DIR


@pytest.fixture
def data(tmp_path: Path) -> Path:
    shutil.copytree(SYNTHETIC_DIR, tmp_path / "data")
    return tmp_path / "data"


def edit(path: Path, line: int, column: str, value: str) -> None:
    """Set one cell of a canonical CSV (line numbers as in messages: header = 1)."""
    lines = path.read_text(encoding="utf-8").splitlines()
    header = lines[0].split(",")
    cells = lines[line - 1].split(",")
    cells[header.index(column)] = value
    lines[line - 1] = ",".join(cells)
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")


# -- the shipped data ------------------------------------------------------------------------------
def test_load_survey_shapes_types_and_published_sizes():
    cb = load_codebook()
    survey = load_survey()
    assert list(survey) == ["ppt", "skoleleder", "skoleeier"]
    # report: PPT n=28 (pulje 6/15/7), skoleledere n=36, skoleeiere n=10
    assert {g: len(df) for g, df in survey.items()} == {"ppt": 28, "skoleleder": 36, "skoleeier": 10}
    assert survey["ppt"]["pulje"].value_counts().sort_index().to_dict() == {1: 6, 2: 15, 3: 7}
    for group, df in survey.items():
        assert list(df.columns) == cb.columns_for_group(group)
        assert df["pulje"].dtype == "int64"
        assert pd.api.types.is_string_dtype(df["respondent_id"])
        assert df["respondent_id"].str.fullmatch(rf"{group}-\d{{3}}").all()
        for item in cb.items_for_group(group):
            assert str(df[item].dtype) == "Int64"
            assert df[item].dropna().isin([1, 2, 3, 4, 5]).all()
    # the 2016 school surveys covered pulje 1 and 2 only
    assert set(survey["skoleleder"]["pulje"]) <= {1, 2}
    assert set(survey["skoleeier"]["pulje"]) == {1, 2}


def test_data_source_labels(tmp_path: Path, data: Path):
    src = data_source()
    assert src["kind"] == "synthetic" and "syntetiske" in src["label"] and src["path"] == str(SYNTHETIC_DIR)
    (data / "datasource.yml").unlink()
    assert data_source(data)["kind"] == "real"
    assert data_source(data)["label"] == "ekte surveydata"
    (data / "datasource.yml").write_text("kind: kanskje\n", encoding="utf-8")
    with pytest.raises(LmpInputError, match=r"datasource\.yml.*'kanskje'.*synthetic, real"):
        data_source(data)


def test_validate_cli_ok(capsys):
    assert main(["validate"]) == 0
    out = capsys.readouterr().out
    assert "ppt.csv: 28 respondenter (pulje 1: 6, pulje 2: 15, pulje 3: 7) – OK" in out
    assert "syntetiske data" in out


# -- every defect its own specific error ---------------------------------------------------------------
def _missing_file(d):
    (d / "skoleeier.csv").unlink()


def _missing_column(d):
    p = d / "ppt.csv"
    df = pd.read_csv(p, dtype=str, keep_default_na=False).drop(columns=["rolle_uklar"])
    df.to_csv(p, index=False)


def _unknown_column(d):
    p = d / "skoleleder.csv"
    df = pd.read_csv(p, dtype=str, keep_default_na=False)
    df["ressurs"] = "3"  # asked of PPT only
    df.to_csv(p, index=False)


def _duplicate_column(d):
    p = d / "skoleeier.csv"
    lines = p.read_text(encoding="utf-8").splitlines()
    p.write_text("\n".join(x + "," + x.split(",")[2] for x in lines) + "\n", encoding="utf-8")
    text = p.read_text(encoding="utf-8").splitlines()
    text[0] = text[0].rsplit(",", 1)[0] + ",kunnskap_skoleutvikling"
    p.write_text("\n".join(text) + "\n", encoding="utf-8")


CASES = {
    "missing-file": (_missing_file, [r"mangler fil", r"skoleeier\.csv", r"tillatt"]),
    "missing-column": (_missing_column, [r"ppt\.csv", r"linje 1", r"mangler kolonne\(r\) rolle_uklar", r"tillatt"]),
    "unknown-column": (_unknown_column, [r"skoleleder\.csv", r"ukjent\(e\) kolonne\(r\) 'ressurs'", r"tillatt"]),
    "duplicate-column": (_duplicate_column, [r"skoleeier\.csv", r"kunnskap_skoleutvikling", r"flere ganger"]),
    "code-out-of-range": (
        lambda d: edit(d / "ppt.csv", 5, "praksis_mobbing", "7"),
        [r"ppt\.csv", r"linje 5\b", r"kolonne praksis_mobbing", r"koden 7", r"tillatt: heltall 1–5"],
    ),
    "code-zero": (
        lambda d: edit(d / "ppt.csv", 3, "ressurs", "0"),
        [r"ppt\.csv", r"linje 3\b", r"kolonne ressurs", r"koden 0", r"1–5"],
    ),
    "text-in-item": (
        lambda d: edit(d / "skoleleder.csv", 10, "rolle_kompetanse", "tre"),
        [r"skoleleder\.csv", r"linje 10\b", r"kolonne rolle_kompetanse", r"feil type", r"'tre'", r"heltall 1–5"],
    ),
    "decimal-in-item": (
        lambda d: edit(d / "skoleleder.csv", 4, "kunnskap_mobbing", "2.5"),
        [r"linje 4\b", r"kunnskap_mobbing", r"'2\.5'", r"heltall"],
    ),
    "duplicate-id": (
        lambda d: edit(d / "ppt.csv", 9, "respondent_id", "ppt-002"),
        [r"ppt\.csv", r"linje 3, 9\b", r"respondent_id", r"'ppt-002'", r"hver id én gang"],
    ),
    "blank-id": (
        lambda d: edit(d / "skoleeier.csv", 4, "respondent_id", ""),
        [r"skoleeier\.csv", r"linje 4\b", r"respondent_id", r"tom id"],
    ),
    "pulje-4-ppt": (
        lambda d: edit(d / "ppt.csv", 2, "pulje", "4"),
        [r"ppt\.csv", r"linje 2\b", r"kolonne pulje", r"ugyldig pulje 4", r"tillatt for ppt: 1, 2, 3"],
    ),
    "pulje-3-skoleleder": (
        lambda d: edit(d / "skoleleder.csv", 7, "pulje", "3"),
        [r"skoleleder\.csv", r"linje 7\b", r"ugyldig pulje 3", r"2016 dekket bare pulje 1, 2", r"tillatt.*1, 2"],
    ),
    "pulje-blank": (
        lambda d: edit(d / "ppt.csv", 6, "pulje", ""),
        [r"ppt\.csv", r"linje 6\b", r"kolonne pulje", r"tom verdi"],
    ),
    "pulje-text": (
        lambda d: edit(d / "ppt.csv", 6, "pulje", "to"),
        [r"linje 6\b", r"kolonne pulje", r"feil type", r"'to'"],
    ),
    "empty-file": (
        lambda d: (d / "ppt.csv").write_bytes(b""),
        [r"ppt\.csv", r"filen er tom", r"tillatt"],
    ),
    "header-only": (
        lambda d: (d / "skoleeier.csv").write_text(
            (d / "skoleeier.csv").read_text(encoding="utf-8").splitlines()[0] + "\n", encoding="utf-8"
        ),
        [r"skoleeier\.csv", r"ingen rader", r"minst én respondent"],
    ),
    "not-utf8": (
        lambda d: (d / "ppt.csv").write_bytes(
            (d / "ppt.csv").read_text(encoding="utf-8").replace("ppt-001", "ppt-Bodø").encode("cp1252")
        ),
        [r"ppt\.csv", r"ikke UTF-8", r"lmp import"],
    ),
}


@pytest.mark.parametrize("case", list(CASES))
def test_each_defect_has_its_own_message(data: Path, case: str):
    defect, patterns = CASES[case]
    defect(data)
    with pytest.raises(LmpInputError) as err:
        load_survey(data)
    message = str(err.value)
    missing = [p for p in patterns if not re.search(p, message)]
    assert not missing, f"{message!r} lacks {missing}"


def test_messages_differ_between_defects(data: Path, tmp_path: Path):
    messages = set()
    for i, case in enumerate(CASES):
        d = tmp_path / f"d{i}"
        shutil.copytree(SYNTHETIC_DIR, d)
        CASES[case][0](d)
        with pytest.raises(LmpInputError) as err:
            load_survey(d)
        messages.add(str(err.value).replace(str(d), "<d>"))
    assert len(messages) == len(CASES)


def test_many_bad_lines_are_counted(data: Path):
    p = data / "skoleleder.csv"
    for line in range(2, 12):
        edit(p, line, "rolle_uklar", "9")
    with pytest.raises(LmpInputError, match=r"linje 2, 3, 4, 5, 6 \(og 5 til\)"):
        load_survey(data)


def test_missing_data_dir(tmp_path: Path):
    with pytest.raises(LmpInputError, match=r"finnes ikke"):
        load_survey(tmp_path / "nope")


def test_validate_cli_bad_data_exit_2(data: Path, capsys):
    edit(data / "ppt.csv", 2, "pulje", "4")
    assert main(["validate", str(data)]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and err[0].startswith("lmp validate: feil:") and "pulje" in err[0]


def test_blank_means_missing_and_whitespace_is_tolerated(data: Path):
    edit(data / "ppt.csv", 2, "ressurs", "")
    edit(data / "ppt.csv", 3, "ressurs", " 4")
    df = load_survey(data)["ppt"]
    assert pd.isna(df.loc[0, "ressurs"]) and df.loc[1, "ressurs"] == 4


# -- Tabell 1 ------------------------------------------------------------------------------------------
def test_tabell1_sums_match_the_report():
    t = load_tabell1()
    assert list(t["case"]) == ["I", "II", "III", "IV"]
    assert list(t["pulje"]) == [2, 2, 3, 3]
    actors = ["fylkesmann", "skoleeier", "ppt", "rektor", "laerere", "elever", "foreldre"]
    # the report's SUM row and Sum column, typed from Tabell 1
    assert t[actors].sum().tolist() == [6, 4, 8, 6, 14, 19, 5]
    assert t[actors].sum(axis=1).tolist() == [17, 17, 14, 14]
    assert int(t[actors].to_numpy().sum()) == 62


# -- quotes ----------------------------------------------------------------------------------------------
def test_quotes_structure():
    q = load_quotes()
    assert 45 <= len(q) <= 60
    assert q["id"].is_unique
    assert set(q["source"]) == {"survey", "case", "unmarked"}  # unmarked: the report gives no source
    assert set(q["case"]) <= {"", "I", "II", "III", "IV"}
    assert str(q["pulje"].dtype) == "Int64"
    assert set(q["actor"]) <= {"PPT", "PPT-leder", "PPT-rådgiver", "PPT-ansatt", "skoleeier", "fylkesmann"}
    assert (q["text"].str.len() > 0).all() and (q["where"].str.len() > 0).all()
    # survey quotes come from open fields: no case, no pulje
    survey = q[q["source"] == "survey"]
    assert (survey["case"] == "").all() and survey["pulje"].isna().all()
    # a case's pulje is Tabell 1's
    t1 = load_tabell1().set_index("case")["pulje"]
    with_case = q[q["case"] != ""]
    assert (with_case["pulje"].astype(int).to_numpy() == t1[with_case["case"]].to_numpy()).all()
    # the report's source markers and speaker labels are metadata, not part of the quoted text
    assert not q["text"].str.contains(r"\((?:survey|case [IV]+, pulje \d)\)").any()
    assert not q["text"].str.match(r"Ansatt \d:").any()
    assert not q["text"].str.startswith("«").any()


@pytest.mark.parametrize(
    "snippet,case,actor",
    [
        ("Det er kloke folk i Stavanger.", "III", "PPT"),
        ("For vi har ikke halleluja-virkemidler vi heller.", "I", "PPT-leder"),
        ("To år er ingen ting.", "I", "skoleeier"),
        ("Skal trøkket holdes oppe, må det komme ovenfra, og ikke sideveis", "IV", "PPT-leder"),
        ("Ikke mulig når hver kommune kan stille med 4-5 personer.", "", "PPT"),
        ("Det har ikkje vore kontakt, så langt som eg veit. Diverre.", "", "PPT"),
        ("Grunnen til at vi har klart det nå er at det har vært organisert av andre.", "I", "PPT-rådgiver"),
    ],
)
def test_quotes_spot_checks_typed_from_the_report(snippet, case, actor):
    q = load_quotes()
    hits = q[q["text"].str.contains(snippet, regex=False)]
    assert len(hits) == 1, snippet
    assert hits["case"].iloc[0] == case and hits["actor"].iloc[0] == actor


def test_claims_file_structure():
    c = load_claims()
    assert c["id"].is_unique
    assert set(c["kind"]) <= {"exact", "approximate", "ordering", "count", "report_consistency", "test"}
    assert set(c["basis"]) <= {"published", "words", "inferred", "report"}
    assert (c["claim"].str.len() > 10).all() and (c["where"].str.len() > 3).all()
    numeric = c[c["statistic"] != "ordering"]
    assert pd.to_numeric(numeric["expected"]).notna().all()
    assert (c.loc[c["statistic"] == "ordering", "spec"].str.len() > 0).all()


def test_loaded_frames_satisfy_the_pandera_contract():
    from lmp_helpers.data import survey_schema

    for group, df in load_survey().items():
        survey_schema(group).validate(df, lazy=True)


def test_pandera_contract_rejects_what_the_loader_rejects():
    import pandera.errors

    from lmp_helpers.data import survey_schema

    df = load_survey()["skoleleder"].copy()
    df.loc[0, "pulje"] = 3
    with pytest.raises(pandera.errors.SchemaError):
        survey_schema("skoleleder").validate(df)
