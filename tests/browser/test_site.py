"""The built book in a real browser (headless Debian chromium via Playwright), served on 127.0.0.1.

Every page in `_toc.yml`: HTTP 200, a <title> naming its heading, every <img> rendered, the tables its
figures need, no console errors, no request leaving 127.0.0.1; then the search page, the pulje switch, and
every internal link. Screenshots of every page go to test-output/screenshots/.
"""

from __future__ import annotations

import re
import urllib.error
import urllib.request
import warnings
from pathlib import Path
from urllib.parse import urldefrag, urljoin, urlsplit

import pytest

from lmp_helpers import sitecheck
from lmp_helpers.codebook import load_codebook
from lmp_helpers.paths import PROJECT_ROOT

from .harness import audit_page

pytestmark = pytest.mark.browser

TOC_PATH = PROJECT_ROOT / "_toc.yml"
# A missing _toc.yml must fail the page test, not leave it with an empty (skipped) parameter set.
TOC_PAGES = sitecheck.toc_files(TOC_PATH) if TOC_PATH.is_file() else ["<_toc.yml missing>"]
CHAPTER_RE = re.compile(r"generated/pulje-(?P<pulje>[^/]+)/(?P<chapter>[^/]+)$")


def expected_tables(doc: str) -> int:
    """Tables a page must show: one per report figure/table of its chapter (Tabell 1 in introduksjon, 1.2)."""
    m = CHAPTER_RE.search(doc)
    if not m:
        return 0
    cb = load_codebook()
    n = sum(1 for f in cb.figures.values() if f.chapter == m["chapter"])
    return n + (1 if m["chapter"] == "introduksjon" else 0)


def expected_images(doc: str) -> int:
    m = CHAPTER_RE.search(doc)
    if not m:
        return 0
    return sum(1 for f in load_codebook().figures.values() if f.chapter == m["chapter"])


@pytest.fixture(scope="session")
def reports(site_browser, site_url, site_dir, output_dir):
    """Audit every TOC page once (screenshots included); tests below assert on the reports."""
    shots = output_dir / "screenshots"
    out = {}
    for doc in TOC_PAGES:
        out[doc] = audit_page(site_browser, urljoin(site_url, doc + ".html"), shots / (doc.replace("/", "__") + ".png"))
    if site_browser.crashes:
        warnings.warn(f"chromium was relaunched after crashing: {site_browser.crashes}", stacklevel=1)
    return out


def test_toc_is_not_empty_and_in_the_nav(site_dir):
    assert len(TOC_PAGES) >= 10
    start = TOC_PAGES[0] + ".html"
    nav = {urljoin("http://x/" + start, urldefrag(h)[0]) for h in sitecheck_links(site_dir / start)}
    missing = [d for d in TOC_PAGES[1:] if f"http://x/{d}.html" not in nav]
    assert not missing, f"TOC pages not linked from the start page's navigation: {missing}"


def sitecheck_links(page: Path) -> list[str]:
    from bs4 import BeautifulSoup

    soup = BeautifulSoup(page.read_text(encoding="utf-8"), "html.parser")
    return [a["href"] for a in soup.find_all("a", href=True)]


@pytest.mark.parametrize("doc", TOC_PAGES)
def test_page(reports, doc):
    report = reports[doc]
    assert report.problems() == []
    assert report.tables >= expected_tables(doc), f"{report.tables} table(s), expected {expected_tables(doc)}"
    rendered = [i for i in report.images if i["width"] > 0 and "/_images/" in i["src"]]
    assert len(rendered) >= expected_images(doc), report.images


def test_screenshots_of_every_chapter(reports, output_dir):
    shots = sorted((output_dir / "screenshots").glob("*.png"))
    assert len(shots) >= len(TOC_PAGES)
    assert all(p.stat().st_size > 10_000 for p in shots), [p.name for p in shots if p.stat().st_size <= 10_000]


def test_search_finds_mobbing(site_browser, site_url):
    page = site_browser.new_page()
    errors = []
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    try:
        page.goto(urljoin(site_url, "search.html?q=mobbing"), wait_until="load")
        results = page.locator("#search-results ul.search li")
        results.first.wait_for(timeout=20_000)
        hits = results.all_inner_texts()
    finally:
        page.close()
    assert len(hits) >= 3, hits
    assert any("Kunnskapstilførsel" in h for h in hits), hits
    assert errors == []
    assert site_browser.outside == []


@pytest.mark.parametrize("chapter", ["introduksjon", "kunnskapstilforsel", "praksisendring", "ppts_rolle"])
def test_pulje_switch_reaches_every_pulje(site_browser, site_url, chapter):
    """Click «Pulje 1/2/3» in the page's pulje switch (not the sidebar) and land on that pulje's chapter."""
    cb = load_codebook()
    page = site_browser.new_page()
    try:
        start = urljoin(site_url, f"generated/pulje-alle/{chapter}.html")
        for p in cb.pulje_values:
            page.goto(start, wait_until="load")
            link = page.locator("article").get_by_role("link", name=f"Pulje {p}", exact=True)
            assert link.count() >= 1, f"no «Pulje {p}» link in the article of {start}"
            with page.expect_navigation():
                link.first.click()
            assert urlsplit(page.url).path.endswith(f"/generated/pulje-{p}/{chapter}.html"), page.url
            assert page.locator("h1").count() >= 1
            assert f"Pulje {p}" in page.locator("article").inner_text()
            # and back to all puljer from the pulje page's own switch
            back = page.locator("article").get_by_role("link", name=cb.pulje_all_label, exact=True)
            assert back.count() >= 1, f"no «{cb.pulje_all_label}» link on {page.url}"
    finally:
        page.close()


def test_every_internal_link_resolves_on_the_server(reports, site_url, site_dir):
    """Every <a href> on every TOC page, fetched from the server: 200, and its #anchor exists."""
    targets = {}
    for doc, report in reports.items():
        for href in report.links:
            if href.startswith(site_url):
                targets.setdefault(href, doc)
    assert len(targets) > len(TOC_PAGES)
    bad = []
    for href, doc in sorted(targets.items()):
        url, frag = urldefrag(href)
        try:
            with urllib.request.urlopen(url, timeout=10) as resp:
                status, body = resp.status, resp.read().decode("utf-8", "replace")
        except urllib.error.HTTPError as exc:
            status, body = exc.code, ""
        if status != 200:
            bad.append(f"{doc}: {href} -> HTTP {status}")
        elif frag and url.endswith(".html") and not re.search(rf'(id|name)="{re.escape(frag)}"', body):
            bad.append(f"{doc}: {href} -> no anchor #{frag}")
    assert bad == []


@pytest.mark.site
def test_static_links_and_anchors(site_dir):
    assert [str(f) for f in sitecheck.broken_links(site_dir)] == []


@pytest.mark.site
def test_static_no_external_resources(site_dir):
    assert [str(f) for f in sitecheck.external_resources(site_dir)] == []


@pytest.mark.site
def test_static_no_script_included_twice(site_dir):
    assert [str(f) for f in sitecheck.duplicate_scripts(site_dir)] == []
