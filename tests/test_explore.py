"""The explorer (lmp_helpers.explore), driven headlessly: set a control's `.value`, read what is shown.

Expected tables come from `lmp tables` (the CLI writes CSV files) and from `tables.figure_table` called
directly; expected quotes from data/quotes.csv read here with the csv module; expected figures from the
committed chapter notebooks and the numbers of `figure_table`. None of them is produced by the explorer itself.
"""

from __future__ import annotations

import base64
import csv
import html
import json
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pandas as pd
import pytest

from lmp_helpers import explore
from lmp_helpers.cli import main as lmp_main
from lmp_helpers.codebook import load_codebook
from lmp_helpers.explore import Explorer, StaticView, explorer, table_csv
from lmp_helpers.figures import plot_figure, png_bytes
from lmp_helpers.paths import DATA_DIR, NOTEBOOKS_DIR, PROJECT_ROOT, SYNTHETIC_DIR
from lmp_helpers.tables import FIGURES, display_table, figure_table, format_pct, tabell1_frame

PULJER = ["1", "2", "3", "alle"]
PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"


@pytest.fixture(scope="module")
def lmp_tables(tmp_path_factory) -> dict[str, Path]:
    """`lmp tables --pulje P --out DIR` for every pulje, run through the real CLI entry point."""
    out = {}
    for p in PULJER:
        d = tmp_path_factory.mktemp(f"tables-{p}")
        assert lmp_main(["tables", "--pulje", p, "--out", str(d)]) == 0
        out[p] = d
    return out


@pytest.fixture(scope="module")
def ex(tmp_path_factory) -> Explorer:
    """One explorer for the whole module, as a reader would use it: controls change one after another."""
    return Explorer(out_dir=tmp_path_factory.mktemp("export"))


def _reset(e: Explorer) -> None:
    e.figure_w.value = "fig2_1"
    e.pulje_w.value = "alle"
    e.data_w.value = ""
    e.min_n_w.value = 5
    e.ci_w.value = True
    for box in e.group_w.values():
        box.value = True
    e.item_w.value = ""
    e.view_w.value = "andel"


def _shown_html(out) -> str:
    return "".join(o["data"].get("text/html", "") for o in out.outputs)


def _pulje_value(p: str):
    return int(p) if p.isdigit() else p


# -- the table shown equals `lmp tables` -----------------------------------------------------------------
@pytest.mark.parametrize("pulje", PULJER)
@pytest.mark.parametrize("figure", FIGURES)
def test_table_shown_equals_lmp_tables(ex, lmp_tables, figure, pulje):
    _reset(ex)
    ex.figure_w.value = figure
    ex.pulje_w.value = _pulje_value(pulje)
    assert ex.error is None, ex.error
    written = (lmp_tables[pulje] / f"{figure}.csv").read_text(encoding="utf-8")
    # Same rows, same numbers, same suppression, byte for byte as `lmp tables` writes them.
    assert table_csv(ex.table) == written
    pd.testing.assert_frame_equal(ex.table, figure_table(figure, pulje))
    shown = _shown_html(ex.table_out)
    if figure == "tabell1":
        if len(ex.table):
            pd.testing.assert_frame_equal(ex.display_frame, tabell1_frame(pulje))
            for n in ex.table["n"]:
                assert f"<td>{int(n)}</td>" in shown
        else:
            assert shown == "" and "Ingen casekommuner i pulje 1" in ex.note_html.value
        return
    expected = display_table(figure, pulje)
    pd.testing.assert_frame_equal(ex.display_frame, expected)
    # Every shown cell (labels, n, shares, intervals, «:») is in the HTML rendered into the Output widget.
    for value in expected.to_numpy().ravel():
        assert f"<td>{html.escape(str(value), quote=False)}</td>" in shown
    assert shown.count("</tr>") == len(expected) + 1


@pytest.mark.parametrize("pulje", PULJER)
@pytest.mark.parametrize("figure", ["fig2_1", "fig3_1", "fig4_1", "fig4_2"])
def test_figure_shown_is_the_books_figure(ex, figure, pulje, monkeypatch):
    """The explorer shows the book's figure for the chosen pulje and min_n: the PNG shown is the Figure drawn,
    and the numbers that Figure draws (read back from its artists, not compared with `plot_figure` called
    here) are exactly the unsuppressed shares of `figure_table` at that min_n; «:» marks the rest."""
    from lmp_helpers import figures

    drawn = []
    real_png_bytes = figures.png_bytes

    def capture(fig):
        drawn.append(fig)
        return real_png_bytes(fig)

    monkeypatch.setattr(figures, "png_bytes", capture)
    # min_n 7 hides the synthetic PPT group of pulje 1 (n = 6) and changes «alle» through secondary suppression.
    for min_n in (5, 7) if pulje in ("1", "alle") else (5,):
        drawn.clear()
        _reset(ex)
        ex.figure_w.value = figure
        ex.pulje_w.value = _pulje_value(pulje)
        ex.min_n_w.value = min_n
        assert ex.error is None, ex.error
        table = figure_table(figure, pulje, min_n=min_n)
        if table["suppressed"].all():  # nothing to draw: no figure at all, not an empty one
            assert ex.png is None and not ex.figure_out.outputs
            continue
        [out] = ex.figure_out.outputs
        assert base64.b64decode(out["data"]["image/png"]) == ex.png
        fig = drawn[-1]
        assert real_png_bytes(fig) == ex.png
        shown = table[~table["suppressed"]]
        if figure == "fig4_2":
            shown = shown[shown["share_pct"] >= 4]
        values = sorted(t.get_text() for t in fig.axes[0].texts if t.get_text() != ":")
        assert values == sorted(format_pct(x) for x in shown["share_pct"])
        assert f"færre enn {min_n} svar" in fig.lmp_caption
        if figure != "fig4_2":
            assert sum(t.get_text() == ":" for t in fig.axes[0].texts) == int(table["suppressed"].sum())


def test_suppressed_cells_show_only_the_symbol(ex):
    _reset(ex)
    ex.figure_w.value = "fig2_1"
    ex.pulje_w.value = 1
    hidden = ex.table[ex.table["suppressed"]]
    assert len(hidden), "the synthetic data should have small cells in pulje 1"
    assert hidden["share_pct"].isna().all() and hidden["ci_low_pct"].isna().all()
    rows = ex.display_frame[ex.table["suppressed"].to_numpy()]
    assert (rows["Andel i stor/svært stor grad (%)"] == ":").all()
    assert (rows["95 % KI (Wilson)"] == ":").all()
    assert "prikket (:)" in ex.note_html.value


# -- controls change what is shown ------------------------------------------------------------------------
def test_item_and_group_choice_select_rows_of_figure_table(ex):
    _reset(ex)
    ex.figure_w.value = "fig3_1"
    ex.pulje_w.value = "alle"
    full_png = ex.png
    ex.item_w.value = "praksis_mobbing"
    ex.group_w["skoleeier"].value = False
    full = figure_table("fig3_1", "alle")
    expected = full[(full["item"] == "praksis_mobbing") & full["group"].isin(["ppt", "skoleleder"])]
    pd.testing.assert_frame_equal(ex.table, expected.reset_index(drop=True))
    assert ex.png is not None and ex.png != full_png
    assert _shown_html(ex.table_out).count("</tr>") == 3  # header + two groups


def test_interval_switch_changes_figure_and_table(ex):
    _reset(ex)
    ex.figure_w.value = "fig4_1"
    ex.pulje_w.value = "alle"
    with_ci = ex.png
    assert "95 % KI (Wilson)" in _shown_html(ex.table_out)
    ex.ci_w.value = False
    assert ex.png is not None and ex.png.startswith(PNG_SIGNATURE) and ex.png != with_ci
    assert "KI (Wilson)" not in _shown_html(ex.table_out)
    # the numbers themselves are unchanged
    pd.testing.assert_frame_equal(ex.table, figure_table("fig4_1", "alle"))
    ex.ci_w.value = True
    assert ex.png == with_ci


def test_groups_follow_the_figure(ex):
    _reset(ex)
    ex.figure_w.value = "fig4_2"
    assert not ex.group_w["ppt"].disabled
    assert ex.group_w["skoleleder"].disabled and ex.group_w["skoleeier"].disabled
    assert ex.item_w.disabled
    ex.figure_w.value = "fig2_1"
    assert not any(b.disabled for b in ex.group_w.values())
    assert [v for _, v in ex.item_w.options][1:] == list(load_codebook().figure("fig2_1").items)


def test_min_n_is_passed_to_suppression(ex):
    _reset(ex)
    ex.figure_w.value = "fig2_1"
    ex.pulje_w.value = "alle"
    ex.min_n_w.value = 20
    pd.testing.assert_frame_equal(ex.table, figure_table("fig2_1", "alle", min_n=20))
    assert ex.table["suppressed"].any()


# -- invalid combinations: a note, never a traceback ------------------------------------------------------
def _note(e: Explorer) -> str:
    text = e.note_html.value
    assert "Traceback" not in text and "Error" not in text
    return re.sub(r"<[^>]+>", " ", text)


def test_group_without_data_in_pulje_3_shows_note(ex):
    _reset(ex)
    ex.figure_w.value = "fig2_1"
    ex.group_w["ppt"].value = False
    ex.pulje_w.value = 3
    note = _note(ex)
    assert "ikke spurt i pulje 3" in note
    assert ex.error is None and ex.table.empty and ex.png is None
    assert ex.figure_out.outputs == ()


def test_all_below_min_n_shows_note_and_no_figure(ex):
    _reset(ex)
    ex.figure_w.value = "fig4_1"
    ex.pulje_w.value = 2
    ex.min_n_w.value = 1000
    assert ex.error is None
    assert ex.table["suppressed"].all() and ex.table["share_pct"].isna().all()
    assert "Alle" in _note(ex) and "prikket" in _note(ex) and "min_n = 1000" in _note(ex)
    assert ex.png is None and ex.figure_out.outputs == ()
    shown = _shown_html(ex.table_out)
    assert re.search(r"<td>\d+,\d</td>", shown) is None  # no share anywhere, only «:»


def test_bad_min_n_shows_note(ex):
    _reset(ex)
    ex.min_n_w.value = 0
    assert "min_n" in _note(ex) and "1" in _note(ex)
    assert ex.table is None and ex.table_out.outputs == () and ex.figure_out.outputs == ()


def test_no_group_chosen_shows_note(ex):
    _reset(ex)
    ex.figure_w.value = "fig2_1"
    for box in ex.group_w.values():
        box.value = False
    assert "minst én gruppe" in _note(ex)
    assert ex.table.empty and ex.png is None


def test_missing_data_dir_shows_note(ex, tmp_path):
    _reset(ex)
    ex.data_w.value = str(tmp_path / "finnes-ikke")
    note = _note(ex)
    assert "finnes ikke" in note and "finnes-ikke" in note
    assert ex.table is None and ex.png is None and ex.table_out.outputs == ()
    ex.data_w.value = ""
    assert ex.error is None and ex.table is not None


def test_broken_data_file_shows_the_loaders_message(ex, tmp_path):
    _reset(ex)
    bad = tmp_path / "data"
    shutil.copytree(SYNTHETIC_DIR, bad)
    lines = (bad / "ppt.csv").read_text(encoding="utf-8").splitlines()
    header = lines[0].split(",")
    row = lines[1].split(",")
    row[header.index("kunnskap_mobbing")] = "9"
    lines[1] = ",".join(row)
    (bad / "ppt.csv").write_text("\n".join(lines) + "\n", encoding="utf-8")
    ex.figure_w.value = "fig2_1"
    ex.data_w.value = str(bad)
    note = _note(ex)
    assert "ppt.csv" in note and "kunnskap_mobbing" in note
    assert ex.table is None and ex.png is None


def test_other_data_dir_is_used(ex, tmp_path):
    """A typed data directory really feeds the view (here: a copy without the synthetic marker = «real»)."""
    _reset(ex)
    real = tmp_path / "ekte"
    shutil.copytree(SYNTHETIC_DIR, real)
    (real / "datasource.yml").unlink()
    ex.figure_w.value = "fig2_1"
    ex.data_w.value = str(real)
    assert ex.error is None
    assert "ekte" in ex.source_html.value
    pd.testing.assert_frame_equal(ex.table, figure_table("fig2_1", "alle", data_dir=real))


def test_bad_notebook_parameters_become_notes():
    e = Explorer(pulje=7, min_n="mange")
    assert e.pulje_w.value == "alle" and e.min_n_w.value == 5
    text = " ".join(e.notes)
    assert "pulje" in text and "1, 2, 3, alle" in text and "min_n" in text


# -- quotes ------------------------------------------------------------------------------------------------
def _quotes_from_csv():
    with open(DATA_DIR / "quotes.csv", encoding="utf-8", newline="") as fh:
        return list(csv.DictReader(fh))


@pytest.mark.parametrize("pulje", PULJER)
def test_quotes_of_the_figures_chapter_and_pulje(ex, pulje):
    _reset(ex)
    ex.figure_w.value = "fig4_1"  # chapter 4
    ex.pulje_w.value = _pulje_value(pulje)
    expected = [
        q["id"] for q in _quotes_from_csv() if q["chapter"] == "4" and (pulje == "alle" or q["pulje"] in ("", pulje))
    ]
    assert list(ex.quotes["id"]) == expected
    assert ex.quotes_heading.value.endswith(f": {len(expected)}</p>") and "kapittel 4" in ex.quotes_heading.value
    shown = _shown_html(ex.quotes_out)
    for q in _quotes_from_csv():
        text = html.escape(q["text"], quote=False)
        assert (text in shown) == (q["id"] in expected), q["id"]


def test_quotes_name_their_pulje():
    other = [q for q in _quotes_from_csv() if q["chapter"] == "2" and q["pulje"] == "3"]
    assert other, "quotes.csv has chapter-2 quotes from pulje 3"
    e = Explorer(pulje=2)
    shown = _shown_html(e.quotes_out)
    assert all(html.escape(q["text"]) not in shown for q in other)
    assert "pulje ikke oppgitt" in shown and "pulje 2" in shown


def test_quote_source_labels_like_the_book():
    from lmp_helpers.book import UNMARKED, quote_source_text
    from lmp_helpers.data import load_quotes

    q = load_quotes().set_index("id", drop=False)
    for qid in ("q05", "q39", "q47"):  # the report leaves these sources unmarked
        label = explore.quote_source(q.loc[qid])
        assert UNMARKED in label and "surveyen" not in label, label
        assert label.startswith(quote_source_text(q.loc[qid])), label
    case = q[q["source"] == "case"].iloc[0]
    assert explore.quote_source(case) == quote_source_text(case)
    assert "pulje ikke oppgitt" in explore.quote_source(q.loc["q30"])


# -- export ------------------------------------------------------------------------------------------------
def test_export_writes_the_shown_table_and_figure(ex, lmp_tables, tmp_path):
    _reset(ex)
    ex.figure_w.value = "fig2_1"
    ex.pulje_w.value = "alle"
    ex.out_dir_w.value = str(tmp_path / "ut")
    ex.export_button.click()
    csv_path = tmp_path / "ut" / "fig2_1_pulje-alle.csv"
    png_path = tmp_path / "ut" / "fig2_1_pulje-alle.png"
    assert sorted(p.name for p in (tmp_path / "ut").iterdir()) == [csv_path.name, png_path.name]
    assert csv_path.read_text(encoding="utf-8") == (lmp_tables["alle"] / "fig2_1.csv").read_text(encoding="utf-8")
    assert png_path.read_bytes() == png_bytes(plot_figure("fig2_1", "alle"))
    assert "Eksportert" in ex.export_html.value


def test_export_of_a_selection(ex, tmp_path):
    _reset(ex)
    ex.figure_w.value = "fig3_1"
    ex.pulje_w.value = 2
    ex.group_w["skoleeier"].value = False
    ex.item_w.value = "praksis_klasseledelse"
    ex.out_dir_w.value = str(tmp_path)
    [csv_path, png_path] = ex.export()
    assert csv_path.name == "fig3_1_pulje-2_ppt-skoleleder_praksis_klasseledelse.csv"
    back = pd.read_csv(csv_path, dtype={"pulje": str})
    full = figure_table("fig3_1", 2)
    expected = full[(full["item"] == "praksis_klasseledelse") & (full["group"] != "skoleeier")]
    assert list(back["group"]) == list(expected["group"])
    assert back["share_pct"].round(1).tolist() == pytest.approx(expected["share_pct"].tolist(), nan_ok=True)
    assert png_path.read_bytes() == ex.png


def test_export_name_counts_only_the_figures_groups(ex, tmp_path):
    """Figur 4.2 has PPT only: the other (checked but disabled) group boxes do not make it a «selection»."""
    _reset(ex)
    ex.figure_w.value = "fig4_2"
    ex.out_dir_w.value = str(tmp_path)
    assert [p.name for p in ex.export()] == ["fig4_2_pulje-alle.csv", "fig4_2_pulje-alle.png"]
    assert (tmp_path / "fig4_2_pulje-alle.csv").read_text(encoding="utf-8") == table_csv(figure_table("fig4_2"))


def test_export_tabell1_has_no_png(ex, tmp_path):
    _reset(ex)
    ex.figure_w.value = "tabell1"
    ex.pulje_w.value = "alle"
    ex.out_dir_w.value = str(tmp_path)
    paths = ex.export()
    assert [p.name for p in paths] == ["tabell1_pulje-alle.csv"]
    assert sorted(os.listdir(tmp_path)) == ["tabell1_pulje-alle.csv"]


def test_export_into_a_file_fails_cleanly(ex, tmp_path):
    _reset(ex)
    target = tmp_path / "ikke-en-mappe"
    target.write_text("x", encoding="utf-8")
    ex.out_dir_w.value = str(target)
    assert ex.export() == []
    assert "Eksport feilet" in ex.export_html.value and "ikke en mappe" in ex.export_html.value
    assert sorted(os.listdir(tmp_path)) == ["ikke-en-mappe"]


def test_export_of_an_invalid_view_writes_nothing(ex, tmp_path):
    _reset(ex)
    ex.data_w.value = str(tmp_path / "finnes-ikke")
    ex.out_dir_w.value = str(tmp_path / "ut")
    assert ex.export() == []
    assert "ingenting å eksportere" in ex.export_html.value
    assert not (tmp_path / "ut").exists()


def test_export_failure_midway_leaves_no_partial_pair(ex, tmp_path, monkeypatch):
    """If renaming the PNG fails after the CSV is in place, the CSV is rolled back and no temp file stays."""
    _reset(ex)
    ex.figure_w.value = "fig2_1"
    ex.out_dir_w.value = str(tmp_path)
    real_replace = os.replace

    def failing_replace(src, dst):
        if str(dst).endswith(".png"):
            raise OSError(28, "No space left on device")
        return real_replace(src, dst)

    monkeypatch.setattr(explore.os, "replace", failing_replace)
    assert ex.export() == []
    assert "Eksport feilet" in ex.export_html.value
    assert os.listdir(tmp_path) == []
    # an earlier export of the same name survives a failed re-export unchanged
    monkeypatch.setattr(explore.os, "replace", real_replace)
    first = ex.export()
    before = {p: p.read_bytes() for p in first}
    ex.ci_w.value = False  # different PNG, same file name
    monkeypatch.setattr(explore.os, "replace", failing_replace)
    ex.export()
    assert {p: p.read_bytes() for p in first} == before
    assert sorted(os.listdir(tmp_path)) == sorted(p.name for p in first)


# -- static view (book) and the notebook ---------------------------------------------------------------------
def test_static_view_is_figure_table_and_one_line_on_make_lab():
    view = StaticView()
    outputs = view.outputs()
    hint = [o for o in outputs if "text/markdown" in o]
    assert len(hint) == 1 and "`make lab`" in hint[0]["text/markdown"]
    pngs = [o for o in outputs if "image/png" in o]
    assert [base64.b64decode(o["image/png"]) for o in pngs] == [png_bytes(plot_figure("fig2_1", "alle"))]
    tables_html = [o["text/html"] for o in outputs if "<table" in o.get("text/html", "")]
    assert len(tables_html) == 1
    for value in display_table("fig2_1", "alle").to_numpy().ravel():
        assert f"<td>{html.escape(str(value), quote=False)}</td>" in tables_html[0]
    assert not any("application/vnd.jupyter.widget-view+json" in o for o in outputs)


def test_explorer_call_chooses_live_or_static(monkeypatch):
    monkeypatch.delenv("LMP_EXPLORER", raising=False)
    monkeypatch.delenv("JPY_SESSION_NAME", raising=False)
    assert isinstance(explorer(), StaticView)  # papermill/nbclient: no JPY_SESSION_NAME
    # a kernel started by JupyterLab: jupyter_server sets JPY_SESSION_NAME, the parent is jupyter-lab
    monkeypatch.setenv("JPY_SESSION_NAME", str(NOTEBOOKS_DIR / "utforsk.ipynb"))
    monkeypatch.setattr(explore, "_parent_cmdline", lambda: "/x/.venv/bin/python3 /x/.venv/bin/jupyter-lab notebooks/")
    live = explorer()
    assert isinstance(live, Explorer)
    bundle = live._repr_mimebundle_()
    assert "application/vnd.jupyter.widget-view+json" in bundle
    assert "make lab" in bundle["text/html"] and "<img src='data:image/png;base64," in bundle["text/html"]
    # `!make book` from a Lab notebook: papermill's kernel inherits JPY_SESSION_NAME but its parent is lmp run
    monkeypatch.setattr(explore, "_parent_cmdline", lambda: "/x/.venv/bin/python /x/.venv/bin/lmp run --pulje alle")
    assert isinstance(explorer(), StaticView)
    monkeypatch.setenv("LMP_EXPLORER", "live")
    assert isinstance(explorer(), Explorer)
    monkeypatch.setenv("LMP_EXPLORER", "static")
    assert isinstance(explorer(), StaticView)


def test_notebook_is_thin_and_parameterised():
    nb = json.loads((NOTEBOOKS_DIR / "utforsk.ipynb").read_text(encoding="utf-8"))
    code = [c for c in nb["cells"] if c["cell_type"] == "code"]
    params = [c for c in code if "parameters" in c["metadata"].get("tags", [])]
    assert len(params) == 1
    namespace: dict = {}
    exec("".join(params[0]["source"]), namespace)
    assert {k: namespace[k] for k in ("pulje", "data_dir", "min_n")} == {"pulje": "alle", "data_dir": None, "min_n": 5}
    body = [c for c in code if c is not params[0]]
    assert len(body) == 1 and "explorer(pulje=pulje, data_dir=data_dir, min_n=min_n)" in "".join(body[0]["source"])
    assert nb["metadata"]["kernelspec"]["name"] == "python3"


def _run_notebook(tmp_path, monkeypatch, env: dict, parameters: dict):
    import papermill

    monkeypatch.delenv("JPY_SESSION_NAME", raising=False)
    monkeypatch.delenv("LMP_EXPLORER", raising=False)
    for key, value in env.items():
        monkeypatch.setenv(key, value)  # the kernel inherits this process's environment
    out = tmp_path / "utforsk.ipynb"
    papermill.execute_notebook(
        str(NOTEBOOKS_DIR / "utforsk.ipynb"),
        str(out),
        parameters=parameters,
        cwd=str(NOTEBOOKS_DIR),
        progress_bar=False,
        kernel_name="python3",
    )
    nb = json.loads(out.read_text(encoding="utf-8"))
    return [o for c in nb["cells"] for o in c.get("outputs", [])], nb


@pytest.mark.slow
def test_notebook_static_run_for_the_book(tmp_path, monkeypatch):
    outputs, nb = _run_notebook(tmp_path, monkeypatch, {}, {"pulje": 3, "data_dir": None, "min_n": 5})
    assert not [o for o in outputs if o["output_type"] == "error" or o.get("name") == "stderr"]
    data = [o.get("data", {}) for o in outputs]
    assert any("make lab" in "".join(d.get("text/markdown", "")) for d in data)
    pngs = [base64.b64decode("".join(d["image/png"])) for d in data if "image/png" in d]
    assert pngs == [png_bytes(plot_figure("fig2_1", 3))]
    assert any("ikke spurt i pulje 3" in "".join(d.get("text/html", "")) for d in data)
    assert "widgets" not in nb["metadata"]  # no widget state in the book's copy


@pytest.mark.slow
def test_notebook_live_run_shows_the_widget(tmp_path, monkeypatch):
    outputs, nb = _run_notebook(
        tmp_path, monkeypatch, {"LMP_EXPLORER": "live"}, {"pulje": "alle", "data_dir": None, "min_n": 5}
    )
    assert not [o for o in outputs if o["output_type"] == "error" or o.get("name") == "stderr"]
    bundles = [o["data"] for o in outputs if "application/vnd.jupyter.widget-view+json" in o.get("data", {})]
    assert len(bundles) == 1
    model_id = bundles[0]["application/vnd.jupyter.widget-view+json"]["model_id"]
    state = nb["metadata"]["widgets"]["application/vnd.jupyter.widget-state+json"]["state"]
    assert state[model_id]["model_name"] == "VBoxModel"
    assert "make lab" in "".join(bundles[0]["text/html"])


# -- `make lab`: JupyterLab starts, the kernel is registered, the explorer runs live ------------------------------
def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _get(url: str, token: str, data: bytes | None = None, method: str = "GET"):
    req = urllib.request.Request(url, data=data, method=method, headers={"Authorization": f"token {token}"})
    if data is not None:
        req.add_header("Content-Type", "application/json")
    with urllib.request.urlopen(req, timeout=20) as resp:
        return resp.status, resp.read().decode("utf-8")


@pytest.fixture(scope="module")
def lab(tmp_path_factory):
    """`make lab` (the real target) on 127.0.0.1 without a browser; yields (base URL, token, runtime dir)."""
    tmp = tmp_path_factory.mktemp("lab")
    port, token = _free_port(), "lmp-test-token"
    env = {
        **os.environ,
        "JUPYTER_RUNTIME_DIR": str(tmp / "runtime"),
        "JUPYTERLAB_WORKSPACES_DIR": str(tmp / "workspaces"),
        "JUPYTERLAB_SETTINGS_DIR": str(tmp / "settings"),
    }
    env.pop("JPY_SESSION_NAME", None)
    env.pop("LMP_EXPLORER", None)
    # No autosave: the browser test runs the notebook, and the committed file must stay as it is.
    docmanager = tmp / "settings" / "@jupyterlab" / "docmanager-extension"
    docmanager.mkdir(parents=True)
    (docmanager / "plugin.jupyterlab-settings").write_text('{"autosave": false}', encoding="utf-8")
    lab_args = f"--no-browser --ip=127.0.0.1 --port={port} --IdentityProvider.token={token} --ServerApp.port_retries=0"
    log_path = tmp / "lab.log"
    log = open(log_path, "wb")
    # -o: never reinstall the venv from inside a test. Own process group: make and the server stop together.
    server = subprocess.Popen(
        ["make", "-s", "-o", ".venv/.installed-stamp", "lab", f"LAB_ARGS={lab_args}"],
        cwd=PROJECT_ROOT,
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        for _ in range(120):
            try:
                _get(f"{base}/api/status", token)
                break
            except OSError:
                if server.poll() is not None:
                    break
                time.sleep(0.5)
        assert server.poll() is None, log_path.read_text(errors="replace")
        yield base, token, tmp / "runtime"
    finally:
        os.killpg(server.pid, signal.SIGTERM)
        try:
            server.wait(timeout=30)
        except subprocess.TimeoutExpired:
            os.killpg(server.pid, signal.SIGKILL)
            server.wait(timeout=10)
        log.close()


@pytest.mark.slow
def test_make_lab_serves_lab_widgets_and_the_lmp_kernel(lab):
    base, token, _ = lab
    status, page = _get(f"{base}/lab", token)
    assert status == 200 and "@jupyter-widgets/jupyterlab-manager" in page  # widget manager extension is on
    _, specs = _get(f"{base}/api/kernelspecs", token)
    spec = json.loads(specs)["kernelspecs"]["python3"]["spec"]
    assert spec["display_name"] == "Python 3 (lmp)"
    # the registered kernel runs this venv (the one with lmp_helpers installed)
    venv = Path(spec["argv"][0]).parent.parent
    assert venv.resolve() == Path(sys.prefix).resolve()
    # registered through the real path, not through some checkout's symlinked .venv that may disappear
    assert venv == venv.resolve(), f"kernelspec points through a symlink: {spec['argv'][0]}"
    _, contents = _get(f"{base}/api/contents/utforsk.ipynb?content=0", token)
    assert json.loads(contents)["type"] == "notebook"
    _, settings = _get(f"{base}/lab/api/settings/@jupyterlab/docmanager-extension:plugin", token)
    assert json.loads(settings)["settings"]["autosave"] is False


@pytest.mark.slow
def test_make_lab_kernel_runs_the_explorer_live(lab):
    """A kernel the server starts for utforsk.ipynb runs the notebook's call in live mode (a widget) and the
    returned explorer reacts to a control."""
    from jupyter_client import BlockingKernelClient

    base, token, runtime = lab
    body = json.dumps(
        {"path": "utforsk.ipynb", "type": "notebook", "name": "utforsk.ipynb", "kernel": {"name": "python3"}}
    ).encode()
    _, session = _get(f"{base}/api/sessions", token, data=body, method="POST")
    session = json.loads(session)
    conn = runtime / f"kernel-{session['kernel']['id']}.json"
    for _ in range(60):
        if conn.is_file():
            break
        time.sleep(0.5)
    kc = BlockingKernelClient(connection_file=str(conn))
    kc.load_connection_file()
    # No heartbeat channel: jupyter_client's wait_for_ready calls a kernel «dead» after one missed 1 s
    # heartbeat, which a busy 2-core machine (make test's two workers) produces. Wait for the reply itself.
    kc.start_channels(hb=False)
    try:
        _wait_for_kernel_info(kc, timeout=120)
        nb = json.loads((NOTEBOOKS_DIR / "utforsk.ipynb").read_text(encoding="utf-8"))
        code = "\n".join("".join(c["source"]) for c in nb["cells"] if c["cell_type"] == "code")
        outputs = []
        reply = kc.execute_interactive(code, timeout=120, output_hook=outputs.append)
        assert reply["content"]["status"] == "ok", reply["content"]
        mimes = [m["content"].get("data", {}) for m in outputs if m["msg_type"] in ("execute_result", "display_data")]
        assert any("application/vnd.jupyter.widget-view+json" in d for d in mimes)
        outputs = []
        probe = "_.pulje_w.value = 3\nprint(type(_).__name__, len(_.table), _.notes[0][:40])"
        reply = kc.execute_interactive(probe, timeout=120, output_hook=outputs.append)
        assert reply["content"]["status"] == "ok", reply["content"]
        printed = "".join(m["content"]["text"] for m in outputs if m["msg_type"] == "stream")
        assert printed.startswith("Explorer 4 Skoleledere og skoleeiere ble ikke")
    finally:
        kc.stop_channels()
        _get(f"{base}/api/sessions/{session['id']}", token, method="DELETE")


def _wait_for_kernel_info(kc, timeout: float) -> None:
    from queue import Empty

    deadline = time.monotonic() + timeout
    while True:
        msg_id = kc.kernel_info()
        try:
            while True:
                reply = kc.get_shell_msg(timeout=5)
                if reply["parent_header"].get("msg_id") == msg_id:
                    return
        except Empty:
            if time.monotonic() > deadline:
                raise TimeoutError(f"the kernel sent no kernel_info reply in {timeout:.0f} s") from None


def _chromium() -> str:
    exe = os.environ.get("LMP_CHROMIUM") or shutil.which("chromium") or "/usr/bin/chromium"
    if not Path(exe).is_file():
        pytest.fail("chromium not found; run scripts/ensure-chromium.sh (apt-get install chromium)", pytrace=False)
    return exe


@pytest.mark.slow
def test_make_lab_explorer_works_in_a_real_browser(lab, tmp_path):
    """JupyterLab in headless chromium: run utforsk.ipynb, see the widget, click «Pulje 3», read the note,
    export, type a bad data directory. The way a researcher uses it, end to end."""
    from playwright.sync_api import sync_playwright

    base, token, _ = lab
    export_dir = tmp_path / "eksport"
    committed = (NOTEBOOKS_DIR / "utforsk.ipynb").read_bytes()
    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=_chromium(), args=["--no-sandbox"])
        try:
            page = browser.new_page(viewport={"width": 1400, "height": 1000})
            errors: list[str] = []
            page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
            page.goto(f"{base}/lab/tree/utforsk.ipynb?token={token}")
            page.wait_for_selector(".jp-Notebook", timeout=60000)
            dialog = page.locator(".jp-Dialog button:has-text('Select')")
            try:  # some JupyterLab versions ask which kernel to start; the preselected one is ours
                dialog.click(timeout=5000)
            except Exception:
                pass
            page.wait_for_selector(".jp-Notebook-ExecutionIndicator[data-status='idle']", timeout=60000)
            page.click("text=Run")
            page.click("text=Run All Cells")
            page.wait_for_selector(".widget-toggle-buttons", timeout=90000)
            page.wait_for_selector(".widget-output img", timeout=60000)
            assert page.locator(".widget-output table tbody tr").count() == len(figure_table("fig2_1", "alle"))
            page.click(".widget-toggle-button:has-text('Pulje 3')")
            page.wait_for_selector("text=ikke spurt i pulje 3", timeout=30000)
            assert page.locator(".widget-output table tbody tr").count() == len(figure_table("fig2_1", 3))
            field = page.locator(".widget-text:has-text('Eksportmappe') input")
            field.fill(str(export_dir))
            field.press("Enter")
            page.wait_for_timeout(500)
            page.click("button:has-text('Eksporter')")
            page.wait_for_selector("text=Eksportert", timeout=30000)
            assert sorted(p.name for p in export_dir.iterdir()) == ["fig2_1_pulje-3.csv", "fig2_1_pulje-3.png"]
            data = page.locator(".widget-text:has-text('Datamappe') input")
            data.fill("/finnes/ikke")
            data.press("Enter")
            page.wait_for_selector("text=finnes ikke", timeout=30000)
            assert page.locator(".jp-OutputArea-output:has-text('Traceback')").count() == 0
            assert errors == []
        finally:
            browser.close()
    assert (NOTEBOOKS_DIR / "utforsk.ipynb").read_bytes() == committed


# -- the other views: all five answers, and the puljer side by side --------------------------------------------
def test_distribution_view_is_the_books_distribution_figure_and_table(ex):
    from lmp_helpers.figures import plot_distribution
    from lmp_helpers.tables import distribution_table

    _reset(ex)
    ex.figure_w.value = "fig3_1"
    ex.pulje_w.value = 1
    ex.view_w.value = "fordeling"
    assert ex.error is None and ex.png == png_bytes(plot_distribution("fig3_1", 1))
    expected = pd.concat([distribution_table(i, 1) for i in load_codebook().figure("fig3_1").items], ignore_index=True)
    pd.testing.assert_frame_equal(ex.table.drop(columns="figure"), expected, check_like=True)
    assert ex.view.heading.startswith("Fordelingen på alle fem svaralternativer") and ex.view.heading in (
        ex.figure_heading.value)


def test_pulje_view_is_the_books_pulje_figure_and_falls_back_for_figur_4_2(ex):
    from lmp_helpers.figures import plot_pulje_comparison

    _reset(ex)
    ex.figure_w.value = "fig4_1"
    ex.view_w.value = "pulje"
    assert ex.error is None and ex.png == png_bytes(plot_pulje_comparison(figures="fig4_1"))
    assert set(ex.table["pulje"]) == {"1", "2", "3", "alle"} and set(ex.table["group"]) == {"ppt"}
    ex.figure_w.value = "fig4_2"  # already a distribution: the report's figure, with a note saying why
    assert ex.png == png_bytes(plot_figure("fig4_2", "alle"))
    assert any("viser allerede hele fordelingen" in n for n in ex.notes)
