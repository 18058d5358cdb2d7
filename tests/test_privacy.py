"""Privacy: no respondent-level data and no small cell, shown or recoverable, in the exported tables and
the built site.

What must be hidden is recomputed here from the CSV files (lmp_helpers.sitecheck.true_cells), not taken
from the suppression code under test; the exported tables of all four puljer are then read back as a
reader would get them, and a cell with 0 < n < min_n must neither be shown nor be the single unknown in
«alle» = pulje 1 + 2 + 3.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from lmp_helpers import sitecheck
from lmp_helpers.codebook import load_codebook
from lmp_helpers.paths import PROJECT_ROOT, SYNTHETIC_DIR

LMP = Path(sys.executable).with_name("lmp")
PULJER = ["1", "2", "3", "alle"]
SITE_DIR = Path(os.environ.get("LMP_SITE_DIR", PROJECT_ROOT / "_build" / "html"))
# The data the book is built from (`make book DATA=...`).
BOOK_DATA = Path(os.environ.get("DATA") or SYNTHETIC_DIR)
if not BOOK_DATA.is_absolute():
    BOOK_DATA = PROJECT_ROOT / BOOK_DATA


def export_all(data: Path, out: Path, min_n: int, puljer=PULJER) -> list[dict[str, str]]:
    """`lmp tables` for every pulje, read back as rows."""
    rows = []
    for p in puljer:
        proc = subprocess.run(
            [str(LMP), "tables", "--pulje", p, "--data", str(data), "--out", str(out / p), "--min-n", str(min_n)],
            capture_output=True,
            text=True,
        )
        assert proc.returncode == 0, proc.stderr
        files = sorted((out / p).glob("*.csv"))
        assert files, f"lmp tables --pulje {p} wrote no CSV"
        for f in files:
            rows += sitecheck.csv_rows(f)
    return rows


def survey_csvs(data: Path) -> list[Path]:
    cb = load_codebook()
    return [data / g.file for g in cb.groups.values()]


def respondent_ids(data: Path) -> list[str]:
    cb = load_codebook()
    return [r[cb.id_column] for path in survey_csvs(data) for r in sitecheck.csv_rows(path)]


# -- data sets with small cells --------------------------------------------------------------------


def _edit(path: Path, keep) -> None:
    """Keep the header and the rows (as dicts) for which keep(row) returns the row (possibly edited)."""
    rows = sitecheck.csv_rows(path)
    header = path.read_text(encoding="utf-8").splitlines()[0]
    cols = header.split(",")
    kept = [r for r in (keep(dict(r)) for r in rows) if r is not None]
    path.write_text("\n".join([header] + [",".join(r[c] for c in cols) for r in kept]) + "\n", encoding="utf-8")


def small_pulje3(data: Path) -> None:
    """PPT pulje 3 down to 3 respondents: every PPT item in pulje 3 is a primary small cell."""
    seen = {"n": 0}

    def keep(r):
        if r["pulje"] == "3":
            seen["n"] += 1
            return r if seen["n"] <= 3 else None
        return r

    _edit(data / "ppt.csv", keep)


def small_item_by_missing(data: Path) -> None:
    """In pulje 2, only 4 PPT offices answer kunnskap_mobbing; the other items keep their n."""
    seen = {"n": 0}

    def keep(r):
        if r["pulje"] == "2":
            if r["kunnskap_mobbing"]:
                seen["n"] += 1
                if seen["n"] > 4:
                    r["kunnskap_mobbing"] = ""
        return r

    _edit(data / "ppt.csv", keep)


SCENARIOS = {
    "shipped-data": (None, 5),
    "shipped-data-min-n-8": (None, 8),
    "ppt-pulje3-n3": (small_pulje3, 5),
    "one-item-n4-by-missing": (small_item_by_missing, 5),
}


@pytest.mark.parametrize("scenario", list(SCENARIOS))
def test_exported_tables_hide_small_cells(tmp_path: Path, scenario: str):
    edit, min_n = SCENARIOS[scenario]
    data = tmp_path / "data"
    shutil.copytree(SYNTHETIC_DIR, data)
    if edit:
        edit(data)
    cb = load_codebook()
    cells = sitecheck.true_cells(data, cb)
    small = [c for c in cells.values() if 0 < c.n < min_n]
    assert small, "scenario has no small cell: the test could not fail"

    rows = export_all(data, tmp_path / "out", min_n)
    shown, problems = sitecheck.shown_in_export(rows, cb)
    unknown = sorted(shown - set(cells))
    assert not unknown, f"exported cells the checker cannot map: {unknown[:5]}"
    # the checker reads the exports right: every shown n is the true n
    for row in rows:
        key = (row["figure"], row["item"], row["group"], row["pulje"])
        if key in shown and row.get("n"):
            assert int(float(row["n"])) == cells[key].n, (key, row["n"], cells[key].n)
    problems += sitecheck.disclosure_problems(cells, shown, min_n)
    assert problems == []
    # and the whole-sample numbers are still shown (hiding everything would pass trivially)
    big_alle = {k for k, c in cells.items() if k[3] == cb.pulje_all and c.n >= min_n}
    assert big_alle and big_alle <= shown, sorted(big_alle - shown)[:5]


@pytest.mark.parametrize("min_n", [8, 5])
def test_audit_page_hides_what_lmp_tables_hides(tmp_path: Path, min_n: int):
    """The audit page built with --min-n shows no number of a cell that `lmp tables --min-n` hides, and says
    «kan ikke sjekkes» where a claim needs a hidden number."""
    from lmp_helpers import book

    cb = load_codebook()
    ch = book.Chapter(name="revisjon", pulje=cb.pulje_all, data_dir=str(SYNTHETIC_DIR), min_n=min_n)
    rows = {scope: ch.audit_rows(scope) for scope in ("survey", "any")}
    text = " ".join(" ".join(r["Påstand og beregning"]) for r in rows.values())
    values = sitecheck.audit_text_values(text, "revisjon", cb)
    assert len(values) > 40, "the parser reads the audit page's numbers"
    cells = sitecheck.true_cells(SYNTHETIC_DIR, cb)
    shown, unmatched = sitecheck.site_shown_cells(values, cells)
    assert [v.text for v in unmatched] == []
    exported, _ = sitecheck.shown_in_export(export_all(SYNTHETIC_DIR, tmp_path / "out", min_n), cb)
    assert sorted(shown - exported) == []
    assert sitecheck.disclosure_problems(cells, shown, min_n) == []
    unknown = rows["survey"][rows["survey"]["Resultat"] == "kan ikke sjekkes"]
    if min_n == 8:  # PPT pulje 1 (6 offices) is hidden: the claims about it cannot be checked
        assert len(unknown) and unknown["Påstand og beregning"].str.contains("skjult").all()
        assert not rows["survey"]["Påstand og beregning"].str.contains(r"\(pulje 1\): \d").any()
    else:  # the shipped data at the book's min_n: every claim about the survey holds
        assert set(rows["survey"]["Resultat"]) == {"holder"}
    assert set(rows["any"]["Resultat"]) == {"holder"}


def test_exports_hold_no_respondent_ids(tmp_path: Path):
    export_all(SYNTHETIC_DIR, tmp_path / "out", 5)
    assert sitecheck.respondent_ids_in(tmp_path / "out", respondent_ids(SYNTHETIC_DIR)) == []
    assert sitecheck.raw_data_in(tmp_path / "out", survey_csvs(SYNTHETIC_DIR)) == []


# -- the built site (after `make book`; marker `site`) ---------------------------------------------


@pytest.fixture(scope="module")
def site_dir() -> Path:
    if not (SITE_DIR / "index.html").is_file():
        pytest.fail(f"no built site at {SITE_DIR} (index.html missing); run `make book` first", pytrace=False)
    return SITE_DIR


@pytest.mark.site
def test_site_has_no_respondent_ids(site_dir: Path):
    ids = respondent_ids(BOOK_DATA)
    assert ids
    assert [str(f) for f in sitecheck.respondent_ids_in(site_dir, ids)] == []


@pytest.mark.site
def test_site_has_no_raw_survey_data(site_dir: Path):
    assert [str(f) for f in sitecheck.raw_data_in(site_dir, survey_csvs(BOOK_DATA))] == []


BOOK_MIN_N = int(os.environ.get("MIN_N") or 5)


@pytest.mark.site
def test_site_shows_no_small_cell(site_dir: Path, tmp_path: Path):
    """Tables on every page and numbers glued into the prose: no small cell shown or recoverable."""
    cb = load_codebook()
    cells = sitecheck.true_cells(BOOK_DATA, cb)
    values = sitecheck.site_values(site_dir, cb) + sitecheck.glued_values(PROJECT_ROOT / "generated", cb)
    values += sitecheck.audit_values(PROJECT_ROOT / "generated", cb)  # the audit page (vedlegg/revisjon)
    shown, unmatched = sitecheck.site_shown_cells(values, cells)
    # every share read off the site is a true share of its cell: the parser reads the right rows
    assert [f"{v.page}: {v.item}/{v.group}/pulje {v.pulje} = {v.text}" for v in unmatched] == []
    assert sitecheck.disclosure_problems(cells, shown, BOOK_MIN_N) == []
    # and it sees every cell the exported tables publish (so the scan cannot pass by reading nothing)
    exported, _ = sitecheck.shown_in_export(export_all(BOOK_DATA, tmp_path / "out", BOOK_MIN_N), cb)
    assert sorted(exported - shown) == []
    # and the shares inside the glued sentences («… (61,5 prosent) …»)
    problems, checked = sitecheck.glued_sentence_problems(PROJECT_ROOT / "generated", cells, cb, BOOK_MIN_N)
    assert problems == []
    assert checked > 100, "the sentence scan reads the chapters' glued sentences"


def _glue_notebook(path: Path, name: str, text: str) -> None:
    import json

    path.parent.mkdir(parents=True, exist_ok=True)
    output = {"output_type": "display_data", "metadata": {"scrapbook": {"name": name}},
              "data": {sitecheck.GLUE_MIME: repr(text)}}
    path.write_text(json.dumps({"cells": [{"cell_type": "code", "outputs": [output]}]}), encoding="utf-8")


def test_sentence_scan_finds_a_small_cells_share_and_an_unexplained_one(tmp_path: Path):
    cb = load_codebook()
    cells = sitecheck.true_cells(SYNTHETIC_DIR, cb)
    min_n = 8  # PPT pulje 1 has 6 offices
    share = {k: round(100 * c.k / c.n, 1) for k, c in cells.items() if c.n}
    big = {v for k, v in share.items() if k[0] == "fig2_1" and k[3] == "1" and cells[k].n >= min_n}
    small_key = next(k for k, v in share.items()
                     if k[0] == "fig2_1" and k[3] == "1" and cells[k].n < min_n and v not in big)
    text = f"{share[small_key]:.1f}".replace(".", ",")
    _glue_notebook(tmp_path / "pulje-1" / "kunnskapstilforsel.ipynb", "fig2_1_ppt_rangering",
                   f"Blant PPT-kontorene er andelen høyest for noe ({text} prosent).")
    _glue_notebook(tmp_path / "pulje-1" / "ppts_rolle.ipynb", "fig4_1_uklar_setning",
                   "Påstanden får tilslutning fra 3,7 prosent av PPT-kontorene, en forskjell på 12,3 prosentpoeng.")
    problems, checked = sitecheck.glued_sentence_problems(tmp_path, cells, cb, min_n)
    assert checked == 2  # «prosentpoeng» is a difference, not a share
    assert len(problems) == 2
    assert f"{text} prosent er andelen til en liten celle" in problems[0] and "n=6 < 8" in problems[0]
    assert "ppts_rolle.ipynb «fig4_1_uklar_setning»: 3,7 prosent er ikke andelen" in problems[1]
    # the same sentence at the book's min_n is no leak
    problems5, _ = sitecheck.glued_sentence_problems(tmp_path, cells, cb, 5)
    assert [p for p in problems5 if "liten celle" in p] == []


# -- the built site's downloadable files (CSV, XLSX, zip members; lmp_helpers.downloads) ---------------


@pytest.mark.site
def test_site_downloads_show_no_small_cell(site_dir: Path):
    cb = load_codebook()
    cells = sitecheck.true_cells(BOOK_DATA, cb)
    findings, shown = sitecheck.download_problems(site_dir, cells, cb, BOOK_MIN_N)
    assert [str(f) for f in findings] == []
    names = [name for name, _ in sitecheck.download_tables(site_dir)]
    for pulje in ("1", "2", "3", "alle"):
        assert any(n.endswith(f"alle-tabeller_pulje-{pulje}.zip!figur-2-1_pulje-{pulje}.xlsx") for n in names)
    assert {k[3] for k in shown} == {"1", "2", "3", "alle"}, "the scan read every pulje's downloads"


@pytest.mark.site
def test_site_downloads_equal_lmp_tables(site_dir: Path, tmp_path: Path):
    """Each published table file is byte for byte the file `lmp tables` writes for its pulje and min_n."""
    for pulje in ("1", "2", "3", "alle"):
        out = tmp_path / pulje
        export_all(BOOK_DATA, out, BOOK_MIN_N, [pulje])
        out = out / pulje
        linked = 0
        for path in sorted((out / "excel").iterdir()):
            published = list(site_dir.glob(f"_downloads/*/{path.name}"))
            # the zip always; a figure's files where a page links them (pulje 1 has no Tabell 1 of its own)
            assert len(published) == (1 if path.suffix == ".zip" else len(published)) <= 1, (path.name, published)
            linked += len(published)
            for p in published:
                assert p.read_bytes() == path.read_bytes(), path.name
        assert linked >= 9, (pulje, linked)
    assert list(site_dir.glob("_downloads/*/kodebok.xlsx")), "the codebook is published"

