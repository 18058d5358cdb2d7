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

from lmp_helpers import stats
from lmp_helpers.codebook import load_codebook
from lmp_helpers.errors import LmpInputError

SYNTHETIC = Path(__file__).resolve().parents[1] / "data" / "synthetic"


def frame(group, pulje, answers):
    """A canonical group frame: `answers` maps item -> list of codes (None = missing)."""
    cb = load_codebook()
    data = {"respondent_id": [f"{group}-{i}" for i in range(len(pulje))], "pulje": np.array(pulje, dtype="int64")}
    for item in cb.items_for_group(group):
        data[item] = pd.array(answers.get(item, [None] * len(pulje)), dtype="Int64")
    return pd.DataFrame(data)


# -- Wilson -----------------------------------------------------------------------------------------
def test_wilson_bounds_from_the_formula():
    k, n, z = 7, 20, 1.959963984540054
    p = k / n
    centre = (p + z * z / (2 * n)) / (1 + z * z / n)
    half = z * math.sqrt(p * (1 - p) / n + z * z / (4 * n * n)) / (1 + z * z / n)
    lo, hi = stats.wilson_interval(k, n)
    assert math.isclose(lo, centre - half, rel_tol=1e-9)
    assert math.isclose(hi, centre + half, rel_tol=1e-9)


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
    samples = [["2", "10", "3"], ["4", "5", "11"]]
    h, _ = stats.kruskal_permutation(samples, n_resamples=9, seed=1)
    assert h == pytest.approx(scipy.stats.kruskal([2, 10, 3], [4, 5, 11]).statistic, rel=1e-12)


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


def test_group_comparison_with_a_group_not_asked_the_item_counts_it_as_zero():
    # «ressurs» is asked of PPT only: a skoleleder row is added with n = 0 and no part in the tests (here
    # the survey has no skoleleder frame; with one, group_comparison raises a bare KeyError: noted, not changed)
    survey = {"ppt": frame("ppt", [1] * 6 + [2] * 6, {"ressurs": [1, 2, 3, 4, 5, 5, 2, 2, 3, 4, 4, 1]})}
    out = stats.group_comparison("ressurs", survey=survey, groups=["ppt", "skoleleder"], n_resamples=9)
    row = out.iloc[0]
    assert row["groups"] == "ppt / skoleleder" and row["n_group"] == "12 / 0" and row["n"] == 12
    assert not row["withheld"] and math.isnan(row["fisher_p"]) and math.isnan(row["kruskal_h"])


def test_group_comparison_without_a_group_frame_treats_it_as_empty():
    a, b = [1, 2, 4, 5, 5, 3], [2, 2, 3, 4, 1, 1, 2]
    survey = {"ppt": frame("ppt", [1] * 6, {ITEM: a}), "skoleleder": frame("skoleleder", [1] * 7, {ITEM: b})}
    out = stats.group_comparison(ITEM, survey=survey, n_resamples=9, seed=2)
    row = out.iloc[0]
    assert row["n_group"] == "6 / 7 / 0" and row["groups"] == "ppt / skoleleder / skoleeier"
    assert row["kruskal_h"] == pytest.approx(scipy.stats.kruskal(a, b).statistic, rel=1e-12)


def test_group_comparison_counts_a_group_of_one_respondent_at_min_n_1():
    a, b, c = [1, 2, 4, 5, 5, 3], [2, 2, 3, 4, 1, 1, 2], [5]
    survey = {"ppt": frame("ppt", [1] * 6, {ITEM: a}), "skoleleder": frame("skoleleder", [1] * 7, {ITEM: b}),
              "skoleeier": frame("skoleeier", [2], {ITEM: c})}
    out = stats.group_comparison(ITEM, survey=survey, min_n=1, n_resamples=9, seed=2)
    assert out["n_group"].iloc[0] == "6 / 7 / 1"
    assert out["kruskal_h"].iloc[0] == pytest.approx(scipy.stats.kruskal(a, b, c).statistic, rel=1e-12)
