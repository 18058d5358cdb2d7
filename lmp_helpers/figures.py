"""The report's figures, drawn from `tables.figure_table` (so suppression applies) and styled by `style`.

* `plot_figure(figure, pulje, ...)` -> matplotlib Figure: Figur 2.1/3.1/4.1 as grouped horizontal bars
  (items × PPT, skoleledere, skoleeiere) with Wilson whiskers; Figur 4.2 as a stacked 100 % bar over the
  five answer categories. Suppressed cells are drawn as `:`, never as zero bars.
* `tabell1_styler(pulje)` -> pandas Styler for Tabell 1.
* `png_bytes(fig)` / `save_png(fig, path)` / `show_figure(...)`: deterministic PNG output (Agg, fixed dpi
  and metadata, no dates), so the same data always gives byte-identical files and notebook outputs.

Figures are built with `matplotlib.figure.Figure` (no pyplot state), so nothing is displayed twice in a
notebook and no GUI backend is needed. matplotlib is imported only when a figure is drawn.
"""

from __future__ import annotations

import io
import os
import tempfile
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
    from lmp_helpers.tables import format_n, respondent_counts

    cb = load_codebook()
    fig = cb.figure(figure)
    pulje = parse_pulje(pulje)
    if counts is None:
        counts = respondent_counts(pulje, data_dir, min_n, survey, groups=fig.groups)
    n_text = ", ".join(f"{lab} {format_n(n)}" for lab, n in zip(counts["label"], counts["n"], strict=True))
    parts = [
        f"Kilde: {_source_label(data_dir, source_label)}",
        pulje_label(pulje),
        f"n (respondenter): {n_text}" if n_text else "n: ingen respondenter",
    ]
    if fig.kind == "distribution":
        parts.append("Andel av dem som svarte på spørsmålet")
    else:
        ci = "; strek = 95 % konfidensintervall (Wilson)" if show_ci else ""
        parts.append(f"Andel «{cb.top_two_label.lower()}» av dem som svarte{ci}")
    parts.append(f"«{SYMBOL}» = prikket (færre enn {min_n} svar, eller skjult for å verne et prikket tall)")
    return ". ".join(parts) + "."


def plot_figure(
    figure: str,
    pulje="alle",
    data_dir=None,
    min_n: int = DEFAULT_MIN_N,
    survey=None,
    *,
    source_label: str | None = None,
    title: bool = True,
    groups=None,
    items=None,
    show_ci: bool = True,
):
    """Draw one report figure for a pulje; returns a matplotlib Figure (not shown, not saved).

    Keyword-only extras (for the explorer): `groups` / `items` draw a subset of the figure's groups and
    items (codebook order kept), `show_ci=False` leaves out the Wilson whiskers, `title=False` the title,
    `source_label` overrides the data-source text in the caption. The figure's caption string is in
    `fig.lmp_caption`, its Norwegian notes in `fig.lmp_notes`.
    """
    from dataclasses import replace

    from lmp_helpers.tables import _load_survey, check_figure, figure_table, respondent_counts

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
    survey = _load_survey(survey, data_dir)
    table = figure_table(figure, pulje, data_dir, min_n, survey)
    notes = [n for n in table.attrs.get("notes", []) if not n.startswith(SYMBOL)]
    table = table[table["group"].isin(fig_def.groups)]
    if fig_def.kind != "distribution":
        table = table[table["item"].isin(fig_def.items)]
    counts = respondent_counts(pulje, data_dir, min_n, survey, groups=fig_def.groups)
    cap = caption(figure, pulje, data_dir, min_n, survey, source_label, counts=counts, show_ci=show_ci)
    if fig_def.kind == "distribution":
        fig = _distribution(table, counts, fig_def)
    else:
        fig = _grouped_bars(table, counts, fig_def, show_ci=show_ci)
    _decorate(fig, fig_def, pulje, cap, notes, title)
    fig.lmp_caption = cap  # for notebooks (myst-nb figure captions)
    fig.lmp_notes = notes
    return fig


def _new_figure(size):
    import matplotlib

    from lmp_helpers import style

    with matplotlib.rc_context(style.RC):
        from matplotlib.backends.backend_agg import FigureCanvasAgg
        from matplotlib.figure import Figure

        fig = Figure(figsize=size, dpi=style.DPI)
        FigureCanvasAgg(fig)
        ax = fig.add_subplot()
    return fig, ax


def _subset(chosen, allowed: tuple[str, ...], what: str) -> tuple[str, ...]:
    """A validated subset of a figure's groups or items, in the figure's order."""
    if chosen is None:
        return allowed
    chosen = [chosen] if isinstance(chosen, str) else list(chosen)
    bad = [c for c in chosen if c not in allowed]
    if bad or not chosen:
        raise LmpInputError(f"ugyldig {what} {bad or chosen!r} for figuren; tillatt: {', '.join(allowed)}")
    return tuple(a for a in allowed if a in chosen)


def _grouped_bars(table, counts, fig_def, show_ci: bool = True):
    import matplotlib
    from matplotlib.patches import Patch

    from lmp_helpers import style

    cb = load_codebook()
    with matplotlib.rc_context(style.RC):
        fig, ax = _new_figure(style.GROUPED_BARS_SIZE)
        items = list(fig_def.items)
        groups = [g for g in fig_def.groups if g in set(table["group"])]
        n_by_group = dict(zip(counts["group"], counts["n"], strict=True))
        legend = []
        y_base = np.arange(len(items))[::-1].astype(float)  # first item on top, as in the report
        offsets = (np.arange(len(groups)) - (len(groups) - 1) / 2) * style.BAR_HEIGHT
        for gi, g in enumerate(groups):
            sub = table[table["group"] == g].set_index("item").reindex(items)
            y = y_base - offsets[gi]
            share = sub["share_pct"].to_numpy(dtype=float)
            supp = sub["suppressed"].fillna(False).to_numpy(dtype=bool)
            shown = ~supp & ~np.isnan(share)
            n = n_by_group.get(g)
            label = f"{cb.group(g).label} (n = {SYMBOL if _isna(n) else int(n)})"
            lo = sub["ci_low_pct"].to_numpy(dtype=float)
            hi = sub["ci_high_pct"].to_numpy(dtype=float)
            ax.barh(y[shown], share[shown], height=style.BAR_HEIGHT * 0.92, color=style.GROUP_COLORS[g])
            if not show_ci:  # value labels at the bar ends instead of the whisker ends
                hi = share.copy()
            else:
                ax.errorbar(
                    share[shown],
                    y[shown],
                    xerr=np.vstack([share[shown] - lo[shown], hi[shown] - share[shown]]),
                    fmt="none",
                    ecolor=style.WHISKER_COLOR,
                    elinewidth=0.9,
                    capsize=2.2,
                )
            for yy, s, h in zip(y[shown], share[shown], hi[shown], strict=True):
                ax.text(h + 1.2, yy, _fmt(s), va="center", ha="left", fontsize=8)
            for yy in y[supp | np.isnan(share)]:
                ax.text(1.0, yy, SYMBOL, va="center", ha="left", fontsize=11, fontweight="bold",
                        color=style.SUPPRESSED_COLOR)
            legend.append(Patch(color=style.GROUP_COLORS[g], label=label))
        ax.set_yticks(y_base)
        ax.set_yticklabels([textwrap.fill(cb.item(i).label, style.LABEL_WRAP) for i in items])
        ax.set_xlim(0, 112)
        ax.set_xticks(range(0, 101, 20))
        ax.set_xlabel("Prosent")
        ax.xaxis.grid(True, color=style.GRID_COLOR, linewidth=0.8)
        ax.set_ylim(-0.6, len(items) - 0.4)
        if legend:
            ax.legend(handles=legend, loc="lower left", bbox_to_anchor=(0.0, 1.0), ncol=len(legend),
                      handlelength=1.2, borderaxespad=0.3)
    return fig


def _isna(x) -> bool:
    import pandas as pd

    return bool(pd.isna(x))


def _distribution(table, counts, fig_def):
    import matplotlib

    from lmp_helpers import style

    cb = load_codebook()
    codes = list(cb.scale)
    with matplotlib.rc_context(style.RC):
        fig, ax = _new_figure(style.DISTRIBUTION_SIZE)
        groups = [g for g in fig_def.groups if g in set(table["group"])]
        for gi, g in enumerate(groups):
            sub = table[table["group"] == g]
            share = sub["share_pct"].to_numpy(dtype=float)
            y = len(groups) - 1 - gi
            if sub["suppressed"].any() or np.isnan(share).all():
                ax.text(1.0, y, SYMBOL, va="center", ha="left", fontsize=12, fontweight="bold",
                        color=style.SUPPRESSED_COLOR)
                continue
            left = 0.0
            for code, s in zip(codes, share, strict=True):
                ax.barh(y, s, left=left, height=0.55, color=style.SCALE_COLORS[code], edgecolor="white",
                        linewidth=0.8, label=cb.scale[code] if gi == 0 else None)
                if s >= 4:
                    ax.text(left + s / 2, y, _fmt(s), ha="center", va="center", fontsize=8.5,
                            color=style.SCALE_TEXT_COLORS[code])
                left += s
        # n here is the number who answered this question (the item's n), not the respondent count.
        n_by_group = dict(zip(table["group"], table["n"], strict=False))
        ax.set_yticks(range(len(groups)))
        ax.set_yticklabels(
            [
                f"{cb.group(g).label}\n(n = {SYMBOL if _isna(n_by_group.get(g)) else int(n_by_group[g])})"
                for g in groups
            ][::-1]
        )
        ax.set_ylim(-0.6, max(len(groups), 1) - 0.4)
        ax.set_xlim(0, 100.5)
        ax.set_xlabel("Prosent")
        if not groups:
            ax.set_yticks([])
        # One legend entry per category even if the first group was suppressed.
        from matplotlib.patches import Patch

        handles = [Patch(color=style.SCALE_COLORS[c], label=cb.scale[c]) for c in codes]
        ax.legend(handles=handles, loc="lower left", bbox_to_anchor=(0.0, 1.0), ncol=len(codes),
                  handlelength=1.2, columnspacing=1.0, borderaxespad=0.3)
    return fig


def _decorate(fig, fig_def, pulje, cap, notes, title):
    import matplotlib

    from lmp_helpers import style

    with matplotlib.rc_context(style.RC):
        if title:
            fig.suptitle(
                textwrap.fill(f"Figur {fig_def.number} {fig_def.title} – {pulje_label(pulje)}", style.TITLE_WRAP),
                x=0.02, ha="left", fontsize=9.5, fontweight="bold",
            )
        footer = textwrap.fill(cap, 120)
        if notes:
            footer += "\n" + "\n".join(textwrap.fill(n, 120) for n in notes)
        fig.text(0.02, 0.01, footer, ha="left", va="bottom", fontsize=7.5, color="#333333")
        # Margins in inches, converted to figure fractions, so text never overlaps whatever the size.
        width, height = fig.get_size_inches()
        lines = footer.count("\n") + 1
        title_lines = fig._suptitle.get_text().count("\n") + 1 if title and fig._suptitle else 0
        top_in = 0.15 + 0.19 * title_lines + 0.4  # title + legend row
        bottom_in = 0.55 + 0.15 * lines  # x label + caption lines
        left = 0.33 if fig_def.kind != "distribution" else 0.16
        fig.subplots_adjust(left=left, right=0.97, top=1 - top_in / height, bottom=bottom_in / height)


# -- deterministic output --------------------------------------------------------------------------
def png_bytes(fig) -> bytes:
    """The figure as PNG bytes: Agg renderer, fixed dpi, no software/date metadata."""
    import matplotlib

    from lmp_helpers import style

    buf = io.BytesIO()
    with matplotlib.rc_context(style.RC):
        fig.savefig(buf, format="png", dpi=style.DPI, metadata=style.PNG_METADATA)
    return buf.getvalue()


def save_png(fig, path) -> Path:
    """Write the figure's PNG atomically (temp file in the target dir, then rename)."""
    path = Path(path)
    data = png_bytes(fig)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    return path


def show_figure(figure: str, pulje="alle", data_dir=None, min_n: int = DEFAULT_MIN_N, survey=None, **kwargs):
    """Draw a figure and display it in a notebook as deterministic PNG bytes (one output, no repr text).

    Returns the Figure's caption string so a notebook can glue it.
    """
    from IPython.display import Image, display

    fig = plot_figure(figure, pulje, data_dir, min_n, survey, **kwargs)
    display(Image(data=png_bytes(fig), format="png"))
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
