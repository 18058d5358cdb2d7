"""Report figures: drawn from the suppressed tables, labelled from the codebook, byte-identical on rerun."""

import subprocess
import sys

import numpy as np
import pandas as pd
import pytest

from lmp_helpers import figures, style
from lmp_helpers.codebook import load_codebook
from lmp_helpers.errors import LmpInputError


def frame(group, pulje, fill=4):
    cb = load_codebook()
    data = {"respondent_id": [f"{group}-{i}" for i in range(len(pulje))], "pulje": np.array(pulje, dtype="int64")}
    for item in cb.items_for_group(group):
        data[item] = pd.array([fill] * len(pulje), dtype="Int64")
    return pd.DataFrame(data)


def survey():
    return {
        "ppt": frame("ppt", [1] * 6 + [2] * 15 + [3] * 7),
        "skoleleder": frame("skoleleder", [1] * 16 + [2] * 20, fill=2),
        "skoleeier": frame("skoleeier", [1] * 4 + [2] * 6, fill=5),  # 4 + 6: both puljer suppressed
    }


def plot(figure, pulje="alle", s=None):
    return figures.plot_figure(figure, pulje, survey=s or survey(), source_label="testdata")


def axis(fig):
    return fig.axes[0]


def stacked_segments(ax) -> dict[float, dict[int, float]]:
    """{row centre: {answer code: visible segment %}} read back from the Axes' bars.

    The stacked bars are cumulative layers that all start at 0 (colour = answer code, sign = side of the
    diverging bar); a segment is its layer's end minus the end of the next layer inwards."""
    from matplotlib.colors import to_hex

    code_of = {to_hex(c): code for code, c in style.SCALE_COLORS.items()}
    rows: dict[float, dict[int, list[float]]] = {}
    for p in ax.patches:
        y = round(p.get_y() + p.get_height() / 2, 6)
        rows.setdefault(y, {}).setdefault(code_of[to_hex(p.get_facecolor())], []).append(p.get_width())
    out = {}
    for y, ends in sorted(rows.items()):
        if len(ends[3]) == 2:  # diverging: «verken eller» straddles 0 (one half each side)
            r3, l3 = max(ends[3]), -min(ends[3])
            (r4,), (r5,) = ends[4], ends[5]
            l2, l1 = -ends[2][0], -ends[1][0]
            seg = {1: l1 - l2, 2: l2 - l3, 3: l3 + r3, 4: r4 - r3, 5: r5 - r4}
        else:
            e = [0.0] + [ends[c][0] for c in (1, 2, 3, 4, 5)]
            seg = {c: e[c] - e[c - 1] for c in (1, 2, 3, 4, 5)}
        out[y] = {c: round(v, 6) for c, v in seg.items()}
    return out


def legend_texts(fig):
    return [t.get_text() for t in axis(fig).get_legend().get_texts()]


@pytest.mark.parametrize("figure", ["fig2_1", "fig3_1", "fig4_1", "fig4_2"])
@pytest.mark.parametrize("pulje", ["alle", 1, 3])
def test_png_is_byte_identical_on_rerun(figure, pulje):
    first = figures.png_bytes(plot(figure, pulje))
    second = figures.png_bytes(plot(figure, pulje))
    assert first[:8] == b"\x89PNG\r\n\x1a\n"
    assert first == second
    assert b"Software" not in first and b"Creation Time" not in first and b"Date" not in first


@pytest.mark.parametrize("draw", [
    lambda: plot("fig2_1", 1),
    lambda: plot("fig4_2", "alle"),
    lambda: figures.plot_distribution("fig3_1", 2, survey=survey(), source_label="testdata"),
    lambda: figures.plot_pulje_comparison(survey=survey(), source_label="testdata", figures="fig4_1"),
], ids=["fig2_1", "fig4_2", "distribution", "pulje"])
def test_png_and_svg_are_byte_identical_on_rerun(draw):
    """Both formats from two separately drawn figures: no dates, no random ids (nbval compares SVG text)."""
    first, second = draw(), draw()
    assert figures.png_bytes(first) == figures.png_bytes(second)
    svg = figures.svg_bytes(first)
    assert svg == figures.svg_bytes(second)
    assert svg.lstrip().startswith(b"<?xml") and b"<svg" in svg
    assert b"<dc:date>" not in svg and b"Matplotlib v" not in svg


def test_save_png_writes_the_same_bytes(tmp_path):
    fig = plot("fig2_1")
    path = figures.save_png(fig, tmp_path / "fig.png")
    assert path.read_bytes() == figures.png_bytes(fig)
    assert [p.name for p in tmp_path.iterdir()] == ["fig.png"]


# Checks of one drawing each (survey() above: PPT all «4», skoleledere all «2», skoleeiere all «5» and always
# suppressed), run by test_grouped_bars_draw_exactly_the_table_for_every_pulje on its drawing of that pulje.
def check_pulje_1_legend_colons_and_caption(fig):
    ax = axis(fig)
    assert legend_texts(fig) == ["PPT (n = 6)", "Skoleledere (n = 16)", "Skoleeiere (n = :)"]
    # 4 items × 2 shown groups = 8 bars (PPT 100 %, skoleledere a true 0 %); the 4 suppressed owner cells
    # are ':' texts and have no bar at all, not even a zero-width one.
    widths = sorted(round(p.get_width(), 1) for p in ax.patches)
    assert widths == [0.0] * 4 + [100.0] * 4
    colons = [t for t in ax.texts if t.get_text() == ":"]
    assert len(colons) == 4
    colors = {tuple(np.round(p.get_facecolor()[:3], 4)) for p in ax.patches}
    from matplotlib.colors import to_rgb

    assert tuple(np.round(to_rgb(style.GROUP_COLORS["skoleeier"]), 4)) not in colors
    # the caption names source, pulje, n and method, and is drawn under the bars
    cap = fig.lmp_caption
    assert "Kilde: testdata" in cap and "Pulje 1" in cap and "Wilson" in cap
    assert "PPT 6" in cap and "Skoleeiere :" in cap and "prikket" in cap
    footer = [t.get_text() for t in fig.texts]
    assert any("Kilde: testdata" in t for t in footer)


def check_alle_values_labels_colours_and_no_title(fig, figure):
    """Tick labels from the codebook, value labels, legend n, the group colours of `style`, and no title
    inside the image (the page's caption, from the codebook via myst-nb, is the title)."""
    from matplotlib.colors import to_rgb

    cb = load_codebook()
    ax = axis(fig)
    ticks = [t.get_text().replace("\n", " ") for t in ax.get_yticklabels()]
    assert ticks == [cb.item(i).label for i in cb.figures[figure].items]
    values = sorted(t.get_text() for t in ax.texts if t.get_text() not in (":",))
    # PPT all «4» -> 100,0; skoleledere all «2» -> 0,0; skoleeiere all «5» -> 100,0 (decimal comma)
    assert values == sorted(["100,0"] * 8 + ["0,0"] * 4)
    assert legend_texts(fig) == ["PPT (n = 28)", "Skoleledere (n = 36)", "Skoleeiere (n = 10)"]
    colors = {tuple(np.round(p.get_facecolor()[:3], 4)) for p in ax.patches}
    assert colors == {tuple(np.round(to_rgb(style.GROUP_COLORS[g]), 4)) for g in style.GROUP_COLORS}
    assert_no_title(fig, figure)


def assert_no_title(fig, figure):
    cb = load_codebook()
    title = cb.figure(figure).title
    texts = [t.get_text() for t in fig.texts] + [ax.get_title() for ax in fig.axes]
    assert fig._suptitle is None and not any(title[:40] in t.replace("\n", " ") for t in texts)
    assert fig.lmp_heading.startswith(f"Figur {cb.figure(figure).number} {title}")


def check_pulje_3_only_ppt_with_note(fig):
    assert legend_texts(fig) == ["PPT (n = 7)"]
    assert any("ikke spurt i pulje 3" in n for n in fig.lmp_notes)
    assert any("ikke spurt i pulje 3" in t.get_text().replace("\n", " ") for t in fig.texts)


def test_caption_uses_data_source_of_the_data_dir():
    fig = figures.plot_figure("fig4_1")  # shipped synthetic data
    assert "syntetiske data" in fig.lmp_caption


def test_distribution_figure_segments_and_suppression():
    cb = load_codebook()
    s = {"ppt": frame("ppt", [1] * 3 + [2] * 10 + [3] * 8)}
    s["ppt"]["ressurs"] = pd.array([1, 2, 3] + [4] * 5 + [5] * 5 + [3] * 8, dtype="Int64")
    fig = plot("fig4_2", 2, s)
    ax = axis(fig)
    assert list(stacked_segments(ax).values()) == [{1: 0.0, 2: 0.0, 3: 0.0, 4: 50.0, 5: 50.0}]
    assert legend_texts(fig) == [cb.scale[c] for c in (1, 2, 3, 4, 5)]
    assert_no_title(fig, "fig4_2")
    fig = plot("fig4_2", 1, s)  # n = 3: suppressed
    assert len(axis(fig).patches) == 0
    assert [t.get_text() for t in axis(fig).texts] == [":"]


def test_tabell1_is_a_table_not_a_plot():
    with pytest.raises(LmpInputError, match="tabell1_styler"):
        figures.plot_figure("tabell1", survey=survey())


def test_tabell1_styler_has_stable_html_and_the_puljes_rows():
    html = figures.tabell1_styler().to_html()
    assert html == figures.tabell1_styler().to_html()  # stable ids, no random uuid
    assert "Case I - pulje 2" in html and ">62<" in html and "Lærere" in html
    html3 = figures.tabell1_styler(3).to_html()
    assert "Case I - pulje 2" not in html3 and ">28<" in html3


def test_bad_inputs():
    with pytest.raises(LmpInputError, match="tillatt"):
        figures.plot_figure("fig2_1", "4", survey=survey())
    with pytest.raises(LmpInputError, match="tillatt"):
        figures.plot_figure("figur", survey=survey())


def test_import_stays_light():
    """`import lmp_helpers` and the table code must not pull in matplotlib, seaborn or scipy."""
    code = (
        "import sys, lmp_helpers, lmp_helpers.tables, lmp_helpers.stats, lmp_helpers.figures;"
        "print(sorted(m for m in ('matplotlib', 'seaborn', 'scipy') if m in sys.modules))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.strip() == "[]"


def test_subset_of_groups_and_items_without_intervals():
    cb = load_codebook()
    fig = figures.plot_figure("fig4_1", "alle", survey=survey(), source_label="testdata", groups=["skoleeier", "ppt"],
                              items="rolle_uklar", show_ci=False)
    ax = axis(fig)
    assert legend_texts(fig) == ["PPT (n = 28)", "Skoleeiere (n = 10)"]  # codebook order kept
    assert [t.get_text().replace("\n", " ") for t in ax.get_yticklabels()] == [cb.item("rolle_uklar").label]
    assert len(ax.patches) == 2
    assert not [c for c in ax.collections if hasattr(c, "get_segments")]  # no whiskers
    assert "Wilson" not in fig.lmp_caption
    with pytest.raises(LmpInputError, match="tillatt: ppt, skoleleder, skoleeier"):
        figures.plot_figure("fig4_1", survey=survey(), source_label="x", groups=["elever"])
    with pytest.raises(LmpInputError, match="spørsmål"):
        figures.plot_figure("fig4_1", survey=survey(), source_label="x", items=["kunnskap_mobbing"])


# -- the numbers drawn are the numbers of the tables ---------------------------------------------------
def bars_by_cell(ax, items, groups):
    """{(item, group): bar length} read back from a grouped-bar Axes (row = item, colour = group)."""
    from matplotlib.colors import to_hex

    group_of = {to_hex(style.GROUP_COLORS[g]): g for g in groups}
    out = {}
    for p in ax.patches:
        item = items[int(round(p.get_y() + p.get_height() / 2))]
        out[(item, group_of[to_hex(p.get_facecolor())])] = round(p.get_width(), 6)
    return out


def whiskers(ax):
    """[(y, low, high)] of every Wilson whisker on an Axes."""
    segs = [seg for c in ax.collections if hasattr(c, "get_segments") for seg in c.get_segments()]
    return sorted((round(s[0][1], 6), round(s[0][0], 6), round(s[1][0], 6)) for s in segs)


def colon_count(ax):
    return sum(t.get_text() == ":" for t in ax.texts)


# Every pulje once, each grouped figure at least once (the drawing does not depend on which grouped figure
# it is; every figure's labels are checked in test_kills_figures.py and test_figure_labels_min_n.py), and
# the checks above of each drawing.
@pytest.mark.parametrize(("figure", "pulje"), [("fig2_1", "alle"), ("fig4_1", 1), ("fig3_1", 2), ("fig2_1", 3)])
def test_grouped_bars_draw_exactly_the_table_for_every_pulje(figure, pulje):
    from lmp_helpers.tables import figure_table

    cb = load_codebook()
    s = survey()
    items = list(cb.figure(figure).items)
    t = figure_table(figure, pulje, survey=s)
    fig = plot(figure, pulje, s)
    if pulje == "alle":
        check_alle_values_labels_colours_and_no_title(fig, figure)
    elif pulje == 1:
        check_pulje_1_legend_colons_and_caption(fig)
    elif pulje == 3:
        check_pulje_3_only_ppt_with_note(fig)
    ax = axis(fig)
    shown = t[~t["suppressed"]]
    drawn = bars_by_cell(ax, items, cb.figure(figure).groups)
    assert drawn == {(r.item, r.group): r.share_pct for r in shown.itertuples()}
    # whisker ends = the table's Wilson interval, one whisker per shown cell, at the bar's centre
    ends = sorted((round(w[1], 1), round(w[2], 1)) for w in whiskers(ax))
    assert ends == sorted(zip(shown["ci_low_pct"], shown["ci_high_pct"], strict=True))
    centres = {round(p.get_y() + p.get_height() / 2, 6) for p in ax.patches}
    assert {w[0] for w in whiskers(ax)} <= centres
    # no suppressed value drawn: no bar, a `:` instead
    assert colon_count(ax) == int(t["suppressed"].sum())
    assert not t.loc[t["suppressed"], "share_pct"].notna().any()


def test_pulje_panels_draw_the_tables_and_the_test_p_values():
    """Figur 4.1's panels (two figures in one drawing: test_kills_figures.py) from the all-the-same answers
    above, with one cell suppressed through missing answers, which withholds its test."""
    from lmp_helpers.book import fmt_p
    from lmp_helpers.stats import pulje_comparison
    from lmp_helpers.tables import figure_table

    cb = load_codebook()
    s = survey()
    s["ppt"].loc[s["ppt"].index[:4], "rolle_uklar"] = pd.NA  # 2 answers in pulje 1: that cell is suppressed
    fig = figures.plot_pulje_comparison(survey=s, source_label="testdata", figures=["fig4_1"])
    puljer = ["1", "2", "3", "alle"]
    # Fisher's p (the one drawn) does not depend on the permutation test's resamples: few will do here
    tests = pulje_comparison("fig4_1", survey=s, n_resamples=99).set_index("item")
    table = pd.concat([figure_table("fig4_1", p, survey=s) for p in puljer])
    panels = [ax for ax in fig.axes if ax.get_visible()]
    assert len(panels) == 4
    for ax, item in zip(panels, cb.figure("fig4_1").items, strict=True):
        t = table
        t = t[(t["group"] == "ppt") & (t["item"] == item)].set_index("pulje").loc[puljer]
        drawn = {puljer[int(round(p.get_y() + p.get_height() / 2))]: round(p.get_width(), 6) for p in ax.patches}
        shown = t[~t["suppressed"]]
        assert drawn == dict(zip(shown.index, shown["share_pct"], strict=True))
        assert sorted((round(w[1], 1), round(w[2], 1)) for w in whiskers(ax)) == sorted(
            zip(shown["ci_low_pct"], shown["ci_high_pct"], strict=True))
        assert colon_count(ax) == int(t["suppressed"].sum())
        title = ax.get_title(loc="left")
        row = tests.loc[item]
        if row["withheld"]:
            assert title.endswith("p = :")
        else:
            p = fmt_p(row["fisher_p"])
            assert title.endswith(f"p {p}" if p.startswith("<") else f"p = {p}")
    suppressed_panel = panels[0]  # rolle_uklar: pulje 1 hidden, so the test is withheld
    assert colon_count(suppressed_panel) >= 1 and suppressed_panel.get_title(loc="left").endswith("p = :")
    labels = [t.get_text() for t in panels[0].get_yticklabels()]
    assert labels == ["Pulje 1 (n = 6)", "Pulje 2 (n = 15)", "Pulje 3 (n = 7)", "Alle puljer (n = 28)"]


def test_p_values_in_norwegian_format():
    from lmp_helpers.book import fmt_p

    assert fmt_p(0.0004) == "< 0,001" and fmt_p(0.0456) == "0,046"


def test_screenshots_of_the_new_figures():
    """PNG screenshots of the pulje comparison and one distribution figure (shipped synthetic data) for a
    person to look at; checked here only for being real, non-empty PNGs of the expected size."""
    import os
    from pathlib import Path

    from lmp_helpers.paths import PROJECT_ROOT

    out = Path(os.environ.get("LMP_TEST_OUTPUT", PROJECT_ROOT / "test-output")) / "screenshots"
    out.mkdir(parents=True, exist_ok=True)
    for name, fig in [("figur-pulje-sammenligning.png", figures.plot_pulje_comparison()),
                      ("figur-fordeling-fig4_1.png", figures.plot_distribution("fig4_1"))]:
        path = figures.save_png(fig, out / name)
        data = path.read_bytes()
        assert data[:8] == b"\x89PNG\r\n\x1a\n" and len(data) > 20_000
        w, h = (int.from_bytes(data[16:20], "big"), int.from_bytes(data[20:24], "big"))
        assert all(abs(px - x * style.DPI) <= 1 for px, x in zip((w, h), fig.get_size_inches(), strict=True))


def test_book_shows_figures_as_png_and_svg_and_the_distribution_collapsed(monkeypatch):
    """`Chapter.figure` gives one PNG + SVG bundle; `Chapter.distribution` one <details> block whose SVG and
    PNG are the distribution figure's own bytes."""
    import base64
    import re

    import IPython.display

    from lmp_helpers import book

    shown = []
    metadata_seen = []
    monkeypatch.setattr(IPython.display, "display",
                        lambda obj, raw=False, metadata=None: (shown.append(obj), metadata_seen.append(metadata)))
    monkeypatch.setattr(book, "_display", shown.append)
    ch = book.Chapter(name="ppts_rolle", pulje=1, data_dir=None, min_n=5)
    ch.__dict__["survey"] = survey()
    ch.figure("fig4_1")
    [bundle] = shown
    expected = figures.plot_figure("fig4_1", 1, survey=survey())
    assert base64.b64decode(bundle["image/png"]) == figures.png_bytes(expected)
    assert bundle["image/svg+xml"].encode() == figures.svg_bytes(expected)
    assert bundle["text/plain"] == expected.lmp_heading
    # the alt text (lmp_helpers.alttext) travels with both formats, so the site's SVG gets it too
    from lmp_helpers.alttext import figure_alt_for

    alt = figure_alt_for("fig4_1", pulje=1, min_n=5, survey=survey())
    assert metadata_seen == [{"image/png": {"alt": alt}, "image/svg+xml": {"alt": alt}}]
    shown.clear()
    ch.distribution("fig4_1")
    links, block = shown  # the figure's download links come first, right under it
    assert "Last ned tallene" in links.data and "figur-4-1_pulje-1.csv" in links.data
    text = block.data
    assert text.startswith("<details") and "<summary>Vis fordelingen på alle fem svaralternativer (figur 4.1)" in text
    dist = figures.plot_distribution("fig4_1", 1, survey=survey())
    [svg] = re.findall(r'<img src="data:image/svg\+xml;base64,([^"]+)"', text)
    assert base64.b64decode(svg) == figures.svg_bytes(dist)
    assert "srcset" not in text  # a data: URL holds a comma, which a srcset list would split
