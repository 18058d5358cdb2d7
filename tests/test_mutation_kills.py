"""Tests written for mutants that survived `make mutate` (see tests/MUTATION.md), each against behaviour."""

from __future__ import annotations

from lmp_helpers.book import fmt_number, fmt_pct


def test_fmt_pct_is_one_decimal_with_a_comma():
    assert fmt_pct(34.6) == "34,6" and fmt_pct(5) == "5,0" and fmt_pct(34.64, 2) == "34,64"
    assert fmt_pct(float("nan")) == fmt_number(None) == "–"


def _frame(group, pulje, answers):
    import numpy as np
    import pandas as pd

    from lmp_helpers.codebook import load_codebook

    cb = load_codebook()
    data = {"respondent_id": [f"{group}-{i}" for i in range(len(pulje))], "pulje": np.array(pulje, dtype="int64")}
    for item in cb.items_for_group(group):
        data[item] = pd.array(answers.get(item, [None] * len(pulje)), dtype="Int64")
    return pd.DataFrame(data)


def test_group_comparison_kruskal_uses_every_groups_answers():
    import pytest
    import scipy.stats

    from lmp_helpers import stats

    ppt, leder, eier = [1, 2, 2, 3, 5, 4], [4, 5, 5, 4, 3, 5, 2], [1, 1, 2, 3, 2, 1]
    survey = {
        "ppt": _frame("ppt", [1] * 6, {"rolle_uklar": ppt}),
        "skoleleder": _frame("skoleleder", [1] * 7, {"rolle_uklar": leder}),
        "skoleeier": _frame("skoleeier", [1] * 6, {"rolle_uklar": eier}),
    }
    row = stats.group_comparison("rolle_uklar", pulje=1, survey=survey, n_resamples=999).iloc[0]
    assert row["kruskal_h"] == pytest.approx(scipy.stats.kruskal(ppt, leder, eier).statistic, rel=1e-12)
    assert row["n_group"] == "6 / 7 / 6" and row["n"] == 19


def test_pulje_comparison_names_the_puljer_compared():
    from lmp_helpers import stats

    survey = {"skoleeier": _frame("skoleeier", [1] * 6 + [2] * 6, {"rolle_uklar": [4, 5, 1, 2, 3, 4] * 2})}
    res = stats.pulje_comparison("rolle_uklar", group="skoleeier", survey=survey, n_resamples=99)
    assert res.attrs["puljer"] == [1, 2]


def test_tabell1_rows_carry_the_requested_pulje():
    from lmp_helpers import tables

    for pulje in (2, 3, "alle"):
        t = tables.figure_table("tabell1", pulje)
        assert len(t) and set(t["pulje"]) == {str(pulje)}


def test_display_table_headers_are_the_books():
    from lmp_helpers import tables

    assert list(tables.display_table("fig2_1", "alle").columns) == [
        "Område/påstand", "Gruppe", "n", "Andel i stor/svært stor grad (%)", "95 % KI (Wilson)"
    ]
    assert list(tables.display_table("fig4_2", "alle").columns) == ["Svar", "Gruppe", "n", "Andel (%)"]


def test_import_into_a_real_data_folder_with_a_datasource_file(tmp_path):
    """Only a folder whose own datasource.yml says synthetic is refused (not judged by another folder)."""
    import shutil

    from lmp_helpers.importer import import_export
    from lmp_helpers.paths import SYNTHETIC_DIR

    out = tmp_path / "ekte"
    out.mkdir()
    (out / "datasource.yml").write_text("kind: real\n", encoding="utf-8")
    export = tmp_path / "eksport.csv"
    shutil.copy(SYNTHETIC_DIR / "skoleeier.csv", export)
    target = import_export(export, "skoleeier", out)
    assert target.read_bytes() == (SYNTHETIC_DIR / "skoleeier.csv").read_bytes()


def test_permutation_resamples_in_several_chunks_all_count():
    """Large samples are permuted in chunks (memory); every chunk must count towards B, and the run ends."""
    import numpy as np

    from lmp_helpers import stats

    rng = np.random.default_rng(5)
    a, b = rng.integers(1, 6, 10_200), rng.integers(1, 6, 10_200)  # 20,400 scores: chunks of 98 < B = 150
    _, p = stats.kruskal_permutation([a, b], n_resamples=150, seed=1)
    count = p * 151
    assert abs(count - round(count)) < 1e-9 and 1 <= round(count) <= 151


def test_figure_4_2_legend_colours_name_the_answers():
    """Each legend entry of Figur 4.2 has its answer's colour (otherwise the reader cannot tell the bars apart)."""
    from matplotlib.colors import to_rgba

    from lmp_helpers import figures, style
    from lmp_helpers.codebook import load_codebook

    cb = load_codebook()
    legend = figures.plot_figure("fig4_2", "alle").axes[0].get_legend()
    labels = [t.get_text() for t in legend.get_texts()]
    colours = [tuple(h.get_facecolor()) for h in legend.legend_handles]
    assert labels == [cb.scale[c] for c in cb.scale]
    assert colours == [to_rgba(style.SCALE_COLORS[c]) for c in cb.scale]


# -- `lmp import` through cli.main in this process (the subprocess tests of test_importer.py never see a mutant)
def test_cli_import_and_validate_in_process(tmp_path, capsys):
    from test_importer import excel_style_export

    from lmp_helpers import cli
    from lmp_helpers.paths import SYNTHETIC_DIR

    export = tmp_path / "e.csv"
    excel_style_export("ppt").to_csv(export, sep=";", encoding="cp1252", index=False)
    assert cli.main(["import", str(export), "--group", "ppt", "--out", str(tmp_path / "ekte")]) == 0
    assert "28 respondenter" in capsys.readouterr().out
    assert (tmp_path / "ekte" / "ppt.csv").read_bytes() == (SYNTHETIC_DIR / "ppt.csv").read_bytes()
    assert not (tmp_path / "ekte" / "datasource.yml").exists()  # imported data counts as real
    for group in ("skoleleder", "skoleeier"):
        excel_style_export(group).to_csv(export, sep=";", encoding="cp1252", index=False)
        assert cli.main(["import", str(export), "--group", group, "--out", str(tmp_path / "ekte")]) == 0
    capsys.readouterr()
    assert cli.main(["validate", str(tmp_path / "ekte")]) == 0
    assert capsys.readouterr().err == ""


def test_cli_bad_import_is_one_line_exit_2_in_process(tmp_path, capsys):
    from test_importer import _unknown_column

    from lmp_helpers import cli

    path, group, _ = _unknown_column(tmp_path)
    assert cli.main(["import", str(path), "--group", group, "--out", str(tmp_path / "ut")]) == 2
    lines = capsys.readouterr().err.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("lmp import: feil:") and "Kommunenummer" in lines[0]
    assert not (tmp_path / "ut").exists()


# -- files are UTF-8 whatever the user's locale (a Windows user has cp1252; `open()` without an encoding
# -- follows the locale). LC_CTYPE=C stands in for such a locale: there Python's default encoding is ASCII.
def _ascii_locale():
    import contextlib
    import locale

    @contextlib.contextmanager
    def cm():
        old = locale.setlocale(locale.LC_CTYPE)
        locale.setlocale(locale.LC_CTYPE, "C")
        try:
            yield
        finally:
            locale.setlocale(locale.LC_CTYPE, old)

    return cm()


def test_cache_key_and_source_note_are_read_as_utf8_under_any_locale(tmp_path):
    import os

    import nbformat

    from lmp_helpers import runner

    nb = nbformat.v4.new_notebook()
    nb.cells = [nbformat.v4.new_markdown_cell("# Læringsmiljø – PPTs rolle")]
    nb.metadata["lmp"] = {"cache_key": "abc"}
    path = tmp_path / "kap.ipynb"
    runner.atomic_write_notebook(nb, path)
    note = runner.write_source_note(tmp_path, None)  # the synthetic-data note: «… ikke funn fra …», «å»
    assert any(ord(ch) > 127 for ch in note.read_text(encoding="utf-8"))
    os.utime(note, (1, 1))
    with _ascii_locale():
        assert runner.stored_key(path) == "abc"
        runner.write_source_note(tmp_path, None)
    assert note.stat().st_mtime == 1  # read back as the same text: not rewritten


def test_import_error_names_the_line_of_the_bad_byte(tmp_path):
    import re

    import pytest

    from lmp_helpers.errors import LmpInputError
    from lmp_helpers.importer import import_export

    for body, line in ((b"a;b\r\n1;2\r\n3;\x004\r\n", 3), (b"\x00a;b\n", 1), (b"\na;b\n1;\x00\n2;2\n", 3),
                       ("a;b\nå;1\n".encode() + b"x\xff;2\n", 3), (b"a;b\n\x81;1\n", 2)):
        path = tmp_path / "e.csv"
        path.write_bytes(body)
        with pytest.raises(LmpInputError) as err:
            import_export(path, "ppt", tmp_path / "ut")
        assert re.search(rf", linje {line}: ", str(err.value)), (body, str(err.value))


def test_share_of_nobody_is_no_number():
    import math

    from lmp_helpers.statements import fmt_number, share_pct

    assert math.isnan(share_pct(0, 0)) and fmt_number(share_pct(0, 0), 1) == "–"
    assert share_pct(1, 3) == 33.3 and share_pct(2, 3) == 66.7 and share_pct(1, 8) == 12.5
    assert share_pct(1, 1) == 100.0 and share_pct(0, 1) == 0.0


# -- Tabell 1 as the report prints it (headings, row labels, corner label), per pulje ---------------------
def test_tabell1_frame_has_the_reports_headings_rows_and_corner_label():
    from lmp_helpers.tables import tabell1_frame

    t = tabell1_frame()
    assert list(t.columns) == ["Fylkesmann", "Skoleeier", "PPT", "Rektor", "Lærere", "Elever", "Foreldre", "Sum"]
    assert t.columns.name == "Casekommuner"
    assert list(t.index) == ["Case I - pulje 2", "Case II - pulje 2", "Case III - pulje 3", "Case IV - pulje 3",
                             "SUM"]
    assert tabell1_frame("alle").equals(t)
    p3 = tabell1_frame(3)
    assert list(p3.index) == ["Case III - pulje 3", "Case IV - pulje 3", "SUM"]
    assert p3.loc["SUM"].tolist() == (t.loc["Case III - pulje 3"] + t.loc["Case IV - pulje 3"]).tolist()
    assert list(tabell1_frame(1).index) == ["SUM"]


# -- the group comparison: its defaults are the documented ones, min_n reaches the suppression -------------
def test_group_comparison_defaults_columns_and_min_n():
    import pandas as pd
    import pytest

    from lmp_helpers import stats

    # ppt has 5 answers in pulje 1 (and 6 in pulje 2): shown at min_n 5, hidden (test withheld) at min_n 6
    survey = {
        "ppt": _frame("ppt", [1] * 5 + [2] * 6, {"rolle_uklar": [1, 2, 4, 5, 5, 4, 4, 2, 1, 3, 3]}),
        "skoleleder": _frame("skoleleder", [1] * 7 + [2] * 6, {"rolle_uklar": [4, 5, 5, 4, 3, 5, 2, 1, 1, 2, 3, 4, 5]}),
        "skoleeier": _frame("skoleeier", [1] * 6 + [2] * 6, {"rolle_uklar": [1, 1, 2, 3, 2, 1] * 2}),
    }
    explicit = stats.group_comparison("rolle_uklar", pulje="alle", survey=survey, min_n=5, n_resamples=9999,
                                      seed=20170901)
    pd.testing.assert_frame_equal(stats.group_comparison("rolle_uklar", survey=survey), explicit)
    assert list(explicit.columns[:4]) == ["item", "pulje", "groups", "n"] and explicit["n"].dtype == "Int64"
    assert explicit.loc[0, "item"] == "rolle_uklar" and explicit.loc[0, "pulje"] == "alle"
    assert explicit.attrs["notes"] == []
    other = stats.group_comparison("rolle_uklar", survey=survey, n_resamples=999)
    assert other.loc[0, "kruskal_p"] != explicit.loc[0, "kruskal_p"]  # the resamples are used
    assert stats.group_comparison("rolle_uklar", survey=survey, seed=1).loc[0, "kruskal_p"] \
        != explicit.loc[0, "kruskal_p"]
    shown = stats.group_comparison("rolle_uklar", pulje=1, survey=survey, n_resamples=99)  # default min_n 5
    hidden = stats.group_comparison("rolle_uklar", pulje=1, survey=survey, min_n=6, n_resamples=99)
    assert shown.loc[0, "pulje"] == "1" and not shown.loc[0, "withheld"] and shown.loc[0, "n"] == 5 + 7 + 6
    assert shown.loc[0, "n_group"] == "5 / 7 / 6"
    assert hidden.loc[0, "withheld"] and pd.isna(hidden.loc[0, "n"]) and hidden.attrs["notes"] == [
        stats.TEST_WITHHELD_NOTE]
    assert hidden.loc[0, "n_group"].startswith(":")
    # a pulje is a pulje: pulje 2's test uses pulje 2's answers only
    p2 = stats.group_comparison("rolle_uklar", pulje=2, survey=survey, min_n=3, n_resamples=99).iloc[0]
    assert p2["n_group"] == "6 / 6 / 6"
    import scipy.stats

    in_p2 = [df.loc[df["pulje"] == 2, "rolle_uklar"].astype(float).tolist() for df in survey.values()]
    assert p2["kruskal_h"] == pytest.approx(scipy.stats.kruskal(*in_p2).statistic, rel=1e-12)
    everyone = stats.group_comparison("rolle_uklar", survey=survey, min_n=3, n_resamples=99).iloc[0]
    all_answers = [df["rolle_uklar"].astype(float).tolist() for df in survey.values()]
    assert everyone["kruskal_h"] == pytest.approx(scipy.stats.kruskal(*all_answers).statistic, rel=1e-12)


# -- display tables carry the notes of the table they show --------------------------------------------
def test_display_table_keeps_the_notes_and_reuses_a_given_table():
    from lmp_helpers.data import load_survey
    from lmp_helpers.tables import display_table, figure_table, tabell1_frame

    survey = load_survey()
    t = figure_table("fig2_1", 3, survey=survey)
    assert t.attrs["notes"], "pulje 3 has groups not asked: the table has a note"
    shown = display_table("fig2_1", 3, survey=survey)
    assert shown.attrs["notes"] == t.attrs["notes"]
    t.attrs["notes"] = ["En egen merknad."]
    assert display_table("fig2_1", 3, survey=survey, table=t).attrs["notes"] == ["En egen merknad."]
    assert display_table("tabell1").equals(tabell1_frame())


# -- the cache key: parameter order, non-JSON values, every project data file type, a data folder of None ----
def test_cache_key_ignores_parameter_order_and_takes_paths(tmp_path):
    from pathlib import Path

    import nbformat

    from lmp_helpers import runner
    from lmp_helpers.pulje import parse_pulje

    src = tmp_path / "a.ipynb"
    nbformat.write(nbformat.v4.new_notebook(), src)

    def job(params):
        return runner.Job("a", src, tmp_path / "out.ipynb", parse_pulje("1"), params)

    a = runner.cache_key(job({"pulje": "1", "min_n": 5, "data_dir": Path("/x")}), "d")
    b = runner.cache_key(job({"data_dir": Path("/x"), "min_n": 5, "pulje": "1"}), "d")
    assert a == b
    assert runner.cache_key(job({"pulje": "1", "min_n": 5, "data_dir": Path("/y")}), "d") != a


def test_shared_digest_covers_yml_yaml_csv_project_files_and_defaults_to_the_synthetic_data(tmp_path, monkeypatch):
    import shutil

    from lmp_helpers import runner
    from lmp_helpers.paths import SYNTHETIC_DIR

    assert runner.shared_inputs_digest(None) == runner.shared_inputs_digest(SYNTHETIC_DIR)
    project = tmp_path / "data"
    shutil.copytree(runner.DATA_DIR, project, ignore=shutil.ignore_patterns("synthetic"))
    monkeypatch.setattr(runner, "DATA_DIR", project)
    base = runner.shared_inputs_digest(SYNTHETIC_DIR)
    seen = {base}
    for name in ("codebook.yml", "ny.yaml", "ny.csv"):
        path = project / name
        path.write_text((path.read_text(encoding="utf-8") if path.exists() else "") + "\n# endret\n",
                        encoding="utf-8")
        digest = runner.shared_inputs_digest(SYNTHETIC_DIR)
        assert digest not in seen, name
        seen.add(digest)
    (project / "notat.txt").write_text("ikke en inndatafil", encoding="utf-8")
    assert runner.shared_inputs_digest(SYNTHETIC_DIR) in seen


def test_writes_create_missing_folders_and_stored_key_survives_odd_notebooks(tmp_path):
    import json

    import nbformat

    from lmp_helpers import runner

    deep = tmp_path / "a" / "b" / "kap.ipynb"
    runner.atomic_write_notebook(nbformat.v4.new_notebook(), deep)
    assert deep.is_file()
    note = runner.write_source_note(tmp_path / "x" / "y", None)
    assert note.is_file()
    for content in ({"cells": []}, {"metadata": {"lmp": None}} if False else {"nbformat": 4}):
        path = tmp_path / "odd.ipynb"
        path.write_text(json.dumps(content), encoding="utf-8")
        assert runner.stored_key(path) is None


# -- importer messages: long listings are counted, an export for another group is named -----------------
def test_import_lists_at_most_eight_values_and_counts_the_rest(tmp_path):
    import pytest
    from test_importer import excel_style_export

    from lmp_helpers.errors import LmpInputError
    from lmp_helpers.importer import MAX_LISTED, _listing, import_export

    assert _listing([str(i) for i in range(MAX_LISTED)]).count(",") == MAX_LISTED - 1
    assert "til)" not in _listing([str(i) for i in range(MAX_LISTED)])
    assert _listing([str(i) for i in range(MAX_LISTED + 3)]).endswith(" (og 3 til)")
    df = excel_style_export("ppt")
    path = tmp_path / "e.xlsx"
    with __import__("pandas").ExcelWriter(path) as xl:
        for i in range(MAX_LISTED + 2):
            df.to_excel(xl, sheet_name=f"Ark{i}", index=False)
    with pytest.raises(LmpInputError, match=r"\(og 2 til\)"):
        import_export(path, "ppt", tmp_path / "ut")


def test_import_of_another_groups_export_names_that_group(tmp_path):
    import pytest
    from test_importer import excel_style_export

    from lmp_helpers.errors import LmpInputError
    from lmp_helpers.importer import import_export

    for wrong, right in (("ppt", "skoleleder"), ("skoleeier", "ppt"), ("ppt", "skoleeier")):
        path = tmp_path / f"{right}.csv"
        excel_style_export(right).to_csv(path, sep=";", index=False, encoding="utf-8")
        with pytest.raises(LmpInputError, match=rf"eksporten ser ut til å være for --group {right}$"):
            import_export(path, wrong, tmp_path / "ut")


# -- lmp validate names the data folder it checked ------------------------------------------------------
def test_validate_prints_the_checked_folders_source(tmp_path, capsys):
    import shutil

    from lmp_helpers import cli
    from lmp_helpers.data import data_source
    from lmp_helpers.paths import SYNTHETIC_DIR

    real = tmp_path / "ekte"
    shutil.copytree(SYNTHETIC_DIR, real)
    (real / "datasource.yml").unlink()
    assert cli.main(["validate", str(real)]) == 0
    first = capsys.readouterr().out.splitlines()[0]
    assert first == f"{real}: {data_source(real)['label']}" and data_source(real)["kind"] == "real"
    assert cli.main(["validate"]) == 0
    assert capsys.readouterr().out.splitlines()[0] == f"{SYNTHETIC_DIR}: {data_source(None)['label']}"


# -- the pandera contract states every rule of a loaded group: ids present and unique, pulje a whole number --
def test_pandera_contract_refuses_each_broken_rule():
    import pandas as pd
    import pandera.errors
    import pytest

    from lmp_helpers.data import load_survey, survey_schema

    good = load_survey()["ppt"]
    survey_schema("ppt").validate(good)

    def broken(change):
        df = good.copy()
        change(df)
        return df

    cases = {
        "duplicate id": lambda df: df.__setitem__("respondent_id", [df["respondent_id"].iloc[0]] * len(df)),
        "empty id": lambda df: df.__setitem__("respondent_id", [""] + list(df["respondent_id"].iloc[1:])),
        "missing id": lambda df: df.__setitem__("respondent_id", [None] + list(df["respondent_id"].iloc[1:])),
        "id not text": lambda df: df.__setitem__("respondent_id", range(len(df))),
        "pulje as float": lambda df: df.__setitem__("pulje", df["pulje"].astype(float)),
        "pulje missing": lambda df: df.__setitem__("pulje", pd.array([None] + list(df["pulje"].iloc[1:]),
                                                                     dtype="Int64")),
        "answer code 6": lambda df: df.__setitem__("rolle_uklar", pd.array([6] + list(df["rolle_uklar"].iloc[1:]),
                                                                           dtype="Int64")),
        "answers as float": lambda df: df.__setitem__("rolle_uklar", df["rolle_uklar"].astype(float)),
        "an extra column": lambda df: df.__setitem__("ekstra", 1),
        "columns in another order": lambda df: df.insert(0, "pulje", df.pop("pulje")),
    }
    for change in cases.values():
        with pytest.raises((pandera.errors.SchemaError, pandera.errors.SchemaErrors)):
            survey_schema("ppt").validate(broken(change))
    # a frame-level error names the group and its file
    with pytest.raises((pandera.errors.SchemaError, pandera.errors.SchemaErrors), match=r"ppt \(ppt\.csv\)"):
        survey_schema("ppt").validate(broken(cases["an extra column"]))


def test_canonical_csv_has_lf_line_endings_and_no_index_on_any_os(monkeypatch):
    import os

    from lmp_helpers.data import load_survey
    from lmp_helpers.importer import canonical_csv_text
    from lmp_helpers.paths import SYNTHETIC_DIR

    monkeypatch.setattr(os, "linesep", "\r\n")  # as on Windows
    text = canonical_csv_text(load_survey()["ppt"], "ppt")
    assert text.encode("utf-8") == (SYNTHETIC_DIR / "ppt.csv").read_bytes()


# -- an Excel export: hidden sheets are not answers ------------------------------------------------------
def test_import_skips_hidden_sheets(tmp_path):
    import pandas as pd
    from openpyxl import load_workbook
    from test_importer import excel_style_export

    from lmp_helpers.importer import import_export
    from lmp_helpers.paths import SYNTHETIC_DIR

    df = excel_style_export("ppt")
    path = tmp_path / "e.xlsx"
    with pd.ExcelWriter(path) as xl:
        df.iloc[:3].to_excel(xl, sheet_name="Gammel", index=False)  # an old, hidden copy of the answers
        df.to_excel(xl, sheet_name="Svar", index=False)
    wb = load_workbook(path)
    wb["Gammel"].sheet_state = "hidden"
    wb.save(path)
    import_export(path, "ppt", tmp_path / "ut")
    assert (tmp_path / "ut" / "ppt.csv").read_bytes() == (SYNTHETIC_DIR / "ppt.csv").read_bytes()


def test_import_writer_never_replaces_a_file_that_appeared_meanwhile(tmp_path):
    """import_export checks for an existing file first; the writer itself must hold too, for a file another
    process created after that check (the race the hard link closes)."""
    import pytest

    from lmp_helpers.errors import LmpInputError
    from lmp_helpers.importer import _write_new

    path = tmp_path / "ppt.csv"
    path.write_text("den andre prosessens fil\n", encoding="utf-8")
    with pytest.raises(LmpInputError, match="finnes allerede"):
        _write_new(path, "ny tekst\n")
    assert path.read_text(encoding="utf-8") == "den andre prosessens fil\n"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["ppt.csv"]


# -- the staged output is swapped in with one atomic exchange (Linux renameat2), not two renames ---------
def test_output_folders_are_exchanged_in_one_step_on_linux(tmp_path):
    """Both folders exist before and after: at no instant is the output missing. (Where renameat2 is missing,
    `_exchange` says so with False and the caller falls back to two renames; Linux has it.)"""
    import sys

    from lmp_helpers.staging import _exchange

    a, b = tmp_path / "ut", tmp_path / ".ut.lmp-staging-1"
    a.mkdir()
    b.mkdir()
    (a / "gammel.csv").write_text("gammel\n", encoding="utf-8")
    (b / "ny.csv").write_text("ny\n", encoding="utf-8")
    swapped = _exchange(a, b)
    if sys.platform == "linux":
        assert swapped is True
    if swapped:
        assert [p.name for p in a.iterdir()] == ["ny.csv"] and [p.name for p in b.iterdir()] == ["gammel.csv"]
