"""Alt text for the report's figures: what a figure shows and its numbers, in one or two Norwegian sentences.

Built from the same sources as the caption and the bars: the codebook (figure kind, groups, item labels,
scale) and `tables.figure_table` (so suppression applies). A suppressed or missing number is never named;
the text says that numbers are hidden instead. Grouped bars have up to twelve numbers, too many to read
aloud, so their alt text names the highest and the lowest share and points to the table at the end of the
chapter that holds them all; the distribution (Figur 4.2) names all five shares.
"""

from __future__ import annotations

import math

from lmp_helpers.codebook import load_codebook
from lmp_helpers.pulje import parse_pulje, pulje_label
from lmp_helpers.suppression import DEFAULT_MIN_N

# Where the full numbers of a grouped-bar figure are: every chapter ends with the tables behind its figures.
TABLE_POINTER = "Alle tallene står i tabellen for figuren nederst i kapitlet."
NUMBER_WORDS = {1: "ett", 2: "to", 3: "tre", 4: "fire", 5: "fem", 6: "seks", 7: "sju", 8: "åtte"}


def _pct(x: float) -> str:
    """«34,6 prosent» (decimal comma, as in the prose)."""
    return f"{x:.1f}".replace(".", ",") + " prosent"


def _join(words: list[str]) -> str:
    """«a», «a og b», «a, b og c»."""
    if len(words) <= 1:
        return "".join(words)
    return ", ".join(words[:-1]) + " og " + words[-1]


def _shown(table):
    """Rows whose share may be published: not suppressed and not missing."""
    share = table["share_pct"].astype(float)
    keep = ~table["suppressed"].astype(bool) & share.notna() & share.map(lambda v: not math.isnan(v))
    return table[keep]


def _group_word(cb, group: str) -> str:
    label = cb.group(group).label
    return label if label.isupper() else label.lower()  # «PPT» stays, «Skoleledere» -> «skoleledere»


def _extreme(rows, cb, which: str) -> str:
    """«skoleledere om «Klasseledelse» og «Mobbing» (83,3 prosent)»; ties are all named, per group."""
    share = rows["share_pct"].astype(float)
    value = share.max() if which == "max" else share.min()
    hit = rows[share == value]
    by_group: dict[str, list[str]] = {}
    for g, i in zip(hit["group"], hit["item"], strict=True):
        by_group.setdefault(g, []).append(f"«{cb.item(i).label}»")
    who = [f"{_group_word(cb, g)} om {_join(items)}" for g, items in by_group.items()]
    return f"{_join(who)} ({_pct(value)})"


def figure_alt(figure: str, table, pulje="alle") -> str:
    """Alt text for `figure` from its `figure_table` frame (already suppressed)."""
    cb = load_codebook()
    fig = cb.figure(figure)
    where = pulje_label(parse_pulje(pulje)).lower()
    if fig.kind == "distribution":
        return _distribution_alt(fig, table, where, cb)
    groups = [g for g in fig.groups if g in set(table["group"])]
    group_words = _join([_group_word(cb, g) for g in groups])
    n_items = len(fig.items)
    first = (
        f"Liggende stolper for {group_words}, {where}: andelen som svarte "
        f"«{cb.top_two_label.lower()}» på {NUMBER_WORDS.get(n_items, str(n_items))} spørsmål."
    )
    rows = _shown(table)
    if not len(rows):
        return f"{first} Alle tallene er prikket."
    hidden = len(rows) < len(table)
    second = f"Høyest andel har {_extreme(rows, cb, 'max')}, lavest {_extreme(rows, cb, 'min')}"
    second += "; noen tall er prikket." if hidden else "."
    return f"{first} {second} {TABLE_POINTER}"


def _distribution_alt(fig, table, where: str, cb) -> str:
    parts = []
    for g in [g for g in fig.groups if g in set(table["group"])]:
        sub = table[table["group"] == g]
        label = cb.group(g).label
        if len(_shown(sub)) < len(sub) or not len(sub):
            parts.append(f"{label}: tallene er prikket")
            continue
        shares = [f"«{cat.lower()}» {_pct(float(s))}" for cat, s in zip(sub["item"], sub["share_pct"], strict=True)]
        parts.append(f"{label}: {_join(shares)}")
    if not parts:
        return f"Stablet stolpe, {where}: ingen svar å vise."
    return f"Stablet stolpe som fordeler svarene på fem kategorier, {where}. " + "; ".join(parts) + "."


def figure_alt_for(figure: str, pulje="alle", data_dir=None, min_n: int = DEFAULT_MIN_N, survey=None) -> str:
    """Alt text computed from the data (the same `figure_table` the figure is drawn from)."""
    from lmp_helpers.tables import figure_table

    table = figure_table(figure, pulje=pulje, data_dir=data_dir, min_n=min_n, survey=survey)
    return figure_alt(figure, table, pulje)
