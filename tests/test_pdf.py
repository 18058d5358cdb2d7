"""The report as a PDF per pulje (lmp_helpers/pdf.py, book/_ext/lmp_pdf.py, `make pdf`).

Unit tests (assembly, hyphenation, ToC page lookup, the link, the privacy scan on a planted PDF) run in every
pytest run. The `site` tests read the PDFs the book build made (`make pdf`, or `make test`'s book step with
LMP_PDF=1) the way a reader's tools do – poppler's pdftotext and pdftoppm – and compare them with the built
HTML pages: headings and numbering, figure/table numbers, every table row, the synthetic-data marking on
every page, and what must stay hidden (recomputed from the CSV files, not taken from the code under test).
Pages 1, 3 and the page of Figur 2.1 are rendered to PNG in test-output/pdf/.
"""

from __future__ import annotations

import datetime as dt
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from bs4 import BeautifulSoup

from lmp_helpers import pdf, sitecheck
from lmp_helpers.codebook import load_codebook
from lmp_helpers.errors import LmpError
from lmp_helpers.paths import PROJECT_ROOT, SYNTHETIC_DIR

sys.path.insert(0, str(PROJECT_ROOT / "book" / "_ext"))
import lmp_pdf  # noqa: E402  (the Sphinx extension, importable without Sphinx running)

SITE_DIR = Path(os.environ.get("LMP_SITE_DIR", PROJECT_ROOT / "_build" / "html"))
OUTPUT_DIR = Path(os.environ.get("LMP_TEST_OUTPUT", PROJECT_ROOT / "test-output")) / "pdf"
BOOK_DATA = Path(os.environ.get("DATA") or SYNTHETIC_DIR)
if not BOOK_DATA.is_absolute():
    BOOK_DATA = PROJECT_ROOT / BOOK_DATA
BOOK_MIN_N = int(os.environ.get("MIN_N") or 5)
POPPLER_SCRIPT = PROJECT_ROOT / "scripts" / "ensure-poppler.sh"


def normalize(text: str) -> str:
    """PDF text as words: soft hyphens out, a word broken at a soft hyphen joined, whitespace collapsed."""
    text = text.replace("\u00ad\u2010\n", "").replace("\u00ad-\n", "").replace("\u00ad", "")
    return " ".join(text.split())


# -- a small fixture site ----------------------------------------------------------------------------

BANNER = ('<div class="warning admonition"><p class="admonition-title">Syntetiske data – ikke funn fra '
          'evalueringen</p><p>Utvalg: <strong>Pulje 2</strong> · Datakilde: <strong>syntetiske data (ikke ekte '
          'svar)</strong>. Tallene er kunstige.</p><p>Vis kapitlet for: <a href="../pulje-1/x.html">Pulje 1</a>'
          "</p></div>")


def _page(body: str) -> str:
    return f'<html><body><nav>meny</nav><article class="bd-article">{body}</article></body></html>'


def fixture_site(root: Path, pulje: str = "2", banner: str = BANNER) -> Path:
    chapters = root / "generated" / f"pulje-{pulje}"
    chapters.mkdir(parents=True)
    (root / "book").mkdir()
    (root / "_images").mkdir()
    (root / "_images" / "fig.svg").write_text('<svg xmlns="http://www.w3.org/2000/svg" width="10" height="10"/>')
    for i, name in enumerate(pdf.CHAPTER_PAGES):
        number = f'<span class="section-number">{i}. </span>' if i else ""
        body = (f'<section id="{name}"><h1>{number}Tittel {name}<a class="headerlink" href="#{name}">#</a></h1>'
                f"{banner if i == 0 else ''}"
                f'<p>Læringsmiljøprosjektet og <a href="../../book/ordliste.html#term-PPT">PPT</a>, se '
                f'<a href="kunnskapstilforsel.html#fig-2-1">Figur 2.1</a> og '
                f'<a href="../../book/referanser.html#id4">Udir, 2014</a>.</p>'
                f'<figure id="fig-{i}"><img src="../../_images/fig.svg" alt="x"/></figure>'
                f'<details class="lmp-collapsible"><summary>Vis fordelingen (figur {i}.1)</summary>x</details>'
                f"<table><tr><th>Læringsmiljøprosjektet</th><td>12,5</td></tr></table>"
                f'<p class="x">Last ned tallene: <a href="../../_downloads/a/fig.csv">CSV</a> · '
                f'<a class="reference download internal" download="" href="../../_downloads/b/fig.xlsx">XLSX</a></p>'
                f'<p>Tallene finnes også <a href="../../data/t.zip">som zip</a> for alle.</p>'
                f'<section id="del-{i}"><h2>{number and f"<span class=section-number>{i}.1. </span>"}Del {i}</h2>'
                f"</section></section>")
        (chapters / f"{name}.html").write_text(_page(body), encoding="utf-8")
    refs = ('<section id="referanser"><h1>Referanser</h1><div class="citation" id="id4"><p>Udir (2014).</p></div>'
            "</section>")
    (root / "book" / "referanser.html").write_text(_page(refs), encoding="utf-8")
    return root


def test_assemble_builds_one_print_page_with_the_site_numbering(tmp_path: Path):
    site = fixture_site(tmp_path)
    book = pdf.assemble(site, "2", dt.date(2026, 11, 26))
    assert book.synthetic and book.source == "syntetiske data (ikke ekte svar)"
    assert [h.text for h in book.headings][:4] == ["Tittel sammendrag", "Del 0", "1. Tittel introduksjon", "1.1. Del 1"]
    assert book.headings[-1].text == "Referanser"
    soup = BeautifulSoup(book.html, "html.parser")
    # title page: pulje, data source, synthetic marking, build date
    title = soup.find(class_="lmp-title-page").get_text(" ")
    assert "Pulje 2" in title and "syntetiske data (ikke ekte svar)" in title and pdf.SYNTHETIC_MARK in title
    assert "26.11.2026" in title
    # links inside the PDF point to its own anchors, links out of it are plain words, no headerlinks
    hrefs = [a["href"] for a in soup.find_all("a", href=True)]
    assert "#kunnskapstilforsel--fig-2-1" in hrefs and "#referanser--id4" in hrefs
    assert not any("ordliste" in h or h.endswith(".html") or h == "#kunnskapstilforsel" for h in hrefs)
    assert not soup.select("a.headerlink") and "Vis kapitlet for" not in book.html
    ids = [t["id"] for t in soup.find_all(id=True)]
    assert len(ids) == len(set(ids)) and "referanser--id4" in ids
    # every ToC entry links an anchor that exists
    for a in soup.select(".lmp-toc a"):
        assert a["href"][1:] in ids, a["href"]
    # images as file URIs into the site, collapsed extras printed open with a caption-like line
    assert soup.find("img")["src"] == (site / "_images" / "fig.svg").resolve().as_uri()
    assert not soup.find("details") and soup.find(class_="lmp-details-title").get_text() == "Fordelingen (figur 0.1)"
    # download links are gone from the paper, and a line of nothing else with them; other text stays
    assert "Last ned" not in book.html and "CSV" not in book.html and ".zip" not in book.html
    assert "Tallene finnes også for alle." in " ".join(soup.get_text(" ").split()).replace(" .", ".")


def test_hyphenation_only_in_running_text(tmp_path: Path):
    book = pdf.assemble(fixture_site(tmp_path), "2")
    soup = BeautifulSoup(book.html, "html.parser")
    prose = [p.get_text() for p in soup.select(".lmp-chapter p") if p.get_text().startswith("Læ")]
    assert prose and all(t.startswith("Læ\u00adrings\u00ad") for t in prose)
    for tag in soup.find_all(["h1", "h2", "table", "figcaption"]) + soup.select(".admonition"):
        assert "\u00ad" not in tag.get_text(), tag
    unhyphenated = pdf.assemble(fixture_site(tmp_path / "b"), "2", hyphenation=False)
    assert "\u00ad" not in unhyphenated.html


def test_real_data_is_named_not_marked_synthetic(tmp_path: Path):
    banner = BANNER.replace("Syntetiske data – ikke funn fra evalueringen", "Datagrunnlag").replace(
        "syntetiske data (ikke ekte svar)", "ekte surveydata")
    book = pdf.assemble(fixture_site(tmp_path, banner=banner), "2")
    assert not book.synthetic and book.source == "ekte surveydata"
    assert pdf.SYNTHETIC_MARK not in book.html.split('class="lmp-toc"')[0]
    header, _ = pdf.header_footer("2", book.synthetic, dt.date.today())
    assert pdf.REAL_MARK in header and pdf.SYNTHETIC_MARK not in header


def test_assemble_errors_name_what_is_missing(tmp_path: Path):
    site = fixture_site(tmp_path)
    with pytest.raises(LmpError, match="ugyldig pulje '7'"):
        pdf.assemble(site, "7")
    with pytest.raises(LmpError, match=r"generated/pulje-1/sammendrag.html"):
        pdf.assemble(site, "1")
    (site / "generated" / "pulje-2" / "sammendrag.html").write_text(_page("<p>uten banner</p>"), encoding="utf-8")
    with pytest.raises(LmpError, match="Datakilde"):
        pdf.assemble(site, "2")


def test_heading_pages_follow_the_bookmarks_in_order():
    heads = [pdf.Heading(1, "1.", "Innledning", "a"), pdf.Heading(2, "1.1.", "Data", "b"),
             pdf.Heading(1, "", "Referanser", "c")]
    outline = [("1. Innledning", 3), ("Figur", 3), ("1.1. Data", 4), ("1.1. Data", 9), ("Refe\u00adranser", 7)]
    assert pdf.heading_pages(heads, outline) == [3, 4, 7]
    # chromium's bookmark of a heading that wraps loses the space at the wrap
    long_head = [pdf.Heading(2, "2.1.", "Veiledningsteamene sitt bidrag til kompetanseheving i PPT", "d")]
    wrapped = [("2.1. Veiledningsteamene sitt bidrag tilkompetanseheving i PPT", 13)]
    assert pdf.heading_pages(long_head, wrapped) == [13]
    with pytest.raises(LmpError, match="«1.1. Data»"):
        pdf.heading_pages(heads, [("1. Innledning", 3), ("Referanser", 7)])


def test_each_page_links_its_own_pulje():
    assert pdf.page_pulje("generated/pulje-3/ppts_rolle") == "3"
    assert pdf.page_pulje("generated/pulje-alle/sammendrag") == "alle"
    assert pdf.page_pulje("book/pulje-2") == "2"
    assert pdf.page_pulje("generated/vedlegg/revisjon") == "alle"
    assert pdf.page_pulje("book/index") == "alle"
    link = lmp_pdf.link_html("generated/pulje-3/ppts_rolle")
    assert 'href="../../pdf/lmp-rapport-pulje-3.pdf"' in link and "Last ned rapporten som PDF" in link
    assert 'href="pdf/lmp-rapport-pulje-alle.pdf"' in lmp_pdf.link_html("index")
    assert lmp_pdf.insert_link("<section><h1>T</h1><p>x</p></section>", "<p>L</p>") == \
        "<section><h1>T</h1><p>L</p><p>x</p></section>"
    assert lmp_pdf.insert_link("<p>x</p>", "<p>L</p>") == "<p>L</p><p>x</p>"


def test_lmp_pdf_setting_is_strict():
    assert lmp_pdf.enabled("1") and lmp_pdf.enabled("ja")
    assert not lmp_pdf.enabled(None) and not lmp_pdf.enabled("0") and not lmp_pdf.enabled("")
    with pytest.raises(ValueError, match="LMP_PDF='kanskje'"):
        lmp_pdf.enabled("kanskje")


class FakeApp:
    def __init__(self, outdir: Path, enabled: bool):
        self.outdir = str(outdir)
        self.config = type("Config", (), {"lmp_pdf": enabled})()
        self.builder = type("Builder", (), {"format": "html"})()


def test_extension_links_and_prints_only_when_asked(tmp_path: Path, monkeypatch):
    printed = []
    monkeypatch.setattr(pdf, "print_books", lambda site, out: printed.append((site, out)) or [])
    (tmp_path / "pdf").mkdir()
    (tmp_path / "pdf" / "gammel.pdf").write_bytes(b"%PDF")
    context = {"body": "<h1>T</h1><p>x</p>"}
    lmp_pdf._on_page_context(FakeApp(tmp_path, False), "generated/pulje-1/x", "page.html", context, None)
    assert "lmp-pdf-link" not in context["body"]
    lmp_pdf._on_build_finished(FakeApp(tmp_path, False), None)
    assert not (tmp_path / "pdf").exists() and printed == []  # an earlier build's PDFs are not left unlinked
    lmp_pdf._on_page_context(FakeApp(tmp_path, True), "generated/pulje-1/x", "page.html", context, None)
    assert "lmp-rapport-pulje-1.pdf" in context["body"]
    lmp_pdf._on_build_finished(FakeApp(tmp_path, True), RuntimeError("build failed"))
    assert printed == []
    lmp_pdf._on_build_finished(FakeApp(tmp_path, True), None)
    assert printed == [(tmp_path, tmp_path / "pdf")]


# -- the privacy scan of PDFs ------------------------------------------------------------------------


def minimal_pdf(lines: list[str]) -> bytes:
    """A one-page PDF with the given lines of (Latin-1) text, xref offsets computed: what a leak looks like."""
    text = "BT /F1 10 Tf 40 800 Td 12 TL " + " ".join(
        "(" + ln.replace("\\", "\\\\").replace("(", "\\(").replace(")", "\\)") + ") '" for ln in lines) + " ET"
    stream = text.encode("latin-1")
    objs = [b"<< /Type /Catalog /Pages 2 0 R >>", b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
            b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Contents 4 0 R "
            b"/Resources << /Font << /F1 5 0 R >> >> >>",
            b"<< /Length %d >>\nstream\n" % len(stream) + stream + b"\nendstream",
            b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica /Encoding /WinAnsiEncoding >>"]
    out = bytearray(b"%PDF-1.4\n")
    offsets = []
    for i, body in enumerate(objs, start=1):
        offsets.append(len(out))
        out += b"%d 0 obj\n" % i + body + b"\nendobj\n"
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objs) + 1)
    out += b"".join(b"%010d 00000 n \n" % o for o in offsets)
    out += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (len(objs) + 1, xref)
    return bytes(out)


def survey_csvs(data: Path) -> list[Path]:
    return [data / g.file for g in load_codebook().groups.values()]


def respondent_ids(data: Path) -> list[str]:
    cb = load_codebook()
    return [r[cb.id_column] for path in survey_csvs(data) for r in sitecheck.csv_rows(path)]


def test_privacy_scan_catches_a_planted_leaking_pdf(tmp_path: Path):
    ids = respondent_ids(SYNTHETIC_DIR)
    csvs = survey_csvs(SYNTHETIC_DIR)
    row = sitecheck.csv_rows(csvs[0])[0]
    data_line = SYNTHETIC_DIR.joinpath(load_codebook().groups[next(iter(load_codebook().groups))].file) \
        .read_text(encoding="utf-8").splitlines()[1]
    (tmp_path / "pdf").mkdir()
    (tmp_path / "pdf" / "ren.pdf").write_bytes(minimal_pdf(["Andel 33,3 prosent", "Pulje 1"]))
    assert sitecheck.pdf_pages(tmp_path / "pdf" / "ren.pdf")[0].split() == ["Andel", "33,3", "prosent", "Pulje", "1"]
    assert sitecheck.pdf_privacy_findings(tmp_path, ids, csvs) == []
    # an id shaped like the data's but not in it is caught too (the pattern is the id's shape)
    shaped = re.sub(r"\d+", "999", ids[0])
    (tmp_path / "pdf" / "lekk.pdf").write_bytes(minimal_pdf(["Svar fra", f"respondent {row[load_codebook().id_column]}",
                                                             shaped, data_line]))
    findings = sitecheck.pdf_privacy_findings(tmp_path, ids, csvs)
    kinds = {(f.file, f.kind) for f in findings}
    assert kinds == {("pdf/lekk.pdf", "respondent id in PDF"), ("pdf/lekk.pdf", "raw data content in PDF")}
    assert shaped in str(findings[0]) and row[load_codebook().id_column] in str(findings[0])


def test_pdf_pages_needs_pdftotext(tmp_path: Path, monkeypatch):
    monkeypatch.setenv("PATH", str(tmp_path))
    with pytest.raises(RuntimeError, match="ensure-poppler"):
        sitecheck.pdf_pages(tmp_path / "x.pdf")


# -- scripts/ensure-poppler.sh (apt-get stubbed, as for ensure-chromium.sh) ---------------------------


def run_poppler_script(env_extra: dict[str, str]) -> subprocess.CompletedProcess:
    env = dict(os.environ, **env_extra)
    return subprocess.run(["bash", str(POPPLER_SCRIPT)], env=env, capture_output=True, text=True, timeout=60)


def fake_apt(tmp_path: Path, bin_dir: Path | None) -> Path:
    log = tmp_path / "apt.log"
    stub = tmp_path / "apt-get"
    make = (f'[[ "$1" == install ]] && for t in pdftotext pdftoppm; do printf "#!/bin/sh\\n" > {bin_dir}/$t; '
            f"chmod +x {bin_dir}/$t; done") if bin_dir else ":"
    stub.write_text(f'#!/usr/bin/env bash\necho "$@" >> {log}\n{make}\nexit 0\n')
    stub.chmod(0o755)
    return stub


def test_poppler_present_is_left_alone(tmp_path: Path):
    for tool in ("pdftotext", "pdftoppm"):
        (tmp_path / tool).write_text("#!/bin/sh\n")
        (tmp_path / tool).chmod(0o755)
    proc = run_poppler_script({"POPPLER_BIN_DIR": str(tmp_path), "APT_GET": str(fake_apt(tmp_path, None))})
    assert proc.returncode == 0, proc.stderr
    assert not (tmp_path / "apt.log").exists()


def test_poppler_missing_is_installed_with_apt_get_as_root(tmp_path: Path):
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    proc = run_poppler_script({"POPPLER_BIN_DIR": str(bin_dir), "APT_GET": str(fake_apt(tmp_path, bin_dir))})
    if os.geteuid() != 0:  # not root: a clear failure instead
        assert proc.returncode == 1 and "apt-get install poppler-utils" in proc.stderr
        return
    assert proc.returncode == 0, proc.stderr
    assert (tmp_path / "apt.log").read_text().splitlines() == [
        "update -qq", "install -y -qq --no-install-recommends poppler-utils"]


def test_poppler_apt_get_that_installs_nothing_fails(tmp_path: Path):
    proc = run_poppler_script({"POPPLER_BIN_DIR": str(tmp_path / "none"), "APT_GET": str(fake_apt(tmp_path, None))})
    assert proc.returncode == 1 and "missing" in proc.stderr


# -- the built PDFs (marker `site`) ------------------------------------------------------------------


def site_article(path: Path):
    return BeautifulSoup(path.read_text(encoding="utf-8"), "html.parser").find("article")


def site_pages(pulje: str) -> list[Path]:
    pages = [SITE_DIR / "generated" / f"pulje-{pulje}" / f"{c}.html" for c in pdf.CHAPTER_PAGES]
    return pages + [SITE_DIR / pdf.REFERENCES_PAGE]


def site_headings(pulje: str) -> list[str]:
    """h1/h2 of the site's pages as a reader sees them: «2.1. Læringsmiljøsenteret og …»."""
    out = []
    for page in site_pages(pulje):
        for h in site_article(page).find_all(["h1", "h2"]):
            for link in h.select("a.headerlink"):
                link.decompose()
            out.append(" ".join(h.get_text(" ").split()))
    return out


@pytest.fixture(scope="module")
def built_pdfs() -> dict[str, Path]:
    if shutil.which("pdftotext") is None or shutil.which("pdftoppm") is None:
        pytest.fail("pdftotext/pdftoppm missing; run scripts/ensure-poppler.sh", pytrace=False)
    paths = {p: SITE_DIR / pdf.PDF_DIR / pdf.pdf_name(p) for p in pdf.PULJER}
    missing = [str(p) for p in paths.values() if not p.is_file()]
    if missing:
        pytest.fail(f"no PDFs {missing}; build them with `make pdf` (or LMP_PDF=1 jupyter-book build .)",
                    pytrace=False)
    return paths


@pytest.fixture(scope="module")
def pdf_text(built_pdfs) -> dict[str, list[str]]:
    """Per pulje: the layout text of every page."""
    return {p: sitecheck.pdf_pages(path, layout=True) for p, path in built_pdfs.items()}


PULJE_PARAMS = pytest.mark.parametrize("pulje", pdf.PULJER)


@pytest.mark.site
@PULJE_PARAMS
def test_every_page_carries_the_data_marking_in_its_header(pdf_text, pulje: str):
    cb_source = (BOOK_DATA / "datasource.yml")
    synthetic = cb_source.is_file() and "kind: synthetic" in cb_source.read_text(encoding="utf-8")
    mark = pdf.SYNTHETIC_MARK if synthetic else pdf.REAL_MARK
    pages = pdf_text[pulje]
    assert len(pages) >= 10
    for i, page in enumerate(pages, start=1):
        first = next(line for line in page.splitlines() if line.strip())
        assert first.strip().startswith(mark) and first.strip().endswith(pdf.pulje_label(pulje)), (i, first)
        assert re.search(rf"Side {i} av {len(pages)}\s*$", page.rstrip()), (i, page[-200:])


@pytest.mark.site
@PULJE_PARAMS
def test_title_page_names_pulje_source_and_build_date(pdf_text, built_pdfs, pulje: str):
    title = normalize(pdf_text[pulje][0])
    assert f"Utvalg: {pdf.pulje_label(pulje)}" in title
    banner = site_article(site_pages(pulje)[0]).find("div", class_="admonition").get_text(" ")
    source = re.search(r"Datakilde:\s*(.+?)\s*\.", " ".join(banner.split()))[1]
    assert f"Datakilde: {source}" in title
    built = dt.date.fromtimestamp(built_pdfs[pulje].stat().st_mtime)
    assert f"Bygget {built:%d.%m.%Y}" in title


def heading_lines(pages: list[str]) -> list[tuple[str, int]]:
    return [(" ".join(line.split()), i) for i, page in enumerate(pages, start=1) for line in page.splitlines()]


@pytest.mark.site
@PULJE_PARAMS
def test_headings_numbering_and_toc_equal_the_site(pdf_text, pulje: str):
    expected = site_headings(pulje)
    assert expected[0].startswith("Sammendrag") and expected[-1] == "Referanser"
    assert [h.split()[0] for h in expected if re.match(r"\d\. ", h)] == ["1.", "2.", "3.", "4.", "5."]
    pages = pdf_text[pulje]
    toc_page = next(i for i, p in enumerate(pages) if re.search(r"^\s*Innhold\s*$", p, re.M))
    assert toc_page == 1  # right after the title page
    # the table of contents: every heading, in order, with a page number
    toc = []
    for page in pages[toc_page:toc_page + 2]:
        last = None  # the entry a long title's second line belongs to (the page number stands on its first)
        for line in page.splitlines():
            m = re.match(r"^\s*(\S.*?)\s{2,}(\d+)\s*$", line)
            if m and not line.strip().startswith("PPTs opplevelse"):
                toc.append((" ".join(m[1].split()), int(m[2])))
                last = len(toc) - 1
            elif line.strip() and last is not None and line.startswith("  "):
                toc[last] = (f"{toc[last][0]} {' '.join(line.split())}", toc[last][1])
            else:
                last = None
    assert [t for t, _ in toc] == expected
    # the body: each heading is a line of its own (or two, where a long title wraps), in the same order, on
    # the page the ToC gives
    lines = heading_lines(pages[toc_page + 1:])

    def heading_at(pos: int, heading: str) -> bool:
        wrapped = f"{lines[pos][0]} {lines[pos + 1][0]}" if pos + 1 < len(lines) else None
        return heading in (lines[pos][0], wrapped)

    found = []
    pos = 0
    for heading in expected:
        while pos < len(lines) and not heading_at(pos, heading):
            pos += 1
        assert pos < len(lines), f"heading «{heading}» not found (in order) in the PDF of pulje {pulje}"
        found.append((heading, lines[pos][1] + toc_page + 1))
        pos += 1
    assert found == toc


@pytest.mark.site
@PULJE_PARAMS
def test_figure_and_table_numbers_equal_the_site(pdf_text, pulje: str):
    site = []  # figure captions (Sphinx numbers) and table captions (the report's «Tabell 1: …»), in order
    for page in site_pages(pulje):
        for tag in site_article(page).find_all(lambda t: "caption-number" in (t.get("class") or [])
                                               or t.name == "caption"):
            m = re.match(r"((?:Figur|Tabell) \d+(?:\.\d+)?)", " ".join(tag.get_text().split()))
            if m:
                site.append(m[1])
    assert any(s.startswith("Figur") for s in site) and any(s.startswith("Tabell") for s in site)
    text = "\n".join(pdf_text[pulje])
    # a caption is a line «Figur 2.1 Andel …» / «Tabell 1: Antall …»; prose («Tabell 1 viser …») goes on in lower case
    captions = [m[1] for m in re.finditer(r"^\s*((?:Figur|Tabell) \d+(?:\.\d+)?):?\s+[A-ZÆØÅ]", text, re.M)]
    assert captions == site


def table_rows(pulje: str) -> list[tuple[str, tuple, list[str], list[str]]]:
    """(page, column labels, row cells, the row's body-cell tokens) of every table row on the pulje's pages."""
    out = []
    for page in site_pages(pulje):
        for table in site_article(page).find_all("table"):
            labels, rows = sitecheck._table_grid(table)
            for row in rows:
                tokens = [t for tag, text in row if tag == "td" for t in text.split()]
                out.append((str(page.relative_to(SITE_DIR)), tuple(labels), row, tokens))
    return out


def pdf_table_rows(pulje: str, pages: list[str]) -> list[list[str] | None]:
    """For every site table row, the tokens the PDF shows in its place (None: row not found)."""
    lines = [" ".join(line.split()) for page in pages for line in page.splitlines()]
    pos = 0
    found: list[list[str] | None] = []
    for _, _, row, tokens in table_rows(pulje):
        label = " ".join(row[0][1].split()) if row and row[0][0] == "th" else ""
        hit = None
        for j in range(pos, len(lines)):
            words = lines[j].split()
            if len(words) <= len(tokens):
                continue
            prefix = " ".join(words[: len(words) - len(tokens)])
            if label.startswith(prefix) and words[-len(tokens)] == tokens[0]:
                hit = j
                break
        if hit is None:
            found.append(None)
            continue
        found.append(lines[hit].split()[-len(tokens):])
        pos = hit + 1
    return found


def reread_tables(pulje: str, printed: list[list[str]], site: Path) -> None:
    """The site's tables with every body cell replaced by what the PDF prints in its place, as HTML pages
    under `site` (same paths), so sitecheck's table reader can read the PDF's numbers."""
    for (page, labels, row, _), tokens in zip(table_rows(pulje), printed, strict=True):
        it = iter(tokens)
        cells = "".join(f"<{tag}>{text if tag == 'th' else ' '.join(next(it) for _ in text.split())}</{tag}>"
                        for tag, text in row)
        head = "".join(f"<th>{lab}</th>" for lab in labels)
        path = site / page
        path.parent.mkdir(parents=True, exist_ok=True)
        with open(path, "a", encoding="utf-8") as fh:
            fh.write(f"<table><thead><tr>{head}</tr></thead><tbody><tr>{cells}</tr></tbody></table>\n")


@pytest.mark.site
@PULJE_PARAMS
def test_every_table_row_equals_the_site(pdf_text, pulje: str):
    rows = table_rows(pulje)
    assert len(rows) >= 20
    printed = pdf_table_rows(pulje, pdf_text[pulje])
    assert [(r[2][0][1], r[3], p) for r, p in zip(rows, printed, strict=True) if p != r[3]] == []
    if pulje != "alle":  # every pulje has hidden cells («:»), and the PDF shows them hidden
        assert any(":" in r[3] for r in rows)


@pytest.mark.site
def test_the_pdfs_show_only_true_shares_and_no_small_cell(pdf_text, tmp_path: Path):
    """The shares as printed in the four PDFs, re-read as tables and checked against the true cells
    recomputed from the CSV files: each is a true share, and no cell with 0 < n < min_n is shown or
    recoverable as «alle» minus the other puljer."""
    cb = load_codebook()
    cells = sitecheck.true_cells(BOOK_DATA, cb)
    shown: set = set()
    for pulje in pdf.PULJER:
        printed = pdf_table_rows(pulje, pdf_text[pulje])
        assert None not in printed, pulje
        reread_tables(pulje, printed, tmp_path / pulje)
        values = sitecheck.site_values(tmp_path / pulje, cb)
        assert len(values) >= 24, pulje
        got, unmatched = sitecheck.site_shown_cells(values, cells)
        assert [f"{v.item}/{v.group}/pulje {v.pulje} = {v.text}" for v in unmatched] == []
        shown |= got
    assert sitecheck.disclosure_problems(cells, shown, BOOK_MIN_N) == []


@pytest.mark.site
@PULJE_PARAMS
def test_quotes_are_set_as_quotes(pdf_text, pulje: str):
    text = normalize("\n".join(pdf_text[pulje]))
    quotes = []
    for page in site_pages(pulje):
        for bq in site_article(page).find_all("blockquote"):
            first = bq.find("p")
            quotes.append(" ".join(first.get_text(" ").split()[:6]))
    assert len(quotes) >= 10
    assert [q for q in quotes if f"«{q}" not in text] == []


@pytest.mark.site
def test_pdfs_hold_no_respondent_data(built_pdfs):
    ids = respondent_ids(BOOK_DATA)
    assert ids and len(list(SITE_DIR.rglob("*.pdf"))) >= len(pdf.PULJER)
    assert [str(f) for f in sitecheck.pdf_privacy_findings(SITE_DIR, ids, survey_csvs(BOOK_DATA))] == []


@pytest.mark.site
def test_every_chapter_page_links_its_pulje_pdf(built_pdfs):
    for pulje in built_pdfs:
        for page in site_pages(pulje)[:-1] + [SITE_DIR / "book" / "index.html"]:
            soup = BeautifulSoup(page.read_text(encoding="utf-8"), "html.parser")
            links = [a for a in soup.select(".lmp-pdf-link a") if a.get_text() == lmp_pdf.LINK_TEXT]
            want = "alle" if page.name == "index.html" else pulje
            assert len(links) == 1, page
            assert (page.parent / links[0]["href"]).resolve() == built_pdfs[want].resolve(), page


@pytest.mark.site
def test_render_title_toc_and_a_figure_page_to_png(pdf_text, built_pdfs):
    """Pages 1 and 3 and the page of Figur 2.1 of pulje 1 as PNG in test-output/pdf/ (for a person to look at)."""
    OUTPUT_DIR.mkdir(parents=True, exist_ok=True)
    pages = pdf_text["1"]
    figure_page = next(i for i, p in enumerate(pages, start=1) if re.search(r"^\s*Figur 2\.1\s", p, re.M))
    from PIL import Image

    for number in (1, 3, figure_page):
        stem = OUTPUT_DIR / f"pulje-1-side-{number}"
        proc = subprocess.run(["pdftoppm", "-png", "-r", "60", "-singlefile", "-f", str(number), "-l", str(number),
                               str(built_pdfs["1"]), str(stem)], capture_output=True, text=True)
        assert proc.returncode == 0, proc.stderr
        with Image.open(f"{stem}.png") as im:
            width, height = im.size
            assert abs(height / width - 297 / 210) < 0.01  # A4
            # not blank: a real page has ink
            assert im.convert("L").getextrema()[0] < 100
