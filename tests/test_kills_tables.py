"""Kill tests for tables.py and the number formatting in scope (statements, render, book.number_word).

Fast and in process (mutation testing runs them per mutant). Expected values are written out by hand.
"""

from __future__ import annotations

import math

import pandas as pd
import pytest
import test_kills_stats
from test_kills_stats import frame

from lmp_helpers import book, render, statements, suppression, tables
from lmp_helpers.codebook import load_codebook
from lmp_helpers.errors import LmpInputError

NBSP = "\u00a0"


@pytest.mark.parametrize(
    ("n", "word"),
    [(0, "null"), (1, "én"), (2, "to"), (3, "tre"), (4, "fire"), (5, "fem"), (6, "seks"), (7, "sju"),
     (8, "åtte"), (9, "ni"), (10, "ti"), (11, "elleve"), (12, "tolv")],
)
def test_number_word_small_counts_are_norwegian_words(n, word):
    assert book.number_word(n) == word


def test_number_word_from_13_and_below_0_as_digits():
    assert book.number_word(13) == "13"
    assert book.number_word(-1) == "-1"
    assert book.number_word(1234) == f"1{NBSP}234"


# -- number formatting (statements, render) ---------------------------------------------------------
def test_fmt_number_decimal_comma_thousands_no_break_space_and_dash():
    assert statements.fmt_number(34.56, 1) == "34,6"
    assert statements.fmt_number(1234567) == f"1{NBSP}234{NBSP}567"
    assert statements.fmt_number(2.5) == "2"  # Python's format: half to even at 0 decimals
    assert statements.fmt_number(None) == "–" and statements.fmt_number(float("nan")) == "–"
    assert statements.fmt_number("abc") == "abc"


def test_fmt_p_three_decimals_and_the_small_p_floor():
    assert statements.fmt_p(0.0456) == "0,046"
    assert statements.fmt_p(0.001) == "0,001"
    assert statements.fmt_p(0.000999) == "< 0,001"
    assert statements.fmt_p(None) == "–" and statements.fmt_p(float("nan")) == "–"


@pytest.mark.parametrize(("k", "n", "pct"), [(1, 8, 12.5), (1, 16, 6.3), (5, 9, 55.6), (9, 26, 34.6), (0, 3, 0.0),
                                             (3, 3, 100.0), (1, 3, 33.3), (2, 3, 66.7)])
def test_share_pct_rounds_half_away_from_zero_in_integers(k, n, pct):
    # 1/16 = 6.25 % -> 6.3 (a float round would give 6.2); written out by hand
    assert statements.share_pct(k, n) == pct


def test_share_pct_of_nothing_is_nan():
    assert math.isnan(statements.share_pct(0, 0)) and math.isnan(statements.share_pct(1, -1))


def test_render_fmt_pct_and_fmt_any():
    assert render.fmt_pct(34.56) == "34,6" and render.fmt_pct(34.56, 0) == "35"
    assert render.fmt_any(True) == "ja" and render.fmt_any(False) == "nei"
    assert render.fmt_any(12) == "12" and render.fmt_any(12.25) == "12,2" and render.fmt_any(3.0) == "3"
    assert render.fmt_any("1234") == f"1{NBSP}234" and render.fmt_any("2.5") == "2,5"
    assert render.fmt_any(None) == "" and render.fmt_any(float("nan")) == "–" and render.fmt_any(pd.NA) == ""
    assert render.fmt_any("nan") == "–" and render.fmt_any("tekst") == "tekst"


def test_tables_format_pct_and_format_n():
    assert tables.format_pct(34.56) == "34,6" and tables.format_pct(-2.04) == "−2,0"
    assert tables.format_pct(12, 0) == "12"
    assert tables.format_pct(None) == tables.format_pct(float("nan")) == tables.format_pct(pd.NA) == ":"
    assert tables.format_n(7) == "7" and tables.format_n(7.0) == "7"
    assert tables.format_n(None) == tables.format_n(pd.NA) == tables.format_n(float("nan")) == ":"


# -- distribution_table --------------------------------------------------------------------------------
small_data_dir = test_kills_stats.small_data_dir  # the same fixture: synthetic data, 4 PPT respondents fewer
ITEM = "rolle_uklar"
LABELS = ["I svært liten grad", "I liten grad", "Verken eller", "I stor grad", "I svært stor grad"]
DIST_COLUMNS = ["item", "group", "pulje", "n", "category", "label", "count", "share_pct", "suppressed"]


def small_survey():
    """PPT: pulje 1 six answers, pulje 2 four (below min_n 5), pulje 3 five; skoleleder: eight in pulje 1."""
    ppt = frame("ppt", [1] * 6 + [2] * 4 + [3] * 5, {ITEM: [1, 2, 4, 4, 5, 5, 3, 3, 1, 4, 2, 2, 2, 5, None]})
    sl = frame("skoleleder", [1] * 8, {ITEM: [5, 5, 5, 4, 1, 2, 3, None]})
    return {"ppt": ppt, "skoleleder": sl, "skoleeier": frame("skoleeier", [], {})}


def test_distribution_table_counts_shares_and_labels_for_a_pulje():
    t = tables.distribution_table(ITEM, pulje=1, survey=small_survey(), groups=["ppt", "skoleleder"])
    assert list(t.columns) == DIST_COLUMNS and list(t.index) == list(range(10))
    assert t["group"].tolist() == ["ppt"] * 5 + ["skoleleder"] * 5
    assert t["category"].tolist() == [1, 2, 3, 4, 5] * 2 and t["label"].tolist() == LABELS * 2
    assert (t["item"] == ITEM).all() and (t["pulje"] == "1").all() and not t["suppressed"].any()
    assert t["n"].tolist() == [6] * 5 + [7] * 5
    assert t["count"].tolist() == [1, 1, 0, 2, 2, 1, 1, 1, 1, 3]
    # 1/6 = 16.67, 2/6 = 33.33, 1/7 = 14.29, 3/7 = 42.86 (by hand)
    assert t["share_pct"].tolist() == [16.7, 16.7, 0.0, 33.3, 33.3, 14.3, 14.3, 14.3, 14.3, 42.9]
    assert t.attrs["notes"] == [] and t.attrs["min_n"] == 5


def test_distribution_table_hides_a_group_below_min_n_and_its_complement():
    # pulje 2 has 4 answers (< 5): hidden; puljer 1 (6) and 3 (4 answered) – the smallest shown one hides too
    t = tables.distribution_table(ITEM, pulje=2, survey=small_survey(), groups=["ppt"])
    assert t["suppressed"].all() and t["count"].isna().all() and t["share_pct"].isna().all()
    assert t["n"].isna().all()
    assert t.attrs["notes"] == [suppression.footnote(5)]
    shown = tables.distribution_table(ITEM, pulje=2, survey=small_survey(), groups=["ppt"], min_n=4)
    assert not shown["suppressed"].any() and shown["n"].tolist() == [4] * 5
    assert shown["count"].tolist() == [1, 0, 2, 1, 0] and shown.attrs["min_n"] == 4


def test_distribution_table_min_n_reaches_the_footnote():
    t = tables.distribution_table(ITEM, pulje=1, survey=small_survey(), groups=["ppt"], min_n=7)
    assert t["suppressed"].all()
    assert t.attrs["notes"] == [suppression.footnote(7)] and "færre enn 7 svar" in t.attrs["notes"][0]


def test_distribution_table_an_empty_group_keeps_n_zero_and_a_group_not_asked_is_noted():
    t = tables.distribution_table(ITEM, pulje=3, survey=small_survey())
    assert t["group"].tolist() == ["ppt"] * 5 and t["suppressed"].all()
    notes = t.attrs["notes"]
    assert notes[0].startswith("Skoleledere og skoleeiere ble ikke spurt i pulje 3")
    assert notes[1:] == [suppression.footnote(5)]
    dflt = tables.distribution_table(ITEM, survey=small_survey(), groups=["skoleeier"])
    assert dflt["pulje"].eq("alle").all() and dflt["n"].tolist() == [0] * 5 and dflt["suppressed"].all()
    assert dflt["share_pct"].isna().all() and dflt["count"].isna().all()  # hidden: no counts, n stays 0


def test_distribution_table_refuses_a_group_not_asked_naming_both_lists():
    with pytest.raises(LmpInputError) as err:
        tables.distribution_table("ressurs", survey=small_survey(), groups=["ppt", "skoleleder", "skoleeier"])
    assert str(err.value) == "spørsmålet 'ressurs' ble ikke stilt til skoleleder, skoleeier; tillatt: ppt"


def test_distribution_table_refuses_groups_picked_twice_naming_each_once():
    groups = ["skoleeier", "ppt", "skoleleder", "ppt", "skoleeier", "ppt"]
    with pytest.raises(LmpInputError) as err:
        tables.distribution_table(ITEM, survey=small_survey(), groups=groups)
    assert str(err.value) == f"spørsmålet {ITEM!r}: gruppen ppt, skoleeier er valgt mer enn én gang"


# -- Tabell 1 ------------------------------------------------------------------------------------------
# data/tabell1.csv, written out: case -> (pulje, fylkesmann, skoleeier, ppt, rektor, lærere, elever, foreldre)
TABELL1 = {
    "I": (2, 1, 1, 3, 1, 4, 6, 1),
    "II": (2, 1, 1, 2, 1, 4, 6, 2),
    "III": (3, 1, 1, 2, 3, 4, 2, 1),
    "IV": (3, 3, 1, 1, 1, 2, 5, 1),
}
ACTORS = ["fylkesmann", "skoleeier", "ppt", "rektor", "laerere", "elever", "foreldre"]


@pytest.mark.parametrize("pulje", ["alle", 3])
def test_tabell1_export_rows_case_major_with_counts(pulje):
    t = tables.figure_table("tabell1", pulje=pulje, min_n=9)
    cases = [c for c, v in TABELL1.items() if pulje == "alle" or v[0] == pulje]
    assert list(t.columns) == tables.EXPORT_COLUMNS
    assert t["group"].tolist() == [c for c in cases for _ in ACTORS]
    assert t["item"].tolist() == ACTORS * len(cases)
    assert t["n"].tolist() == [x for c in cases for x in TABELL1[c][1:]]
    assert str(t["n"].dtype) == "Int64" and (t["figure"] == "tabell1").all() and (t["pulje"] == str(pulje)).all()
    assert not t["suppressed"].any() and t["share_pct"].isna().all() and t["ci_low_pct"].isna().all()
    assert t.attrs["notes"] == [] and t.attrs["min_n"] == 9


def test_tabell1_export_for_a_pulje_without_cases_says_so():
    t = tables.figure_table("tabell1", pulje=1)
    assert t.empty and list(t.columns) == tables.EXPORT_COLUMNS
    assert t.attrs["notes"] == ["Ingen casekommuner i pulje 1: casestudien omfattet pulje 2 og 3."]


def test_tabell1_frame_as_printed_with_sums():
    body = tables.tabell1_frame()
    assert list(body.columns) == ["Fylkesmann", "Skoleeier", "PPT", "Rektor", "Lærere", "Elever", "Foreldre", "Sum"]
    assert list(body.index) == ["Case I - pulje 2", "Case II - pulje 2", "Case III - pulje 3", "Case IV - pulje 3",
                                "SUM"]
    assert body.columns.name == "Casekommuner"
    assert body.loc["Case I - pulje 2"].tolist() == [1, 1, 3, 1, 4, 6, 1, 17]
    assert body.loc["SUM"].tolist() == [6, 4, 8, 6, 14, 19, 5, 62]  # the report's 62 interviews
    assert (body.dtypes == "int64").all()  # whole interviews: shown «62», never «62.0»
    two = tables.tabell1_frame(2)
    assert list(two.index) == ["Case I - pulje 2", "Case II - pulje 2", "SUM"] and two.loc["SUM", "Sum"] == 34


# -- display_table ----------------------------------------------------------------------------------------
def test_display_table_grouped_bars_labels_commas_and_colon():
    survey = small_survey()
    t = tables.display_table("fig4_1", pulje=2, survey=survey)
    assert list(t.columns) == ["Område/påstand", "Gruppe", "n", "Andel i stor/svært stor grad (%)", "95 % KI (Wilson)"]
    first = t.iloc[0]
    assert first["Område/påstand"] == load_codebook().item("rolle_uklar").label
    assert first["Gruppe"] == "PPT" and first["n"] == ":" and first["Andel i stor/svært stor grad (%)"] == ":"
    assert first["95 % KI (Wilson)"] == ":"
    one = tables.display_table("fig4_1", pulje=1, survey=survey, min_n=5)
    row = one[(one["Gruppe"] == "PPT") & (one["Område/påstand"] == load_codebook().item("rolle_uklar").label)].iloc[0]
    # 4 of 6 in the top two: 66.7 %, Wilson 95 % interval 30.0–90.3 (formula, by hand)
    assert (row["n"], row["Andel i stor/svært stor grad (%)"], row["95 % KI (Wilson)"]) == ("6", "66,7", "30,0–90,3")
    assert one.attrs["notes"] == tables.figure_table("fig4_1", 1, survey=survey).attrs["notes"]


def test_display_table_distribution_and_a_passed_table():
    survey = {"ppt": frame("ppt", [1] * 6, {"ressurs": [1, 2, 2, 4, 5, 5]})}
    t = tables.display_table("fig4_2", pulje=1, survey=survey)
    assert list(t.columns) == ["Svar", "Gruppe", "n", "Andel (%)"]
    assert t["Svar"].tolist() == LABELS and (t["Gruppe"] == "PPT").all() and (t["n"] == "6").all()
    assert t["Andel (%)"].tolist() == ["16,7", "33,3", "0,0", "16,7", "33,3"]
    given = tables.figure_table("fig4_2", 1, survey=survey)
    given.attrs["notes"] = ["en merknad"]
    again = tables.display_table("fig4_2", pulje=1, table=given)
    assert again.equals(t) and again.attrs["notes"] == ["en merknad"]
    given.attrs = {}
    assert tables.display_table("fig4_2", pulje=1, table=given).attrs["notes"] == []


def test_display_table_reads_the_data_dir_passed(small_data_dir):
    t = tables.display_table("fig4_2", data_dir=small_data_dir)
    ppt = pd.read_csv(small_data_dir / "ppt.csv")
    assert (t["n"] == str(int(ppt["ressurs"].notna().sum()))).all() and len(ppt) == 24


def test_display_table_tabell1_is_the_printed_frame():
    assert tables.display_table("tabell1", pulje=3).equals(tables.tabell1_frame(3))


# -- CSV ----------------------------------------------------------------------------------------------------
def test_csv_text_comma_separated_point_decimals_one_decimal_no_index():
    tiny = pd.DataFrame({"item": ["a", "b"], "n": pd.array([3, None], dtype="Int64"),
                         "share_pct": [33.333, float("nan")], "suppressed": [False, True]}, index=[5, 6])
    assert tables._csv_text(tiny) == "item,n,share_pct,suppressed\na,3,33.3,False\nb,,,True\n"


def test_excel_csv_bytes_bom_semicolon_decimal_comma_crlf():
    frame_ = tables.figure_table("fig4_2", 1, survey={"ppt": frame("ppt", [1] * 6, {"ressurs": [1, 2, 2, 4, 5, 5]})})
    text = tables.excel_csv_bytes(frame_).decode("utf-8")
    lines = text.split("\r\n")
    assert text.startswith("\ufeffFigur;Id;Tekst;Gruppe;Pulje;n;Andel (%);KI nedre (%);KI øvre (%);Prikket\r\n")
    assert lines[1] == "Figur 4.2;I svært liten grad;I svært liten grad;PPT;1;6;16,7;;;nei"
    assert lines[-1] == "" and len(lines) == 7


def test_write_tables_writes_every_table_and_the_excel_files(tmp_path):
    survey = small_survey()
    out = tmp_path / "tabeller"
    paths = tables.write_tables(out, pulje=1, survey=survey, min_n=6)
    names = sorted(str(p.relative_to(out)) for p in paths)
    expected = sorted([f"{f}.csv" for f in tables.FIGURES]
                      + [f"excel/{tables.download_stem(f, 1)}.{ext}" for f in tables.FIGURES for ext in ("csv", "xlsx")]
                      + ["excel/alle-tabeller_pulje-1.zip"])
    assert names == expected and all(p.is_file() for p in paths)
    fig = (out / "fig4_1.csv").read_text(encoding="utf-8").splitlines()
    assert fig[0] == ",".join(tables.EXPORT_COLUMNS)
    # PPT, rolle_uklar, pulje 1: 4 of 6 at min_n 6 (shown); skoleleder 4 of 7
    assert "fig4_1,rolle_uklar,ppt,1,6,66.7,30.0,90.3,False" in fig
    assert "fig4_1,rolle_uklar,skoleleder,1,7,57.1,25.0,84.2,False" in fig


# -- names, notes, Excel downloads ------------------------------------------------------------------------
def test_download_names_and_the_missing_group_note():
    assert tables.figure_name("tabell1") == "Tabell 1" and tables.figure_name("fig2_1") == "Figur 2.1"
    assert tables.download_stem("fig4_2", "alle") == "figur-4-2_pulje-alle"
    assert tables.download_stem("tabell1", 2) == "tabell-1_pulje-2"
    assert tables.zip_name("3") == "alle-tabeller_pulje-3.zip"
    assert tables.missing_group_note(["ppt", "skoleeier"], 3) == (
        "Skoleeiere ble ikke spurt i pulje 3: surveyen til dem (2016) gikk bare til pulje 1 og 2. "
        "Derfor finnes ingen tall for dem her."
    )
    assert tables.missing_group_note(["ppt", "skoleeier"], 1) is None
    assert tables.missing_group_note(["skoleeier"], "alle") is None
    with pytest.raises(LmpInputError) as err:
        tables.check_figure("fig9")
    assert str(err.value) == "ukjent figur/tabell 'fig9'; tillatt: tabell1, fig2_1, fig3_1, fig4_1, fig4_2"


def test_excel_rows_numbers_as_numbers_and_colon_where_hidden():
    survey = small_survey()
    rows = tables.excel_rows(tables.figure_table("fig4_1", 1, survey=survey, min_n=7))
    label = load_codebook().item(ITEM).label
    by_key = {(r[1], r[3]): r for r in rows}
    # PPT 6 answers < 7: hidden; skoleleder 4 of 7: shown
    assert by_key[(ITEM, "PPT")] == ["Figur 4.1", ITEM, label, "PPT", "1", ":", ":", ":", ":", "ja"]
    assert by_key[(ITEM, "Skoleledere")] == ["Figur 4.1", ITEM, label, "Skoleledere", "1", 7, 57.1, 25.0, 84.2, "nei"]
    skoleeier = by_key[(ITEM, "Skoleeiere")]  # no respondents: hidden, but n = 0 is shown
    assert skoleeier[5:] == [0, ":", ":", ":", "ja"]
    one_answer = {"ppt": frame("ppt", [1] * 6, {"ressurs": [1] * 6})}
    dist = tables.excel_rows(tables.figure_table("fig4_2", 1, survey=one_answer))
    assert dist[0] == ["Figur 4.2", "I svært liten grad", "I svært liten grad", "PPT", "1", 6, 100.0, None, None, "nei"]
    t1 = tables.excel_rows(tables.figure_table("tabell1", 3))
    assert t1[0] == ["Tabell 1", "fylkesmann", "Fylkesmann", "Case III", "3", 1, None, None, None, "nei"]
    assert t1[4][:3] == ["Tabell 1", "laerere", "Lærere"]


def read_xlsx(data: bytes):
    import io

    from openpyxl import load_workbook

    return load_workbook(io.BytesIO(data))


def test_xlsx_bytes_sheet_header_numbers_notes_and_fixed_stamp():
    import io
    import zipfile

    rows = [["a", 1, 12.5, None], ["bb", 2, ":", "x"]]
    args = (["Navn", "n", "Andel (%)", "Merk"], rows, "Figur 2.1 med et svært langt navn her", ["Merk 1"])
    data = tables.xlsx_bytes(*args)
    assert data == tables.xlsx_bytes(*args)
    wb = read_xlsx(data)
    assert wb.sheetnames == ["Figur 2.1 med et svært langt na", "Merknader"]  # sheet names: at most 31 characters
    ws = wb.worksheets[0]
    assert [[c.value for c in r] for r in ws.iter_rows()] == [["Navn", "n", "Andel (%)", "Merk"], *rows]
    assert all(c.font.bold for c in ws[1]) and not ws["A2"].font.bold
    assert ws["C2"].number_format == "0.0" and ws["B2"].number_format == "General"
    assert ws.freeze_panes == "A2"
    assert ws.column_dimensions["A"].width == 6 and ws.column_dimensions["C"].width == 11  # longest text + 2
    assert [[c.value for c in r] for r in wb["Merknader"].iter_rows()] == [["Merk 1"]]
    assert wb.properties.creator == "lmp"
    with zipfile.ZipFile(io.BytesIO(data)) as zf:
        assert {i.date_time for i in zf.infolist()} == {(2017, 1, 1, 0, 0, 0)}
        assert b"<dcterms:modified" in zf.read("docProps/core.xml")
        assert b">2017-01-01T00:00:00Z</dcterms:modified>" in zf.read("docProps/core.xml")
        assert {i.compress_type for i in zf.infolist()} == {zipfile.ZIP_DEFLATED}
        assert {i.external_attr >> 16 for i in zf.infolist()} == {0o644}
    assert read_xlsx(tables.xlsx_bytes(["x"], [[1.0]], "S")).sheetnames == ["S"]  # no notes: no second sheet
    wide = read_xlsx(tables.xlsx_bytes(["x", "y"], [["a" * 58, "b" * 59]], "S")).worksheets[0]
    assert (wide.column_dimensions["A"].width, wide.column_dimensions["B"].width) == (60, 60)  # at most 60


def test_table_files_and_write_changed_keep_unchanged_files_and_drop_stale_ones(tmp_path):
    import io
    import os
    import zipfile

    files = tables.table_files(1, survey=small_survey(), min_n=6)
    assert files["fig4_2.csv"].decode("utf-8").startswith(",".join(tables.EXPORT_COLUMNS) + "\n")
    with zipfile.ZipFile(io.BytesIO(files["excel/alle-tabeller_pulje-1.zip"])) as zf:
        assert sorted(zf.namelist()) == sorted(n.removeprefix("excel/") for n in files if n.startswith("excel/")
                                               and not n.endswith(".zip"))
        assert zf.read("figur-4-1_pulje-1.csv") == files["excel/figur-4-1_pulje-1.csv"]
    folder = tmp_path / "out"
    (folder / "excel").mkdir(parents=True)
    (folder / "excel" / "gammel.csv").write_text("x")
    (folder / "egen.txt").write_text("y")
    small = {"a.csv": b"1\n", "excel/b.csv": b"2\n"}
    tables.write_changed(folder, small, own="excel")
    assert sorted(p.relative_to(folder).as_posix() for p in folder.rglob("*") if p.is_file()) == [
        "a.csv", "egen.txt", "excel/b.csv"]
    os.utime(folder / "a.csv", (1_000_000, 1_000_000))
    tables.write_changed(folder, {**small, "excel/c.csv": b"3\n"}, own="excel")
    assert (folder / "a.csv").stat().st_mtime == 1_000_000 and (folder / "excel" / "c.csv").read_bytes() == b"3\n"
    tables.write_changed(folder, {"a.csv": b"ny\n"})
    assert (folder / "a.csv").read_bytes() == b"ny\n" and (folder / "excel" / "c.csv").is_file()


def test_respondent_counts_suppressed_like_the_cells():
    survey = small_survey()
    out = tables.respondent_counts(pulje=2, survey=survey)
    assert list(out.columns) == ["group", "label", "pulje", "n", "suppressed"]
    assert out["group"].tolist() == ["ppt", "skoleleder", "skoleeier"]
    assert out["label"].tolist() == ["PPT", "Skoleledere", "Skoleeiere"] and (out["pulje"] == "2").all()
    # PPT pulje 2: 4 respondents (< 5): hidden; skoleleder: none in pulje 2, skoleeier: empty (n = 0 shown)
    assert out["n"].tolist()[1:] == [0, 0] and pd.isna(out["n"].iloc[0]) and out["suppressed"].all()
    assert out.attrs["notes"] == [suppression.footnote(5)]
    alle = tables.respondent_counts(survey=survey, min_n=4)
    assert alle["n"].tolist() == [15, 8, 0] and str(alle["n"].dtype) == "Int64"
    three = tables.respondent_counts(pulje=3, survey=survey, groups=["skoleeier", "ppt"], min_n=4)
    assert three["group"].tolist() == ["ppt"] and three["n"].tolist() == [5]
    assert three.attrs["notes"][0].startswith("Skoleeiere ble ikke spurt i pulje 3")


def test_respondent_counts_of_a_missing_a_one_row_and_a_small_group():
    # the figures' legends print these n; their own tests used to be the only ones to notice a wrong count
    survey = {"ppt": frame("ppt", [2], {ITEM: [3]}), "skoleleder": frame("skoleleder", [1, 1, 2], {ITEM: [1, 2, 3]})}
    one = tables.respondent_counts(pulje=2, survey=survey, min_n=1)  # skoleeier has no frame at all: n = 0
    assert one["n"].tolist() == [1, 1, 0] and one["suppressed"].tolist() == [False, False, True]  # 0: hidden, shown
    assert one["suppressed"].dtype == bool
    # alle: PPT 1 and skoleledere 3 are below min_n 5 (hidden, no n); skoleeiere 0 is shown as 0
    alle = tables.respondent_counts(survey=survey)
    assert alle["suppressed"].tolist() == [True, True, True] and alle["n"].isna().tolist() == [True, True, False]
    assert alle["suppressed"].dtype == bool and alle.attrs["notes"] == [suppression.footnote(5)]
    assert tables.respondent_counts(survey=survey, min_n=3)["n"].tolist()[1:] == [3, 0]


def test_respondent_counts_read_the_data_dir_passed(small_data_dir):
    ppt = pd.read_csv(small_data_dir / "ppt.csv")
    out = tables.respondent_counts(data_dir=small_data_dir, groups=["ppt"], min_n=1)
    assert out["n"].tolist() == [len(ppt)]
    by_pulje = [tables.respondent_counts(p, data_dir=small_data_dir, groups=["ppt"], min_n=1)["n"].iloc[0]
                for p in (1, 2, 3)]
    assert by_pulje == [int((ppt["pulje"] == p).sum()) for p in (1, 2, 3)]


def test_distribution_table_reads_the_data_dir_passed(small_data_dir):
    ppt = pd.read_csv(small_data_dir / "ppt.csv")
    t = tables.distribution_table(ITEM, data_dir=small_data_dir, groups=["ppt"])
    assert t["n"].tolist() == [int(ppt[ITEM].notna().sum())] * 5
    assert t["count"].tolist() == [int((ppt[ITEM] == c).sum()) for c in range(1, 6)]


def test_cli_tables_prints_every_path_it_wrote(tmp_path, capsys):
    import argparse

    out = tmp_path / "t"
    args = argparse.Namespace(out=str(out), pulje="2", data=None, min_n=5)
    assert tables.cli_tables(args) == 0
    printed = capsys.readouterr().out.splitlines()
    written = sorted(str(p) for p in out.rglob("*") if p.is_file())
    assert sorted(printed) == written and len(written) == 3 * len(tables.FIGURES) + 1


def test_figure_xlsx_bytes_computes_the_rows_and_carries_the_notes():
    frame_ = tables.figure_table("fig4_1", 1, survey=small_survey(), min_n=7)
    wb = read_xlsx(tables.figure_xlsx_bytes(frame_, "fig4_1"))
    assert wb.sheetnames == ["Figur 4.1", "Merknader"]
    assert [c.value for c in wb["Merknader"]["A"]] == frame_.attrs["notes"] == [suppression.footnote(7)]
    first = [c.value for c in next(wb["Figur 4.1"].iter_rows(min_row=2, max_row=2))]
    assert first == ["Figur 4.1", ITEM, load_codebook().item(ITEM).label, "PPT", "1", ":", ":", ":", ":", "ja"]


def test_write_tables_names_lmp_tables_when_another_writer_holds_the_folder(tmp_path):
    import fcntl
    import os

    from lmp_helpers import staging
    from lmp_helpers.errors import LmpError

    out = tmp_path / "tabeller"
    fd = os.open(staging._side(out, "lock"), os.O_RDWR | os.O_CREAT)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        with pytest.raises(LmpError, match=r"^en annen lmp tables skriver allerede til "):
            tables.write_tables(out, pulje=1, survey=small_survey())
    finally:
        os.close(fd)
    assert not out.exists()


# -- survivors of the 2026-11 run (tests/mutation/survivors.tsv) -------------------------------------------
def test_csv_text_ends_lines_with_newline_also_where_the_system_uses_crlf(monkeypatch):
    import os

    monkeypatch.setattr(os, "linesep", "\r\n")  # as on Windows
    tiny = pd.DataFrame({"item": ["a", "b"], "n": pd.array([3, None], dtype="Int64")})
    assert tables._csv_text(tiny) == "item,n\na,3\nb,\n"


def test_write_changed_keeps_an_unchanged_file_in_its_own_folder(tmp_path):
    import os

    folder = tmp_path / "out"
    files = {"a.csv": b"1\n", "excel/b.csv": b"2\n", "excel/c.csv": b"3\n"}
    tables.write_changed(folder, files, own="excel")
    os.utime(folder / "excel" / "b.csv", (1_000_000, 1_000_000))
    tables.write_changed(folder, {**files, "excel/c.csv": b"ny\n"}, own="excel")
    assert (folder / "excel" / "b.csv").stat().st_mtime == 1_000_000
    assert (folder / "excel" / "b.csv").read_bytes() == b"2\n" and (folder / "excel" / "c.csv").read_bytes() == b"ny\n"


def test_write_changed_creates_missing_parent_folders(tmp_path):
    # as downloads.write_downloads does on a fresh out folder: <out>/nedlastinger/pulje-P/ with no nedlastinger/
    folder = tmp_path / "ut" / "nedlastinger" / "pulje-1"
    tables.write_changed(folder, {"a.csv": b"1\n", "excel/b.csv": b"2\n"}, own="excel")
    assert sorted(p.relative_to(tmp_path).as_posix() for p in tmp_path.rglob("*") if p.is_file()) == [
        "ut/nedlastinger/pulje-1/a.csv", "ut/nedlastinger/pulje-1/excel/b.csv"]
    assert (folder / "a.csv").read_bytes() == b"1\n" and (folder / "excel" / "b.csv").read_bytes() == b"2\n"


# -- survivors of the 27 Nov run without a reason (s6) -----------------------------------------------------
@pytest.fixture
def other_codebook(monkeypatch):
    """The shipped codebook with two edits a later survey round could bring: skoleeiere surveyed in 2017
    (not 2016, like skoleledere) and Figur 3.1 put only to skoleledere and skoleeiere (neither asked in
    pulje 3). Every module that reads the codebook gets this one."""
    import copy
    import sys

    from lmp_helpers import codebook

    raw = copy.deepcopy(load_codebook().raw)
    raw["groups"]["skoleeier"]["survey_year"] = 2017
    raw["figures"]["fig3_1"]["groups"] = ["skoleleder", "skoleeier"]
    cb = codebook.Codebook(raw, load_codebook().source)
    for name, module in list(sys.modules.items()):
        if name.startswith("lmp_helpers") and hasattr(module, "load_codebook"):
            monkeypatch.setattr(module, "load_codebook", lambda path=None: cb)
    return cb


NOT_ASKED_IN_3 = ("Skoleledere og skoleeiere ble ikke spurt i pulje 3: surveyen til dem (2016, 2017) gikk bare til "
                  "pulje 1 og 2. Derfor finnes ingen tall for dem her.")


def test_missing_group_note_lists_every_survey_year_of_the_groups_not_asked(other_codebook):
    assert tables.missing_group_note(["ppt", "skoleleder", "skoleeier"], 3) == NOT_ASKED_IN_3


def test_figure_table_of_a_figure_with_no_group_asked_in_the_pulje_is_empty_with_the_note(other_codebook):
    survey = {"skoleleder": frame("skoleleder", [1, 2], {"praksis_mobbing": [4, 5]})}
    t = tables.figure_table("fig3_1", 3, survey=survey)
    assert t.empty and list(t.columns) == tables.EXPORT_COLUMNS
    assert [str(t[c].dtype) for c in tables.EXPORT_COLUMNS] == ["object"] * 4 + ["Int64"] + ["float64"] * 3 + ["bool"]
    assert t.attrs["notes"] == [NOT_ASKED_IN_3] and t.attrs["min_n"] == 5
    shown = tables.figure_table("fig3_1", 1, survey=survey, min_n=1)  # the same figure where it was asked
    assert shown[shown["item"] == "praksis_mobbing"]["n"].tolist() == [1, 0]


def test_survey_cells_default_pulje_columns_and_index():
    survey = small_survey()
    cells, notes = tables.survey_cells("fig4_2", survey=survey)
    assert list(cells.columns) == ["group", "item", "pulje", "n", "k", "c1", "c2", "c3", "c4", "c5", "suppressed"]
    assert list(cells.index) == [0] and cells["pulje"].tolist() == ["alle"] and notes == []
    # pulje 2 of fig4_1: the rows of that pulje only, numbered from 0 (PPT, skoleledere and skoleeiere × 4 items)
    two, _ = tables.survey_cells("fig4_1", 2, survey=survey)
    assert list(two.index) == list(range(12)) and set(two["pulje"]) == {"2"}
    assert list(two.columns) == list(cells.columns)


def test_figure_4_2_with_suppression_carries_the_min_n_asked_for():
    # PPT: 6 answers in pulje 1, hidden at min_n 7; the footnote and attrs name 7, not the default 5
    t = tables.figure_table("fig4_2", 1, survey={"ppt": frame("ppt", [1] * 6, {"ressurs": [1, 2, 2, 4, 5, 5]})},
                            min_n=7)
    assert t["suppressed"].all() and t["share_pct"].isna().all()
    assert t.attrs["min_n"] == 7 and t.attrs["notes"] == [suppression.footnote(7)]


def test_distribution_table_n_is_a_nullable_integer_shown_or_hidden():
    # as in figure_table and respondent_counts: whole respondents, «6» not «6.0», an empty cell where hidden
    shown = tables.distribution_table(ITEM, pulje=1, survey=small_survey(), groups=["ppt", "skoleleder"])
    hidden = tables.distribution_table(ITEM, pulje=2, survey=small_survey(), groups=["ppt"])
    assert str(shown["n"].dtype) == "Int64" and str(hidden["n"].dtype) == "Int64"
    assert hidden["n"].isna().all() and shown["n"].tolist() == [6] * 5 + [7] * 5
