"""The browser harness itself catches what the site test relies on: a CDN script (request leaving
127.0.0.1), a broken image, a console error, a missing page. Runs on fixture sites, so it needs chromium
but not the built book."""

from __future__ import annotations

from pathlib import Path

import pytest

from .harness import audit_page, serve

pytestmark = pytest.mark.browser

# 1x1 transparent PNG
PNG = bytes.fromhex(
    "89504e470d0a1a0a0000000d49484452000000010000000108060000001f15c489"
    "0000000d49444154789c6360000002000005000157a6ad950000000049454e44ae426082"
)


def fixture_site(root: Path, head: str = "", body: str = "") -> Path:
    root.mkdir(parents=True, exist_ok=True)
    (root / "bilde.png").write_bytes(PNG)
    (root / "index.html").write_text(
        f"<!doctype html><html><head><meta charset='utf-8'><title>Forside – bok</title>{head}</head>"
        f"<body><h1>Forside</h1><img src='bilde.png' alt='x'><table><tr><td>1</td></tr></table>"
        f"<a href='index.html#x'>x</a>{body}</body></html>"
    )
    return root


def run(open_browser, root: Path):
    with serve(root) as url:
        browser = open_browser(url)
        return audit_page(browser, url + "index.html")


def test_clean_fixture_page_passes(open_browser, tmp_path):
    report = run(open_browser, fixture_site(tmp_path / "site"))
    assert report.problems() == []
    assert report.status == 200 and report.tables == 1 and report.images[0]["width"] == 1
    assert report.h1 == "Forside"


def test_cdn_script_is_caught_and_never_fetched(open_browser, tmp_path):
    site = fixture_site(tmp_path / "site", head="<script src='https://cdn.jsdelivr.net/npm/x@1/x.min.js'></script>")
    report = run(open_browser, site)
    assert report.outside_requests == ["https://cdn.jsdelivr.net/npm/x@1/x.min.js"]
    assert any("request left 127.0.0.1" in p for p in report.problems())


def test_web_font_in_css_is_caught(open_browser, tmp_path):
    site = fixture_site(
        tmp_path / "site",
        head="<style>@font-face{font-family:F;src:url(https://fonts.gstatic.com/f.woff2)} body{font-family:F}</style>",
    )
    report = run(open_browser, site)
    assert report.outside_requests == ["https://fonts.gstatic.com/f.woff2"]


def test_broken_image_and_console_error_are_caught(open_browser, tmp_path):
    site = fixture_site(tmp_path / "site", body="<img src='mangler.png'><script>console.error('au')</script>")
    problems = run(open_browser, site).problems()
    assert any("naturalWidth 0" in p and "mangler.png" in p for p in problems), problems
    assert any("console error: au" in p for p in problems), problems
    assert any(p.startswith("failed request: 404") for p in problems), problems


def test_missing_page_and_wrong_title_are_caught(open_browser, tmp_path):
    site = fixture_site(tmp_path / "site")
    with serve(site) as url:
        browser = open_browser(url)
        assert "HTTP 404" in audit_page(browser, url + "finnes-ikke.html").problems()
    (site / "index.html").write_text((site / "index.html").read_text().replace("Forside – bok", "Noe annet"))
    problems = run(open_browser, site).problems()
    assert any("does not name the page's heading" in p for p in problems), problems


def test_a_dead_browser_is_relaunched_and_recorded(open_browser, tmp_path):
    site = fixture_site(tmp_path / "site")
    with serve(site) as url:
        browser = open_browser(url)
        browser.context.close()  # as if chromium had crashed
        report = audit_page(browser, url + "index.html")
    assert report.problems() == []
    assert len(browser.crashes) == 1
