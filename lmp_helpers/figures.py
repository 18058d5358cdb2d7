"""The report's figures and the figures readers look for next, drawn with seaborn from the suppressed tables.

* `plot_figure(figure, pulje, ...)`: Figur 2.1/3.1/4.1 as grouped horizontal bars (items × PPT,
  skoleledere, skoleeiere) with Wilson whiskers; Figur 4.2 as a stacked 100 % bar over the five answers.
* `plot_distribution(figure, pulje, ...)`: every item of Figur 2.1/3.1/4.1 on all five answers per group
  (diverging stacked bars centred on «verken eller»), from `tables.distribution_table`.
* `plot_pulje_comparison(...)`: small multiples, one panel per item, the puljer side by side with Wilson
  intervals and the p-value of the pulje test in the panel title.
* `tabell1_styler(pulje)` -> pandas Styler for Tabell 1.
* `png_bytes` / `svg_bytes` / `save_png` / `save_svg` / `image_bundle`: deterministic output (Agg, fixed
  dpi, no dates, fixed SVG hash salt), so the same data always gives byte-identical files and outputs.

Bars are drawn by seaborn's axes-level `barplot` onto an explicit `matplotlib.figure.Figure` (no pyplot
state, no GUI backend), with colours and theme from `style`. What seaborn cannot draw – the precomputed
Wilson intervals and the `:` of a suppressed cell – is drawn with matplotlib on the same Axes. Every number
comes from `tables` (`figure_table`, `distribution_table`), so suppression applies. The images carry no
title: the page's caption (from data/codebook.yml) is the title. matplotlib and seaborn are imported only
when a figure is drawn.
"""

from __future__ import annotations

import io
import textwrap
from pathlib import Path

import numpy as np

from lmp_helpers.codebook import load_codebook
from lmp_helpers.errors import LmpInputError
from lmp_helpers.pulje import parse_pulje, pulje_label
from lmp_helpers.suppression import DEFAULT_MIN_N, SYMBOL


def _fmt(x: float) -> str:
    from lmp_helpers.tables import format_pct

    return format_pct(x)


def _source_label(data_dir, source_label):
    if source_label is not None:
        return source_label
    from lmp_helpers.data import data_source

    return data_source(data_dir)["label"]


def _n_text(counts) -> str:
    """«n (respondenter): PPT 28, Skoleledere 36» from `tables.respondent_counts` (suppressed as `:`)."""
    from lmp_helpers.tables import format_n

    n_text = ", ".join(f"{lab} {format_n(n)}" for lab, n in zip(counts["label"], counts["n"], strict=True))
    return f"n (respondenter): {n_text}" if n_text else "n: ingen respondenter"


def caption(
    figure: str,
    pulje="alle",
    data_dir=None,
    min_n: int = DEFAULT_MIN_N,
    survey=None,
    source_label=None,
    counts=None,
    show_ci: bool = True,
) -> str:
    """The caption line under a figure: data source, pulje, n per group, method and the `:` rule."""
    from lmp_helpers.tables import respondent_counts

    cb = load_codebook()
    fig = cb.figure(figure)
    pulje = parse_pulje(pulje)
    if counts is None:
        counts = respondent_counts(pulje, data_dir, min_n, survey, groups=fig.groups)
    parts = [f"Kilde: {_source_label(data_dir, source_label)}", pulje_label(pulje), _n_text(counts)]
    if fig.kind == "distribution":
        parts.append("Andel av dem som svarte på spørsmålet")
    else:
        ci = "; strek = 95 % konfidensintervall (Wilson)" if show_ci else ""
        parts.append(f"Andel «{cb.top_two_label.lower()}» av dem som svarte{ci}")
    parts.append(f"«{SYMBOL}» = prikket (færre enn {min_n} svar, eller skjult for å verne et prikket tall)")
    return ". ".join(parts) + "."


def heading(figure: str, pulje="alle") -> str:
    """The figure's title line («Figur 2.1 … – Alle puljer»): the caption on the page, never inside the image."""
    fig_def = load_codebook().figure(figure)
    return f"Figur {fig_def.number} {fig_def.title} – {pulje_label(parse_pulje(pulje))}"


def plot_figure(
    figure: str,
    pulje="alle",
    data_dir=None,
    min_n: int = DEFAULT_MIN_N,
    survey=None,
    *,
    source_label: str | None = None,
    groups=None,
    items=None,
    show_ci: bool = True,
):
    """Draw one report figure for a pulje; returns a matplotlib Figure (not shown, not saved).

    Keyword-only extras (for the explorer): `groups` / `items` draw a subset of the figure's groups and
    items (codebook order kept), `show_ci=False` leaves out the Wilson whiskers, `source_label` overrides
    the data-source text in the caption. The image has no title (the page's caption is the title, see
    `heading`); the caption line under the bars is in `fig.lmp_caption`, the notes in `fig.lmp_notes`.
    """
    from dataclasses import replace

    from lmp_helpers.data import survey_or_load
    from lmp_helpers.tables import check_figure, figure_table, respondent_counts

    check_figure(figure)
    if figure == "tabell1":
        raise LmpInputError("tabell1 er en tabell, ikke en figur; bruk figures.tabell1_styler()")
    cb = load_codebook()
    fig_def = cb.figure(figure)
    fig_def = replace(
        fig_def,
        groups=_subset(groups, fig_def.groups, "gruppe"),
        items=_subset(items, fig_def.items, "spørsmål"),
    )
    pulje = parse_pulje(pulje)
    survey = survey_or_load(survey, data_dir)
    table = figure_table(figure, pulje, data_dir, min_n, survey)
    notes = [n for n in table.attrs.get("notes", []) if not n.startswith(SYMBOL)]
    table = table[table["group"].isin(fig_def.groups)]
    if fig_def.kind != "distribution":
        table = table[table["item"].isin(fig_def.items)]
    counts = respondent_counts(pulje, data_dir, min_n, survey, groups=fig_def.groups)
    cap = caption(figure, pulje, data_dir, min_n, survey, source_label, counts=counts, show_ci=show_ci)
    if fig_def.kind == "distribution":
        fig = _distribution(table, fig_def)
    else:
        fig = _grouped_bars(table, counts, fig_def, show_ci=show_ci)
    _footer(fig, cap, notes, left=0.33 if fig_def.kind != "distribution" else 0.16)
    fig.lmp_caption = cap  # for notebooks (myst-nb figure captions)
    fig.lmp_notes = notes
    fig.lmp_heading = heading(figure, pulje)
    return fig


def _new_figure(size, nrows: int = 1, ncols: int = 1, **subplot_kw):
    """A Figure with its own Agg canvas (no pyplot state) and its Axes (one, or an nrows × ncols array)."""
    import matplotlib

    from lmp_helpers import style

    with matplotlib.rc_context(style.RC):
        from matplotlib.backends.backend_agg import FigureCanvasAgg
        from matplotlib.figure import Figure

        fig = Figure(figsize=size, dpi=style.DPI)
        FigureCanvasAgg(fig)
        axes = fig.subplots(nrows, ncols, squeeze=nrows * ncols == 1, **subplot_kw)
    return fig, axes


def _subset(chosen, allowed: tuple[str, ...], what: str) -> tuple[str, ...]:
    """A validated subset of a figure's groups or items, in the figure's order."""
    if chosen is None:
        return allowed
    chosen = [chosen] if isinstance(chosen, str) else list(chosen)
    bad = [c for c in chosen if c not in allowed]
    if bad or not chosen:
        raise LmpInputError(f"ugyldig {what} {bad or chosen!r} for figuren; tillatt: {', '.join(allowed)}")
    return tuple(a for a in allowed if a in chosen)


BAR_WIDTH = 0.8  # seaborn's `width` of one category's dodged bars (each group gets BAR_WIDTH / groups)


def _slot(category: int, hue: int, n_hue: int) -> float:
    """Centre of seaborn's dodged bar number `hue` (of `n_hue`) in category `category` (width BAR_WIDTH)."""
    step = BAR_WIDTH / n_hue
    return category - BAR_WIDTH / 2 + step * (hue + 0.5)


def _shares_with_intervals(ax, table, y, show_ci: bool, fontsize: float = 8.0, label_offset: float = 1.2):  # pragma: no mutate  # noqa: E501
    """Wilson whiskers, value labels and `:` marks for rows of a `figure_table` at the positions `y`.

    matplotlib, not seaborn: seaborn computes its own error bars from raw observations, while the report's
    intervals are the precomputed Wilson intervals of `figure_table`; and seaborn has no mark for a value
    that must not be shown. Both are drawn here on seaborn's Axes, at seaborn's bar positions.
    """
    from lmp_helpers import style

    share = table["share_pct"].to_numpy(dtype=float)
    lo = table["ci_low_pct"].to_numpy(dtype=float)
    hi = table["ci_high_pct"].to_numpy(dtype=float)
    hidden = table["suppressed"].to_numpy(dtype=bool) | np.isnan(share)
    y = np.asarray(y, dtype=float)
    shown = ~hidden
    if show_ci and shown.any():
        ax.errorbar(share[shown], y[shown], xerr=np.vstack([share[shown] - lo[shown], hi[shown] - share[shown]]),
                    fmt="none", ecolor=style.WHISKER_COLOR, elinewidth=0.9, capsize=2.2)  # pragma: no mutate
    ends = hi if show_ci else share
    for yy, s, end in zip(y[shown], share[shown], ends[shown], strict=True):
        ax.text(end + label_offset, yy, _fmt(s), va="center", ha="left", fontsize=fontsize)
    for yy in y[hidden]:
        ax.text(1.0, yy, SYMBOL, va="center", ha="left", fontsize=fontsize + 3, fontweight="bold",
                color=style.SUPPRESSED_COLOR)  # pragma: no mutate


def _grouped_bars(table, counts, fig_def, show_ci: bool = True):
    import matplotlib
    import seaborn as sns
    from matplotlib.patches import Patch

    from lmp_helpers import style

    cb = load_codebook()
    with matplotlib.rc_context(style.RC):
        fig, ax = _new_figure(style.GROUPED_BARS_SIZE)  # pragma: no mutate
        items = list(fig_def.items)
        groups = [g for g in fig_def.groups if g in set(table["group"])]
        table = table.assign(row=table["item"].map({it: i for i, it in enumerate(items)}))
        shown = table[~table["suppressed"] & table["share_pct"].notna()]
        if len(shown):
            # One bar per item × group: the value is the table's share (seaborn's mean of one number).
            # dodge=True: seaborn's "auto" stops dodging when no item shows two groups (the others
            # suppressed), and the bar would leave the slot where its whisker and value label are drawn.
            sns.barplot(data=shown, x="share_pct", y="row", hue="group", order=range(len(items)), hue_order=groups,
                        orient="y", palette=style.GROUP_COLORS, saturation=1, width=BAR_WIDTH, errorbar=None,
                        dodge=True, legend=False, ax=ax)
        n_by_group = dict(zip(counts["group"], counts["n"], strict=True))
        legend = []
        for gi, g in enumerate(groups):
            sub = table[table["group"] == g]
            _shares_with_intervals(ax, sub, [_slot(r, gi, len(groups)) for r in sub["row"]], show_ci)
            n = n_by_group.get(g)
            legend.append(Patch(color=style.GROUP_COLORS[g],
                                label=f"{cb.group(g).label} (n = {SYMBOL if _isna(n) else int(n)})"))
        ax.set_yticks(range(len(items)))
        ax.set_yticklabels([textwrap.fill(cb.item(i).label, style.LABEL_WRAP) for i in items])
        ax.set_ylim(len(items) - 0.5, -0.5)  # first item on top, as in the report  # pragma: no mutate
        ax.set_ylabel("")
        _percent_axis(ax, 112)  # pragma: no mutate
        if legend:
            ax.legend(handles=legend, loc="lower left", bbox_to_anchor=(0.0, 1.0), ncol=len(legend),
                      handlelength=1.2, borderaxespad=0.3)  # pragma: no mutate
    return fig


def _percent_axis(ax, right: float) -> None:
    from lmp_helpers import style

    ax.set_xlim(0, right)  # pragma: no mutate
    ax.set_xticks(range(0, 101, 20))  # every caller leaves room right of 100 % for the labels (right > 100)
    ax.set_xlabel("Prosent")
    ax.xaxis.grid(True, color=style.RC["grid.color"], linewidth=0.8)  # pragma: no mutate


def _isna(x) -> bool:
    import pandas as pd

    return bool(pd.isna(x))


def _stack_layers(shares, centre: bool) -> list[tuple[int, np.ndarray]]:
    """(answer code, bar end) per layer of a stacked bar, outermost first; every layer starts at 0.

    `centre=False`: 0 → 100 %, categories 1..5 left to right. `centre=True` (diverging, the usual Likert
    display): «verken eller» straddles 0, disagreement to the left (negative), agreement to the right.
    """
    codes = list(load_codebook().scale)
    s = {c: shares[:, i] for i, c in enumerate(codes)}
    if not centre:
        return [(c, sum(s[k] for k in codes[: i + 1])) for i, c in reversed(list(enumerate(codes)))]
    half = s[3] / 2
    return [(5, half + s[4] + s[5]), (4, half + s[4]), (3, half),
            (1, -(half + s[2] + s[1])), (2, -(half + s[2])), (3, -half)]


def _stacked_rows(ax, labels, shares, centre: bool, printed=None) -> None:
    """Stacked 100 % bars, one per row (`shares`: rows × 5 answer codes, NaN row = suppressed), drawn with
    seaborn: seaborn has no stacked bar, so each layer is a `barplot` from 0 to its cumulative end, outermost
    first, and each shorter layer covers the inner part of the longer one (seaborn's own recipe for stacked
    bars). The visible segment of a layer is its end minus the next layer's end. `printed`: the table's
    rounded shares for the labels (default: `shares`)."""
    import pandas as pd
    import seaborn as sns

    from lmp_helpers import style

    shares = np.asarray(shares, dtype=float).reshape(len(labels), -1)
    ok = ~np.isnan(shares).any(axis=1)
    rows = np.arange(len(labels))
    layers = _stack_layers(shares, centre)
    if ok.any():
        # One call: the layers are hue levels, not dodged, drawn in hue order (outermost first).
        names = [f"{i}:{code}" for i, (code, _) in enumerate(layers)]
        data = pd.DataFrame({"end": np.concatenate([ends[ok] for _, ends in layers]),
                             "row": np.tile(rows[ok], len(layers)),
                             "layer": np.repeat(names, int(ok.sum()))})
        sns.barplot(data=data, x="end", y="row", hue="layer", order=rows, hue_order=names, dodge=False, orient="y",
                    palette={n: style.SCALE_COLORS[code] for n, (code, _) in zip(names, layers, strict=True)},
                    saturation=1, width=0.62, errorbar=None, edgecolor="white", linewidth=0.7, legend=False, ax=ax)
    codes = list(load_codebook().scale)
    printed = shares if printed is None else np.asarray(printed, dtype=float).reshape(shares.shape)
    for r in rows[ok]:
        start = -(shares[r, 2] / 2 + shares[r, 1] + shares[r, 0]) if centre else 0.0
        for i, code in enumerate(codes):
            s = shares[r, i]
            if s >= (7 if centre else 5):  # a label that fits inside its segment
                text = _fmt(printed[r, i])
                ax.text(start + s / 2, r, text.removesuffix(",0") if centre else text, ha="center",
                        va="center", fontsize=7.5 if centre else 8.5, color=style.SCALE_TEXT_COLORS[code])  # pragma: no mutate  # noqa: E501
            start += s
    # matplotlib, not seaborn: a suppressed row has no value to draw, only the `:` mark.
    for r in rows[~ok]:
        ax.text(0.5 if centre else 1.0, r, SYMBOL, va="center", ha="left", fontsize=12, fontweight="bold",
                color=style.SUPPRESSED_COLOR)  # pragma: no mutate
    ax.set_yticks(rows)
    ax.set_yticklabels(labels)
    ax.set_ylim(len(labels) - 0.5, -0.5)  # pragma: no mutate
    ax.set_ylabel("")
    ax.set_xlabel("")


def _scale_legend(fig, ax, ncol: int | None = None):
    from matplotlib.patches import Patch

    from lmp_helpers import style

    cb = load_codebook()
    handles = [Patch(color=style.SCALE_COLORS[c], label=cb.scale[c]) for c in cb.scale]
    ax.legend(handles=handles, loc="lower left", bbox_to_anchor=(0.0, 1.0), ncol=ncol or len(handles),
              handlelength=1.2, columnspacing=1.0, borderaxespad=0.3)  # pragma: no mutate


def _distribution(table, fig_def):
    """Figur 4.2: one 0–100 % stacked bar per group (the report's form)."""
    import matplotlib

    from lmp_helpers import style

    cb = load_codebook()
    codes = list(cb.scale)
    with matplotlib.rc_context(style.RC):
        fig, ax = _new_figure(style.DISTRIBUTION_SIZE)  # pragma: no mutate
        groups = [g for g in fig_def.groups if g in set(table["group"])]
        shares, labels = [], []
        for g in groups:
            sub = table[table["group"] == g].set_index("item").reindex([cb.scale[c] for c in codes])
            hidden = sub["suppressed"].any() or sub["share_pct"].isna().all()
            shares.append(np.full(len(codes), np.nan) if hidden else sub["share_pct"].to_numpy(dtype=float))
            # n here is the number who answered this question (the item's n), not the respondent count.
            n = sub["n"].dropna()
            labels.append(f"{cb.group(g).label}\n(n = {SYMBOL if n.empty else int(n.iloc[0])})")
        _stacked_rows(ax, labels, np.array(shares).reshape(len(groups), len(codes)), centre=False)
        ax.set_xlim(0, 100.5)  # pragma: no mutate
        ax.set_xlabel("Prosent")
        if not groups:
            ax.set_yticks([])
        _scale_legend(fig, ax)
    return fig


def _footer(fig, cap: str, notes, left: float, top_in: float = 0.55) -> None:
    """The caption line (source, pulje, n, method, `:` rule) and notes under the plot; margins in inches,
    converted to figure fractions, so text never overlaps whatever the size."""
    import matplotlib

    from lmp_helpers import style

    with matplotlib.rc_context(style.RC):
        footer = textwrap.fill(cap, 120)
        if notes:
            footer += "\n" + "\n".join(textwrap.fill(n, 120) for n in notes)
        fig.text(0.02, 0.01, footer, ha="left", va="bottom", fontsize=7.5, color="#333333")
        height = fig.get_size_inches()[1]  # pragma: no mutate
        bottom_in = 0.55 + 0.15 * (footer.count("\n") + 1)  # pragma: no mutate  # x label + caption lines
        fig.subplots_adjust(left=left, right=0.97, top=1 - top_in / height, bottom=bottom_in / height)  # pragma: no mutate  # noqa: E501


# -- the five-point distribution of every item of a figure -----------------------------------------
def distribution_heading(figure: str, pulje="alle") -> str:
    fig_def = load_codebook().figure(figure)
    return (f"Fordelingen på alle fem svaralternativer for spørsmålene i figur {fig_def.number} – "
            f"{pulje_label(parse_pulje(pulje))}")


def plot_distribution(
    figure: str,
    pulje="alle",
    data_dir=None,
    min_n: int = DEFAULT_MIN_N,
    survey=None,
    *,
    source_label: str | None = None,
    groups=None,
    items=None,
):
    """Diverging stacked bars (centred on «verken eller») of every item of a grouped-bar figure, one panel
    per item, one bar per group. Numbers and suppression from `tables.distribution_table`, which applies
    the same per group × item × pulje suppression as `figure_table`. Returns a matplotlib Figure; the
    drawn shares are in `fig.lmp_tables` ({item: distribution_table}) for tests and the explorer."""
    import matplotlib

    from lmp_helpers import style
    from lmp_helpers.data import survey_or_load
    from lmp_helpers.tables import distribution_table, respondent_counts

    cb = load_codebook()
    fig_def = cb.figure(figure)
    if fig_def.kind != "grouped_bars":
        raise LmpInputError(f"{figure} viser allerede hele fordelingen; tillatt: "
                            f"{', '.join(k for k, f in cb.figures.items() if f.kind == 'grouped_bars')}")
    pulje = parse_pulje(pulje)
    survey = survey_or_load(survey, data_dir)
    groups = _subset(groups, fig_def.groups, "gruppe")
    items = _subset(items, fig_def.items, "spørsmål")
    codes = list(cb.scale)
    tables = {it: distribution_table(it, pulje, data_dir, min_n, survey, groups=groups) for it in items}
    notes = sorted({n for t in tables.values() for n in t.attrs.get("notes", []) if not n.startswith(SYMBOL)})
    asked = [g for g in groups if any((t["group"] == g).any() for t in tables.values())]
    with matplotlib.rc_context(style.RC):
        rows = max(len(asked), 1)  # pragma: no mutate  # only the figure height
        height = 1.4 + len(items) * (0.45 + style.LIKERT_ROW_HEIGHT * rows) + 0.5  # pragma: no mutate
        fig, axes = _new_figure((8.0, height), nrows=len(items), ncols=1, sharex=True)
        axes = np.asarray(axes).ravel()
        for ax, item in zip(axes, items, strict=True):
            t = tables[item]
            exact, printed, labels = [], [], []
            for g in asked:
                sub = t[t["group"] == g].sort_values("category")
                hidden = bool(sub["suppressed"].any()) or not sub["n"].fillna(0).gt(0).all()
                # Bar lengths from the counts (they add up to exactly 100 %); labels are the table's rounded
                # shares, which need not add up to 100,0.
                count = sub["count"].to_numpy(dtype=float, na_value=np.nan)
                n = sub["n"].to_numpy(dtype=float, na_value=np.nan)
                exact.append(np.full(len(codes), np.nan) if hidden else 100 * count / n)
                printed.append(sub["share_pct"].to_numpy(dtype=float))
                n_shown = sub["n"].dropna()
                labels.append(f"{cb.group(g).label} (n = {SYMBOL if n_shown.empty else int(n_shown.iloc[0])})")
            shape = (len(asked), len(codes))
            _stacked_rows(ax, labels, np.array(exact).reshape(shape), centre=True,
                          printed=np.array(printed).reshape(shape))
            ax.set_title(cb.item(item).label, loc="left")
            ax.axvline(0, color="#444444", linewidth=0.8)  # pragma: no mutate
            ax.set_xlim(-100, 100)  # pragma: no mutate
            ax.set_xticks(range(-100, 101, 25))
            ax.set_xticklabels([f"{abs(x)}" for x in range(-100, 101, 25)])
            ax.xaxis.grid(True, color=style.RC["grid.color"], linewidth=0.8)  # pragma: no mutate
            ax.set_axisbelow(True)  # pragma: no mutate
        axes[-1].set_xlabel("Prosent («verken eller» midt på 0, lav grad til venstre, høy grad til høyre)")
        _scale_legend(fig, axes[0])
        legend = axes[0].get_legend()
        legend.set_bbox_to_anchor((0.5, 1.0 - 0.08 / height), transform=fig.transFigure)  # pragma: no mutate
        legend.set_loc("upper center")  # pragma: no mutate
        counts = respondent_counts(pulje, data_dir, min_n, survey, groups=groups)
        cap = ". ".join([
            f"Kilde: {_source_label(data_dir, source_label)}",
            pulje_label(pulje),
            _n_text(counts),
            "Andel av dem som svarte på spørsmålet (n ved hver søyle)",
            f"«{SYMBOL}» = prikket (færre enn {min_n} svar, eller skjult for å verne et prikket tall)",
        ]) + "."
        _footer(fig, cap, notes, left=0.2, top_in=0.7)
        fig.subplots_adjust(hspace=0.45)  # pragma: no mutate
    fig.lmp_caption = cap
    fig.lmp_notes = notes
    fig.lmp_heading = distribution_heading(figure, pulje)
    fig.lmp_tables = tables
    return fig


# -- the pulje comparison -----------------------------------------------------------------------------
PULJE_FIGURES = ("fig2_1", "fig3_1", "fig4_1")
PULJE_TEST_NAME = "Fishers eksakte test"


def pulje_heading(group: str = "ppt") -> str:
    return f"{load_codebook().group(group).label}s svar i hver pulje, med p-verdien for forskjell mellom puljene"


def plot_pulje_comparison(
    data_dir=None,
    min_n: int = DEFAULT_MIN_N,
    survey=None,
    *,
    figures=PULJE_FIGURES,
    group: str = "ppt",
    tests=None,
    source_label: str | None = None,
):
    """Small multiples: one panel per item of each figure (a row per figure), the puljer and «alle» on the
    y axis, the top-two share with its Wilson interval, suppressed cells as `:`, and the p-value of Fisher's
    exact test (puljer 1–3, from `stats.pulje_comparison`) in the panel title. `tests` may pass those test
    rows already computed (one frame with an `item` column). Numbers from `figure_table` per pulje."""
    import matplotlib
    import pandas as pd
    import seaborn as sns

    from lmp_helpers import style
    from lmp_helpers.book import fmt_p
    from lmp_helpers.data import survey_or_load
    from lmp_helpers.stats import pulje_comparison
    from lmp_helpers.tables import check_figure, figure_table, respondent_counts

    cb = load_codebook()
    cb.group(group)
    figures = [figures] if isinstance(figures, str) else list(figures)
    for f in figures:
        check_figure(f)
        if f == "tabell1" or cb.figure(f).kind != "grouped_bars" or group not in cb.figure(f).groups:
            raise LmpInputError(f"puljesammenligningen viser andeler per spørsmål; ugyldig figur {f!r}; tillatt: "
                                f"{', '.join(k for k, x in cb.figures.items() if x.kind == 'grouped_bars')}")
    survey = survey_or_load(survey, data_dir)
    puljer = [*cb.pulje_values, cb.pulje_all]
    labels = []
    for p in puljer:
        c = respondent_counts(p, data_dir, min_n, survey, groups=[group])
        n = c["n"].iloc[0] if len(c) else None
        labels.append(f"{pulje_label(p)} (n = {SYMBOL if _isna(n) else int(n)})")
    tables = {}
    for f in figures:
        t = pd.concat([figure_table(f, p, data_dir, min_n, survey) for p in puljer], ignore_index=True)
        tables[f] = t[t["group"] == group].reset_index(drop=True)
    if tests is None:
        # Only Fisher's p is drawn: the permutation Kruskal–Wallis test computed alongside it needs no
        # precision here, so it gets few resamples (Fisher's p does not depend on them).
        tests = pd.concat([pulje_comparison(f, group=group, survey=survey, min_n=min_n, n_resamples=99)
                           for f in figures], ignore_index=True)
    p_by_item = {r["item"]: (SYMBOL if bool(r["withheld"]) else fmt_p(r["fisher_p"])) for _, r in tests.iterrows()}
    ncols = max(len(cb.figure(f).items) for f in figures)
    colors = {lab: style.ALL_PULJE_COLOR if p == cb.pulje_all else style.PULJE_COLOR
              for p, lab in zip(puljer, labels, strict=True)}
    with matplotlib.rc_context(style.RC):
        size = (1.6 + style.PANEL_WIDTH * ncols, 1.6 + style.PANEL_HEIGHT * len(figures))  # pragma: no mutate
        fig, axes = _new_figure(size, nrows=len(figures), ncols=ncols, sharex=True, sharey=True)
        axes = np.asarray(axes).reshape(len(figures), ncols)
        for r, f in enumerate(figures):
            items = cb.figure(f).items
            for c in range(ncols):
                ax = axes[r, c]
                if c >= len(items):
                    ax.set_visible(False)
                    continue
                item = items[c]
                t = tables[f][tables[f]["item"] == item].copy()
                t["row"] = t["pulje"].map({str(p): i for i, p in enumerate(puljer)})
                t = t.sort_values("row")
                shown = t[~t["suppressed"] & t["share_pct"].notna()]
                if len(shown):
                    sns.barplot(x=shown["share_pct"].to_numpy(), y=shown["row"].to_numpy(), order=range(len(puljer)),
                                hue=shown["row"].map(dict(enumerate(labels))).to_numpy(), hue_order=labels,
                                palette=colors, dodge=False, orient="y", saturation=1, width=0.62, errorbar=None,
                                legend=False, ax=ax)
                _shares_with_intervals(ax, t, t["row"].to_numpy(), True, fontsize=7, label_offset=2.0)
                p = p_by_item.get(item, SYMBOL)
                p_text = f"p {p}" if p.startswith("<") else f"p = {p}"
                ax.set_title(f"{cb.figure(f).number}: {textwrap.fill(cb.item(item).label, style.PANEL_TITLE_WRAP)}"
                             f"\n{p_text}", loc="left", fontsize=8)
                ax.set_yticks(range(len(puljer)))
                ax.set_yticklabels(labels)
                ax.set_ylim(len(puljer) - 0.5, -0.5)  # pragma: no mutate
                ax.set_ylabel("")
                _percent_axis(ax, 125)  # pragma: no mutate
                ax.set_xlabel("Prosent" if r == len(figures) - 1 else "")
        cap = ". ".join([
            f"Kilde: {_source_label(data_dir, source_label)}",
            f"{cb.group(group).label}, andel «{cb.top_two_label.lower()}» av dem som svarte; strek = 95 % "
            "konfidensintervall (Wilson)",
            f"p = {PULJE_TEST_NAME} (pulje {', '.join(map(str, cb.pulje_values))})",
            f"«{SYMBOL}» = prikket (færre enn {min_n} svar, eller skjult for å verne et prikket tall); en test som "
            "bruker et prikket tall, vises ikke",
        ]) + "."
        notes = list(tests.attrs.get("notes", []))
        _footer(fig, cap, notes, left=1.45 / size[0], top_in=0.7)
        fig.subplots_adjust(hspace=1.0, wspace=0.12)  # pragma: no mutate
    fig.lmp_caption = cap
    fig.lmp_notes = notes
    fig.lmp_heading = pulje_heading(group)
    fig.lmp_tables = tables
    fig.lmp_tests = tests
    return fig


# -- deterministic output --------------------------------------------------------------------------
def png_bytes(fig) -> bytes:
    """The figure as PNG bytes: Agg renderer, fixed dpi, no software/date metadata."""
    import matplotlib

    from lmp_helpers import style

    buf = io.BytesIO()
    with matplotlib.rc_context(style.RC):
        fig.savefig(buf, format="png", dpi=style.DPI, metadata=style.PNG_METADATA)
    return buf.getvalue()


def svg_bytes(fig) -> bytes:
    """The figure as SVG: text as paths, fixed hash salt for element ids, no date or creator metadata, so
    the same data always gives the same text (nbval compares it)."""
    import matplotlib

    from lmp_helpers import style

    buf = io.BytesIO()
    with matplotlib.rc_context(style.RC):
        fig.savefig(buf, format="svg", dpi=style.DPI, metadata=style.SVG_METADATA)
    return buf.getvalue()


def _write_atomic(path, data: bytes) -> Path:
    """Write bytes atomically with the project's one writer (temp file + rename, mode from the umask)."""
    from lmp_helpers.staging import write_atomic

    path = Path(path)
    write_atomic(path, data)
    return path


def save_png(fig, path) -> Path:
    """Write the figure's PNG atomically."""
    return _write_atomic(path, png_bytes(fig))


def save_svg(fig, path) -> Path:
    """Write the figure's SVG atomically."""
    return _write_atomic(path, svg_bytes(fig))


def image_bundle(fig) -> dict:
    """A notebook display bundle with the figure as PNG and SVG. myst-nb's HTML builder prefers SVG (sharp
    when zoomed), its LaTeX/PDF builder too; Jupyter shows either. text/plain is the figure's heading."""
    import base64

    return {
        "image/png": base64.b64encode(png_bytes(fig)).decode("ascii"),
        "image/svg+xml": svg_bytes(fig).decode("utf-8"),
        "text/plain": getattr(fig, "lmp_heading", "Figur"),
    }


def show_figure(figure: str, pulje="alle", data_dir=None, min_n: int = DEFAULT_MIN_N, survey=None, **kwargs):
    """Draw a figure and display it in a notebook (PNG + SVG, one output, no repr text).

    Returns the Figure's caption string so a notebook can glue it.
    """
    from IPython.display import display

    fig = plot_figure(figure, pulje, data_dir, min_n, survey, **kwargs)
    display(image_bundle(fig), raw=True)
    return fig.lmp_caption


# -- Tabell 1 ---------------------------------------------------------------------------------------
def tabell1_styler(pulje="alle"):
    """Tabell 1 (interviews per case kommune and actor, with computed sums) as a pandas Styler."""
    from lmp_helpers.tables import tabell1_frame

    frame = tabell1_frame(pulje)
    styler = (
        frame.style.set_caption("Tabell 1: Antall intervjuer i 2016–2017.")
        .format("{:d}")
        .set_table_styles(
            [
                {"selector": "caption", "props": "caption-side: top; font-weight: bold; text-align: left;"},
                {"selector": "th", "props": "text-align: left; padding: 2px 8px;"},
                {"selector": "td", "props": "text-align: right; padding: 2px 8px;"},
            ]
        )
        .set_properties(subset=["Sum"], **{"font-weight": "bold"})
    )
    if "SUM" in frame.index:
        styler = styler.set_properties(subset=(["SUM"], slice(None)), **{"font-weight": "bold",
                                                                         "border-top": "1px solid #444"})
    # Stable HTML ids: without a fixed uuid pandas puts a random one in every cell id.
    styler.set_uuid("tabell1")
    return styler
