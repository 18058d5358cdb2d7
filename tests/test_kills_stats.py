"""Kill tests for stats.py (mutation testing, tests/MUTATION.md): independent oracles only.

Fisher p-values from the hypergeometric formula enumerated here in exact fractions, Wilson bounds from the
formula, Kruskal–Wallis H from scipy, permutation p-values where every resample must count (observed H = 0,
so p is exactly 1). Fast and in process: permutation tests use few resamples and fixed seeds.
"""

from __future__ import annotations

import itertools
import math
import shutil
from fractions import Fraction
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
import scipy.stats
from test_mutation_kills import _frame as frame  # one canonical-frame builder for the kill tests

from lmp_helpers import stats
from lmp_helpers.errors import LmpInputError

SYNTHETIC = Path(__file__).resolve().parents[1] / "data" / "synthetic"


# -- Wilson -----------------------------------------------------------------------------------------
def test_wilson_bounds_from_the_formula():
    k, n, z = 7, 20, 1.959963984540054
    p = k / n
    centre = (p + z * z / (2 * n)) / (1 + z * z / n)
    half = z * math.sqrt(p * (1 - p) / n + z * z / (4 * n * n)) / (1 + z * z / n)
    lo, hi = stats.wilson_interval(k, n)
    assert math.isclose(lo, centre - half, rel_tol=1e-9)
    assert math.isclose(hi, centre + half, rel_tol=1e-9)


def test_wilson_arrays_n_zero_and_the_extremes():
    low, high = stats.wilson_interval(np.array([0, 3, 0]), np.array([4, 3, 0]))
    z2 = 1.959963984540054**2
    assert low[0] == 0.0 and high[0] == pytest.approx(z2 / (4 + z2), rel=1e-9)  # k = 0: [0, z²/(n+z²)]
    assert high[1] == 1.0 and low[1] == pytest.approx(3 / (3 + z2), rel=1e-9)  # k = n: [n/(n+z²), 1]
    assert math.isnan(low[2]) and math.isnan(high[2])
    assert isinstance(stats.wilson_interval(1, 2)[0], float)


def test_wilson_bounds_are_exactly_0_and_1_where_rounding_leaves_them_outside():
    # the formula in floating point gives −5.6e-17 for k = 0 of 2 and 1 + 2.2e-16 for 9 of 9 (a «−0,0 %» whisker)
    assert stats.wilson_interval(0, 2)[0] == 0.0 and stats.wilson_interval(9, 9)[1] == 1.0
    n = np.arange(1, 201)
    low, _ = stats.wilson_interval(np.zeros_like(n), n)
    _, high = stats.wilson_interval(n, n)
    assert (low >= 0.0).all() and (high <= 1.0).all()  # (a k = 0 bound may be a hair above 0: 1.7e-18)


def test_wilson_for_n_0_is_nan_without_a_numpy_warning():
    # a RuntimeWarning would be printed into the book's executed notebooks
    import warnings

    with warnings.catch_warnings():
        warnings.simplefilter("error")
        low, high = stats.wilson_interval(np.array([0, 1]), np.array([0, 2]))
    assert math.isnan(low[0]) and math.isnan(high[0]) and 0 < low[1] < high[1] < 1


def test_wilson_refuses_bad_level_and_k_with_what_is_allowed():
    with pytest.raises(LmpInputError, match=r"ugyldig konfidensnivå 1\.5; tillatt: et tall mellom 0 og 1"):
        stats.wilson_interval(1, 2, level=1.5)
    with pytest.raises(LmpInputError, match=r"ugyldig k=3, n=2; tillatt: 0 ≤ k ≤ n"):
        stats.wilson_interval(3, 2)
    assert stats.wilson_interval(2, 2, level=0.5)[1] == 1.0  # k = n is allowed


# -- rounding ---------------------------------------------------------------------------------------
def test_round_pct_half_away_from_zero_on_both_sides():
    assert stats.round_pct(np.array([0.0625, -0.0625, 0.00049, 0.0005, -0.2855])).tolist() == [
        6.3, -6.3, 0.0, 0.1, -28.6]


def test_round_pct_of_float32_proportions_gives_the_same_one_decimal_percentages():
    # proportions stored as float32 (a numpy default for some readers): 12.3, not float32's 12.300000190734863
    out = stats.round_pct(np.array([0.123, 0.5, 0.0625, 0.9], dtype=np.float32))
    assert out.tolist() == [12.3, 50.0, 6.3, 90.0]


def test_pct_from_counts_arrays_half_up_and_nan_for_nobody():
    out = stats.pct_from_counts(np.array([1, 1, 2, 0]), np.array([16, 8, 3, 0]))
    assert out[:3].tolist() == [6.3, 12.5, 66.7] and math.isnan(out[3])


def test_pct_from_counts_of_one_respondent_and_nobody_without_a_numpy_warning():
    # n = 1 is a share (100 or 0 %), not «nobody»; n = 0 is NaN without a RuntimeWarning (it would be printed
    # into the book's executed notebooks)
    import warnings

    with warnings.catch_warnings():
        warnings.simplefilter("error")
        out = stats.pct_from_counts(np.array([1, 0, 0]), np.array([1, 1, 0]))
    assert out[:2].tolist() == [100.0, 0.0] and math.isnan(out[2])


# -- counting ---------------------------------------------------------------------------------------
def test_answer_counts_errors_name_group_column_row_and_value():
    df = frame("ppt", [1, 2, 2], {ITEM: [1, 2, 7]})
    with pytest.raises(LmpInputError) as err:
        stats.answer_counts(df, [ITEM], "ppt")
    # the value as the export has it: «7», not numpy's «np.int64(7)»
    assert str(err.value) == f"ppt: ugyldig svarkode 7 i kolonne {ITEM}, rad 3; tillatt: 1–5 eller tom (mangler)"
    bad_pulje = frame("ppt", [1, 0, 2], {ITEM: [1, 2, 3]})
    with pytest.raises(LmpInputError) as err:
        stats.answer_counts(bad_pulje, [ITEM])
    assert str(err.value) == "data: ugyldig pulje 0 i rad 2; tillatt: 1, 2, 3"
    with pytest.raises(LmpInputError) as err:
        stats.answer_counts(df.drop(columns=[ITEM, "pulje"]), [ITEM], "ppt")
    assert str(err.value) == f"ppt: mangler kolonne(r) pulje, {ITEM}"
    half = frame("ppt", [1, 2], {ITEM: [1, 2]})
    half[ITEM] = [1.5, 2.0]
    with pytest.raises(LmpInputError, match=r"ugyldig svarkode 1\.5 i kolonne rolle_uklar, rad 1"):
        stats.answer_counts(half, [ITEM], "ppt")
    with pytest.raises(LmpInputError, match=r"ugyldig svarkode -1 i kolonne rolle_uklar, rad 1"):
        stats.answer_counts(frame("ppt", [3], {ITEM: [-1]}), [ITEM], "ppt")
    # pulje values that are not numpy scalars: missing in an Int64 column, a text in an object column
    no_pulje = frame("ppt", [1, 2], {ITEM: [1, 2]})
    no_pulje["pulje"] = pd.array([1, None], dtype="Int64")
    with pytest.raises(LmpInputError) as err:
        stats.answer_counts(no_pulje, [ITEM])
    assert str(err.value) == "data: ugyldig pulje <NA> i rad 2; tillatt: 1, 2, 3"
    no_pulje["pulje"] = pd.Series([1, "x"], dtype=object)
    with pytest.raises(LmpInputError) as err:
        stats.answer_counts(no_pulje, [ITEM], "ppt")
    assert str(err.value) == "ppt: ugyldig pulje 'x' i rad 2; tillatt: 1, 2, 3"


def test_answer_counts_of_no_frame_or_no_rows_are_zeros():
    for empty in (None, frame("ppt", [], {})):
        counts = stats.answer_counts(empty, [ITEM, "rolle_maloppnaelse"], "ppt")
        assert counts.shape == (2, 3, 6) and counts.dtype == np.int64 and not counts.any()


def test_answer_counts_code_five_and_pulje_three_land_in_the_last_cells():
    counts = stats.answer_counts(frame("ppt", [3, 3, 1], {ITEM: [5, 5, 1]}), [ITEM], "ppt")
    assert counts[0, 2, 5] == 2 and counts[0, 0, 1] == 1 and counts.sum() == 3


def test_cell_stats_skips_a_group_not_asked_and_counts_a_missing_frame_as_empty():
    cells = stats.cell_stats({}, ["skoleleder", "ppt"], ["ressurs", ITEM])
    assert cells[["group", "item", "pulje"]].values.tolist() == [
        ["skoleleder", ITEM, "1"], ["skoleleder", ITEM, "2"], ["skoleleder", ITEM, "alle"],
        ["ppt", "ressurs", "1"], ["ppt", "ressurs", "2"], ["ppt", "ressurs", "3"], ["ppt", "ressurs", "alle"],
        ["ppt", ITEM, "1"], ["ppt", ITEM, "2"], ["ppt", ITEM, "3"], ["ppt", ITEM, "alle"]]
    assert list(cells.columns) == ["group", "item", "pulje", "n", "k", "c1", "c2", "c3", "c4", "c5"]
    assert (cells["n"] == 0).all() and (cells["k"] == 0).all()
    assert stats.cell_stats(None, ["ppt"], ["ressurs"])["n"].tolist() == [0, 0, 0, 0]


def test_cell_stats_goes_on_after_a_group_asked_none_of_the_items():
    """skoleleder was not asked «ressurs» (Figur 4.2 is PPT's): its rows are left out, PPT's still come."""
    cells = stats.cell_stats({}, ["skoleleder", "ppt"], ["ressurs"])
    assert cells[["group", "item", "pulje"]].values.tolist() == [
        ["ppt", "ressurs", "1"], ["ppt", "ressurs", "2"], ["ppt", "ressurs", "3"], ["ppt", "ressurs", "alle"]]


def test_items_for_a_figure_an_item_or_an_error_listing_both():
    assert stats._items_for("fig4_2") == ["ressurs"] and stats._items_for(ITEM) == [ITEM]
    with pytest.raises(LmpInputError) as err:
        stats._items_for("fig9")
    assert str(err.value).startswith("ukjent figur eller spørsmål 'fig9'; tillatt: fig2_1, fig3_1, fig4_1, fig4_2, ")


def test_answer_counts_error_names_the_bad_row_not_a_missing_answer_or_a_five_before_it():
    # row 1 a missing answer (code 0 internally), row 2 a 5 (the scale's top): neither is the bad row
    df = frame("ppt", [1, 2, 3], {ITEM: [None, 5, 6]})
    with pytest.raises(LmpInputError) as err:
        stats.answer_counts(df, [ITEM], "ppt")
    assert str(err.value) == f"ppt: ugyldig svarkode 6 i kolonne {ITEM}, rad 3; tillatt: 1–5 eller tom (mangler)"


def test_answer_counts_without_a_group_name_says_data():
    df = frame("ppt", [1, 2], {ITEM: [1, 9]})
    with pytest.raises(LmpInputError) as err:
        stats.answer_counts(df, [ITEM])
    assert str(err.value) == f"data: ugyldig svarkode 9 i kolonne {ITEM}, rad 2; tillatt: 1–5 eller tom (mangler)"
    with pytest.raises(LmpInputError) as err:
        stats.answer_counts(df.drop(columns=[ITEM]), [ITEM])
    assert str(err.value) == f"data: mangler kolonne(r) {ITEM}"


def test_answer_counts_are_integers_for_a_frame_with_answers():
    counts = stats.answer_counts(frame("ppt", [1, 1, 2], {ITEM: [4, 4, 2]}), [ITEM], "ppt")
    assert counts.dtype == np.int64 and counts[0, 0, 4] == 2 and counts[0, 1, 2] == 1
    cells = stats.cell_stats({"ppt": frame("ppt", [1, 1, 2], {ITEM: [4, 4, 2]})}, ["ppt"], [ITEM])
    # the answer counts of a cells frame print as «2», not «2.0»
    assert all(cells[c].dtype == np.int64 for c in ["n", "k", "c1", "c2", "c3", "c4", "c5"])
    assert cells["c4"].tolist() == [2, 0, 0, 2]


def test_answer_counts_read_answers_given_as_text_as_codes():
    # a survey read with dtype=str (pandas' text columns): «3» is code 3, a text «1.5» is refused like 1.5
    df = frame("ppt", [1, 1, 2], {})
    df[ITEM] = pd.Series(["3", "5", None], dtype="str")
    counts = stats.answer_counts(df, [ITEM], "ppt")
    assert counts[0, 0].tolist() == [0, 0, 0, 1, 0, 1] and counts[0, 1].tolist() == [1, 0, 0, 0, 0, 0]
    df[ITEM] = pd.Series(["1.5", "2", "2"], dtype=object)
    with pytest.raises(LmpInputError) as err:
        stats.answer_counts(df, [ITEM], "ppt")
    assert str(err.value) == f"ppt: ugyldig svarkode '1.5' i kolonne {ITEM}, rad 1; tillatt: 1–5 eller tom (mangler)"


def test_cell_stats_errors_name_the_group_whose_frame_is_bad():
    survey = {"ppt": frame("ppt", [1, 2], {ITEM: [1, 2]}), "skoleleder": frame("skoleleder", [1, 2], {ITEM: [3, 8]})}
    with pytest.raises(LmpInputError) as err:
        stats.cell_stats(survey, ["ppt", "skoleleder"], [ITEM])
    assert str(err.value) == (
        f"skoleleder: ugyldig svarkode 8 i kolonne {ITEM}, rad 2; tillatt: 1–5 eller tom (mangler)")


def test_cell_stats_with_no_group_asked_is_empty_with_integer_n_and_k():
    # «ressurs» is put to PPT only; an empty cells frame must not turn n and k into object columns (a concat
    # with a non-empty cells frame would then give object n and k too)
    cells = stats.cell_stats({}, ["skoleleder"], ["ressurs"])
    assert cells.empty and cells["n"].dtype == np.int64 and cells["k"].dtype == np.int64
    both = pd.concat([cells, stats.cell_stats({}, ["ppt"], ["ressurs"])])
    assert both["n"].dtype == np.int64


# -- Fisher -----------------------------------------------------------------------------------------
def fisher_by_hand(table) -> Fraction:
    """Two-sided exact p: every first column x with x_i <= n_i and the observed total, probability
    prod C(n_i, x_i) / C(N, K), summed over tables no more likely than the observed one (exact fractions)."""
    rows = [(a, b) for a, b in table if a + b > 0]
    n = [a + b for a, b in rows]
    k = sum(a for a, _ in rows)
    norm = math.comb(sum(n), k)

    def prob(xs):
        return Fraction(math.prod(math.comb(ni, xi) for ni, xi in zip(n, xs, strict=True)), norm)

    observed = prob([a for a, _ in rows])
    tables = (xs for xs in itertools.product(*(range(ni + 1) for ni in n)) if sum(xs) == k)
    return sum((q for q in map(prob, tables) if q <= observed), Fraction(0))


@pytest.mark.parametrize(
    "table",
    [
        [[1, 0], [0, 3]],  # rows with n = 1 count
        [[3, 0], [1, 4]],  # column totals differ (K is the first column's)
        [[0, 4], [5, 1]],
        [[2, 3], [4, 1], [0, 5]],
        [[5, 1], [2, 2], [1, 6]],
        [[1, 1], [3, 0], [0, 2], [2, 2]],
    ],
)
def test_fisher_equals_the_hypergeometric_enumeration(table):
    assert stats.fisher_top_two(table) == pytest.approx(float(fisher_by_hand(table)), rel=1e-9)


def test_fisher_2x2_equals_scipy():
    for table in ([[3, 0], [1, 4]], [[7, 2], [3, 9]], [[0, 5], [6, 2]]):
        assert stats.fisher_top_two(table) == pytest.approx(scipy.stats.fisher_exact(table).pvalue, rel=1e-9)


def test_fisher_is_never_above_one():
    # every table is as likely as the observed one: the float sum of the probabilities is 1.0000000000000004
    assert stats.fisher_top_two([[0, 1], [1, 0]]) == 1.0
    assert stats.fisher_top_two([[0, 1], [1, 6]]) == 1.0


def test_fisher_empty_rows_are_dropped_and_one_row_gives_nan():
    assert math.isnan(stats.fisher_top_two([[3, 1], [0, 0]]))
    assert stats.fisher_top_two([[3, 1], [0, 0], [1, 4]]) == stats.fisher_top_two([[3, 1], [1, 4]])


def test_fisher_rejects_negative_counts_with_the_table_in_the_message():
    with pytest.raises(LmpInputError, match=r"r×2.*ikke-negative.*\[\[1, -1\], \[2, 3\]\]"):
        stats.fisher_top_two([[1, -1], [2, 3]])


def test_fisher_refuses_a_table_too_large_to_enumerate():
    with pytest.raises(LmpInputError, match="for stor tabell"):
        stats.fisher_top_two([[2000, 2000], [2000, 2000], [2000, 2000], [1, 1]])


# -- Kruskal–Wallis with permutations ---------------------------------------------------------------
def test_kruskal_h_equals_scipy_with_ties():
    samples = [[1, 2, 2, 5, 4], [3, 3, 4, 5], [1, 1, 2]]
    h, p = stats.kruskal_permutation(samples, n_resamples=99, seed=3)
    assert h == pytest.approx(scipy.stats.kruskal(*samples).statistic, rel=1e-12)
    assert 1 / 100 <= p <= 1 and (p * 100) == pytest.approx(round(p * 100))


def test_kruskal_p_is_one_when_the_observed_h_is_zero():
    # equal mean ranks: H = 0, so every resample reaches it (a third of them exactly) and p = (1 + B)/(B + 1)
    h, p = stats.kruskal_permutation([[1, 4], [2, 3]], n_resamples=50, seed=1)
    assert h == pytest.approx(0, abs=1e-12)
    assert p == 1.0


def test_kruskal_p_counts_every_resample_over_several_chunks():
    # 250 000 scores: the resamples run in chunks of 8 (2 000 000 // N); 9 resamples = 8 + 1
    x = np.arange(250_000, dtype=float)
    first = x[(x % 4 == 0) | (x % 4 == 3)]  # equal mean ranks: H = 0, every resample counts
    second = x[(x % 4 == 1) | (x % 4 == 2)]
    h, p = stats.kruskal_permutation([first, second], n_resamples=9, seed=5)
    assert h == pytest.approx(0, abs=1e-9)
    assert p == 1.0


def test_kruskal_defaults_are_9999_resamples_and_the_documented_seed():
    samples = [[1, 2, 2, 3, 5], [2, 3, 4, 4, 5], [1, 3, 3]]
    h, p = stats.kruskal_permutation(samples)
    assert (h, p) == stats.kruskal_permutation(samples, n_resamples=9999, seed=20170901)
    assert p * 10_000 == pytest.approx(round(p * 10_000), abs=1e-6)  # a multiple of 1/(9999 + 1)
    assert p != stats.kruskal_permutation(samples, n_resamples=9999, seed=20170902)[1]  # the seed matters here


def test_kruskal_ranks_scores_given_as_text_as_numbers():
    samples = [["2", "10"], ["3", "4", "5"]]  # as text «10» would sort before «2»
    h, _ = stats.kruskal_permutation(samples, n_resamples=9, seed=1)
    assert h == pytest.approx(scipy.stats.kruskal([2, 10], [3, 4, 5]).statistic, rel=1e-12)


# -- pulje_comparison / group_comparison ------------------------------------------------------------
ITEM = "rolle_uklar"


def ppt_survey(per_pulje):
    """PPT only, `per_pulje`: pulje -> list of answers to ITEM."""
    pulje = [p for p, answers in per_pulje.items() for _ in answers]
    answers = [a for answers in per_pulje.values() for a in answers]
    return {"ppt": frame("ppt", pulje, {ITEM: answers})}


MIXED = {1: [1, 2, 4, 5, 5, 3], 2: [2, 2, 3, 4, 1, 1, 2], 3: [4, 5, 5, 4, 3, 5]}


def test_pulje_comparison_row_columns_dtype_and_values():
    out = stats.pulje_comparison(ITEM, survey=ppt_survey(MIXED), n_resamples=99, seed=11)
    assert list(out.columns) == ["item", "group", "n", "n_pulje", "fisher_p", "kruskal_h", "kruskal_p",
                                 "withheld", "method"]
    row = out.iloc[0]
    assert (row["item"], row["group"], row["n_pulje"], bool(row["withheld"])) == (ITEM, "ppt", "6 / 7 / 6", False)
    assert str(out["n"].dtype) == "Int64" and out["n"].iloc[0] == 19
    top = [sum(a >= 4 for a in MIXED[p]) for p in (1, 2, 3)]
    table = [[t, len(MIXED[p]) - t] for t, p in zip(top, (1, 2, 3), strict=True)]
    assert row["fisher_p"] == pytest.approx(float(fisher_by_hand(table)), rel=1e-9)
    assert row["kruskal_h"] == pytest.approx(scipy.stats.kruskal(*MIXED.values()).statistic, rel=1e-12)
    # the permutation p of these samples with this seed and number of resamples
    assert row["kruskal_p"] == stats.kruskal_permutation(list(MIXED.values()), n_resamples=99, seed=11)[1]
    assert row["kruskal_p"] != stats.kruskal_permutation(list(MIXED.values()), n_resamples=99, seed=13)[1]
    assert out.attrs["notes"] == [] and out.attrs["puljer"] == [1, 2, 3]


def test_pulje_comparison_defaults_min_n_5_9999_resamples_and_the_seed():
    survey = ppt_survey({1: [1, 2, 4, 5, 5], 2: [2, 2, 3, 4, 1, 1, 2], 3: [4, 5, 5, 4, 3, 5]})
    out = stats.pulje_comparison(ITEM, survey=survey)
    assert not out["withheld"].iloc[0]  # n = 5 is shown at the default min_n 5
    assert "9999 permutasjoner" in out["method"].iloc[0]
    samples = [[1, 2, 4, 5, 5], [2, 2, 3, 4, 1, 1, 2], [4, 5, 5, 4, 3, 5]]
    assert out["kruskal_p"].iloc[0] == stats.kruskal_permutation(samples, n_resamples=9999, seed=20170901)[1]


def test_pulje_comparison_withholds_with_the_min_n_passed_and_notes_why():
    out = stats.pulje_comparison(ITEM, survey=ppt_survey(MIXED), min_n=7, n_resamples=9, seed=1)
    assert bool(out["withheld"].iloc[0]) and math.isnan(out["fisher_p"].iloc[0])
    assert out["n_pulje"].iloc[0] == ": / 7 / :" and out["n"].isna().all()
    assert out.attrs["notes"] == [stats.TEST_WITHHELD_NOTE]


def test_a_pulje_with_one_answer_withholds_the_test():
    # pulje 1: one answer, puljer 2 and 3: none; alle (n = 1) is hidden too
    out = stats.pulje_comparison(ITEM, survey=ppt_survey({1: [4], 2: [None, None], 3: [None]}), n_resamples=9)
    assert bool(out["withheld"].iloc[0])
    assert out["n_pulje"].iloc[0] == ": / 0 / 0"
    assert out.attrs["notes"] == [stats.TEST_WITHHELD_NOTE]


@pytest.fixture
def small_data_dir(tmp_path):
    """The synthetic data without the first four PPT respondents of pulje 2."""
    folder = tmp_path / "data"
    shutil.copytree(SYNTHETIC, folder)
    header, *lines = (SYNTHETIC / "ppt.csv").read_text(encoding="utf-8").splitlines(keepends=True)
    pulje2 = [line for line in lines if line.split(",")[1] == "2"][:4]
    (folder / "ppt.csv").write_text(header + "".join(x for x in lines if x not in pulje2), encoding="utf-8")
    return folder


def test_comparisons_read_the_data_dir_passed(small_data_dir):
    ppt = pd.read_csv(small_data_dir / "ppt.csv")
    answered = [int(ppt[ITEM][ppt["pulje"] == p].notna().sum()) for p in (1, 2, 3)]
    assert min(answered) >= 5 and len(ppt) == 24
    out = stats.pulje_comparison(ITEM, data_dir=small_data_dir, n_resamples=9)
    assert out["n_pulje"].iloc[0] == " / ".join(map(str, answered)) and out["n"].iloc[0] == sum(answered)
    grp = stats.group_comparison(ITEM, data_dir=small_data_dir, groups=["ppt"], n_resamples=9)
    assert grp["n_group"].iloc[0] == str(sum(answered))


def test_group_comparison_refuses_a_group_not_asked_the_item_as_the_tables_do():
    # «ressurs» is asked of PPT only; picking skoleleder is a caller's mistake, named as distribution_table names it
    # (it used to add a row with n = 0 without a survey frame, and raise a bare KeyError with one)
    survey = {g: frame(g, [1] * 6, {"ressurs": [1, 2, 3, 4, 5, 5]}) for g in ("ppt", "skoleleder")}
    for given in ({"ppt": survey["ppt"]}, survey):
        with pytest.raises(LmpInputError) as err:
            stats.group_comparison("ressurs", survey=given, groups=["ppt", "skoleleder"], n_resamples=9)
        assert str(err.value) == "spørsmålet 'ressurs' ble ikke stilt til skoleleder; tillatt: ppt"


def test_group_comparison_refuses_a_group_picked_twice():
    # it used to compare PPT with itself (Fisher p = 1 from two copies of the same answers), written up as a test
    survey = {"ppt": frame("ppt", [1] * 6, {ITEM: [1, 2, 3, 4, 5, 5]})}
    with pytest.raises(LmpInputError) as err:
        stats.group_comparison(ITEM, survey=survey, groups=["ppt", "ppt"], n_resamples=9)
    assert str(err.value) == f"spørsmålet {ITEM!r}: gruppen ppt er valgt mer enn én gang"


@pytest.mark.parametrize(("missing", "n_group"), [("skoleeier", "6 / 7 / 0"), ("ppt", "0 / 6 / 7")])
def test_group_comparison_without_a_group_frame_treats_it_as_empty(missing, n_group):
    # the missing group last, and first: the groups after it still count
    a, b = [1, 2, 4, 5, 5, 3], [2, 2, 3, 4, 1, 1, 2]
    present = [g for g in ("ppt", "skoleleder", "skoleeier") if g != missing]
    survey = {present[0]: frame(present[0], [1] * 6, {ITEM: a}), present[1]: frame(present[1], [1] * 7, {ITEM: b})}
    out = stats.group_comparison(ITEM, survey=survey, n_resamples=9, seed=2)
    row = out.iloc[0]
    assert row["n_group"] == n_group and row["groups"] == "ppt / skoleleder / skoleeier"
    assert row["kruskal_h"] == pytest.approx(scipy.stats.kruskal(a, b).statistic, rel=1e-12)


def test_group_comparison_counts_a_group_of_one_respondent_at_min_n_1():
    a, b, c = [1, 2, 4, 5, 5, 3], [2, 2, 3, 4, 1, 1, 2], [5]
    survey = {"ppt": frame("ppt", [1] * 6, {ITEM: a}), "skoleleder": frame("skoleleder", [1] * 7, {ITEM: b}),
              "skoleeier": frame("skoleeier", [2], {ITEM: c})}
    out = stats.group_comparison(ITEM, survey=survey, min_n=1, n_resamples=9, seed=2)
    assert out["n_group"].iloc[0] == "6 / 7 / 1"
    assert out["kruskal_h"].iloc[0] == pytest.approx(scipy.stats.kruskal(a, b, c).statistic, rel=1e-12)
