"""figure_table, the CSV export (`lmp tables`) and the display helpers."""

import csv
import math

import numpy as np
import pandas as pd
import pytest
import scipy.stats

from lmp_helpers import tables
from lmp_helpers.cli import main as lmp
from lmp_helpers.codebook import load_codebook
from lmp_helpers.errors import LmpInputError

EXPORT = "figure,item,group,pulje,n,share_pct,ci_low_pct,ci_high_pct,suppressed".split(",")


def frame(group, pulje, answers=None, fill=3):
    cb = load_codebook()
    data = {"respondent_id": [f"{group}-{i}" for i in range(len(pulje))], "pulje": np.array(pulje, dtype="int64")}
    for item in cb.items_for_group(group):
        data[item] = pd.array((answers or {}).get(item, [fill] * len(pulje)), dtype="Int64")
    return pd.DataFrame(data)


def hand_survey():
    # PPT rolle_uklar: pulje 1 answers 5,4,3,2,1,missing -> n=5, top-two k=2
    #                  pulje 2: ten answers, 7 of them 4 or 5; pulje 3: five answers, none in top two
    ppt_answers = {"rolle_uklar": [5, 4, 3, 2, 1, None] + [4, 5, 5, 4, 4, 5, 4, 1, 2, 3] + [1, 2, 3, 3, 2]}
    return {
        "ppt": frame("ppt", [1] * 6 + [2] * 10 + [3] * 5, ppt_answers),
        "skoleleder": frame("skoleleder", [1] * 8 + [2] * 8, fill=5),
        "skoleeier": frame("skoleeier", [1] * 5 + [2] * 5, fill=4),
    }


def wilson_pct(k, n):
    ci = scipy.stats.binomtest(k, n).proportion_ci(0.95, method="wilson")
    # written out: one decimal, half away from zero
    return (math.floor(ci.low * 1000 + 0.5) / 10, math.floor(ci.high * 1000 + 0.5) / 10)


def cell(table, item, group):
    row = table[(table["item"] == item) & (table["group"] == group)]
    assert len(row) == 1
    return row.iloc[0]


# -- figure_table -----------------------------------------------------------------------------------
@pytest.mark.parametrize("figure", ["fig2_1", "fig3_1", "fig4_1", "fig4_2"])
def test_export_columns_exactly(figure):
    t = tables.figure_table(figure, survey=hand_survey())
    assert list(t.columns) == EXPORT
    assert set(t["figure"]) == {figure}
    assert set(t["group"]) <= {"ppt", "skoleleder", "skoleeier"}


def test_values_by_hand_per_pulje():
    s = hand_survey()
    expected = {  # pulje: (n, k)
        1: (5, 2),
        2: (10, 7),
        3: (5, 0),
        "alle": (20, 9),
    }
    for pulje, (n, k) in expected.items():
        row = cell(tables.figure_table("fig4_1", pulje, survey=s), "rolle_uklar", "ppt")
        assert row["n"] == n and row["pulje"] == str(pulje)
        assert row["share_pct"] == {(5, 2): 40.0, (10, 7): 70.0, (5, 0): 0.0, (20, 9): 45.0}[(n, k)]
        assert (row["ci_low_pct"], row["ci_high_pct"]) == wilson_pct(k, n)
        assert not row["suppressed"]


def test_item_and_group_order_follow_the_codebook():
    cb = load_codebook()
    t = tables.figure_table("fig2_1", survey=hand_survey())
    assert t["item"].tolist() == list(cb.figures["fig2_1"].items) * 3
    assert t["group"].tolist() == [g for g in ["ppt", "skoleleder", "skoleeier"] for _ in range(4)]


def test_fig4_2_one_row_per_category_share_no_interval():
    cb = load_codebook()
    answers = {"ressurs": [5, 4, 4, 3, 3, 2, None, 4]}
    s = {"ppt": frame("ppt", [1, 1, 2, 2, 2, 3, 3, 3], answers)}
    t = tables.figure_table("fig4_2", survey=s)
    assert t["item"].tolist() == [cb.scale[c] for c in (1, 2, 3, 4, 5)]
    assert t["share_pct"].tolist() == [0.0, 14.3, 28.6, 42.9, 14.3]  # of 7 answered: 0,1,2,3,1
    assert t["n"].tolist() == [7] * 5
    assert t["ci_low_pct"].isna().all() and t["ci_high_pct"].isna().all()


def test_pulje_3_has_no_school_leader_or_owner_rows_and_a_note():
    for figure in ["fig2_1", "fig3_1", "fig4_1"]:
        t = tables.figure_table(figure, 3, survey=hand_survey())
        assert set(t["group"]) == {"ppt"}
        assert any("ikke spurt i pulje 3" in n and "Skoleledere og skoleeiere" in n for n in t.attrs["notes"])


def test_empty_group_frames_give_empty_rows_not_errors():
    s = {"ppt": frame("ppt", [3] * 6)}  # no skoleleder / skoleeier data at all
    t = tables.figure_table("fig2_1", 3, survey=s)
    assert len(t) == 4
    t = tables.figure_table("fig2_1", "alle", survey=s)
    owners = t[t["group"] == "skoleeier"]
    assert owners["suppressed"].all() and (owners["n"] == 0).all()  # n = 0 discloses nothing, kept


@pytest.mark.parametrize("value,expected", [(1, "1"), ("1", "1"), (" 2 ", "2"), ("alle", "alle"), ("all", "alle"),
                                            ("ALLE", "alle"), (3.0, "3")])
def test_pulje_spellings(value, expected):
    assert set(tables.figure_table("fig4_1", value, survey=hand_survey())["pulje"]) == {expected}


@pytest.mark.parametrize("value", [0, 4, "4", "x", "", None, True, 1.5, "pulje 1"])
def test_bad_pulje_lists_allowed_values(value):
    with pytest.raises(LmpInputError, match="tillatt: 1, 2, 3, alle"):
        tables.figure_table("fig4_1", value, survey=hand_survey())


def test_unknown_figure_and_bad_survey():
    with pytest.raises(LmpInputError, match="tillatt: tabell1"):
        tables.figure_table("fig9_9", survey=hand_survey())
    with pytest.raises(LmpInputError, match="dict"):
        tables.figure_table("fig4_1", survey=[1, 2])


# -- tabell1 -----------------------------------------------------------------------------------------
def test_tabell1_rows_and_totals_match_the_report():
    t = tables.figure_table("tabell1")
    assert list(t.columns) == EXPORT and not t["suppressed"].any() and t["share_pct"].isna().all()
    assert int(t["n"].sum()) == 62
    per_case = t.groupby("group")["n"].sum().to_dict()
    assert per_case == {"I": 17, "II": 17, "III": 14, "IV": 14}
    per_actor = t.groupby("item")["n"].sum().to_dict()
    assert per_actor == {"fylkesmann": 6, "skoleeier": 4, "ppt": 8, "rektor": 6, "laerere": 14, "elever": 19,
                         "foreldre": 5}
    p3 = tables.figure_table("tabell1", 3)
    assert set(p3["group"]) == {"III", "IV"} and int(p3["n"].sum()) == 28
    p1 = tables.figure_table("tabell1", 1)
    assert p1.empty and p1.attrs["notes"]


def test_tabell1_frame_has_sums():
    f = tables.tabell1_frame()
    assert f.loc["SUM", "Sum"] == 62 and f.loc["Case III - pulje 3", "Rektor"] == 3


# -- export ------------------------------------------------------------------------------------------
def test_write_tables_files_columns_and_values(tmp_path):
    paths = tables.write_tables(tmp_path / "ut", pulje=1, survey=hand_survey())
    stems = [tables.download_stem(f, 1) for f in tables.FIGURES]
    assert sorted(str(p.relative_to(tmp_path / "ut")) for p in paths) == sorted(
        [f"{f}.csv" for f in tables.FIGURES] + [f"excel/{s}.{ext}" for s in stems for ext in ("csv", "xlsx")]
        + ["excel/alle-tabeller_pulje-1.zip"])
    # no temp files left
    assert sorted(p for p in (tmp_path / "ut").rglob("*") if p.is_file()) == sorted(paths)
    with open(tmp_path / "ut" / "fig4_1.csv", encoding="utf-8") as fh:
        reader = csv.reader(fh)
        assert next(reader) == EXPORT
        rows = {(r[1], r[2]): r for r in reader}
    assert rows[("rolle_uklar", "ppt")] == ["fig4_1", "rolle_uklar", "ppt", "1", "5", "40.0",
                                            *[f"{x:.1f}" for x in wilson_pct(2, 5)], "False"]


def test_write_tables_suppressed_row_is_blank(tmp_path):
    s = hand_survey()
    s["skoleeier"] = frame("skoleeier", [1] * 4 + [2] * 6, fill=4)
    tables.write_tables(tmp_path, pulje=2, survey=s)
    with open(tmp_path / "fig2_1.csv", encoding="utf-8") as fh:
        rows = [r for r in csv.DictReader(fh) if r["group"] == "skoleeier"]
    assert len(rows) == 4
    for r in rows:
        assert r["suppressed"] == "True" and r["n"] == r["share_pct"] == r["ci_low_pct"] == r["ci_high_pct"] == ""


def test_write_tables_bad_out_writes_nothing(tmp_path):
    target = tmp_path / "fil.txt"
    target.write_text("x")
    with pytest.raises(LmpInputError, match="ikke en mappe"):
        tables.write_tables(target, survey=hand_survey())
    out = tmp_path / "ut"
    with pytest.raises(LmpInputError):
        tables.write_tables(out, pulje=7, survey=hand_survey())
    assert not out.exists()


def test_cli_tables_on_synthetic_data(tmp_path, capsys):
    assert lmp(["tables", "--pulje", "alle", "--out", str(tmp_path)]) == 0
    assert len(list(tmp_path.glob("*.csv"))) == 5
    assert lmp(["tables", "--pulje", "5", "--out", str(tmp_path / "x")]) == 2
    err = capsys.readouterr().err
    assert "ugyldig pulje" in err and "tillatt: 1, 2, 3, alle" in err and err.count("\n") == 1
    assert not (tmp_path / "x").exists()
    assert lmp(["tables", "--min-n", "0", "--out", str(tmp_path / "y")]) == 2


def test_synthetic_data_reproduces_published_percentages(tmp_path):
    """The report's numbers (section 4, Figur 4.2 and Udir's summary page), through the CSV export."""
    lmp(["tables", "--pulje", "alle", "--out", str(tmp_path)])
    t = pd.read_csv(tmp_path / "fig4_1.csv").set_index(["item", "group"])["share_pct"]
    assert t[("rolle_uklar", "skoleeier")] == 55.6
    assert t[("rolle_uklar", "skoleleder")] == 28.6
    assert t[("rolle_uklar", "ppt")] == 34.6
    assert t[("rolle_maloppnaelse", "skoleeier")] == 60.0
    assert t[("rolle_maloppnaelse", "skoleleder")] == 30.6
    assert t[("rolle_maloppnaelse", "ppt")] == 46.2
    assert t[("rolle_kompetanse", "ppt")] == 61.5
    f42 = pd.read_csv(tmp_path / "fig4_2.csv").set_index("item")["share_pct"]
    assert round(f42["I stor grad"] + f42["I svært stor grad"]) == 72
    assert round(f42["Verken eller"] + f42["I liten grad"]) == 28
    f31 = pd.read_csv(tmp_path / "fig3_1.csv").set_index(["item", "group"])["share_pct"]
    assert round(f31[("praksis_mobbing", "ppt")]) == 41 and round(f31[("praksis_laeringsmiljo", "ppt")]) == 44


# -- formatting --------------------------------------------------------------------------------------
@pytest.mark.parametrize("x,text", [(34.6, "34,6"), (100.0, "100,0"), (0.0, "0,0"), (float("nan"), ":"),
                                    (None, ":"), (pd.NA, ":")])
def test_format_pct(x, text):
    assert tables.format_pct(x) == text


def test_display_table_labels_from_codebook():
    cb = load_codebook()
    t = tables.display_table("fig4_1", survey=hand_survey())
    assert t.iloc[0, 0] == cb.items["rolle_uklar"].label and t.iloc[0, 1] == "PPT"
    assert t.iloc[0, 3] == "45,0" and t.iloc[0, 4] == "{}–{}".format(*[f"{x:.1f}".replace(".", ",")
                                                                       for x in wilson_pct(9, 20)])


def test_distribution_table_by_hand_and_bad_group():
    s = {"ppt": frame("ppt", [1] * 5 + [2] * 5, {"ressurs": [5, 5, 4, 3, 1, 2, 2, 2, 4, None]})}
    d = tables.distribution_table("ressurs", "alle", survey=s)
    assert d["count"].tolist() == [1, 3, 1, 2, 2] and d["n"].tolist() == [9] * 5
    assert d["share_pct"].tolist() == [11.1, 33.3, 11.1, 22.2, 22.2]
    with pytest.raises(LmpInputError, match="ikke stilt til skoleeier"):
        tables.distribution_table("ressurs", survey=s, groups=["skoleeier"])
    with pytest.raises(LmpInputError, match="ukjent gruppe"):
        tables.distribution_table("ressurs", survey=s, groups=["elever"])


def test_lmp_tables_csv_reproduces_every_published_share_in_the_claims_file(tmp_path):
    """Every share/n claim of data/report_claims.csv (numbers taken from the report), read back from the
    CSVs `lmp tables` writes on the shipped synthetic data. fig4_2 claims sum the category rows."""
    import operator

    from lmp_helpers.data import load_claims

    assert lmp(["tables", "--pulje", "alle", "--out", str(tmp_path)]) == 0
    cb = load_codebook()
    ops = {"==": None, "<": operator.lt, ">": operator.gt}
    claims = load_claims()
    claims = claims[claims["statistic"].isin(["share_pct", "share_codes", "n"]) & (claims["pulje"] == "alle")]
    assert len(claims) >= 20
    for _, c in claims.iterrows():
        csv_t = pd.read_csv(tmp_path / f"{c['figure']}.csv", dtype={"pulje": str})
        expected = float(c["expected"])
        tol = float(c["tolerance"] or 0)
        if c["statistic"] == "share_codes":
            codes = [int(x) for x in c["spec"].removeprefix("codes=").split(",")]
            labels = [cb.scale[k] for k in codes]
            values = [csv_t[csv_t["item"].isin(labels)]["share_pct"].sum()]
        elif c["figure"] == "fig4_2":  # one row per category, all with the item's n
            assert c["statistic"] == "n", c["id"]
            values = sorted(set(csv_t["n"]))
        else:
            sel = csv_t[csv_t["group"].isin(c["group"].split(";")) & csv_t["item"].isin(c["item"].split(";"))]
            assert len(sel) == len(c["group"].split(";")) * len(c["item"].split(";")), c["id"]
            values = sel["n" if c["statistic"] == "n" else "share_pct"].tolist()
        for v in values:
            if ops[c["comparator"]] is None:
                assert abs(v - expected) <= tol + 1e-9, (c["id"], v, expected)
            else:
                assert ops[c["comparator"]](v, expected), (c["id"], v, expected)
