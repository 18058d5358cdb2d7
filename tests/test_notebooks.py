"""The book's notebooks: every chapter executed through papermill for pulje 1, 2, 3 and alle (one `lmp run`
into a temp folder, or into $LMP_RUN_OUT to share the run with the book build), plus checks of the source
notebooks (thin structure, parameters, captions, glue-only numbers, deterministic committed outputs).
"""

from __future__ import annotations

import ast
import os
import re
import subprocess
import sys
from pathlib import Path

import nbformat
import pytest

from lmp_helpers import runner
from lmp_helpers.codebook import load_codebook
from lmp_helpers.data import load_quotes
from lmp_helpers.paths import NOTEBOOKS_DIR, PROJECT_ROOT

pytestmark = pytest.mark.slow

PULJE = ("1", "2", "3", "alle")
GLUE_ROLE = re.compile(r"\{glue:text\}`([A-Za-z0-9_]+)(?::[^`]*)?`")
NUMREF = re.compile(r"\{numref\}`(?:[^`<]*<)?([^`<>]+)>?`")
SOURCES = list(runner.CHAPTERS) + list(runner.APPENDICES)


@pytest.fixture(scope="session")
def run_out(tmp_path_factory) -> Path:
    out = Path(os.environ["LMP_RUN_OUT"]).resolve() if os.environ.get("LMP_RUN_OUT") else (
        tmp_path_factory.mktemp("lmp-run")
    )
    runner.run(pulje=list(PULJE), out=out, log=lambda *_: None)
    return out


def _read(path: Path):
    return nbformat.read(path, as_version=4)


def _outputs(nb):
    for cell in nb.cells:
        if cell.cell_type == "code":
            yield from ((cell, o) for o in cell.get("outputs", []))


def _glued(nb) -> dict[str, str]:
    keys = {}
    for _, out in _outputs(nb):
        name = out.get("metadata", {}).get("scrapbook", {}).get("name")
        if name:
            data = out.get("data", {})
            plain = next(iter(data.values()), "")
            # myst-nb pastes the literal_eval of text/plain: check what the reader will see
            value = ast.literal_eval(plain)
            assert isinstance(value, str), f"{name}: glued {plain!r} would be pasted as {value!r}"
            keys[name] = value
    return keys


def _text(nb, mime="text/markdown") -> str:
    return "\n".join(str(o.get("data", {}).get(mime, "")) for _, o in _outputs(nb))


def _all_outputs(run_out: Path) -> list[Path]:
    return sorted(run_out.glob("pulje-*/*.ipynb")) + sorted(run_out.glob("vedlegg/*.ipynb"))


# -- the papermill matrix -------------------------------------------------------------------------------


def test_every_chapter_ran_for_every_pulje_with_current_inputs(run_out):
    digest = runner.shared_inputs_digest(None)
    for job in runner.plan_jobs([1, 2, 3, "alle"], run_out, None, 5):
        assert job.output.is_file(), job.label
        assert runner.stored_key(job.output) == runner.cache_key(job, digest), f"stale output: {job.label}"
        nb = _read(job.output)
        errors = [o for _, o in _outputs(nb) if o.get("output_type") == "error"]
        assert not errors, f"{job.label}: {errors[:1]}"
        assert nb.metadata["lmp"]["pulje"] == str(job.pulje)


@pytest.mark.parametrize("pulje", PULJE)
def test_every_page_shows_pulje_and_data_source(run_out, pulje):
    label = "Alle puljer" if pulje == "alle" else f"Pulje {pulje}"
    for chapter in runner.CHAPTERS:
        md = _text(_read(run_out / f"pulje-{pulje}" / f"{chapter}.ipynb"))
        assert f"Utvalg: **{label}**" in md, chapter
        assert "Datakilde: **syntetiske data (ikke ekte svar)**" in md and "ikke leses som funn" in md
        # the pulje switch links to the same chapter in every other variant
        others = [p for p in PULJE if p != pulje]
        for other in others:
            assert f"</generated/pulje-{other}/{chapter}>`" in md


def test_pulje_3_renders_with_a_clear_note_not_an_error(run_out):
    for chapter in ("kunnskapstilforsel", "praksisendring", "ppts_rolle"):
        nb = _read(run_out / "pulje-3" / f"{chapter}.ipynb")
        md = _text(nb)
        assert "**Merk:** Skoleledere og skoleeiere ble spurt i 2016" in md
        glued = _glued(nb)
        figure = {"kunnskapstilforsel": "fig2_1", "praksisendring": "fig3_1", "ppts_rolle": "fig4_1"}[chapter]
        item = load_codebook().figure(figure).items[0]
        assert "ble ikke spurt i pulje 3" in glued[f"{figure}_{item}_skoleeier_pst"]
        assert any("image/png" in o.get("data", {}) for _, o in _outputs(nb))


def test_every_glue_reference_resolves_in_every_variant(run_out):
    for path in _all_outputs(run_out):
        nb = _read(path)
        used = {k for c in nb.cells if c.cell_type == "markdown" for k in GLUE_ROLE.findall(c.source)}
        missing = used - set(_glued(nb))
        assert not missing, f"{path.relative_to(run_out)}: {sorted(missing)}"


def test_glued_numbers_use_decimal_comma(run_out):
    glued = _glued(_read(run_out / "pulje-alle" / "ppts_rolle.ipynb"))
    value = glued["fig4_1_rolle_uklar_ppt"]
    assert re.fullmatch(r"\d+,\d", value), value
    assert glued["fig4_1_rolle_uklar_ppt_pst"] == f"{value} prosent"


def test_quotes_follow_the_pulje_their_source_names(run_out):
    q = load_quotes()
    case = q[(q["section"] == "2") & (q["source"] == "case") & (q["pulje"] == 2)].iloc[0]
    survey = q[(q["section"] == "2") & (q["source"] == "survey")].iloc[0]
    words = lambda text: " ".join(text.split()[:5])  # noqa: E731 - short, plain words (no markdown escaping)

    def shown(p):
        return _text(_read(run_out / f"pulje-{p}" / "kunnskapstilforsel.ipynb"))

    assert words(case["text"]) in shown("2") and words(case["text"]) in shown("alle")
    assert words(case["text"]) not in shown("3") and words(case["text"]) not in shown("1")
    for p in PULJE:  # an open survey answer has no known pulje: shown everywhere
        assert words(survey["text"]) in shown(p)


def test_figure_labels_are_unique_per_variant(run_out):
    names = []
    for path in _all_outputs(run_out):
        for cell in _read(path).cells:
            fig = cell.get("metadata", {}).get("mystnb", {}).get("figure")
            if fig:
                names.append(fig["name"])
    assert len(names) == len(set(names)) == 4 * 4  # four figures, four variants


def test_papermill_cli_directly_with_pulje_2(tmp_path):
    out = tmp_path / "ppts_rolle-2.ipynb"
    proc = subprocess.run(
        [sys.executable, "-m", "papermill", "notebooks/ppts_rolle.ipynb", str(out), "-p", "pulje", "2",
         "--no-progress-bar"],
        cwd=PROJECT_ROOT, capture_output=True, text=True,
    )
    assert proc.returncode == 0, proc.stderr[-2000:]
    assert "Utvalg: **Pulje 2**" in _text(_read(out))


def test_papermill_cli_wrong_pulje_names_allowed_values(tmp_path):
    proc = subprocess.run(
        [sys.executable, "-m", "papermill", "notebooks/introduksjon.ipynb", str(tmp_path / "x.ipynb"),
         "-p", "pulje", "4", "--no-progress-bar"],
        cwd=PROJECT_ROOT, capture_output=True, text=True,
    )
    assert proc.returncode != 0
    assert "LmpInputError" in proc.stderr and "tillatt: 1, 2, 3, alle" in proc.stderr


# -- the source notebooks -------------------------------------------------------------------------------


@pytest.mark.parametrize("name", SOURCES)
def test_source_notebook_is_thin_and_parameterised(name):
    nb = _read(NOTEBOOKS_DIR / f"{name}.ipynb")
    params = [c for c in nb.cells if "parameters" in c.metadata.get("tags", [])]
    assert len(params) == 1
    assert params[0].source == 'pulje = "alle"\ndata_dir = None\nmin_n = 5'
    assert "remove-cell" in params[0].metadata["tags"]
    code = [c for c in nb.cells if c.cell_type == "code"]
    setup = code[code.index(params[0]) + 1]
    assert f'book.start("{name}", pulje=pulje, data_dir=data_dir, min_n=min_n' in setup.source
    for cell in code:
        tags = cell.metadata.get("tags", [])
        assert {"remove-input", "remove-cell"} & set(tags), f"{name}: code shown on the site: {cell.source!r}"
        if cell is not params[0] and cell is not setup:
            # one call per cell: narrative lives in Markdown, logic in lmp_helpers
            assert len(cell.source.strip().splitlines()) == 1 and cell.source.startswith("ch."), cell.source
    assert nb.cells[0].cell_type == "markdown" and nb.cells[0].source.startswith("# ")


@pytest.mark.parametrize("name", runner.CHAPTERS)
def test_figures_are_named_captioned_from_the_codebook_and_referenced(name):
    cb = load_codebook()
    nb = _read(NOTEBOOKS_DIR / f"{name}.ipynb")
    figs = {}
    for cell in nb.cells:
        fig = cell.metadata.get("mystnb", {}).get("figure")
        if fig:
            key = re.fullmatch(r'ch\.figure\("(\w+)"\)', cell.source).group(1)
            assert fig["name"] == "fig-" + cb.figure(key).number.replace(".", "-")
            assert fig["caption"] == cb.figure(key).title
            figs[fig["name"]] = key
    expected = {k for k, f in cb.figures.items() if f.chapter == name}
    assert set(figs.values()) == expected
    refs = {r for c in nb.cells if c.cell_type == "markdown" for r in NUMREF.findall(c.source)}
    assert set(figs) <= refs, "every figure is referenced with {numref}"


# Typed numbers that are data: a percentage, a decimal, or an «n=…». Allowed: «95 %» (the confidence level).
TYPED_NUMBER = re.compile(r"\b\d+(?:[.,]\d+)?\s*(?:prosent|%)|\b\d+,\d+\b|\bn\s*=\s*\d")


@pytest.mark.parametrize("name", SOURCES)
def test_numbers_in_prose_come_from_glue(name):
    nb = _read(NOTEBOOKS_DIR / f"{name}.ipynb")
    for cell in nb.cells:
        if cell.cell_type == "markdown":
            hits = [h for h in TYPED_NUMBER.findall(cell.source.replace("95 %", "")) if h]
            assert not hits, f"{name}: typed number(s) {hits} in prose; glue them"


@pytest.mark.parametrize("name", SOURCES)
def test_committed_outputs_exist_and_are_deterministic(name):
    nb = _read(NOTEBOOKS_DIR / f"{name}.ipynb")
    outputs = [o for _, o in _outputs(nb)]
    assert outputs, f"{name} is committed without outputs (run `python -m lmp_helpers.runner refresh`)"
    assert not [o for o in outputs if o.get("output_type") == "error"]
    blob = nbformat.writes(nb)
    assert not re.search(r" at 0x[0-9a-f]{6,}", blob), "memory address in outputs"
    assert not re.search(r"\b20\d\d-\d\d-\d\d[T ]\d\d:", blob), "timestamp in the notebook"
    assert "papermill" not in nb.metadata
    for o in outputs:
        plain = str(o.get("data", {}).get("text/plain", ""))
        assert not plain.startswith(("Text(", "<matplotlib", "[<matplotlib")), plain


@pytest.mark.parametrize("name", SOURCES)
def test_committed_outputs_match_a_fresh_run(run_out, name):
    """The committed outputs (pulje alle, synthetic data) are what the current code produces."""
    fresh_path = run_out / ("pulje-alle" if name in runner.CHAPTERS else "vedlegg") / f"{name}.ipynb"
    fresh = [c for c in _read(fresh_path).cells if "injected-parameters" not in c.metadata.get("tags", [])]
    committed = _read(NOTEBOOKS_DIR / f"{name}.ipynb").cells
    assert len(fresh) == len(committed)

    def comparable(cells):
        out = []
        for c in cells:
            for o in c.get("outputs", []):
                data = {k: v for k, v in o.get("data", {}).items() if not k.startswith("image/")}
                out.append((o.get("output_type"), o.get("text"), data))
        return out

    assert comparable(committed) == comparable(fresh), (
        f"{name}: the committed outputs differ from what the current code produces. First find out WHY a "
        "value changed (diff the two; a published number that moves without a deliberate, explained change of "
        "data or method is a bug, and refreshing would store the wrong value). Only when the new value is "
        f"explained and correct: `python -m lmp_helpers.runner refresh {name}`"
    )


# -- real data and the book helpers ---------------------------------------------------------------------


def test_real_data_banner_has_no_synthetic_warning(tmp_path):
    """A data folder without datasource.yml is real data: the page says so and drops the synthetic warning."""
    import shutil

    from lmp_helpers.paths import SYNTHETIC_DIR

    real = tmp_path / "real"
    shutil.copytree(SYNTHETIC_DIR, real)
    (real / "datasource.yml").unlink()
    out = tmp_path / "out"
    result = runner.run(pulje=["2"], data=real, out=out, chapters=("praksisendring",), appendices=(),
                        log=lambda *_: None)
    assert len(result.executed) == 1
    md = _text(_read(out / "pulje-2" / "praksisendring.ipynb"))
    assert "Datakilde: **ekte surveydata**" in md
    assert "Syntetiske data" not in md
    assert "ekte surveydata" in (out / "datakilde.md").read_text(encoding="utf-8")


def test_norwegian_number_format():
    from lmp_helpers import stats
    from lmp_helpers.book import fmt_number, fmt_p

    assert fmt_number(34.6, 1) == "34,6"
    # fmt_number does not round on its own: 55.55 is stored as 55.5499…, so «55,5». The published numbers are
    # rounded half away from zero upstream (stats.pct_from_counts / round_pct), so 0.5555 → 55.6 → «55,6».
    assert fmt_number(55.55, 1) == "55,5"
    assert fmt_number(float(stats.round_pct(0.5555)), 1) == "55,6"
    assert fmt_number(float(stats.pct_from_counts(5, 9)), 1) == "55,6"
    assert fmt_number(-1234.5, 1) == "-1\u00a0234,5" and fmt_number(1234567) == "1\u00a0234\u00a0567"
    assert fmt_number(2.4) == "2" and fmt_number(7, 2) == "7,00" and fmt_number("ikke tall") == "ikke tall"
    assert fmt_p(0.001) == "0,001" and fmt_p(0.00099) == "< 0,001" and fmt_p(0.0456) == "0,046"
    assert fmt_p(1) == "1,000" and fmt_p(None) == fmt_p("x") == fmt_p(float("nan")) == "–"
    assert fmt_number(1234) == "1\u00a0234"
    assert fmt_number(None) == fmt_number(float("nan")) == "–"
    assert fmt_p(0.0004) == "< 0,001" and fmt_p(0.5) == "0,500"


def test_quote_markdown_keeps_words_literal_and_names_the_source():
    from lmp_helpers.book import quote_markdown

    row = {"text": "Vi *prøvde* {numref}`x` <b>", "source": "case", "case": "IV", "pulje": 3, "actor": "PPT-leder"}
    md = quote_markdown(row)
    assert md.startswith("> Vi \\*prøvde\\* \\{numref\\}\\`x\\` \\<b\\>")
    assert md.endswith("> — PPT-leder (case IV, pulje 3)")
    survey = quote_markdown({"text": "Ja.", "source": "survey", "case": "", "pulje": None, "actor": ""})
    assert survey.endswith("> — Informant (åpent svar i surveyen)")


def test_start_rejects_bad_parameters_with_allowed_values(tmp_path):
    from lmp_helpers import book
    from lmp_helpers.errors import LmpInputError

    with pytest.raises(LmpInputError, match="tillatt: 1, 2, 3, alle"):
        book.start("kunnskapstilforsel", pulje="x", banner=False)
    with pytest.raises(LmpInputError, match="min_n"):
        book.start("kunnskapstilforsel", pulje=1, min_n=0, banner=False)
    with pytest.raises(LmpInputError, match="finnes ikke"):
        book.start("kunnskapstilforsel", pulje=1, data_dir=str(tmp_path / "nope"), banner=False)
