"""Shares, rounding, Wilson intervals and group tests, checked against scipy or by hand."""

import itertools
import math

import numpy as np
import pandas as pd
import pytest
import scipy.stats

from lmp_helpers import stats
from lmp_helpers.codebook import load_codebook
from lmp_helpers.errors import LmpInputError


def frame(group, pulje, answers):
    """A canonical group frame: `answers` maps item -> list of codes (None = missing)."""
    cb = load_codebook()
    data = {"respondent_id": [f"{group}-{i}" for i in range(len(pulje))], "pulje": np.array(pulje, dtype="int64")}
    for item in cb.items_for_group(group):
        values = answers.get(item, [None] * len(pulje))
        data[item] = pd.array(values, dtype="Int64")
    return pd.DataFrame(data)


# -- Wilson ---------------------------------------------------------------------------------------
@pytest.mark.parametrize("k,n", [(5, 9), (11, 27), (0, 10), (10, 10), (9, 26), (1, 1), (16, 26), (3, 7)])
def test_wilson_matches_scipy(k, n):
    expected = scipy.stats.binomtest(k, n).proportion_ci(0.95, method="wilson")
    low, high = stats.wilson_interval(k, n)
    assert low == pytest.approx(expected.low, abs=1e-12)
    assert high == pytest.approx(expected.high, abs=1e-12)


def test_wilson_other_level_and_arrays():
    expected = scipy.stats.binomtest(11, 27).proportion_ci(0.9, method="wilson")
    assert stats.wilson_interval(11, 27, level=0.9) == pytest.approx((expected.low, expected.high), abs=1e-12)
    low, high = stats.wilson_interval(np.array([5, 11, 0]), np.array([9, 27, 0]))
    assert low[0] == pytest.approx(0.2666512934954931)  # scipy value for 5/9, written out
    assert high[1] == pytest.approx(scipy.stats.binomtest(11, 27).proportion_ci(method="wilson").high)
    assert np.isnan(low[2]) and np.isnan(high[2])  # n = 0: no interval


@pytest.mark.parametrize("k,n,level", [(6, 5, 0.95), (-1, 5, 0.95), (2, 5, 1.0), (2, 5, 0)])
def test_wilson_rejects_bad_input(k, n, level):
    with pytest.raises(LmpInputError):
        stats.wilson_interval(k, n, level)


# -- rounding -------------------------------------------------------------------------------------
@pytest.mark.parametrize(
    "k,n,expected",
    [
        (5, 9, 55.6),  # the report's school owners, «PPT sin rolle har vært uklar»
        (10, 35, 28.6),
        (9, 26, 34.6),
        (12, 26, 46.2),
        (16, 26, 61.5),
        (6, 10, 60.0),
        (11, 36, 30.6),
        (1, 16, 6.3),  # 6.25: half away from zero (Python's round() would give 6.2)
        (1, 80, 1.3),  # 1.25
        (3, 16, 18.8),  # 18.75
        (1, 32, 3.1),  # 3.125
        (0, 4, 0.0),
        (4, 4, 100.0),
    ],
)
def test_pct_from_counts_rounds_like_the_report(k, n, expected):
    assert float(stats.pct_from_counts(k, n)) == expected


def test_pct_from_counts_n_zero_is_nan():
    assert np.isnan(stats.pct_from_counts(0, 0))


def test_round_pct_half_away_from_zero():
    assert stats.round_pct(0.0625) == 6.3
    assert stats.round_pct(0.28549) == 28.5
    assert stats.round_pct(0.2855) == 28.6
    assert np.isnan(stats.round_pct(float("nan")))


# -- counting -------------------------------------------------------------------------------------
def test_answer_counts_by_pulje_and_code():
    df = frame("ppt", [1, 1, 2, 3, 3], {"rolle_uklar": [5, None, 4, 1, 1]})
    counts = stats.answer_counts(df, ["rolle_uklar"], "ppt")
    assert counts.shape == (1, 3, 6)
    assert counts[0, 0].tolist() == [1, 0, 0, 0, 0, 1]  # pulje 1: one missing, one «5»
    assert counts[0, 1].tolist() == [0, 0, 0, 0, 1, 0]
    assert counts[0, 2].tolist() == [0, 2, 0, 0, 0, 0]


def test_answer_counts_rejects_bad_codes_and_pulje():
    with pytest.raises(LmpInputError, match="svarkode"):
        stats.answer_counts(frame("ppt", [1, 2], {"rolle_uklar": [6, 1]}), ["rolle_uklar"], "ppt")
    with pytest.raises(LmpInputError, match="pulje"):
        stats.answer_counts(frame("ppt", [1, 4], {"rolle_uklar": [1, 1]}), ["rolle_uklar"], "ppt")


def test_cell_stats_family_rows():
    # Every code once or more, «verken eller» (3) included, so top-two {4, 5} differs from {3, 4, 5} or {5}.
    answers = [4, 3, 2, 5, None, 3, 1, 4, 5]
    survey = {"skoleeier": frame("skoleeier", [1, 1, 1, 1, 1, 2, 2, 2, 2], {"rolle_uklar": answers})}
    cells = stats.cell_stats(survey, ["skoleeier"], ["rolle_uklar"])
    # Skoleeiere were asked in pulje 1 and 2 only: no pulje-3 row.
    assert cells["pulje"].tolist() == ["1", "2", "alle"]
    assert cells["n"].tolist() == [4, 4, 8]  # the missing answer is not counted
    assert cells["k"].tolist() == [2, 2, 4]  # 4 and 5 only
    assert cells[["c1", "c2", "c3", "c4", "c5"]].to_numpy().tolist() == [
        [0, 1, 1, 1, 1], [1, 0, 1, 1, 1], [1, 1, 2, 2, 2]
    ]
    assert cells["group"].tolist() == ["skoleeier"] * 3 and cells["item"].tolist() == ["rolle_uklar"] * 3


# -- Fisher ---------------------------------------------------------------------------------------
def brute_force_fisher(table):
    """Independent reference: enumerate every r×2 table with the same margins (math.comb)."""
    rows = [a + b for a, b in table]
    k = sum(a for a, _ in table)
    total = math.comb(sum(rows), k)

    def prob(xs):
        return math.prod(math.comb(n, x) for n, x in zip(rows, xs, strict=True)) / total

    p_obs = prob([a for a, _ in table])
    p = 0.0
    for xs in itertools.product(*[range(n + 1) for n in rows]):
        if sum(xs) == k and prob(xs) <= p_obs * (1 + 1e-7):
            p += prob(xs)
    return p


@pytest.mark.parametrize("table", [[[8, 2], [1, 5]], [[3, 3], [10, 5]], [[0, 5], [4, 1]]])
def test_fisher_2x2_matches_scipy(table):
    assert stats.fisher_top_two(table) == pytest.approx(scipy.stats.fisher_exact(table).pvalue, rel=1e-9)


@pytest.mark.parametrize("table", [[[3, 3], [10, 5], [4, 3]], [[6, 0], [2, 13], [1, 6]], [[2, 2], [2, 2], [2, 2]]])
def test_fisher_rx2_is_exact(table):
    assert stats.fisher_top_two(table) == pytest.approx(brute_force_fisher(table), rel=1e-9)


def test_fisher_drops_empty_rows_and_degenerate_tables():
    assert stats.fisher_top_two([[8, 2], [0, 0], [1, 5]]) == pytest.approx(
        scipy.stats.fisher_exact([[8, 2], [1, 5]]).pvalue
    )
    assert np.isnan(stats.fisher_top_two([[3, 4]]))
    assert np.isnan(stats.fisher_top_two([[3, 0], [4, 0]]))
    with pytest.raises(LmpInputError):
        stats.fisher_top_two([[1, 2, 3], [4, 5, 6]])


# -- Kruskal–Wallis -------------------------------------------------------------------------------
def test_kruskal_statistic_matches_scipy_and_is_seeded():
    a, b, c = [1, 2, 2, 3, 5], [2, 3, 4, 4, 5, 5], [1, 1, 2, 3]
    h, p = stats.kruskal_permutation([a, b, c], n_resamples=2000, seed=1)
    assert h == pytest.approx(scipy.stats.kruskal(a, b, c).statistic)
    assert stats.kruskal_permutation([a, b, c], n_resamples=2000, seed=1) == (h, p)


def test_kruskal_permutation_p_close_to_scipy_permutation_test():
    rng = np.random.default_rng(7)
    a = rng.integers(1, 6, 12)
    b = np.clip(rng.integers(1, 6, 10) + 1, 1, 5)
    c = rng.integers(1, 6, 8)
    _, p = stats.kruskal_permutation([a, b, c], n_resamples=9999, seed=3)
    ref = scipy.stats.permutation_test(
        (a, b, c),
        lambda *s: scipy.stats.kruskal(*s).statistic,
        permutation_type="independent",
        alternative="greater",
        n_resamples=9999,
        rng=np.random.default_rng(11),
    ).pvalue
    assert p == pytest.approx(ref, abs=0.025)


def test_kruskal_extremes():
    _, p_diff = stats.kruskal_permutation([[1] * 8, [5] * 8], n_resamples=999, seed=2)
    assert p_diff < 0.01
    _, p_same = stats.kruskal_permutation([[1, 3, 5, 2, 4], [5, 1, 3, 4, 2]], n_resamples=999, seed=2)
    assert p_same > 0.5
    assert all(np.isnan(stats.kruskal_permutation([[1, 2, 3]])))
    assert all(np.isnan(stats.kruskal_permutation([[3, 3], [3, 3]])))


def exact_kruskal_p(groups) -> tuple[float, float]:
    """(H, exact permutation p) by enumerating every table of value counts per group (independent of stats).

    Under the permutation null every split of the pooled scores into groups of the observed sizes is equally
    likely; H depends only on how many of each distinct value each group gets, so the tables of counts with
    the observed margins are enumerated with their multivariate hypergeometric probabilities.
    """
    values = sorted({v for g in groups for v in g})
    col = [sum(g.count(v) for g in groups) for v in values]
    sizes = [len(g) for g in groups]
    n_total = sum(sizes)
    # mid-ranks of each distinct value
    mid, start = [], 0
    for c in col:
        mid.append(start + (c + 1) / 2)
        start += c
    tie = 1 - sum(c**3 - c for c in col) / (n_total**3 - n_total)

    def h_of(table):
        rank_sums = [sum(x * m for x, m in zip(row, mid, strict=True)) for row in table]
        h = 12 / (n_total * (n_total + 1)) * sum(r * r / s for r, s in zip(rank_sums, sizes, strict=True))
        return (h - 3 * (n_total + 1)) / tie

    def rows_for(size, remaining):
        for combo in itertools.product(*(range(min(r, size) + 1) for r in remaining)):
            if sum(combo) == size:
                yield combo

    observed = [[g.count(v) for v in values] for g in groups]
    h_obs = h_of(observed)
    log_den = math.lgamma(n_total + 1) - sum(math.lgamma(s + 1) for s in sizes)
    log_cols = sum(math.lgamma(c + 1) for c in col)
    p = 0.0

    def walk(i, remaining, table):
        nonlocal p
        if i == len(sizes) - 1:
            full = [*table, list(remaining)]
            if h_of(full) >= h_obs - 1e-9:
                log_num = log_cols - sum(math.lgamma(x + 1) for row in full for x in row)
                p += math.exp(log_num - log_den)
            return
        for row in rows_for(sizes[i], remaining):
            walk(i + 1, [r - x for r, x in zip(remaining, row, strict=True)], [*table, list(row)])

    walk(0, col, [])
    return h_obs, p


# -- comparisons ----------------------------------------------------------------------------------
def test_pulje_comparison_reports_n_and_hand_checked_fisher():
    answers = {"rolle_uklar": [5, 4, 1, 2, 2, 1] + [4] * 5 + [1] * 5 + [None] + [2] * 5 + [5] * 2}
    pulje = [1] * 6 + [2] * 11 + [3] * 7
    survey = {"ppt": frame("ppt", pulje, answers)}
    b = 9999
    res = stats.pulje_comparison("rolle_uklar", group="ppt", survey=survey, n_resamples=b)
    row = res.iloc[0]
    assert row["n"] == 23 and row["n_pulje"] == "6 / 10 / 7"
    # top-two per pulje by hand: 2 of 6, 5 of 10, 2 of 7
    assert row["fisher_p"] == pytest.approx(brute_force_fisher([[2, 4], [5, 5], [2, 5]]))
    assert not row["withheld"]
    # Kruskal–Wallis: H exactly scipy's; the Monte Carlo p within 4 standard errors of the exact permutation
    # p (enumerated independently below), and a count over B + 1.
    groups = [[5, 4, 1, 2, 2, 1], [4] * 5 + [1] * 5, [2] * 5 + [5] * 2]
    h_exact, p_exact = exact_kruskal_p(groups)
    assert row["kruskal_h"] == pytest.approx(scipy.stats.kruskal(*groups).statistic, rel=1e-12)
    assert row["kruskal_h"] == pytest.approx(h_exact, rel=1e-12)
    se = math.sqrt(p_exact * (1 - p_exact) / b)
    assert abs(row["kruskal_p"] - p_exact) <= 4 * se + 1 / (b + 1), (row["kruskal_p"], p_exact)
    assert row["kruskal_p"] * (b + 1) == pytest.approx(round(row["kruskal_p"] * (b + 1)), abs=1e-6)
    assert row["method"] == f"Fisher (eksakt, r×2) på topp-to; Kruskal–Wallis med {b} permutasjoner"


def test_pulje_comparison_withheld_when_a_cell_is_suppressed():
    survey = {"skoleeier": frame("skoleeier", [1] * 4 + [2] * 6, {"rolle_uklar": [5, 4, 1, 2, 2, 1, 4, 4, 5, 1]})}
    row = stats.pulje_comparison("rolle_uklar", group="skoleeier", survey=survey, n_resamples=99).iloc[0]
    assert row["withheld"] and np.isnan(row["fisher_p"]) and np.isnan(row["kruskal_p"])
    assert row["n_pulje"] == ": / :"  # 4 + 6 = 10: pulje 1 hidden, so pulje 2 too


def test_group_comparison_leaves_out_groups_not_asked():
    survey = {
        "ppt": frame("ppt", [3] * 6, {"rolle_uklar": [1, 2, 3, 4, 5, 5]}),
        "skoleleder": frame("skoleleder", [1] * 6, {"rolle_uklar": [1] * 6}),
        "skoleeier": frame("skoleeier", [1] * 6, {"rolle_uklar": [5] * 6}),
    }
    res = stats.group_comparison("rolle_uklar", pulje=3, survey=survey, n_resamples=99)
    assert res.iloc[0]["groups"] == "ppt" and res.iloc[0]["n"] == 6
    assert np.isnan(res.iloc[0]["fisher_p"])  # one group only: nothing to compare
    res = stats.group_comparison("rolle_uklar", pulje=1, survey=survey, n_resamples=999)
    # PPT was asked in pulje 1 but has no respondents there: listed with n = 0, left out of the test.
    assert res.iloc[0]["groups"] == "ppt / skoleleder / skoleeier" and res.iloc[0]["n_group"] == "0 / 6 / 6"
    assert res.iloc[0]["fisher_p"] == pytest.approx(scipy.stats.fisher_exact([[0, 6], [6, 0]]).pvalue)


def test_comparison_rejects_unknown_figure():
    with pytest.raises(LmpInputError, match="tillatt"):
        stats.pulje_comparison("fig9_9", survey={})


def test_comparisons_withhold_the_total_n_beside_a_suppressed_cell():
    # skoleleder has 3 answers in pulje 1 (suppressed): a total next to «:» would give the 3 back by subtraction
    survey = {
        "ppt": frame("ppt", [1] * 8, {"rolle_uklar": [1, 2, 3, 4, 5, 5, 4, 2]}),
        "skoleleder": frame("skoleleder", [1] * 3, {"rolle_uklar": [1, 5, 4]}),
        "skoleeier": frame("skoleeier", [1] * 7, {"rolle_uklar": [5] * 7}),
    }
    row = stats.group_comparison("rolle_uklar", pulje=1, survey=survey, n_resamples=99).iloc[0]
    assert ":" in row["n_group"] and pd.isna(row["n"])
    row = stats.pulje_comparison("rolle_uklar", group="skoleleder", survey=survey, n_resamples=99).iloc[0]
    assert ":" in row["n_pulje"] and pd.isna(row["n"])
    # nothing hidden: the total is shown
    survey["skoleleder"] = frame("skoleleder", [1] * 6, {"rolle_uklar": [1, 5, 4, 4, 2, 3]})
    row = stats.group_comparison("rolle_uklar", pulje=1, survey=survey, n_resamples=99).iloc[0]
    assert ":" not in row["n_group"] and row["n"] == 21
