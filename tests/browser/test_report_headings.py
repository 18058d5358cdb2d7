"""The built book carries the report's structure: every numbered heading of the report (data/report_fingerprint.json)
is a heading with the same number and title on the built chapter pages, and every numbered heading of those pages
is one of the report's – on the pulje «alle» pages and on every pulje page.

Reads the HTML Sphinx wrote (`_build/html`): the section number is the `<span class="section-number">` Sphinx
puts in a numbered heading («4.1. »). The book's own additions (the tables behind the figures, the
recommendations box, the footnotes) are rubrics or admonitions, so they carry no number. Static check, no
browser: marked `site` (runs in make test's site step, after the book is built).
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from bs4 import BeautifulSoup

from lmp_helpers import fingerprint, runner

pytestmark = pytest.mark.site

UNNUMBERED = ("sammendrag",)  # the report's Sammendrag has no number
NUMBERED = [n for n in runner.CHAPTERS if n not in UNNUMBERED]
PULJER = ("alle", "1", "2", "3")
REPORT = [(h["number"], h["title"]) for h in fingerprint.load()["headings"]]


def page_headings(html: str) -> list[tuple[str | None, str]]:
    """(number or None, title) of every h1–h6 in the page's article, in order."""
    soup = BeautifulSoup(html, "html.parser")
    main = soup.find("article") or soup
    out = []
    for h in main.find_all(re.compile(r"^h[1-6]$")):
        for link in h.find_all("a", class_="headerlink"):
            link.decompose()
        number = h.find("span", class_="section-number")
        num = number.get_text(" ", strip=True).rstrip(".").strip() if number else None
        if number:
            number.decompose()
        out.append((num, " ".join(h.get_text(" ", strip=True).split())))
    return out


def chapter_headings(site_dir: Path, pulje: str, name: str) -> list[tuple[str | None, str]]:
    """The page's headings; on a pulje page the chapter title carries « – Pulje N» (the page's pulje, the
    book's marker, not part of the report's title): required there, and stripped."""
    page = site_dir / "generated" / f"pulje-{pulje}" / f"{name}.html"
    if not page.is_file():
        pytest.fail(f"{page} mangler: kjør `make book` (alle puljer)", pytrace=False)
    headings = page_headings(page.read_text(encoding="utf-8"))
    if pulje != "alle" and headings:
        number, title = headings[0]
        suffix = f" – Pulje {pulje}"
        assert title.endswith(suffix), f"pulje-{pulje}/{name}: tittelen sier ikke hvilken pulje: {title!r}"
        headings[0] = (number, title.removesuffix(suffix))
    return headings


def test_page_headings_reads_sphinx_section_numbers():
    html = ('<article><h1><span class="section-number">4. </span>PPTs rolle<a class="headerlink" href="#x">#</a>'
            '</h1><p class="rubric">Tallene bak figurene</p><h2><span class="section-number">4.1. </span>PPT som '
            'ressurs<a class="headerlink" href="#y">#</a></h2><h2>Uten nummer</h2></article>')
    assert page_headings(html) == [("4", "PPTs rolle"), ("4.1", "PPT som ressurs"), (None, "Uten nummer")]


def test_the_report_has_the_numbered_headings_the_book_maps():
    # the fingerprint is the report's list: chapters 1–5 with their sections, in order
    assert [n for n, _ in REPORT] == ["1", "1.1", "1.2", "1.3", "2", "2.1", "3", "4", "4.1", "4.2", "5"]
    assert len(NUMBERED) == len({n.split(".")[0] for n, _ in REPORT})


@pytest.mark.parametrize("pulje", PULJER)
@pytest.mark.parametrize("name", NUMBERED)
def test_numbered_headings_are_the_reports_both_ways(site_dir, name, pulje):
    chapter = str(NUMBERED.index(name) + 1)
    built = [(n, t) for n, t in chapter_headings(site_dir, pulje, name) if n is not None]
    report = [(n, t) for n, t in REPORT if n.split(".")[0] == chapter]
    missing = [h for h in report if h not in built]
    extra = [h for h in built if h not in report]
    assert not missing and not extra, (
        f"pulje-{pulje}/{name}: rapportens overskrifter som mangler i boka: {missing}; "
        f"nummererte overskrifter i boka som ikke er rapportens: {extra}")
    assert built == report, f"pulje-{pulje}/{name}: rekkefølgen avviker: {built}"


@pytest.mark.parametrize("pulje", PULJER)
def test_sammendrag_is_unnumbered_with_the_reports_title(site_dir, pulje):
    headings = chapter_headings(site_dir, pulje, "sammendrag")
    assert headings and headings[0] == (None, "Sammendrag"), headings
    assert all(n is None for n, _ in headings), f"pulje-{pulje}/sammendrag har nummererte overskrifter: {headings}"


@pytest.mark.parametrize("pulje", PULJER)
def test_every_report_heading_is_in_the_built_pages_of_each_pulje(site_dir, pulje):
    """Both directions over the whole report part at once: no heading lost, none added, none duplicated."""
    built = [h for name in runner.CHAPTERS for h in chapter_headings(site_dir, pulje, name) if h[0] is not None]
    assert sorted(built) == sorted(REPORT), (
        f"pulje-{pulje}: mangler {[h for h in REPORT if h not in built]}, "
        f"ekstra {[h for h in built if h not in REPORT]}")
