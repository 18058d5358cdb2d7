"""Alt text of the report's figures (lmp_helpers.alttext): Norwegian, from the data, never a suppressed number."""

from __future__ import annotations

import math
import re
from functools import lru_cache

import numpy as np
import pandas as pd
import pytest

from lmp_helpers.alttext import figure_alt, figure_alt_for
from lmp_helpers.codebook import load_codebook
from lmp_helpers.data import survey_or_load
from lmp_helpers.tables import figure_table

CB = load_codebook()
BARS = [k for k, f in CB.figures.items() if f.kind == "grouped_bars"]
DIST = [k for k, f in CB.figures.items() if f.kind == "distribution"]


def _table(figure: str, shares: dict, suppressed: set = frozenset()) -> pd.DataFrame:
    fig = CB.figure(figure)
    rows = []
    for g in fig.groups:
        for i in fig.items:
            hide = (g, i) in suppressed
            rows.append({"item": i, "group": g, "share_pct": np.nan if hide else shares[(g, i)], "suppressed": hide})
    return pd.DataFrame(rows)


def _numbers(text: str) -> list[str]:
    return re.findall(r"\d+,\d", text)


@pytest.mark.parametrize("figure", BARS)
@pytest.mark.parametrize("seed", range(6))
def test_bars_name_the_extremes_of_the_data(figure, seed):
    rng = np.random.default_rng(seed)
    fig = CB.figure(figure)
    keys = [(g, i) for g in fig.groups for i in fig.items]
    values = rng.permutation(np.round(rng.uniform(0, 100, len(keys)), 1))
    if seed % 2:  # ties at the top
        values[1] = values[0] = values.max()
    shares = dict(zip(keys, values, strict=True))
    alt = figure_alt(figure, _table(figure, shares))
    hi, lo = max(values), min(values)
    assert _numbers(alt) == [f"{hi:.1f}".replace(".", ","), f"{lo:.1f}".replace(".", ",")]
    top = [k for k, v in shares.items() if v == hi]
    for _group, i in top:
        assert f"«{CB.item(i).label}»" in alt.split("lavest")[0]
    assert "tabellen" in alt and alt.endswith(".")
    assert alt.count(". ") <= 2  # one or two sentences and the pointer


@pytest.mark.parametrize("figure", BARS)
def test_suppressed_numbers_never_appear(figure):
    fig = CB.figure(figure)
    keys = [(g, i) for g in fig.groups for i in fig.items]
    shares = {k: 40.0 + n for n, k in enumerate(keys)}
    hidden = {keys[-1], keys[0]}  # the highest and the lowest are suppressed
    table = _table(figure, shares, hidden)
    # even if a suppressed row still carried its share, it must not be read
    table.loc[table["suppressed"], "share_pct"] = [shares[keys[0]], shares[keys[-1]]]
    alt = figure_alt(figure, table)
    for k in hidden:
        assert f"{shares[k]:.1f}".replace(".", ",") not in alt
    assert "prikket" in alt
    all_hidden = _table(figure, shares, set(keys))
    alt = figure_alt(figure, all_hidden)
    assert _numbers(alt) == [] and "prikket" in alt


@pytest.mark.parametrize("figure", DIST)
def test_distribution_names_all_five_shares_in_order(figure):
    fig = CB.figure(figure)
    labels = [CB.scale[c] for c in CB.scale]
    shares = [5.0, 10.0, 20.0, 40.0, 25.0]
    table = pd.DataFrame({"item": labels, "group": fig.groups[0], "share_pct": shares, "suppressed": False})
    alt = figure_alt(figure, table)
    assert _numbers(alt) == ["5,0", "10,0", "20,0", "40,0", "25,0"]
    hidden = table.assign(share_pct=np.nan, suppressed=True)
    assert _numbers(figure_alt(figure, hidden)) == [] and "prikket" in figure_alt(figure, hidden)


@lru_cache(1)
def _survey():
    return survey_or_load(None, None)


@pytest.mark.parametrize("pulje", ["alle", 1, 2, 3])
@pytest.mark.parametrize("min_n", [5, 12])
def test_alt_from_the_shipped_data_follows_figure_table(pulje, min_n):
    """On the shipped data: every number in the alt text is a shown (unsuppressed) share of that figure."""
    survey = _survey()
    for figure in BARS + DIST:
        table = figure_table(figure, pulje=pulje, min_n=min_n, survey=survey)
        alt = figure_alt_for(figure, pulje=pulje, min_n=min_n, survey=survey)
        shown = {f"{v:.1f}".replace(".", ",") for v, s in zip(table["share_pct"], table["suppressed"], strict=True)
                 if not s and not (isinstance(v, float) and math.isnan(v))}
        assert set(_numbers(alt)) <= shown, (figure, pulje, alt)
        assert ("alle puljer" if pulje == "alle" else f"pulje {pulje}") in alt
        assert ".png" not in alt and "_images" not in alt
