"""Every label and number a figure draws, read back from the matplotlib Figure (issue #16, figures.py).

`drawn(fig)` reads what a reader sees: per visible Axes its titles, axis labels, tick labels, texts (value
labels and `:` marks), bars (start, length, centre, colour), whisker ends and legend (text and colour), and
the figure's footer text. The expected values come from an independent oracle: the numbers of `tables` /
`stats` (tested on their own), the respondent counts counted here with pandas, the codebook's labels and the
fixed wording the captions promise. Data: the shipped synthetic data and small generated surveys (tiny
groups that must be suppressed, ties, a pulje without one group, a whole item suppressed, a 5 % segment), at
min_n 5, 7 and 20. Each figure is drawn once, inside the one test that reads it: mutmut maps a function to
the tests that call it and times only the call phase, so a drawing in a fixture would be mapped to one test
and left out of the time its mutants are given. The oracles' tables are computed once per module (`_memo`).
"""

from __future__ import annotations

import textwrap

import numpy as np
import pandas as pd
import pytest
from matplotlib.colors import to_hex

from lmp_helpers import figures, stats, style, tables
from lmp_helpers.book import fmt_p
from lmp_helpers.codebook import load_codebook
from lmp_helpers.data import load_survey
from lmp_helpers.errors import LmpInputError
from lmp_helpers.pulje import pulje_label
from lmp_helpers.tables import format_pct

CB = load_codebook()
SRC = "testkilde"

# -- the oracles: the numbers of `tables` / `stats` (tested on their own), each computed once per arguments ---
_MEMO: dict = {}  # emptied when the module's surveys are made and dropped, so a survey's id is a stable key


def _key(v):
    return id(v) if isinstance(v, dict) else tuple(v) if isinstance(v, list) else v


def _memo(fn):
    """`fn` computed once per arguments while the module's surveys live. Only oracles are memoised: every
    test still calls the plot function under test itself (mutmut maps a function to the tests that call it)."""
    def wrapper(*args, **kwargs):
        key = (fn.__name__, tuple(map(_key, args)), tuple((k, _key(v)) for k, v in sorted(kwargs.items())))
        if key not in _MEMO:
            _MEMO[key] = fn(*args, **kwargs)
        return _MEMO[key]
    return wrapper


figure_table = _memo(tables.figure_table)
distribution_table = _memo(tables.distribution_table)
respondent_counts = _memo(tables.respondent_counts)
pulje_comparison = _memo(stats.pulje_comparison)
GROUPED = ["fig2_1", "fig3_1", "fig4_1"]


# -- reading a figure back ------------------------------------------------------------------------------
def _r(x) -> float:
    return float(round(float(x), 6)) + 0.0  # + 0.0: no -0.0


def _hex(c) -> str:
    return to_hex(c, keep_alpha=False)


def _tick_texts(axis) -> list[str]:
    """The tick labels as the axis formats them (also on panels whose labels a shared axis hides)."""
    ticks = axis.get_ticklocs()
    fmt = axis.get_major_formatter()
    fmt.set_locs(ticks)
    return [fmt(x, i) for i, x in enumerate(ticks)]


def drawn(fig) -> dict:
    axes = []
    for ax in fig.axes:
        if not ax.get_visible():
            continue
        bars = [dict(x=_r(p.get_x()), w=_r(p.get_width()), y=_r(p.get_y() + p.get_height() / 2),
                     h=_r(p.get_height()), color=_hex(p.get_facecolor())) for p in ax.patches]
        segs = [s for c in ax.collections if hasattr(c, "get_segments") for s in c.get_segments()]
        whiskers = sorted((_r(s[0][1]), _r(s[0][0]), _r(s[1][0])) for s in segs)
        legend = ax.get_legend()
        axes.append(dict(
            ax=ax,
            title_left=ax.get_title(loc="left"), title=ax.get_title(), title_right=ax.get_title(loc="right"),
            xlabel=ax.get_xlabel(), ylabel=ax.get_ylabel(),
            yticks=[_r(y) for y in ax.get_yticks()],
            yticklabels=_tick_texts(ax.yaxis),
            xticks=[_r(x) for x in ax.get_xticks()],
            xticklabels=_tick_texts(ax.xaxis),
            texts=[(t.get_text(), _r(t.get_position()[0]), _r(t.get_position()[1])) for t in ax.texts],
            bars=bars, whiskers=whiskers,
            # every Line2D (whisker caps, the distribution's 0 line): a NaN one is an error bar seaborn added
            lines=[[tuple(_r(v) for v in xy) for xy in line.get_xydata()] for line in ax.lines],
            legend=None if legend is None else [
                (t.get_text(), _hex(h.get_facecolor())) for t, h in zip(legend.get_texts(), legend.legend_handles,
                                                                         strict=True)],
        ))
    return dict(axes=axes, fig_texts=[t.get_text() for t in fig.texts])


def footer(cap, notes) -> str:
    text = textwrap.fill(cap, 120)
    if notes:
        text += "\n" + "\n".join(textwrap.fill(n, 120) for n in notes)
    return text


def assert_footer_inside(fig) -> None:
    """The footer (caption and notes) is the figure's one text and lies wholly inside the image: a caption
    drawn past an edge, or anchored so that its lines run below the bottom, is not seen by a reader."""
    (text,) = fig.texts
    box = text.get_window_extent(fig.canvas.get_renderer())
    page = fig.bbox
    assert page.x0 <= box.x0 < box.x1 <= page.x1 and page.y0 <= box.y0 < box.y1 <= page.y1, (box, page)


def n_text(counts: dict[str, object]) -> str:
    parts = ", ".join(f"{CB.group(g).label} {':' if n is None else n}" for g, n in counts.items())
    return f"n (respondenter): {parts}" if parts else "n: ingen respondenter"


def counts_oracle(survey, pulje, min_n, groups) -> dict[str, object]:
    """{group: n or None (suppressed; a 0 stays 0)} for the groups asked in `pulje`, from `respondent_counts`."""
    c = respondent_counts(pulje, None, min_n, survey, groups=groups)
    return {r.group: (None if pd.isna(r.n) else int(r.n)) for r in c.itertuples()}


# -- data ------------------------------------------------------------------------------------------------
def frame(group, puljer, rng, missing=0.1, tie=False):
    data = {"respondent_id": [f"{group}-{i}" for i in range(len(puljer))],
            "pulje": np.array(puljer, dtype="int64")}
    for item in CB.items_for_group(group):
        if tie:  # every answer once per five respondents: equal shares, equal top-two shares
            vals = np.array([1 + i % 5 for i in range(len(puljer))], dtype=object)
        else:
            vals = rng.integers(1, 6, len(puljer)).astype(object)
            vals[rng.random(len(puljer)) < missing] = None
        data[item] = pd.array(vals, dtype="Int64")
    return pd.DataFrame(data)


def small_survey():
    """PPT 6/15/7 (pulje 1 tiny at min_n 7), skoleledere 16/20, skoleeiere 4/6 (always suppressed)."""
    rng = np.random.default_rng(16)
    return {
        "ppt": frame("ppt", [1] * 6 + [2] * 15 + [3] * 7, rng),
        "skoleleder": frame("skoleleder", [1] * 16 + [2] * 20, rng, tie=True),
        "skoleeier": frame("skoleeier", [1] * 4 + [2] * 6, rng),
    }


def lone_survey():
    """Pulje 1: only PPT large enough, the other two groups suppressed: one bar per item, in PPT's slot."""
    rng = np.random.default_rng(5)
    return {
        "ppt": frame("ppt", [1] * 10 + [2] * 10, rng),
        "skoleleder": frame("skoleleder", [1] * 3 + [2] * 10, rng),
        "skoleeier": frame("skoleeier", [1] * 2 + [2] * 10, rng),
    }


def edge_survey():
    """Pulje 1, 20 respondents per group. Figur 4.2: one answer of 20 is «1», a segment of exactly 5 %, the
    smallest that gets a label. Figur 4.1's first item: 3 answers per group, so the whole item is suppressed
    and the next items must keep their own rows."""
    rng = np.random.default_rng(20)
    s = {g: frame(g, [1] * 20, rng, missing=0) for g in CB.groups}
    s["ppt"]["ressurs"] = pd.array([1] + [2] * 4 + [3] * 5 + [4] * 6 + [5] * 4, dtype="Int64")
    first = CB.figure("fig4_1").items[0]
    for df in s.values():
        df.loc[3:, first] = pd.NA
    return s


SURVEYS = {"synthetic": load_survey, "small": small_survey, "lone": lone_survey, "edge": edge_survey}


@pytest.fixture(scope="module")
def surveys():
    _MEMO.clear()
    yield {k: f() for k, f in SURVEYS.items()}
    _MEMO.clear()


def draw_case(plot, param, surveys):
    name, figure, pulje, min_n = param
    s = surveys[name]
    fig = plot(figure, pulje, min_n=min_n, survey=s, source_label=SRC)
    return figure, pulje, min_n, s, fig, drawn(fig)


# -- grouped bars (Figur 2.1, 3.1, 4.1) -----------------------------------------------------------------
GROUPED_CASES = [("synthetic", "fig2_1", "alle", 5), ("synthetic", "fig3_1", 1, 5), ("synthetic", "fig4_1", 3, 5),
                 ("small", "fig2_1", 1, 7), ("small", "fig3_1", "alle", 20), ("small", "fig4_1", 2, 5),
                 ("lone", "fig2_1", 1, 5), ("edge", "fig4_1", 1, 5)]


@pytest.mark.parametrize("case", GROUPED_CASES, ids=lambda c: "-".join(map(str, c)))
def test_grouped_bars_draw_the_table(case, surveys):
    """One test per drawn figure, drawn in the test itself (mutmut maps a function to the tests that call
    it, and times only a test's call, not its fixtures' setup), checking the
    caption, notes and heading first (cheap), then every bar, whisker and label."""
    grouped = draw_case(figures.plot_figure, case, surveys)
    check_grouped_caption(grouped)
    figure, pulje, min_n, s, fig, d = grouped
    fdef = CB.figure(figure)
    items = list(fdef.items)
    t = figure_table(figure, pulje, None, min_n, s)
    groups = [g for g in fdef.groups if g in set(t["group"])]
    (a,) = d["axes"]
    # tick labels: the items' codebook labels, first item on top
    assert [x.replace("\n", " ") for x in a["yticklabels"]] == [CB.item(i).label for i in items]
    assert a["yticklabels"] == [textwrap.fill(CB.item(i).label, style.LABEL_WRAP) for i in items]
    assert a["yticks"] == list(range(len(items)))
    ys = [a["ax"].transData.transform((0, y))[1] for y in range(len(items))]
    assert ys == sorted(ys, reverse=True)
    assert a["ylabel"] == "" and a["xlabel"] == "Prosent"
    assert a["xticks"] == [0, 20, 40, 60, 80, 100]
    assert a["xticklabels"] == ["0", "20", "40", "60", "80", "100"]
    # legend: one entry per group asked, in the figure's order, its colour, n from the respondent counts
    counts = counts_oracle(s, pulje, min_n, fdef.groups)
    assert a["legend"] == [(f"{CB.group(g).label} (n = {':' if counts.get(g) is None else counts[g]})",
                            _hex(style.GROUP_COLORS[g])) for g in groups]
    # bars: one per shown cell, from 0, length = share, at its item's row, in its group's colour,
    # dodged in the figure's group order; whiskers = Wilson interval at the bar's centre
    k = len(groups)
    expected_bars, expected_whiskers, expected_texts = [], [], []
    for r in t.itertuples():
        if r.group not in groups:
            continue
        row = items.index(r.item)
        gi = groups.index(r.group)
        y = row - 0.4 + 0.8 / k * (gi + 0.5)
        if r.suppressed or pd.isna(r.share_pct):
            expected_texts.append((":", y))
            continue
        expected_bars.append((0.0, r.share_pct, round(y, 6), round(0.8 / k, 6), _hex(style.GROUP_COLORS[r.group])))
        expected_whiskers.append((round(y, 6), r.ci_low_pct, r.ci_high_pct))
        expected_texts.append((format_pct(r.share_pct), y))
    got_bars = sorted((b["x"], b["w"], b["y"], b["h"], b["color"]) for b in a["bars"] if b["w"] != 0)
    assert got_bars == sorted(expected_bars)
    assert [(w[0], round(w[1], 1), round(w[2], 1)) for w in a["whiskers"]] == sorted(expected_whiskers)
    assert sorted((x, round(y, 6)) for x, _, y in a["texts"]) == sorted((x, round(y, 6)) for x, y in expected_texts)
    # the only lines: the whisker caps (two points per shown bar), all finite (no error bar of seaborn's own)
    assert sum(map(len, a["lines"])) == 2 * len(expected_whiskers)
    assert all(np.isfinite(line).all() for line in a["lines"])
    # a value label sits just right of its whisker end, a `:` at the start of its row
    ends = {(w[0]): w[2] for w in a["whiskers"]}
    for text, x, y in a["texts"]:
        if text == ":":
            assert x < 5
        else:
            assert ends[y] < x < ends[y] + 5


def check_grouped_caption(grouped):
    figure, pulje, min_n, s, fig, d = grouped
    fdef = CB.figure(figure)
    t = figure_table(figure, pulje, None, min_n, s)
    counts = counts_oracle(s, pulje, min_n, fdef.groups)
    cap = fig.lmp_caption
    assert cap.startswith(f"Kilde: {SRC}. {pulje_label(pulje)}. {n_text(counts)}. ")
    assert f"færre enn {min_n} svar" in cap
    notes = [n for n in t.attrs.get("notes", []) if not n.startswith(":")]
    assert fig.lmp_notes == notes
    assert d["fig_texts"] == [footer(cap, notes)]
    assert_footer_inside(fig)
    assert fig.lmp_heading == figures.heading(figure, pulje)
    assert fig.lmp_heading.startswith(f"Figur {fdef.number} {fdef.title}")


# -- Figur 4.2: one 0–100 % stacked bar per group ------------------------------------------------------
STACK_CASES = [("synthetic", "alle", 5), ("synthetic", 3, 7), ("small", 1, 7), ("small", "alle", 20),
               ("edge", 1, 5)]


def draw_stacked(case, surveys):
    name, pulje, min_n = case
    s = surveys[name]
    fig = figures.plot_figure("fig4_2", pulje, min_n=min_n, survey=s, source_label=SRC)
    return pulje, min_n, s, fig, drawn(fig)


def visible_segments(bars, centre: bool):
    """{row: [(code, start, length)]} from cumulative layers (all start at 0), by colour = answer code."""
    code_of = {_hex(c): code for code, c in style.SCALE_COLORS.items()}
    rows: dict[int, list] = {}
    for b in bars:
        rows.setdefault(int(round(b["y"])), []).append((code_of[b["color"]], b["w"], b["h"]))
    return rows


@pytest.mark.parametrize("case", STACK_CASES, ids=lambda c: "-".join(map(str, c)))
def test_stacked_distribution_draws_the_table(case, surveys):
    stacked = draw_stacked(case, surveys)
    pulje, min_n, s, fig, d = stacked
    fdef = CB.figure("fig4_2")
    t = figure_table("fig4_2", pulje, None, min_n, s)
    groups = [g for g in fdef.groups if g in set(t["group"])]
    codes = list(CB.scale)
    (a,) = d["axes"]
    assert a["xlabel"] == "Prosent" and a["ylabel"] == ""
    assert a["legend"] == [(CB.scale[c], _hex(style.SCALE_COLORS[c])) for c in codes]
    labels, rows_expected, texts = [], {}, []
    for row, g in enumerate(groups):
        sub = t[t["group"] == g].set_index("item").reindex([CB.scale[c] for c in codes])
        n = sub["n"].dropna()
        labels.append(f"{CB.group(g).label}\n(n = {':' if n.empty else int(n.iloc[0])})")
        if sub["suppressed"].any() or sub["share_pct"].isna().all():
            texts.append((":", row))
            continue
        ends = np.cumsum(sub["share_pct"].to_numpy(dtype=float))
        rows_expected[row] = sorted((c, round(e, 6)) for c, e in zip(codes, ends, strict=True))
        start = 0.0
        for c in codes:
            share = float(sub.loc[CB.scale[c], "share_pct"])
            if share >= 5:
                texts.append((format_pct(share), row, start + share / 2))
            start += share
    assert a["yticklabels"] == labels
    assert a["yticks"] == list(range(len(groups)))
    got = visible_segments(a["bars"], centre=False)
    assert {r: sorted((c, w) for c, w, _ in v) for r, v in got.items()} == rows_expected
    assert all(b["x"] == 0 and b["h"] == 0.62 for b in a["bars"])
    assert a["lines"] == []  # no error bars of seaborn's own
    got_texts = [(x, round(y)) if x == ":" else (x, round(y), xx) for x, xx, y in a["texts"]]
    exp = [(x[0], x[1]) if x[0] == ":" else (x[0], x[1], round(x[2], 6)) for x in texts]
    assert sorted(got_texts, key=str) == sorted(exp, key=str)
    counts = counts_oracle(s, pulje, min_n, fdef.groups)
    assert fig.lmp_caption.startswith(f"Kilde: {SRC}. {pulje_label(pulje)}. {n_text(counts)}. ")
    assert d["fig_texts"] == [footer(fig.lmp_caption, fig.lmp_notes)]
    assert_footer_inside(fig)


# -- the five-point distribution of every item --------------------------------------------------------
DIST_CASES = [("synthetic", "fig2_1", "alle", 5), ("synthetic", "fig4_1", 3, 5), ("small", "fig2_1", 1, 7),
              ("small", "fig3_1", 2, 5), ("small", "fig4_1", "alle", 20)]


@pytest.mark.parametrize("case", DIST_CASES, ids=lambda c: "-".join(map(str, c)))
def test_distribution_panels_draw_the_tables(case, surveys):
    dist = draw_case(figures.plot_distribution, case, surveys)
    check_distribution_caption(dist)
    figure, pulje, min_n, s, fig, d = dist
    fdef = CB.figure(figure)
    codes = list(CB.scale)
    tables = {it: distribution_table(it, pulje, None, min_n, s, groups=fdef.groups) for it in fdef.items}
    assert list(fig.lmp_tables) == list(fdef.items)
    for it in fdef.items:
        pd.testing.assert_frame_equal(fig.lmp_tables[it], tables[it])
    asked = [g for g in fdef.groups if any((t["group"] == g).any() for t in tables.values())]
    assert len(d["axes"]) == len(fdef.items)
    top = figure_table(figure, pulje, None, min_n, s)
    for i, (a, it) in enumerate(zip(d["axes"], fdef.items, strict=True)):
        t = tables[it]
        assert a["title_left"] == CB.item(it).label and a["title"] == ""
        assert a["xlabel"] == ("Prosent («verken eller» midt på 0, lav grad til venstre, høy grad til høyre)"
                               if i == len(fdef.items) - 1 else "")
        assert a["ylabel"] == ""
        assert a["xticks"] == list(range(-100, 101, 25))
        assert a["xticklabels"] == [str(abs(x)) for x in range(-100, 101, 25)]
        assert a["legend"] == ([(CB.scale[c], _hex(style.SCALE_COLORS[c])) for c in codes] if i == 0 else None)
        labels, texts, expected_rows = [], [], {}
        for row, g in enumerate(asked):
            sub = t[t["group"] == g].sort_values("category")
            n = sub["n"].dropna()
            labels.append(f"{CB.group(g).label} (n = {':' if n.empty else int(n.iloc[0])})")
            # the distribution hides a group exactly where the figure's table hides its top-two share
            cell = top[(top["item"] == it) & (top["group"] == g)]
            assert len(sub) == 0 or bool(sub["suppressed"].any()) == bool(cell["suppressed"].iloc[0])
            if sub["suppressed"].any() or sub.empty or not (sub["n"].fillna(0) > 0).all():
                texts.append((":", row))
                continue
            exact = 100 * sub["count"].to_numpy(dtype=float) / sub["n"].to_numpy(dtype=float)
            # drawn from the counts: each segment rounds to the table's share, the bar adds up to 100
            assert np.abs(exact - sub["share_pct"].to_numpy(dtype=float)).max() <= 0.05 + 1e-6
            assert abs(exact.sum() - 100) <= 1e-9
            left = -(exact[0] + exact[1] + exact[2] / 2)
            # layer ends: right side 5, 4, 3 (half); left side 1, 2, 3 (half), all from 0
            half = exact[2] / 2
            expected_rows[row] = sorted([
                (5, round(half + exact[3] + exact[4], 6)), (4, round(half + exact[3], 6)), (3, round(half, 6)),
                (1, round(-(half + exact[1] + exact[0]), 6)), (2, round(-(half + exact[1]), 6)),
                (3, round(-half, 6))])
            start = left
            for k in range(len(codes)):
                if exact[k] >= 7:
                    printed = format_pct(sub["share_pct"].iloc[k]).removesuffix(",0")
                    texts.append((printed, row, round(start + exact[k] / 2, 6)))
                start += exact[k]
        assert a["yticklabels"] == labels
        got = {}
        code_of = {_hex(c): code for code, c in style.SCALE_COLORS.items()}
        for b in a["bars"]:
            assert b["x"] == 0 and b["h"] == 0.62
            got.setdefault(int(round(b["y"])), []).append((code_of[b["color"]], b["w"]))
        assert {r: sorted(v) for r, v in got.items()} == expected_rows
        # the only line: «verken eller»'s 0 line (no error bars of seaborn's own)
        assert len(a["lines"]) == 1 and {xy[0] for xy in a["lines"][0]} == {0.0}
        got_texts = [(x, round(y)) if x == ":" else (x, round(y), xx) for x, xx, y in a["texts"]]
        assert sorted(got_texts, key=str) == sorted(texts, key=str)


def check_distribution_caption(dist):
    figure, pulje, min_n, s, fig, d = dist
    fdef = CB.figure(figure)
    counts = counts_oracle(s, pulje, min_n, fdef.groups)
    cap = (f"Kilde: {SRC}. {pulje_label(pulje)}. {n_text(counts)}. Andel av dem som svarte på spørsmålet "
           f"(n ved hver søyle). «:» = prikket (færre enn {min_n} svar, eller skjult for å verne et prikket tall).")
    assert fig.lmp_caption == cap
    notes = sorted({n for it in fdef.items
                    for n in distribution_table(it, pulje, None, min_n, s, groups=fdef.groups).attrs.get("notes", [])
                    if not n.startswith(":")})
    assert fig.lmp_notes == notes
    assert d["fig_texts"] == [footer(cap, notes)]
    assert_footer_inside(fig)
    assert fig.lmp_heading == (f"Fordelingen på alle fem svaralternativer for spørsmålene i figur {fdef.number} – "
                               f"{pulje_label(pulje)}")
    assert fig.lmp_heading == figures.distribution_heading(figure, pulje)


def test_distribution_subset_of_groups_and_items(surveys):
    s = surveys["synthetic"]
    fdef = CB.figure("fig4_1")
    items, groups = [fdef.items[-1], fdef.items[0]], ["skoleeier", "ppt"]
    fig = figures.plot_distribution("fig4_1", "alle", survey=s, source_label=SRC, groups=groups, items=items)
    d = drawn(fig)
    order = [i for i in fdef.items if i in items]
    assert [a["title_left"] for a in d["axes"]] == [CB.item(i).label for i in order]
    shown = [g for g in fdef.groups if g in groups]
    assert [x.split(" (n")[0] for x in d["axes"][0]["yticklabels"]] == [CB.group(g).label for g in shown]
    assert n_text(counts_oracle(s, "alle", 5, shown)) in fig.lmp_caption
    for it in order:
        pd.testing.assert_frame_equal(fig.lmp_tables[it], distribution_table(it, "alle", None, 5, s, groups=shown))
    for bad in ({"groups": ["elever"]}, {"items": ["finnes_ikke"]}):
        with pytest.raises(Exception, match="^ugyldig gruppe " if "groups" in bad else "^ugyldig spørsmål "):
            figures.plot_distribution("fig4_1", survey=s, source_label=SRC, **bad)
    fig.clear()


@pytest.fixture(scope="module")
def data_dir(tmp_path_factory, surveys):
    """The lone survey (group sizes unlike the shipped data's) as an export folder without datasource.yml (so:
    real data, its own source label)."""
    folder = tmp_path_factory.mktemp("data")
    for g, df in surveys["lone"].items():
        df.to_csv(folder / CB.group(g).file, index=False)
    return folder


def test_distribution_loads_the_data_of_data_dir(data_dir, surveys):
    """No survey given: the numbers are those of `data_dir`'s data and its source label is in the caption;
    the default pulje is «alle»."""
    from lmp_helpers.data import data_source

    s = surveys["lone"]
    label = data_source(data_dir)["label"]
    assert label != data_source(None)["label"]
    item = CB.figure("fig4_1").items[-1]  # one panel: what is read from the folder is the same for each
    fig = figures.plot_distribution("fig4_1", data_dir=data_dir, items=[item])
    assert list(fig.lmp_tables) == [item]
    assert fig.lmp_caption.startswith(f"Kilde: {label}. {pulje_label('alle')}. "
                                      f"{n_text(counts_oracle(s, 'alle', 5, CB.figure('fig4_1').groups))}. ")
    assert fig.lmp_heading.endswith(pulje_label("alle"))
    for it, t in fig.lmp_tables.items():
        pd.testing.assert_frame_equal(t, distribution_table(it, "alle", None, 5, s, groups=CB.figure("fig4_1").groups))
    fig.clear()


def test_pulje_comparison_loads_the_data_of_data_dir(data_dir, surveys):
    from lmp_helpers.data import data_source

    s = surveys["lone"]
    label = data_source(data_dir)["label"]
    fig = figures.plot_pulje_comparison(data_dir=data_dir, figures="fig4_1", min_n=7)
    assert fig.lmp_caption.startswith(f"Kilde: {label}. PPT, ")
    t = pd.concat([figure_table("fig4_1", p, None, 7, s) for p in ["1", "2", "3", "alle"]], ignore_index=True)
    pd.testing.assert_frame_equal(fig.lmp_tables["fig4_1"], t[t["group"] == "ppt"].reset_index(drop=True))
    tests = pulje_comparison("fig4_1", group="ppt", survey=s, min_n=7, n_resamples=99)
    for ax, r in zip([a for a in fig.axes if a.get_visible()], tests.itertuples(), strict=True):
        p = ":" if r.withheld else fmt_p(r.fisher_p)
        assert ax.get_title(loc="left").endswith(f"p {p}" if p.startswith("<") else f"p = {p}")
    # the premise: at min_n 7 this data has tests shown and one withheld, with the note saying why
    assert 0 < tests["withheld"].sum() < len(tests) and tests.attrs["notes"]
    assert fig.lmp_notes == list(tests.attrs["notes"])
    fig.clear()


# -- the pulje comparison ------------------------------------------------------------------------------
PULJE_CASES = [("synthetic", ("fig2_1", "fig4_1"), "ppt", 5), ("small", ("fig4_1",), "ppt", 7),
               ("small", ("fig3_1",), "skoleleder", 20),
               ("lone", ("fig2_1",), "ppt", 5)]  # group sizes unlike the shipped data's (small copies them)
# The small Figur 4.1 case is drawn with test rows as a caller may pass them (every test of this data at
# min_n 7 is withheld): the first item's row missing, a p below 0,001, an ordinary p, a withheld test.
GIVEN_P = {"fisher_p": [1e-5, 0.0456, 0.5], "withheld": [False, False, True]}
GIVEN_TITLES = ["p = :", "p < 0,001", "p = 0,046", "p = :"]
# Two notes under the caption, each on its own line; the first is 121 characters, so wrapped at the footer's
# 120 columns its last word goes to a line of its own.
TEST_NOTES = ["en testnote som er nøyaktig så lang at den må brytes når bunnteksten brytes ved hundre og tjue tegn: "
              "her ved ordet brytes", "en testnote til"]


def draw_panels(case, surveys):
    name, figs, group, min_n = case
    s = surveys[name]
    if (name, figs) == ("small", ("fig4_1",)):
        tests = pd.DataFrame({"item": CB.figure("fig4_1").items[1:], **GIVEN_P})
    else:
        tests = pd.concat([pulje_comparison(f, group=group, survey=s, min_n=min_n, n_resamples=99) for f in figs],
                          ignore_index=True)
    tests.attrs["notes"] = list(TEST_NOTES)
    fig = figures.plot_pulje_comparison(min_n=min_n, survey=s, figures=list(figs), group=group, tests=tests,
                                        source_label=SRC)
    return figs, group, min_n, s, tests, fig, drawn(fig)


@pytest.mark.parametrize("case", PULJE_CASES, ids=lambda c: f"{c[0]}-{'+'.join(c[1])}-{c[2]}-{c[3]}")
def test_pulje_panels(case, surveys):
    panels = draw_panels(case, surveys)
    check_pulje_caption(panels)
    figs, group, min_n, s, tests, fig, d = panels
    puljer = ["1", "2", "3", "alle"]
    counts = [counts_oracle(s, p, min_n, [group]).get(group) for p in puljer]
    labels = [f"{pulje_label(p)} (n = {':' if n is None else n})" for p, n in zip(puljer, counts, strict=True)]
    items = [(f, it) for f in figs for it in CB.figure(f).items]
    assert len(d["axes"]) == len(items)
    ncols = max(len(CB.figure(f).items) for f in figs)
    # panels of a figure in one row; the unused slots of a shorter row are hidden
    assert len(fig.axes) == ncols * len(figs)
    p_of = {r.item: (":" if r.withheld else fmt_p(r.fisher_p)) for r in tests.itertuples()}
    if len(tests) < len(items):  # the given rows: one missing
        assert [a["title_left"].rsplit("\n", 1)[1] for a in d["axes"]] == GIVEN_TITLES
    for a, (f, it) in zip(d["axes"], items, strict=True):
        p = p_of.get(it, ":")  # no row for the item: `:`
        title = f"{CB.figure(f).number}: {textwrap.fill(CB.item(it).label, style.PANEL_TITLE_WRAP)}\n"
        assert a["title_left"] == title + (f"p {p}" if p.startswith("<") else f"p = {p}")
        assert a["title"] == ""
        assert a["yticklabels"] == labels and a["yticks"] == [0, 1, 2, 3]
        assert a["ylabel"] == ""
        assert a["xlabel"] == ("Prosent" if f == figs[-1] else "")
        assert a["xticks"] == [0, 20, 40, 60, 80, 100]
        t = pd.concat([figure_table(f, p, None, min_n, s) for p in puljer])
        t = t[(t["group"] == group) & (t["item"] == it)].set_index("pulje")
        bars, whisk, texts = [], [], []
        for row, p in enumerate(puljer):
            if p not in t.index:  # the group was not asked in this pulje: nothing drawn
                continue
            r = t.loc[p]
            if r["suppressed"] or pd.isna(r["share_pct"]):
                texts.append((":", float(row)))
                continue
            color = style.ALL_PULJE_COLOR if p == "alle" else style.PULJE_COLOR
            bars.append((0.0, r["share_pct"], float(row), 0.62, _hex(color)))
            whisk.append((float(row), r["ci_low_pct"], r["ci_high_pct"]))
            texts.append((format_pct(r["share_pct"]), float(row)))
        assert sorted((b["x"], b["w"], b["y"], b["h"], b["color"]) for b in a["bars"]) == sorted(bars)
        assert [(w[0], round(w[1], 1), round(w[2], 1)) for w in a["whiskers"]] == sorted(whisk)
        assert sorted((x, y) for x, _, y in a["texts"]) == sorted(texts)
        ends = {w[0]: w[2] for w in a["whiskers"]}
        for text, x, y in a["texts"]:
            assert x < 5 if text == ":" else ends[y] < x < ends[y] + 5
        assert sum(map(len, a["lines"])) == 2 * len(whisk) and all(np.isfinite(line).all() for line in a["lines"])


def check_pulje_caption(panels):
    figs, group, min_n, s, tests, fig, d = panels
    cap = (f"Kilde: {SRC}. {CB.group(group).label}, andel «{CB.top_two_label.lower()}» av dem som svarte; "
           "strek = 95 % konfidensintervall (Wilson). p = Fishers eksakte test (pulje 1, 2, 3). "
           f"«:» = prikket (færre enn {min_n} svar, eller skjult for å verne et prikket tall); en test som "
           "bruker et prikket tall, vises ikke.")
    assert fig.lmp_caption == cap
    assert fig.lmp_notes == TEST_NOTES
    assert d["fig_texts"] == [footer(cap, TEST_NOTES)]
    assert_footer_inside(fig)
    assert fig.lmp_heading == f"{CB.group(group).label}s svar i hver pulje, med p-verdien for forskjell mellom puljene"
    assert fig.lmp_heading == figures.pulje_heading(group)
    assert fig.lmp_tests is tests
    assert list(fig.lmp_tables) == list(figs)
    for f in figs:
        t = pd.concat([figure_table(f, p, None, min_n, s) for p in ["1", "2", "3", "alle"]], ignore_index=True)
        pd.testing.assert_frame_equal(fig.lmp_tables[f], t[t["group"] == group].reset_index(drop=True))


def test_pulje_comparison_computes_the_tests_itself(surveys):
    """Without `tests`: the p-values in the titles are those of `stats.pulje_comparison` for the group
    drawn (here skoleledere, whose p-values differ from PPT's), notes its notes."""
    s = surveys["small"]
    fig = figures.plot_pulje_comparison(survey=s, figures="fig4_1", group="skoleleder", source_label=SRC)
    tests = pulje_comparison("fig4_1", group="skoleleder", survey=s, n_resamples=99)
    ppt = pulje_comparison("fig4_1", group="ppt", survey=s, n_resamples=99)
    assert not tests["withheld"].any() and list(tests["fisher_p"]) != list(ppt["fisher_p"])  # the premise
    for ax, r in zip([a for a in fig.axes if a.get_visible()], tests.itertuples(), strict=True):
        p = ":" if r.withheld else fmt_p(r.fisher_p)
        assert ax.get_title(loc="left").endswith(f"p {p}" if p.startswith("<") else f"p = {p}")
    assert fig.lmp_notes == list(tests.attrs.get("notes", []))
    fig.clear()


def test_pulje_comparison_with_given_tests_that_carry_no_notes(surveys):
    """`tests` as a caller may build them (a plain frame: item, fisher_p, withheld, no attrs): no notes
    under the caption, and the p-values drawn are the given ones."""
    s = surveys["small"]
    items = CB.figure("fig4_1").items
    tests = pd.DataFrame({"item": items, "fisher_p": [0.5, 0.0456, 0.2, 0.9], "withheld": [False] * 4})
    assert tests.attrs == {}  # the premise
    fig = figures.plot_pulje_comparison(survey=s, figures="fig4_1", tests=tests, source_label=SRC)
    assert fig.lmp_notes == [] and drawn(fig)["fig_texts"] == [footer(fig.lmp_caption, [])]
    titles = [ax.get_title(loc="left").splitlines()[-1] for ax in fig.axes if ax.get_visible()]
    assert titles == ["p = 0,500", "p = 0,046", "p = 0,200", "p = 0,900"]
    fig.clear()


def test_default_arguments_of_the_headings_and_the_caption(surveys):
    """Called without pulje / group / show_ci: «alle», PPT and whiskers, as the notebooks call them."""
    s = surveys["small"]
    fdef = CB.figure("fig2_1")
    assert figures.heading("fig2_1") == f"Figur {fdef.number} {fdef.title} – {pulje_label('alle')}"
    assert figures.distribution_heading("fig2_1") == figures.distribution_heading("fig2_1", "alle")
    assert figures.distribution_heading("fig2_1").endswith(f" – {pulje_label('alle')}")
    assert figures.pulje_heading() == f"{CB.group('ppt').label}s svar i hver pulje, med p-verdien for forskjell " \
                                      "mellom puljene"
    cap = figures.caption("fig2_1", survey=s, source_label=SRC)
    assert cap == (f"Kilde: {SRC}. {pulje_label('alle')}. {n_text(counts_oracle(s, 'alle', 5, fdef.groups))}. "
                   f"Andel «{CB.top_two_label.lower()}» av dem som svarte; strek = 95 % konfidensintervall (Wilson). "
                   "«:» = prikket (færre enn 5 svar, eller skjult for å verne et prikket tall).")


# -- what plot_figure refuses, and what it reads when it is given only a folder or a subset -------------------
def test_plot_figure_refuses_tabell1_and_a_bad_group_or_item_with_the_exact_message(surveys):
    """Refused before anything is drawn; the message names what was wrong and what is allowed."""
    s = surveys["small"]
    fdef = CB.figure("fig4_1")
    cases = [
        ({"figure": "tabell1"}, "tabell1 er en tabell, ikke en figur; bruk figures.tabell1_styler()"),
        ({"figure": "fig4_1", "groups": ["elever"]},
         f"ugyldig gruppe ['elever'] for figuren; tillatt: {', '.join(fdef.groups)}"),
        ({"figure": "fig4_1", "items": ["kunnskap_mobbing"]},
         f"ugyldig spørsmål ['kunnskap_mobbing'] for figuren; tillatt: {', '.join(fdef.items)}"),
        # a good group beside the bad one: only the bad one is named
        ({"figure": "fig4_1", "groups": [fdef.groups[0], "elever"]},
         f"ugyldig gruppe ['elever'] for figuren; tillatt: {', '.join(fdef.groups)}"),
    ]
    for kwargs, message in cases:
        with pytest.raises(LmpInputError) as err:
            figures.plot_figure(survey=s, source_label=SRC, **kwargs)
        assert str(err.value) == message


def test_plot_figure_draws_the_data_of_data_dir_and_names_its_source(data_dir, surveys):
    """No survey and no source label: the counts drawn and captioned are data_dir's, «Kilde» its label."""
    from lmp_helpers.data import data_source

    s = surveys["lone"]
    label = data_source(data_dir)["label"]
    fig = figures.plot_figure("fig4_2", 2, data_dir=data_dir)
    counts = counts_oracle(s, 2, 5, ["ppt"])
    assert counts != counts_oracle(surveys["synthetic"], 2, 5, ["ppt"])  # the premise: the shipped data differ
    assert fig.lmp_caption.startswith(f"Kilde: {label}. {pulje_label(2)}. {n_text(counts)}. ")
    t = figure_table("fig4_2", 2, None, 5, s)
    assert [x.get_text() for x in fig.axes[0].get_yticklabels()] == [f"PPT\n(n = {int(t['n'].dropna().iloc[0])})"]
    fig.clear()


def test_caption_of_a_subset_of_groups_counts_only_those_groups(surveys):
    s = surveys["small"]
    fig = figures.plot_figure("fig4_1", 2, survey=s, source_label=SRC, groups=["skoleleder"], items="rolle_uklar")
    counts = counts_oracle(s, 2, 5, ["skoleleder"])
    assert fig.lmp_caption.startswith(f"Kilde: {SRC}. {pulje_label(2)}. {n_text(counts)}. ")
    fig.clear()


def test_caption_counts_the_survey_or_the_folder_it_is_given(data_dir, surveys):
    """`caption` without counts counts the given survey (or data_dir's data) for the figure's own groups;
    Figur 4.2 has its own method text; without whiskers nothing takes the interval note's place."""
    from lmp_helpers.data import data_source

    s = surveys["lone"]
    rule = "«:» = prikket (færre enn {} svar, eller skjult for å verne et prikket tall)."
    counts = counts_oracle(s, 2, 7, ["ppt"])
    assert counts != counts_oracle(surveys["synthetic"], 2, 7, ["ppt"])  # the premise: the shipped data differ
    folder_label = data_source(data_dir)["label"]
    for kwargs, src in (({"survey": s, "source_label": SRC}, SRC), ({"data_dir": data_dir}, folder_label)):
        assert figures.caption("fig4_2", 2, min_n=7, **kwargs) == (
            f"Kilde: {src}. {pulje_label(2)}. {n_text(counts)}. Andel av dem som svarte på spørsmålet. "
            + rule.format(7))
    groups = CB.figure("fig2_1").groups
    assert figures.caption("fig2_1", 1, survey=s, source_label=SRC, show_ci=False) == (
        f"Kilde: {SRC}. {pulje_label(1)}. {n_text(counts_oracle(s, 1, 5, groups))}. "
        f"Andel «{CB.top_two_label.lower()}» av dem som svarte. " + rule.format(5))


def test_pulje_comparison_refuses_a_figure_without_a_share_per_item(surveys):
    allowed = ", ".join(k for k, f in CB.figures.items() if f.kind == "grouped_bars")
    for f in ("fig4_2", "tabell1"):
        with pytest.raises(LmpInputError) as err:
            figures.plot_pulje_comparison(survey=surveys["small"], figures=["fig4_1", f])
        assert str(err.value) == (f"puljesammenligningen viser andeler per spørsmål; ugyldig figur {f!r}; "
                                  f"tillatt: {allowed}")


def test_the_edge_survey_has_its_edges(surveys):
    """The premises of the «edge» cases above (tables only, nothing drawn)."""
    s = surveys["edge"]
    t = figure_table("fig4_1", 1, None, 5, s)
    first = CB.figure("fig4_1").items[0]
    assert t[t["item"] == first]["suppressed"].all() and not t[t["item"] != first]["suppressed"].any()
    shares = figure_table("fig4_2", 1, None, 5, s).set_index("item")["share_pct"]
    assert shares[CB.scale[1]] == 5.0


def test_a_pulje_none_of_the_chosen_groups_was_asked_in_says_so_in_the_caption(surveys):
    """Skoleledere and skoleeiere were not asked in pulje 3 (codebook): the explorer's figure for them has
    no bars, and its caption says there are no respondents instead of an empty «n (respondenter): »."""
    s = surveys["small"]
    groups = ["skoleleder", "skoleeier"]
    assert all(3 not in CB.group(g).pulje for g in groups)  # the premise
    fig = figures.plot_figure("fig2_1", 3, survey=s, source_label=SRC, groups=groups)
    assert fig.lmp_caption.startswith(f"Kilde: {SRC}. {pulje_label(3)}. n: ingen respondenter. Andel ")
    assert len(fig.axes[0].patches) == 0 and len(fig.axes[0].texts) == 0
    fig.clear()


def test_without_whiskers_a_value_label_sits_at_the_end_of_its_own_bar(surveys):
    """show_ci=False (the explorer): no whisker is drawn, so each value label follows its bar's end, not the
    end of an interval the reader cannot see."""
    s = surveys["small"]
    fig = figures.plot_figure("fig4_1", 2, survey=s, source_label=SRC, show_ci=False)
    t = figure_table("fig4_1", 2, None, 5, s)
    shown = t[~t["suppressed"]]
    assert ((shown["ci_high_pct"] - shown["share_pct"]) > 5).any()  # the premise: an interval end far from its bar
    (a,) = drawn(fig)["axes"]
    assert a["whiskers"] == [] and a["lines"] == []
    ends = {b["y"]: b["w"] for b in a["bars"]}
    labels = [(text, x, y) for text, x, y in a["texts"] if text != ":"]
    assert sorted(text for text, _, _ in labels) == sorted(format_pct(v) for v in shown["share_pct"])
    for text, x, y in labels:
        assert text == format_pct(ends[y]) and ends[y] < x < ends[y] + 5
    fig.clear()


# -- the drawing helpers on their own: each takes milliseconds, so a mutant of these helpers is found before
#    mutmut reaches the drawings (it runs a mutant's tests fastest first; a drawing takes 0.1–3 s) -------------


def test_stack_layers_end_where_the_answers_add_up():
    """Outermost layer first, every layer from 0: flat bars end at the running sum of the shares; diverging
    bars put half of «verken eller» on each side of 0, agreement to the right and disagreement to the left."""
    shares = np.array([[10.0, 20.0, 30.0, 25.0, 15.0], [0.0, 5.0, 50.0, 40.0, 5.0]])
    flat = figures._stack_layers(shares, centre=False)
    assert [code for code, _ in flat] == [5, 4, 3, 2, 1]
    for code, end in flat:
        np.testing.assert_allclose(end, shares[:, :code].sum(axis=1))
    s1, s2, s3, s4, s5 = shares.T
    expected = [(5, s3 / 2 + s4 + s5), (4, s3 / 2 + s4), (3, s3 / 2),
                (1, -(s3 / 2 + s2 + s1)), (2, -(s3 / 2 + s2)), (3, -s3 / 2)]
    diverging = figures._stack_layers(shares, centre=True)
    assert [code for code, _ in diverging] == [code for code, _ in expected]
    for (_, got), (_, want) in zip(diverging, expected, strict=True):
        np.testing.assert_allclose(got, want)


@pytest.mark.parametrize("n_hue", [1, 2, 3])
def test_dodged_bar_slots_split_the_bar_width_evenly_around_the_category(n_hue):
    slots = [figures._slot(4, hue, n_hue) for hue in range(n_hue)]
    step = figures.BAR_WIDTH / n_hue
    assert slots[0] == pytest.approx(4 - figures.BAR_WIDTH / 2 + step / 2)
    assert np.diff(slots) == pytest.approx([step] * (n_hue - 1))
    assert np.mean(slots) == pytest.approx(4)


def test_isna_is_a_plain_bool_for_every_missing_marker():
    for missing in (np.nan, None, pd.NA, float("nan")):
        assert figures._isna(missing) is True
    for value in (0, 0.0, 5, "0"):
        assert figures._isna(value) is False


@pytest.mark.parametrize("right", [112, 125])  # the room its two callers leave for the value labels
def test_percent_axis_ticks_every_20_percent_up_to_100(right):
    import matplotlib.pyplot as plt

    fig, ax = plt.subplots()
    try:
        figures._percent_axis(ax, right)
        assert list(ax.get_xticks()) == [0, 20, 40, 60, 80, 100]
        assert ax.get_xlabel() == "Prosent"
        assert ax.get_xlim() == (0, right)
    finally:
        plt.close(fig)
