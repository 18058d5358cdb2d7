"""Every text a figure draws respects a non-default `min_n`: legend, tick labels, value labels, caption.

The figures are read back from the matplotlib Figure's artists (not from the tables they are drawn from),
and the respondent counts are counted here from the shipped CSV files with the csv module. With
`min_n = 20` the synthetic PPT group of pulje 1 (n = 6) must not appear as «n = 6» anywhere, although the
default `min_n = 5` would show it.
"""

from __future__ import annotations

import csv
import functools
import re
from collections import Counter

import pytest

from lmp_helpers import figures
from lmp_helpers.codebook import load_codebook
from lmp_helpers.data import load_survey
from lmp_helpers.paths import SYNTHETIC_DIR
from lmp_helpers.tables import figure_table, format_pct

FIGURES = ["fig2_1", "fig3_1", "fig4_1", "fig4_2"]
PULJER = [1, 2, 3, "alle"]


@functools.cache
def respondents() -> dict[str, Counter]:
    cb = load_codebook()
    out = {}
    for key, g in cb.groups.items():
        with open(SYNTHETIC_DIR / g.file, encoding="utf-8", newline="") as fh:
            out[key] = Counter(int(r["pulje"]) for r in csv.DictReader(fh))
    return out


def n_in(pulje, group) -> int:
    counts = respondents()[group]
    return sum(counts.values()) if pulje == "alle" else counts.get(pulje, 0)


def drawn_texts(fig) -> list[str]:
    """Every string the figure draws: suptitle, figure texts, axis texts, tick labels, legend, labels."""
    texts = [t.get_text() for t in fig.texts]
    if fig._suptitle is not None:
        texts.append(fig._suptitle.get_text())
    for ax in fig.axes:
        texts += [t.get_text() for t in ax.texts]
        texts += [t.get_text() for t in ax.get_yticklabels() + ax.get_xticklabels()]
        texts += [ax.get_xlabel(), ax.get_ylabel(), ax.get_title()]
        legend = ax.get_legend()
        if legend is not None:
            texts += [t.get_text() for t in legend.get_texts()]
    return [t for t in texts if t]


@pytest.fixture(scope="module")
def shipped():
    """The shipped (synthetic) data, loaded once: the figures are drawn from it (the oracle above reads the
    CSV files itself); reading a data folder is tested in test_kills_figures.py."""
    return load_survey()


def test_default_min_n_shows_the_small_ppt_group():
    """The premise of the tests below: PPT in pulje 1 has 6 respondents and is shown at min_n = 5."""
    assert n_in(1, "ppt") == 6
    fig = figures.plot_figure("fig2_1", 1)
    assert any("PPT (n = 6)" in t for t in drawn_texts(fig))


@pytest.mark.parametrize("pulje", PULJER)
@pytest.mark.parametrize("figure", FIGURES)
@pytest.mark.parametrize("min_n", [7, 20])
def test_no_drawn_text_shows_a_count_below_min_n(figure, pulje, min_n, shipped):
    """Each figure × pulje × min_n drawn once; at min_n 20 also its legend, value labels and tick labels
    (below), and for pulje 1 that the small PPT group (n = 6) is hidden everywhere."""
    cb = load_codebook()
    fig = figures.plot_figure(figure, pulje, min_n=min_n, survey=shipped)
    texts = drawn_texts(fig)
    joined = "\n".join(texts)
    # Every «n = X» drawn (legend entries, tick labels of Figur 4.2) is 0 or at least min_n.
    for n in re.findall(r"n = (\d+)", joined):
        assert int(n) == 0 or int(n) >= min_n, f"n = {n} drawn with min_n = {min_n}: {texts}"
    # The caption's respondent counts («PPT 28, Skoleledere :») likewise, drawn and in fig.lmp_caption.
    groups = cb.figure(figure).groups
    # The drawn footer is the caption wrapped at 120 characters: compare with whitespace runs as one space.
    for caption in (fig.lmp_caption, " ".join(joined.split())):
        for g in groups:
            label = cb.group(g).label
            for n in re.findall(rf"{label} (\d+)", caption):
                assert int(n) == 0 or int(n) >= min_n, f"{label} {n} in the caption with min_n = {min_n}"
            n_true = n_in(pulje, g) if pulje == "alle" or pulje in cb.group(g).pulje else None
            if n_true is not None and 0 < n_true < min_n:
                assert f"{label} {n_true}" not in caption and f"{label} (n = {n_true})" not in caption
        assert f"færre enn {min_n} svar" in caption
    assert "færre enn 5 svar" not in fig.lmp_caption
    if min_n == 20:
        if figure == "fig4_2":
            check_distribution_tick_labels_at_min_n_20(fig, pulje, shipped)
        else:
            check_grouped_bars_legend_and_values_at_min_n_20(fig, figure, pulje, shipped)
        if pulje == 1:
            check_ppt_pulje_1_is_hidden(fig, texts)


def check_grouped_bars_legend_and_values_at_min_n_20(fig, figure, pulje, shipped):
    cb = load_codebook()
    min_n = 20
    ax = fig.axes[0]
    legend = [t.get_text() for t in ax.get_legend().get_texts()]
    for g, text in zip([g for g in cb.figure(figure).groups if pulje == "alle" or pulje in cb.group(g).pulje],
                       legend, strict=True):
        n = n_in(pulje, g)
        assert text.startswith(f"{cb.group(g).label} (n = ")
        if n < min_n:
            assert text == f"{cb.group(g).label} (n = :)"
        else:
            assert text in (f"{cb.group(g).label} (n = {n})", f"{cb.group(g).label} (n = :)")
    # Value labels: exactly the shares shown at min_n = 20, one per shown cell; «:» once per hidden cell.
    table = figure_table(figure, pulje, min_n=min_n, survey=shipped)
    shown = table[~table["suppressed"]]
    values = sorted(t.get_text() for t in ax.texts if t.get_text() != ":")
    assert values == sorted(format_pct(x) for x in shown["share_pct"])
    assert sum(t.get_text() == ":" for t in ax.texts) == int(table["suppressed"].sum())


def check_ppt_pulje_1_is_hidden(fig, texts):
    texts = texts + [fig.lmp_caption]
    assert not [t for t in texts if "n = 6" in t or "PPT 6" in t]
    assert any("PPT (n = :)" in t or "PPT\n(n = :)" in t or "PPT :" in t for t in texts), texts


def check_distribution_tick_labels_at_min_n_20(fig, pulje, shipped):
    """Figur 4.2: the tick label n is the item's n (who answered), hidden below min_n; no bar for a hidden group."""
    cb = load_codebook()
    min_n = 20
    ax = fig.axes[0]
    item = cb.figure("fig4_2").items[0]
    labels = [t.get_text() for t in ax.get_yticklabels()]
    for g in cb.figure("fig4_2").groups:
        if not (pulje == "alle" or pulje in cb.group(g).pulje):
            continue
        with open(SYNTHETIC_DIR / cb.group(g).file, encoding="utf-8", newline="") as fh:
            answered = sum(
                1 for r in csv.DictReader(fh) if r[item] != "" and (pulje == "alle" or int(r["pulje"]) == pulje)
            )
        label = cb.group(g).label
        expected_hidden = f"{label}\n(n = :)"
        if answered < min_n:
            assert expected_hidden in labels, (labels, answered)
        else:
            assert f"{label}\n(n = {answered})" in labels or expected_hidden in labels, labels
    table = figure_table("fig4_2", pulje, min_n=min_n, survey=shipped)
    shown = table[~table["suppressed"] & (table["share_pct"] >= 4)]
    values = sorted(t.get_text() for t in ax.texts if t.get_text() != ":")
    assert values == sorted(format_pct(x) for x in shown["share_pct"])
