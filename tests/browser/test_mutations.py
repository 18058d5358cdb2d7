"""Mutation evidence on the real built site: copy _build/html, plant one defect, and the same checks that
pass on the real site must fail on the copy: a CDN <script>, a broken internal link, a missing anchor, and
a suppressed table cell filled in with its true share. (A changed data value and an edited notebook
output are in tests/test_nbval_drift.py.)"""

from __future__ import annotations

import os
import re
import shutil
from pathlib import Path

import pytest

from lmp_helpers import sitecheck
from lmp_helpers.codebook import load_codebook
from lmp_helpers.paths import PROJECT_ROOT, SYNTHETIC_DIR

from .harness import audit_page, serve

BOOK_DATA = Path(os.environ.get("DATA") or SYNTHETIC_DIR)
BOOK_DATA = BOOK_DATA if BOOK_DATA.is_absolute() else PROJECT_ROOT / BOOK_DATA
BOOK_MIN_N = int(os.environ.get("MIN_N") or 5)

CDN = "https://cdn.jsdelivr.net/npm/jquery@3.7.1/dist/jquery.min.js"
PAGE = "generated/pulje-alle/kunnskapstilforsel.html"


@pytest.fixture
def site_copy(site_dir: Path, tmp_path: Path) -> Path:
    copy = tmp_path / "html"
    shutil.copytree(site_dir, copy)
    assert (copy / PAGE).is_file(), f"{PAGE} missing from the built site"
    return copy


def _edit(path: Path, old: str, new: str) -> None:
    text = path.read_text(encoding="utf-8")
    assert old in text, f"{old!r} not in {path}"
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


@pytest.mark.browser
def test_cdn_script_in_a_chapter_fails(site_copy: Path, open_browser):
    assert sitecheck.external_resources(site_copy) == []
    _edit(site_copy / PAGE, "</head>", f'<script src="{CDN}"></script></head>')
    assert [f.detail for f in sitecheck.external_resources(site_copy)] == [CDN]
    with serve(site_copy) as url:
        report = audit_page(open_browser(url), url + PAGE)
    assert CDN in report.outside_requests
    assert any("request left 127.0.0.1" in p for p in report.problems())


@pytest.mark.site
def test_broken_internal_link_fails(site_copy: Path):
    assert sitecheck.broken_links(site_copy) == []
    page = site_copy / PAGE
    href = re.search(r'href="(\.\./pulje-1/kunnskapstilforsel\.html)"', page.read_text(encoding="utf-8")).group(1)
    _edit(page, f'href="{href}"', 'href="../pulje-1/kunnskapstilforsl.html"')
    assert [(f.file, f.kind) for f in sitecheck.broken_links(site_copy)] == [(PAGE, "broken link (a href)")]


@pytest.mark.site
def test_missing_anchor_fails(site_copy: Path):
    page = site_copy / PAGE
    _edit(page, 'href="#', 'href="#finnes-ikke-')
    assert any(f.kind.startswith("missing anchor") for f in sitecheck.broken_links(site_copy))


@pytest.mark.site
def test_filled_in_suppressed_cell_fails(site_copy: Path):
    """Put the true share into a «:» cell of a per-pulje table: the privacy scan must object."""
    cb = load_codebook()
    cells = sitecheck.true_cells(BOOK_DATA, cb)
    hidden = sorted(k for k, c in cells.items() if 0 < c.n < BOOK_MIN_N and k[3] != cb.pulje_all
                    and cb.figures[k[0]].kind == "grouped_bars")
    assert hidden, "the book's data has no small cell: nothing to plant"
    fig, item, group, pulje = hidden[0]
    page = site_copy / f"generated/pulje-{pulje}/{cb.figures[fig].chapter}.html"
    row_re = re.compile(
        rf"(<th>{re.escape(cb.items[item].label)}</th>\s*<td>{re.escape(cb.groups[group].label)}</td>\s*<td>:</td>\s*)"
        r"<td>:</td>"
    )
    text = page.read_text(encoding="utf-8")
    assert row_re.search(text), f"no suppressed row for {item}/{group} in {page}"
    c = cells[(fig, item, group, pulje)]
    share = f"{100 * c.k / c.n:.1f}".replace(".", ",")
    page.write_text(row_re.sub(rf"\g<1><td>{share}</td>", text, count=1), encoding="utf-8")
    shown, unmatched = sitecheck.site_shown_cells(sitecheck.site_values(site_copy, cb), cells)
    assert unmatched == []
    problems = sitecheck.disclosure_problems(cells, shown, BOOK_MIN_N)
    assert any(f"'{item}', '{group}', '{pulje}'" in p and "share shown" in p for p in problems), problems
