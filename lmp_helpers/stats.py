"""Shares, Wilson intervals, answer counts and group tests for the survey items.

Counting is vectorised (one `np.bincount` per group over respondents × items); scipy is imported lazily
inside the tests that need it, so `import lmp_helpers` stays fast.
"""

from __future__ import annotations

from statistics import NormalDist

import numpy as np
import pandas as pd

from lmp_helpers.codebook import load_codebook
from lmp_helpers.errors import LmpInputError, plain_value

WILSON_METHOD = "Wilson-intervall (95 %)"
N_CODES = 6  # code 0 = missing (no substantive answer), 1–5 = the scale


# -- rounding ------------------------------------------------------------------------------------
def pct_from_counts(k, n):
    """100·k/n rounded to one decimal, half away from zero, in exact integer arithmetic (as the report:
    5/9 → 55.6, 9/26 → 34.6, 16/26 → 61.5). NaN where n == 0."""
    k = np.asarray(k, dtype=np.int64)
    n = np.asarray(n, dtype=np.int64)
    safe = np.where(n > 0, n, 1)
    tenths = (2000 * k + safe) // (2 * safe)
    return np.where(n > 0, tenths / 10.0, np.nan)


def round_pct(x):
    """A proportion (0–1) as a percentage with one decimal, half away from zero. NaN stays NaN.

    The tiny epsilon keeps binary representation error (0.2855 stored as 0.28549999…) from flipping a
    half; it is far below the 0.05-point rounding step.
    """
    x = np.asarray(x, dtype=float) * 1000.0
    return np.sign(x) * np.floor(np.abs(x) + 0.5 + 1e-9) / 10.0


# -- Wilson interval ----------------------------------------------------------------------------
def wilson_interval(k, n, level: float = 0.95):
    """Wilson score interval for k successes out of n, as proportions (0–1).

    Same numbers as `scipy.stats.binomtest(k, n).proportion_ci(level, method="wilson")`, but vectorised:
    k and n may be arrays. Returns `(low, high)`; NaN where n == 0.
    """
    if not 0 < level < 1:
        raise LmpInputError(f"ugyldig konfidensnivå {level!r}; tillatt: et tall mellom 0 og 1, f.eks. 0.95")
    k_arr = np.asarray(k, dtype=float)
    n_arr = np.asarray(n, dtype=float)
    if np.any(k_arr < 0) or np.any(k_arr > n_arr):
        raise LmpInputError(f"ugyldig k={k!r}, n={n!r}; tillatt: 0 ≤ k ≤ n")
    z = NormalDist().inv_cdf(0.5 + level / 2)
    with np.errstate(divide="ignore", invalid="ignore"):
        p = k_arr / n_arr
        denom = 1 + z * z / n_arr
        center = (p + z * z / (2 * n_arr)) / denom
        half = z / denom * np.sqrt(p * (1 - p) / n_arr + z * z / (4 * n_arr * n_arr))
        low = np.clip(center - half, 0.0, 1.0)
        high = np.clip(center + half, 0.0, 1.0)
    low = np.where(n_arr > 0, low, np.nan)
    high = np.where(n_arr > 0, high, np.nan)
    if low.ndim == 0:
        return float(low), float(high)
    return low, high


# -- counting -----------------------------------------------------------------------------------
def _group_frame(survey: dict, group: str) -> pd.DataFrame | None:
    return survey.get(group) if survey is not None else None


def _shown(value) -> str:
    """A cell value as a message shows it: 7, 1.5, 'x' (not numpy's «np.int64(7)»)."""
    return repr(plain_value(value))


def answer_counts(df: pd.DataFrame, items: list[str], group: str = "") -> np.ndarray:
    """Counts per item × pulje × answer code, shape (items, puljer, 6); code 0 counts missing answers.

    One bincount over the whole respondents × items block: no Python loop over respondents.
    """
    cb = load_codebook()
    pulje_values = np.asarray(cb.pulje_values, dtype=np.int64)
    n_pulje = len(pulje_values)
    if df is None or len(df) == 0:
        return np.zeros((len(items), n_pulje, N_CODES), dtype=np.int64)
    missing_cols = [c for c in [cb.pulje_column, *items] if c not in df.columns]
    if missing_cols:
        raise LmpInputError(f"{group or 'data'}: mangler kolonne(r) {', '.join(missing_cols)}")
    pulje = pd.to_numeric(df[cb.pulje_column], errors="coerce").to_numpy(dtype=float, na_value=np.nan)
    # pulje values are 1..3 in the codebook: map to index by searchsorted and verify exact match.
    pidx = np.searchsorted(pulje_values, pulje)
    pidx_c = np.clip(pidx, 0, n_pulje - 1)
    bad = ~(pulje_values[pidx_c] == pulje)
    if bad.any():
        row = int(np.flatnonzero(bad)[0])
        raise LmpInputError(
            f"{group or 'data'}: ugyldig pulje {_shown(df[cb.pulje_column].iloc[row])} i rad {row + 1}; "
            f"tillatt: {', '.join(map(str, cb.pulje_values))}"
        )
    counts = np.zeros((len(items), n_pulje, N_CODES), dtype=np.int64)
    for i, item in enumerate(items):  # a handful of items; each is one vectorised pass
        col = df[item]
        codes = col.to_numpy(dtype=np.float64, na_value=0.0) if hasattr(col, "to_numpy") else np.asarray(col)
        codes_i = codes.astype(np.int64)
        if np.any((codes_i < 0) | (codes_i > 5) | (codes_i != codes)):
            row = int(np.flatnonzero((codes_i < 0) | (codes_i > 5) | (codes_i != codes))[0])
            raise LmpInputError(
                f"{group or 'data'}: ugyldig svarkode {_shown(col.iloc[row])} i kolonne {item}, rad {row + 1}; "
                "tillatt: 1–5 eller tom (mangler)"
            )
        counts[i] = np.bincount(pidx_c * N_CODES + codes_i, minlength=n_pulje * N_CODES).reshape(
            n_pulje, N_CODES
        )
    return counts


def cell_stats(survey: dict, groups, items) -> pd.DataFrame:
    """Long frame with one row per group × item × pulje (1, 2, 3, alle) the group was asked in.

    Columns: group, item, pulje ("1", "2", "3", "alle"), n (answered), k (top-two), c1..c5 (counts per
    answer), suppressed is NOT decided here (see `tables`). Groups without a frame count as empty.
    """
    cb = load_codebook()
    rows = []
    for group in groups:
        g = cb.group(group)
        its = [it for it in items if group in cb.item(it).groups]
        if not its:
            continue
        counts = answer_counts(_group_frame(survey, group), its, group)  # (items, puljer, 6)
        for i, item in enumerate(its):
            for p_i, p in enumerate(cb.pulje_values):
                if p in g.pulje:
                    rows.append((group, item, str(p), *counts[i, p_i, 1:]))
            total = counts[i, [cb.pulje_values.index(p) for p in g.pulje], 1:].sum(axis=0)
            rows.append((group, item, cb.pulje_all, *total))
    frame = pd.DataFrame(rows, columns=["group", "item", "pulje", "c1", "c2", "c3", "c4", "c5"])
    cnt = frame[["c1", "c2", "c3", "c4", "c5"]].to_numpy(dtype=np.int64)
    frame.insert(3, "n", cnt.sum(axis=1))
    frame.insert(4, "k", cnt[:, [c - 1 for c in cb.top_two]].sum(axis=1))
    return frame


# -- group tests ----------------------------------------------------------------------------------
def fisher_top_two(table) -> float:
    """Exact Fisher (Fisher–Freeman–Halton) test on an r×2 table: rows are groups or puljer, columns
    (top-two, other). Returns the two-sided p-value: the probability, with all margins fixed, of a table
    no more likely than the observed one.

    SciPy's `fisher_exact` is exact only for 2×2 (for r×c it falls back to a Monte Carlo estimate that
    changes from run to run), so r×2 tables are enumerated here: with fixed margins a table is determined by
    its first column (x_1..x_r, sum K) and has probability Π C(n_i, x_i) / C(N, K). For 2×2 this is exactly
    scipy's two-sided p-value. Rows with n = 0 are dropped; NaN if fewer than two rows remain or a column
    is all zero.
    """
    from math import lgamma

    t = np.asarray(table, dtype=np.int64)
    if t.ndim != 2 or t.shape[1] != 2 or np.any(t < 0):
        raise LmpInputError(f"Fisher-testen trenger en r×2-tabell med ikke-negative heltall, fikk {t.tolist()}")
    t = t[t.sum(axis=1) > 0]
    if t.shape[0] < 2 or np.any(t.sum(axis=0) == 0):
        return float("nan")
    n_rows = t.sum(axis=1)
    k_total = int(t[:, 0].sum())

    def log_comb(n, k):
        n = np.asarray(n, dtype=float)
        k = np.asarray(k, dtype=float)
        return _lgamma(n + 1) - _lgamma(k + 1) - _lgamma(n - k + 1)

    # Enumerate every table with the observed margins (first column x_1..x_r summing to K).
    log_obs = float(log_comb(n_rows, t[:, 0]).sum())
    grids = [np.arange(min(n, k_total) + 1) for n in n_rows[:-1]]
    size = int(np.prod([g.size for g in grids]))
    if size > 20_000_000:
        raise LmpInputError(f"for stor tabell for eksakt Fisher-test ({size} tabeller); bruk færre grupper")
    mesh = np.meshgrid(*grids, indexing="ij")
    xs = [m.ravel() for m in mesh]
    last = k_total - np.sum(xs, axis=0)
    ok = (last >= 0) & (last <= n_rows[-1])
    logp = sum(log_comb(n, x[ok]) for n, x in zip(n_rows[:-1], xs, strict=True)) + log_comb(n_rows[-1], last[ok])
    log_norm = lgamma(n_rows.sum() + 1) - lgamma(k_total + 1) - lgamma(n_rows.sum() - k_total + 1)
    probs = np.exp(logp - log_norm)
    p_obs = np.exp(log_obs - log_norm)
    return float(min(1.0, probs[probs <= p_obs * (1 + 1e-7)].sum()))


def _lgamma(x):
    from scipy.special import gammaln

    return gammaln(x)


def kruskal_permutation(samples, n_resamples: int = 9999, seed: int = 20170901) -> tuple[float, float]:
    """Kruskal–Wallis H with a permutation p-value (seeded, vectorised over resamples).

    `samples`: a list of 1-D arrays of scores (missing values removed by the caller or here). The p-value is
    (1 + #{H_perm ≥ H_obs}) / (n_resamples + 1), so it is never 0. Returns (H, p); NaN if < 2 non-empty
    samples or all scores equal.
    """
    arrays = [np.asarray(pd.Series(s).dropna(), dtype=float) for s in samples]
    arrays = [a for a in arrays if a.size]
    if len(arrays) < 2:
        return float("nan"), float("nan")
    x = np.concatenate(arrays)
    sizes = np.array([a.size for a in arrays])
    if np.all(x == x[0]):
        return float("nan"), float("nan")
    labels = np.repeat(np.arange(len(arrays)), sizes)
    ranks = pd.Series(x).rank(method="average").to_numpy()
    n_total = x.size
    _, tie_counts = np.unique(x, return_counts=True)
    tie_corr = 1.0 - (tie_counts**3 - tie_counts).sum() / (n_total**3 - n_total)

    def h_stat(rank_sums):
        return (12.0 / (n_total * (n_total + 1)) * (rank_sums**2 / sizes).sum(axis=-1) - 3 * (n_total + 1)) / tie_corr

    onehot = np.eye(len(arrays))[labels]  # (N, groups)
    h_obs = float(h_stat(ranks @ onehot))
    rng = np.random.default_rng(seed)
    # Resamples in chunks keep memory bounded for large samples (the survey groups are small).
    chunk = max(1, min(n_resamples, 2_000_000 // n_total))
    exceed = 0
    for start in range(0, n_resamples, chunk):
        b = min(chunk, n_resamples - start)
        perm_ranks = rng.permuted(np.broadcast_to(ranks, (b, n_total)), axis=1)
        exceed += int(np.count_nonzero(h_stat(perm_ranks @ onehot) >= h_obs - 1e-9))
    p = (1 + exceed) / (n_resamples + 1)
    return h_obs, float(p)


def _items_for(figure_or_item: str) -> list[str]:
    cb = load_codebook()
    if figure_or_item in cb.figures:
        return list(cb.figures[figure_or_item].items)
    if figure_or_item in cb.items:
        return [figure_or_item]
    raise LmpInputError(
        f"ukjent figur eller spørsmål {figure_or_item!r}; tillatt: {', '.join([*cb.figures, *cb.items])}"
    )


def _survey(survey, data_dir):
    # One loader for passed-in or on-disk survey data (with its type check) serves tables and tests alike.
    from lmp_helpers.data import survey_or_load

    return survey_or_load(survey, data_dir)


TEST_WITHHELD_NOTE = (
    "Testen vises ikke når en av cellene den bygger på er prikket: p-verdien kunne da avsløre de skjulte tallene."
)


def _method(n_resamples: int) -> str:
    return f"Fisher (eksakt, r×2) på topp-to; Kruskal–Wallis med {n_resamples} permutasjoner"


def _tests_row(n, k, hidden, samples, n_resamples: int, seed: int, n_cells_name: str) -> dict:
    """Fisher on top-two and permutation Kruskal–Wallis over the compared cells (puljer or groups).

    `samples` is called only when the tests run: a test that would use a suppressed cell is withheld (NaN),
    because a p-value together with the published totals could reveal the hidden cell.
    """
    from lmp_helpers.suppression import n_shown

    withheld = bool(hidden[n > 0].any())
    fisher_p, h, kp = float("nan"), float("nan"), float("nan")
    if not withheld and len(n):
        fisher_p = fisher_top_two(np.column_stack([k, n - k]))
        h, kp = kruskal_permutation(samples(), n_resamples=n_resamples, seed=seed)
    shown = [n_shown(int(x), bool(hh)) for x, hh in zip(n, hidden, strict=True)]
    # The total beside a hidden cell would give the hidden n back by subtraction: withheld too.
    total = None if any(v is None for v in shown) else int(n.sum())
    return {
        "n": total,
        n_cells_name: " / ".join(":" if v is None else str(v) for v in shown),
        "fisher_p": fisher_p,
        "kruskal_h": h,
        "kruskal_p": kp,
        "withheld": withheld,
        "method": _method(n_resamples),
    }


def pulje_comparison(
    figure_or_item: str,
    group: str = "ppt",
    data_dir=None,
    survey: dict | None = None,
    min_n: int = 5,
    n_resamples: int = 9999,
    seed: int = 20170901,
) -> pd.DataFrame:
    """Do the puljer of one group answer differently? One row per item.

    Columns: item, group, n (answered, all puljer; <NA> when a pulje's n is suppressed),
    n_pulje («6 / 15 / 7»; suppressed n shown as `:`),
    fisher_p (exact r×c Fisher test on top-two vs other, puljer as rows), kruskal_h, kruskal_p
    (permutation Kruskal–Wallis on the 1–5 scores), withheld, method. Suppression: if any pulje cell is
    suppressed (see `lmp_helpers.suppression`) the test is withheld (NaN, withheld=True), because a
    p-value together with the published totals could reveal the hidden cell.
    """
    from lmp_helpers.suppression import add_suppression, check_min_n

    min_n = check_min_n(min_n)
    cb = load_codebook()
    g = cb.group(group)
    survey = _survey(survey, data_dir)
    items = [it for it in _items_for(figure_or_item) if group in cb.item(it).groups]
    cells = add_suppression(cell_stats(survey, [group], items), min_n)
    df = survey.get(group)
    rows = []
    for item in items:
        c = cells[(cells["item"] == item) & (cells["pulje"] != cb.pulje_all)]

        def samples(item=item):
            pul = df[cb.pulje_column].to_numpy()
            return [df[item][pul == p].dropna().to_numpy(dtype=float) for p in g.pulje]

        row = _tests_row(
            c["n"].to_numpy(dtype=np.int64),
            c["k"].to_numpy(dtype=np.int64),
            c["suppressed"].to_numpy(dtype=bool),
            samples,
            n_resamples,
            seed,
            "n_pulje",
        )
        rows.append({"item": item, "group": group, **row})
    out = pd.DataFrame(rows)
    out["n"] = out["n"].astype("Int64")
    out.attrs["puljer"] = list(g.pulje)
    out.attrs["notes"] = [TEST_WITHHELD_NOTE] if out["withheld"].any() else []
    return out


def group_comparison(
    figure_or_item: str,
    pulje="alle",
    data_dir=None,
    survey: dict | None = None,
    min_n: int = 5,
    groups=None,
    n_resamples: int = 9999,
    seed: int = 20170901,
) -> pd.DataFrame:
    """Do PPT, skoleledere and skoleeiere answer differently (within one pulje or alle)? One row per item.

    Columns: item, pulje, groups, n (answered, all groups; <NA> when a group's n is suppressed),
    n_group («26 / 35 / 9»; suppressed as `:`),
    fisher_p, kruskal_h, kruskal_p, withheld, method. Groups not asked in the pulje are left out; a test
    that would use a suppressed cell is withheld (as in `pulje_comparison`).
    """
    from lmp_helpers.pulje import parse_pulje
    from lmp_helpers.suppression import add_suppression, check_min_n

    min_n = check_min_n(min_n)
    pulje = parse_pulje(pulje)
    cb = load_codebook()
    survey = _survey(survey, data_dir)
    rows = []
    for item in _items_for(figure_or_item):
        it = cb.item(item)
        chosen = [cb.group(g).key for g in (groups or it.groups)]
        it.refuse_bad_groups(chosen)
        gs = [g for g in chosen if pulje == cb.pulje_all or pulje in cb.group(g).pulje]
        cells = add_suppression(cell_stats(survey, gs, [item]), min_n)
        c = cells[cells["pulje"] == str(pulje)].set_index("group").reindex(gs)

        def samples(item=item, gs=gs):
            out = []
            for g in gs:
                df = survey.get(g)
                if df is None or len(df) == 0:
                    out.append(np.array([]))
                    continue
                sel = df if pulje == cb.pulje_all else df[df[cb.pulje_column] == pulje]
                out.append(sel[item].dropna().to_numpy(dtype=float))
            return out

        row = _tests_row(
            c["n"].fillna(0).to_numpy(dtype=np.int64),
            c["k"].fillna(0).to_numpy(dtype=np.int64),
            c["suppressed"].fillna(False).to_numpy(dtype=bool),
            samples,
            n_resamples,
            seed,
            "n_group",
        )
        rows.append({"item": item, "pulje": str(pulje), "groups": " / ".join(gs), **row})
    out = pd.DataFrame(rows)
    if len(out):
        out["n"] = out["n"].astype("Int64")
    out.attrs["notes"] = [TEST_WITHHELD_NOTE] if len(out) and out["withheld"].any() else []
    return out
