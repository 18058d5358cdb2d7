"""«Last ned tallene» in a real browser: click the download links on a chapter page, receive the files, open
them (CSV decoded, XLSX loaded, zip listed) and check they hold the table the page shows for that figure.
"""

from __future__ import annotations

import csv
import io
import re
import zipfile
from urllib.parse import urljoin

import pytest

pytestmark = pytest.mark.browser

PAGE = "generated/pulje-alle/ppts_rolle.html"
FIGURES = {"4.1": "figur-4-1_pulje-alle", "4.2": "figur-4-2_pulje-alle"}

# The page's tables as text, one list of cells per row (the index cell first, as pandas renders it).
_TABLES_JS = """() => Array.from(document.querySelectorAll('article table')).map(t =>
  Array.from(t.querySelectorAll('tbody tr')).map(tr =>
    Array.from(tr.querySelectorAll('th, td')).map(c => c.innerText.trim())))"""


def link_name(text: str) -> re.Pattern:
    """A link's accessible name: the text, after the theme's download icon (a CSS ::before glyph)."""
    return re.compile(r"^\W?" + re.escape(text) + "$")


SHARES = {"Andel (%)", "KI nedre (%)", "KI øvre (%)"}


def fmt(column: str, value) -> str:
    """An XLSX cell as the page writes it: `:` stays, shares with one decimal and a decimal comma."""
    if value is None:
        return ""
    if column in SHARES and isinstance(value, int | float):
        return f"{value:.1f}".replace(".", ",")
    return str(value)


def table_rows(csv_rows: list[dict[str, str]]) -> list[list[str]]:
    """What the page's table shows of a downloaded table: text, group, n, share."""
    return [[r["Tekst"], r["Gruppe"], r["n"], r["Andel (%)"]] for r in csv_rows]


def on_page(rows: list[list[str]], tables: list[list[list[str]]]) -> bool:
    return any([row[:4] for row in table] == rows for table in tables)


def download(page, link, tmp_path):
    with page.expect_download() as info:
        link.click()
    dl = info.value
    target = tmp_path / dl.suggested_filename
    dl.save_as(target)
    assert dl.failure() is None
    return dl.suggested_filename, target.read_bytes()


@pytest.fixture(scope="module")
def chapter(site_browser, site_url):
    page = site_browser.new_page()
    page.goto(urljoin(site_url, PAGE), wait_until="load")
    yield page
    page.close()


@pytest.mark.parametrize("number", list(FIGURES))
def test_download_links_under_a_figure_give_its_table(chapter, number, tmp_path, site_browser):
    page = chapter
    tables = page.evaluate(_TABLES_JS)
    csv_links = page.locator("article").get_by_role("link", name=link_name(f"figur {number} som CSV"))
    xlsx_links = page.locator("article").get_by_role("link", name=link_name(f"figur {number} som Excel-fil (XLSX)"))
    # under the figure and under its table
    assert csv_links.count() == 2 and xlsx_links.count() == 2, (csv_links.count(), xlsx_links.count())
    assert "Last ned tallene" in csv_links.first.locator("xpath=..").inner_text()

    name, data = download(page, csv_links.first, tmp_path)
    assert name == f"{FIGURES[number]}.csv"
    assert data.startswith(b"\xef\xbb\xbf")
    rows = list(csv.DictReader(io.StringIO(data.decode("utf-8-sig")), delimiter=";"))
    assert rows and {r["Figur"] for r in rows} == {f"Figur {number}"} and {r["Pulje"] for r in rows} == {"alle"}
    assert on_page(table_rows(rows), tables), "the CSV is not the table the page shows for this figure"

    name, data = download(page, xlsx_links.first, tmp_path)
    assert name == f"{FIGURES[number]}.xlsx"
    from openpyxl import load_workbook

    sheet = load_workbook(io.BytesIO(data)).worksheets[0]
    values = list(sheet.iter_rows(values_only=True))
    head = list(values[0])
    xlsx = [{h: fmt(h, v) for h, v in zip(head, row, strict=True)} for row in values[1:]]
    assert sheet.title == f"Figur {number}"
    # Excel shows the shares with one decimal (in the reader's locale: decimal comma)
    share_col = head.index("Andel (%)") + 1
    shares = next(sheet.iter_cols(min_col=share_col, max_col=share_col, min_row=2))
    assert {c.number_format for c in shares if isinstance(c.value, int | float)} == {"0.0"}
    assert table_rows(xlsx) == table_rows(rows), "the XLSX holds the same table as the CSV"
    assert site_browser.outside == []


def test_zip_link_in_the_banner_gives_every_table_of_the_pulje(chapter, tmp_path):
    link = chapter.locator("article").get_by_role("link", name=link_name("alle tabellene for alle puljer (zip)"))
    assert link.count() == 1
    name, data = download(chapter, link, tmp_path)
    assert name == "alle-tabeller_pulje-alle.zip"
    with zipfile.ZipFile(io.BytesIO(data)) as zf:
        names = sorted(zf.namelist())
        assert zf.testzip() is None
        inner = zf.read("figur-4-1_pulje-alle.csv")
    stems = ["tabell-1", "figur-2-1", "figur-3-1", "figur-4-1", "figur-4-2"]
    assert names == sorted(f"{s}_pulje-alle.{ext}" for s in stems for ext in ("csv", "xlsx"))
    rows = list(csv.DictReader(io.StringIO(inner.decode("utf-8-sig")), delimiter=";"))
    assert on_page(table_rows(rows), chapter.evaluate(_TABLES_JS))
