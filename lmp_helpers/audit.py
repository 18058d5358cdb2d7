"""Check every quantitative statement of the report (data/report_claims.csv) against a data directory.

Numbers are computed through `lmp_helpers.tables` (the same `figure_table` the book shows), so a claim that
holds here holds in the book. The expected values are typed from the report into the claims file.

Claim fields (see data/README.md):
- statistic: share_pct | n | share_codes | respondents | invited | tabell1 | tabell1_cases | fisher_p |
  ratio_pct | ordering
- group, item: one or several, separated by «;» (a claim about several must hold for each)
- comparator: == (|computed − expected| ≤ tolerance), != (differs by more than tolerance), <, >, <=, >=
- spec: for ordering, chains like «a,b > c >= d» separated by «;» where a term is «group:item[@pulje]»,
  «group:*» (every item of the figure, compared item by item) or «spread:item» (max − min over groups);
  for share_codes «codes=4,5»; for ratio_pct «27/41».
"""

from __future__ import annotations

import operator
import re
from pathlib import Path

import numpy as np
import pandas as pd

from lmp_helpers.codebook import load_codebook
from lmp_helpers.errors import LmpInputError

RESULT_COLUMNS = ["id", "section", "figure", "kind", "claim", "expected", "computed", "holds", "where", "status",
                  "scope", "values"]
# Claims that do not depend on the survey answers: they hold for any data set (Tabell 1 and the invitations
# are typed from the report; ratio_pct is the report's own arithmetic).
ANY_DATA_STATISTICS = {"invited", "tabell1", "tabell1_cases", "ratio_pct"}
HOLDS, FAILS, UNKNOWN = "holds", "fails", "unknown"  # UNKNOWN: a value is hidden or the group was not asked
_OPS = {"<": operator.lt, ">": operator.gt, "<=": operator.le, ">=": operator.ge}


def _split(text: str) -> list[str]:
    return [t.strip() for t in str(text).split(";") if t.strip()]


def _fmt(x) -> str:
    if x is None or (isinstance(x, float) and np.isnan(x)):
        return "NA"
    x = float(x)
    return f"{x:.0f}" if x.is_integer() else f"{x:.4g}" if abs(x) < 1 else f"{x:.1f}"


class _Tables:
    """Caches figure tables per (figure, pulje) for one data set."""

    def __init__(self, survey: dict, min_n: int):
        self.survey = survey
        self.min_n = min_n
        self._cache: dict = {}

    def table(self, figure: str, pulje) -> pd.DataFrame:
        from lmp_helpers.tables import figure_table

        key = (figure, str(pulje))
        if key not in self._cache:
            self._cache[key] = figure_table(figure, pulje=pulje, min_n=self.min_n, survey=self.survey)
        return self._cache[key]

    def cell(self, figure: str, group: str, item: str, pulje, column: str) -> float:
        t = self.table(figure, pulje)
        if load_codebook().figure(figure).kind == "distribution":
            # one row per answer category; every row of the group carries the item's n
            row = t[t["group"] == group].head(1) if column == "n" else t.iloc[0:0]
        else:
            row = t[(t["group"] == group) & (t["item"] == item)]
        if len(row) != 1:
            raise LmpInputError(f"fant ikke {group}/{item} i {figure} for pulje {pulje}")
        if bool(row["suppressed"].iloc[0]):
            return float("nan")
        value = row[column].iloc[0]
        return float("nan") if pd.isna(value) else float(value)

    def share_codes(self, figure: str, group: str, item: str, pulje, codes: list[int]) -> float:
        """Share (%) of the given answer codes, from the distribution table's n and per-category shares."""
        from lmp_helpers.stats import pct_from_counts

        cb = load_codebook()
        t = self.table(figure, pulje)
        t = t[t["group"] == group]
        if t["suppressed"].any():
            return float("nan")
        n = int(t["n"].iloc[0])
        labels = {cb.scale[c] for c in codes}
        k = int(np.rint(t.loc[t["item"].isin(labels), "share_pct"].to_numpy(dtype=float) * n / 100).sum())
        return float(pct_from_counts(k, n))


def _figure_of(item: str) -> str:
    return load_codebook().item(item).figure


def _ordering(spec: str, figure: str, pulje, tables: _Tables) -> tuple[bool, str, dict[str, float]]:
    """Evaluate chains like «a,b > c» (every left term vs every right term)."""
    cb = load_codebook()
    shown: dict[str, float] = {}
    ok = True

    def values(term: str, item_hint: str | None) -> dict[str, float]:
        term = term.strip()
        p = pulje
        if "@" in term:
            term, p = term.split("@")
        head, _, item = term.partition(":")
        if head == "spread":
            groups = cb.figure(_figure_of(item)).groups
            vals = [tables.cell(_figure_of(item), g, item, p, "share_pct") for g in groups]
            # a hidden value makes the spread unknown (Python's max/min would silently skip or keep a NaN)
            v = float("nan") if any(np.isnan(x) for x in vals) else float(np.round(max(vals) - min(vals), 1))
            return {f"spread:{item}": v}
        if item == "*":
            item = item_hint
        v = tables.cell(_figure_of(item), head, item, p, "share_pct")
        label = f"{head}:{item}" + (f"@{p}" if str(p) != str(pulje) else "")
        return {label: v}

    for chain in _split(spec):
        parts = re.split(r"\s*(>=|<=|>|<)\s*", chain)
        terms, ops = parts[0::2], parts[1::2]
        star_items = cb.figure(figure).items if "*" in chain else [None]
        for item in star_items:
            sides = []
            for side in terms:
                vals: dict[str, float] = {}
                for term in side.split(","):
                    vals.update(values(term, item))
                sides.append(vals)
            for left, op, right in zip(sides, ops, sides[1:], strict=False):
                for a in left.values():
                    for b in right.values():
                        if np.isnan(a) or np.isnan(b) or not _OPS[op](a, b):
                            ok = False
            for s in sides:
                shown.update(s)
    computed = "; ".join(f"{k}={_fmt(v)}" for k, v in shown.items())
    return ok, computed, shown


def _compare(values: list[float], comparator: str, expected: float, tolerance: float) -> bool:
    ok = True
    for v in values:
        if v is None or np.isnan(v):
            return False
        if comparator == "==":
            ok &= abs(v - expected) <= tolerance + 1e-9
        elif comparator == "!=":
            ok &= abs(v - expected) > tolerance + 1e-9
        elif comparator in _OPS:
            ok &= bool(_OPS[comparator](v, expected))
        else:
            raise LmpInputError(f"ukjent comparator {comparator!r}; tillatt: ==, !=, <, >, <=, >=")
    return bool(ok)


def _expected_text(c: pd.Series) -> str:
    if c["statistic"] == "ordering":
        return c["spec"]
    tol = float(c["tolerance"] or 0)
    comp = c["comparator"]
    if comp == "==":
        return c["expected"] if tol <= 0.05 else f"{c['expected']} ± {c['tolerance']}"
    if comp == "!=":
        return f"≠ {c['expected']}" + (f" (± {c['tolerance']})" if tol else "")
    return f"{comp} {c['expected']}"


def evaluate_claim(c: pd.Series, tables: _Tables) -> tuple[str, bool]:
    """(computed text, holds) for one claim row."""
    r = claim_result(c, tables)
    return r["computed"], r["holds"]


def claim_result(c: pd.Series, tables: _Tables) -> dict:
    """computed (text), holds (bool), status (holds/fails/unknown), values ({label: value}) for one claim.

    «unknown» when a value the claim needs is hidden (suppressed) or its group was not asked in the pulje:
    such a claim cannot be checked, which is not the same as failing.
    """
    try:
        return _claim_result(c, tables)
    except LmpInputError as exc:
        if "fant ikke" not in str(exc):
            raise
        return {"computed": "", "holds": False, "status": UNKNOWN, "values": {}}


def _status(holds: bool, values) -> str:
    if any(v is None or np.isnan(v) for v in values):
        return UNKNOWN
    return HOLDS if holds else FAILS


def _claim_result(c: pd.Series, tables: _Tables) -> dict:
    cb = load_codebook()
    stat, pulje, figure = c["statistic"], c["pulje"] or cb.pulje_all, c["figure"]
    if stat == "ordering":
        holds, computed, shown = _ordering(c["spec"], figure, pulje, tables)
        return {"computed": computed, "holds": holds, "status": _status(holds, shown.values()), "values": shown}
    groups, items = _split(c["group"]), _split(c["item"])
    labelled: list[tuple[str, float]] = []
    if stat in ("share_pct", "n"):
        column = "share_pct" if stat == "share_pct" else "n"
        for g in groups:
            for it in items:
                labelled.append((f"{g}:{it}", tables.cell(figure, g, it, pulje, column)))
    elif stat == "share_codes":
        codes = [int(x) for x in c["spec"].split("=")[1].split(",")]
        for g in groups:
            for it in items:
                labelled.append((f"{g}:{it}", tables.share_codes(figure, g, it, pulje, codes)))
    elif stat == "respondents":
        from lmp_helpers.tables import respondent_counts

        rc = respondent_counts(pulje=pulje, min_n=tables.min_n, survey=tables.survey)
        for g in groups:
            row = rc[rc["group"] == g]
            # a group not asked in this pulje has no row: it has 0 respondents there
            v = 0.0 if row.empty else float(row["n"].iloc[0]) if not row["suppressed"].iloc[0] else float("nan")
            labelled.append((g, v))
    elif stat == "invited":
        labelled = [(g, float(cb.group(g).invited or "nan")) for g in groups]
    elif stat in ("tabell1", "tabell1_cases"):
        t = tables.table("tabell1", pulje)
        if groups:
            t = t[t["group"].isin(groups)]
        if items:
            t = t[t["item"].isin(items)]
        v = t["group"].nunique() if stat == "tabell1_cases" else int(t["n"].astype("int64").sum())
        labelled = [(" ".join(groups + items) or "alle", float(v))]
    elif stat == "fisher_p":
        from lmp_helpers.stats import pulje_comparison

        for g in groups:
            pc = pulje_comparison(items[0], group=g, survey=tables.survey, min_n=tables.min_n, n_resamples=999)
            labelled.append((f"{g}:{items[0]} p", float(pc["fisher_p"].iloc[0])))
    elif stat == "ratio_pct":
        a, b = (int(x) for x in c["spec"].split("/"))
        labelled = [(c["spec"], float(np.floor(1000 * a / b + 0.5) / 10))]
    else:
        raise LmpInputError(f"ukjent statistic {stat!r} i påstand {c['id']}")
    holds = _compare([v for _, v in labelled], c["comparator"] or "==", float(c["expected"]),
                     float(c["tolerance"] or 0))
    if len(labelled) == 1:
        computed = _fmt(labelled[0][1])
    else:
        computed = "; ".join(f"{k}={_fmt(v)}" for k, v in labelled)
    values = dict(labelled)
    return {"computed": computed, "holds": bool(holds), "status": _status(holds, values.values()), "values": values}


def evaluate_claims(data_dir: str | Path | None = None, survey: dict | None = None, claims=None,
                    min_n: int = 5) -> pd.DataFrame:
    """One row per claim: id, section, figure, kind, claim, expected, computed, holds (bool), where,
    status (holds/fails/unknown), scope («survey»: depends on the answers; «any»: holds for any data) and
    values ({label: number} behind `computed`). `min_n` hides exactly what `lmp tables --min-n` hides."""
    from lmp_helpers.data import load_claims, load_survey

    if survey is None:
        survey = load_survey(data_dir)
    claims = load_claims() if claims is None else claims
    tables = _Tables(survey, min_n)
    rows = []
    for _, c in claims.iterrows():
        r = claim_result(c, tables)
        rows.append({**{k: c[k] for k in ("id", "section", "figure", "kind", "claim", "where")},
                     "expected": _expected_text(c), "computed": r["computed"], "holds": bool(r["holds"]),
                     "status": r["status"], "values": r["values"],
                     "scope": "any" if c["statistic"] in ANY_DATA_STATISTICS else "survey"})
    out = pd.DataFrame(rows, columns=RESULT_COLUMNS)
    out["holds"] = out["holds"].astype(bool)
    return out
