"""Kill tests for tables.py and the number formatting in scope (statements, render, book.number_word).

Fast and in process (mutation testing runs them per mutant). Expected values are written out by hand.
"""

from __future__ import annotations

import math

import pandas as pd
import pytest
from test_kills_stats import frame

from lmp_helpers import book, render, statements, suppression, tables
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
