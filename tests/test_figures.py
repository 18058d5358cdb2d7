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


def test_save_png_writes_the_same_bytes(tmp_path):
    fig = plot("fig2_1")
    path = figures.save_png(fig, tmp_path / "fig.png")
    assert path.read_bytes() == figures.png_bytes(fig)
    assert [p.name for p in tmp_path.iterdir()] == ["fig.png"]


def test_grouped_bars_legend_has_n_and_suppressed_cells_are_colons():
    fig = plot("fig4_1", 1)
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


def test_grouped_bars_values_and_labels_from_codebook():
    cb = load_codebook()
    fig = plot("fig2_1", "alle")
    ax = axis(fig)
    ticks = [t.get_text().replace("\n", " ") for t in ax.get_yticklabels()]
    assert ticks == [cb.item(i).label for i in cb.figures["fig2_1"].items]
    values = sorted(t.get_text() for t in ax.texts if t.get_text() not in (":",))
    # PPT all «4» -> 100,0; skoleledere all «2» -> 0,0; skoleeiere all «5» -> 100,0 (decimal comma)
    assert values == sorted(["100,0"] * 8 + ["0,0"] * 4)
    assert legend_texts(fig) == ["PPT (n = 28)", "Skoleledere (n = 36)", "Skoleeiere (n = 10)"]


def test_whiskers_are_wilson_intervals():
    from lmp_helpers.tables import figure_table

    s = survey()
    fig = plot("fig2_1", 2, s)
    t = figure_table("fig2_1", 2, survey=s)
    shown = t[~t["suppressed"]]
    segs = [c for c in axis(fig).collections if hasattr(c, "get_segments")]
    xs = sorted(tuple(round(x, 1) for x in (seg[0][0], seg[1][0])) for c in segs for seg in c.get_segments())
    expected = sorted(zip(shown["ci_low_pct"], shown["ci_high_pct"], strict=True))
    assert xs == [tuple(e) for e in expected]


def test_caption_names_source_pulje_n_and_method():
    fig = plot("fig2_1", 1)
    cap = fig.lmp_caption
    assert "Kilde: testdata" in cap and "Pulje 1" in cap and "Wilson" in cap
    assert "PPT 6" in cap and "Skoleeiere :" in cap and "prikket" in cap
    footer = [t.get_text() for t in fig.texts]
    assert any("Kilde: testdata" in t for t in footer)


def test_caption_uses_data_source_of_the_data_dir():
    fig = figures.plot_figure("fig4_1")  # shipped synthetic data
    assert "syntetiske data" in fig.lmp_caption


def test_pulje_3_only_ppt_with_note():
    fig = plot("fig2_1", 3)
    assert legend_texts(fig) == ["PPT (n = 7)"]
    assert any("ikke spurt i pulje 3" in n for n in fig.lmp_notes)
    assert any("ikke spurt i pulje 3" in t.get_text().replace("\n", " ") for t in fig.texts)


def test_distribution_figure_segments_and_suppression():
    cb = load_codebook()
    s = {"ppt": frame("ppt", [1] * 3 + [2] * 10 + [3] * 8)}
    s["ppt"]["ressurs"] = pd.array([1, 2, 3] + [4] * 5 + [5] * 5 + [3] * 8, dtype="Int64")
    fig = plot("fig4_2", 2, s)
    ax = axis(fig)
    widths = [round(p.get_width(), 1) for p in ax.patches]
    assert widths == [0.0, 0.0, 0.0, 50.0, 50.0]
    assert legend_texts(fig) == [cb.scale[c] for c in (1, 2, 3, 4, 5)]
    fig = plot("fig4_2", 1, s)  # n = 3: suppressed
    assert len(axis(fig).patches) == 0
    assert [t.get_text() for t in axis(fig).texts] == [":"]


def test_colours_come_from_style():
    fig = plot("fig2_1", "alle")
    colors = {tuple(np.round(p.get_facecolor()[:3], 4)) for p in axis(fig).patches}
    from matplotlib.colors import to_rgb

    assert colors == {tuple(np.round(to_rgb(style.GROUP_COLORS[g]), 4)) for g in style.GROUP_COLORS}


def test_tabell1_is_a_table_not_a_plot():
    with pytest.raises(LmpInputError, match="tabell1_styler"):
        figures.plot_figure("tabell1", survey=survey())
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
