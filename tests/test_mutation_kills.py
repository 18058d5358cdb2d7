"""Tests written for mutants that survived `make mutate` (see tests/MUTATION.md), each against behaviour."""

from __future__ import annotations

from lmp_helpers.book import fmt_number, fmt_pct


def test_fmt_pct_is_one_decimal_with_a_comma():
    assert fmt_pct(34.6) == "34,6" and fmt_pct(5) == "5,0" and fmt_pct(34.64, 2) == "34,64"
    assert fmt_pct(float("nan")) == fmt_number(None) == "–"


def _frame(group, pulje, answers):
    import numpy as np
    import pandas as pd

    from lmp_helpers.codebook import load_codebook

    cb = load_codebook()
    data = {"respondent_id": [f"{group}-{i}" for i in range(len(pulje))], "pulje": np.array(pulje, dtype="int64")}
    for item in cb.items_for_group(group):
        data[item] = pd.array(answers.get(item, [None] * len(pulje)), dtype="Int64")
    return pd.DataFrame(data)


def test_group_comparison_kruskal_uses_every_groups_answers():
    import pytest
    import scipy.stats

    from lmp_helpers import stats

    ppt, leder, eier = [1, 2, 2, 3, 5, 4], [4, 5, 5, 4, 3, 5, 2], [1, 1, 2, 3, 2, 1]
    survey = {
        "ppt": _frame("ppt", [1] * 6, {"rolle_uklar": ppt}),
        "skoleleder": _frame("skoleleder", [1] * 7, {"rolle_uklar": leder}),
        "skoleeier": _frame("skoleeier", [1] * 6, {"rolle_uklar": eier}),
    }
    row = stats.group_comparison("rolle_uklar", pulje=1, survey=survey, n_resamples=999).iloc[0]
    assert row["kruskal_h"] == pytest.approx(scipy.stats.kruskal(ppt, leder, eier).statistic, rel=1e-12)
    assert row["n_group"] == "6 / 7 / 6" and row["n"] == 19


def test_pulje_comparison_names_the_puljer_compared():
    from lmp_helpers import stats

    survey = {"skoleeier": _frame("skoleeier", [1] * 6 + [2] * 6, {"rolle_uklar": [4, 5, 1, 2, 3, 4] * 2})}
    res = stats.pulje_comparison("rolle_uklar", group="skoleeier", survey=survey, n_resamples=99)
    assert res.attrs["puljer"] == [1, 2]


def test_tabell1_rows_carry_the_requested_pulje():
    from lmp_helpers import tables

    for pulje in (2, 3, "alle"):
        t = tables.figure_table("tabell1", pulje)
        assert len(t) and set(t["pulje"]) == {str(pulje)}


def test_display_table_headers_are_the_books():
    from lmp_helpers import tables

    assert list(tables.display_table("fig2_1", "alle").columns) == [
        "Område/påstand", "Gruppe", "n", "Andel i stor/svært stor grad (%)", "95 % KI (Wilson)"
    ]
    assert list(tables.display_table("fig4_2", "alle").columns) == ["Svar", "Gruppe", "n", "Andel (%)"]


def test_import_into_a_real_data_folder_with_a_datasource_file(tmp_path):
    """Only a folder whose own datasource.yml says synthetic is refused (not judged by another folder)."""
    import shutil

    from lmp_helpers.importer import import_export
    from lmp_helpers.paths import SYNTHETIC_DIR

    out = tmp_path / "ekte"
    out.mkdir()
    (out / "datasource.yml").write_text("kind: real\n", encoding="utf-8")
    export = tmp_path / "eksport.csv"
    shutil.copy(SYNTHETIC_DIR / "skoleeier.csv", export)
    target = import_export(export, "skoleeier", out)
    assert target.read_bytes() == (SYNTHETIC_DIR / "skoleeier.csv").read_bytes()


def test_permutation_resamples_in_several_chunks_all_count():
    """Large samples are permuted in chunks (memory); every chunk must count towards B, and the run ends."""
    import numpy as np

    from lmp_helpers import stats

    rng = np.random.default_rng(5)
    a, b = rng.integers(1, 6, 10_200), rng.integers(1, 6, 10_200)  # 20,400 scores: chunks of 98 < B = 150
    _, p = stats.kruskal_permutation([a, b], n_resamples=150, seed=1)
    count = p * 151
    assert abs(count - round(count)) < 1e-9 and 1 <= round(count) <= 151


def test_figure_4_2_legend_colours_name_the_answers():
    """Each legend entry of Figur 4.2 has its answer's colour (otherwise the reader cannot tell the bars apart)."""
    from matplotlib.colors import to_rgba

    from lmp_helpers import figures, style
    from lmp_helpers.codebook import load_codebook

    cb = load_codebook()
    legend = figures.plot_figure("fig4_2", "alle").axes[0].get_legend()
    labels = [t.get_text() for t in legend.get_texts()]
    colours = [tuple(h.get_facecolor()) for h in legend.legend_handles]
    assert labels == [cb.scale[c] for c in cb.scale]
    assert colours == [to_rgba(style.SCALE_COLORS[c]) for c in cb.scale]


# -- `lmp import` through cli.main in this process (the subprocess tests of test_importer.py never see a mutant)
def test_cli_import_and_validate_in_process(tmp_path, capsys):
    from test_importer import excel_style_export

    from lmp_helpers import cli
    from lmp_helpers.paths import SYNTHETIC_DIR

    export = tmp_path / "e.csv"
    excel_style_export("ppt").to_csv(export, sep=";", encoding="cp1252", index=False)
    assert cli.main(["import", str(export), "--group", "ppt", "--out", str(tmp_path / "ekte")]) == 0
    assert "28 respondenter" in capsys.readouterr().out
    assert (tmp_path / "ekte" / "ppt.csv").read_bytes() == (SYNTHETIC_DIR / "ppt.csv").read_bytes()
    assert not (tmp_path / "ekte" / "datasource.yml").exists()  # imported data counts as real
    for group in ("skoleleder", "skoleeier"):
        excel_style_export(group).to_csv(export, sep=";", encoding="cp1252", index=False)
        assert cli.main(["import", str(export), "--group", group, "--out", str(tmp_path / "ekte")]) == 0
    capsys.readouterr()
    assert cli.main(["validate", str(tmp_path / "ekte")]) == 0
    assert capsys.readouterr().err == ""


def test_cli_bad_import_is_one_line_exit_2_in_process(tmp_path, capsys):
    from test_importer import _unknown_column

    from lmp_helpers import cli

    path, group, _ = _unknown_column(tmp_path)
    assert cli.main(["import", str(path), "--group", group, "--out", str(tmp_path / "ut")]) == 2
    lines = capsys.readouterr().err.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("lmp import: feil:") and "Kommunenummer" in lines[0]
    assert not (tmp_path / "ut").exists()
