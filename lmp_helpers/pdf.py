"""The report as a PDF per pulje, printed by the local chromium from the built site.

Route (why not LaTeX: benchmarks/README.md, «bench_pdf.py»): the chapter pages of one pulje in `_build/html` are
assembled into one print page (title page, table of contents, Sammendrag, chapters 1–5, references), which
headless chromium prints to A4 with a header (data source and pulje on every page) and page numbers. The
figures, tables, numbering and quotes are the site's own HTML, so the PDF cannot disagree with the site.

* Hyphenation: Debian's chromium has no hyphenation dictionaries (`hyphens: auto` does nothing offline),
  so soft hyphens from pyphen's nb_NO patterns are put into the running text (not into headings, captions
  or tables, whose text the tests compare with the site).
* Page numbers in the table of contents need a second pass: the first print has the headings as PDF
  bookmarks (chromium's outline), whose pages pypdf reads; the second print fills them in. The slots have a
  fixed width, so the second pass does not move anything.
* Offline: the page is a local file, and chromium runs with background networking off.
"""

from __future__ import annotations

import datetime as dt
import html
import os
import re
import tempfile
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import unquote, urldefrag, urlsplit

from bs4 import BeautifulSoup, NavigableString, Tag

from lmp_helpers.errors import LmpError

PULJER: tuple[str, ...] = ("alle", "1", "2", "3")
# The report's order: Sammendrag (unnumbered), chapters 1–5, then the references.
CHAPTER_PAGES: tuple[str, ...] = (
    "sammendrag", "introduksjon", "kunnskapstilforsel", "praksisendring", "ppts_rolle", "oppsummering",
)
REFERENCES_PAGE = "book/referanser.html"
PDF_DIR = "pdf"  # under the site's root
TITLE = "PPTs opplevelse og rolle i Læringsmiljøprosjektet"
SUBTITLE = "Delrapport 2 i evalueringen av Læringsmiljøprosjektet – reproduserbar utgave"
SYNTHETIC_MARK = "Syntetiske data – ikke funn fra evalueringen"
REAL_MARK = "Ekte surveydata"
CHROMIUM_ARGS = ["--no-sandbox", "--disable-background-networking"]
HYPHENATE_TAGS = {"p", "li", "dd"}
NO_HYPHENATION_INSIDE = {"table", "figcaption", "h1", "h2", "h3", "h4", "code", "pre", "summary"}
NO_HYPHENATION_CLASSES = {"admonition", "lmp-details-title"}  # the banner, a caption-like line
MIN_HYPHENATED_WORD = 8
DOWNLOAD_LEFTOVER_RE = re.compile(r"[\s:·|,;/()–-]*(?:Last ned[^.]*?)?[\s:·|,;/()–.-]*", re.IGNORECASE)
WORD_RE = re.compile(rf"[A-Za-zÆØÅæøåÉéÜüÖöÄä]{{{MIN_HYPHENATED_WORD},}}")


def pdf_name(pulje: str) -> str:
    """File name of a pulje's PDF: `lmp-rapport-pulje-2.pdf`."""
    return f"lmp-rapport-pulje-{pulje}.pdf"


def pulje_label(pulje: str) -> str:
    return "Alle puljer" if pulje == "alle" else f"Pulje {pulje}"


def page_pulje(pagename: str) -> str:
    """The pulje a site page belongs to (its PDF is linked from it): chapter pages and pulje overview pages
    their own, everything else (front page, appendices) all pulje."""
    m = re.match(r"generated/pulje-(alle|\d+)/", pagename) or re.fullmatch(r"book/pulje-(\d+)", pagename)
    return m[1] if m else "alle"


def chromium_path() -> str:
    return os.environ.get("LMP_CHROMIUM") or "/usr/bin/chromium"


@dataclass(frozen=True)
class Heading:
    level: int  # 1 = chapter, 2 = section
    number: str  # «2.1.» as the site shows it, "" for unnumbered
    title: str
    anchor: str

    @property
    def text(self) -> str:
        return f"{self.number} {self.title}".strip()


@dataclass
class PrintBook:
    pulje: str
    html: str
    headings: list[Heading]
    synthetic: bool
    source: str


# -- assembly ---------------------------------------------------------------------------------------


def _page_paths(site_dir: Path, pulje: str) -> list[tuple[str, Path]]:
    pages = [(c, site_dir / "generated" / f"pulje-{pulje}" / f"{c}.html") for c in CHAPTER_PAGES]
    pages.append(("referanser", site_dir / REFERENCES_PAGE))
    missing = [str(p.relative_to(site_dir)) for _, p in pages if not p.is_file()]
    if missing:
        raise LmpError(f"PDF for {pulje_label(pulje).lower()}: mangler sider i {site_dir}: {', '.join(missing)} "
                       "(bygg nettstedet først: make book)")
    return pages


def _heading_parts(h: Tag) -> tuple[str, str]:
    num = h.find("span", class_="section-number")
    number = " ".join(num.get_text().split()) if num else ""
    title = " ".join(h.get_text(" ").split())
    if number and title.startswith(number):
        title = title[len(number):].strip()
    return number, title


def data_source(article: Tag) -> tuple[bool, str]:
    """(synthetic?, the data source as the page's banner names it)."""
    for adm in article.find_all("div", class_="admonition"):
        title = adm.find("p", class_="admonition-title")
        text = " ".join(adm.get_text(" ").split())
        m = re.search(r"Datakilde:\s*([^.]+?)\s*\.", text)
        if m:
            synthetic = bool(title and title.get_text(strip=True).startswith("Syntetiske data"))
            return synthetic, m[1]
    raise LmpError("fant ikke datakilden (banneret «Datakilde: …») på kapittelsiden")


def _rewrite_links(article: Tag, key: str, page: Path, site_dir: Path, keys_by_path: dict[Path, str]) -> None:
    for tag in article.find_all(id=True):
        tag["id"] = f"{key}--{tag['id']}"
    for a in article.find_all("a", href=True):
        href = a["href"]
        if urlsplit(href).scheme:
            continue
        base, frag = urldefrag(href)
        target = page if not base else (page.parent / unquote(base)).resolve()
        other = keys_by_path.get(target)
        if other is None:  # a page that is not in the PDF (glossary, appendices): keep the words
            a.unwrap()
            continue
        a["href"] = f"#{other}--{frag}" if frag else f"#kap-{other}"
    for img in article.find_all("img", src=True):
        if not img["src"].startswith("data:"):
            img["src"] = (page.parent / unquote(img["src"])).resolve().as_uri()


def _hyphenate_text(text: str, dic) -> str:
    return WORD_RE.sub(lambda m: dic.inserted(m[0], hyphen="\u00ad"), text)


def hyphenate(root: Tag, dic) -> None:
    """Soft hyphens (nb_NO patterns) in the running text's long words."""
    for node in list(root.find_all(string=True)):
        if not isinstance(node, NavigableString) or type(node) is not NavigableString:
            continue
        parents = list(node.parents)
        names = [p.name for p in parents]
        if (any(n in NO_HYPHENATION_INSIDE for n in names) or not any(n in HYPHENATE_TAGS for n in names)
                or any(NO_HYPHENATION_CLASSES & set(p.get("class") or []) for p in parents)):
            continue
        new = _hyphenate_text(str(node), dic)
        if new != str(node):
            node.replace_with(NavigableString(new))


def _is_download(a: Tag) -> bool:
    """A link to a file to download (CSV, XLSX, zip, PDF …): meaningless on paper."""
    if "download" in (a.get("class") or []) or a.has_attr("download"):
        return True
    path = urlsplit(a.get("href", "")).path
    return bool(path) and not urlsplit(a["href"]).scheme and Path(path).suffix.lower() not in {"", ".html", ".htm"}


def _clean(article: Tag) -> None:
    for tag in article.select("a.headerlink, .lmp-pdf-link, style"):
        tag.decompose()
    # download links (the site's «Last ned tallene»): gone, and a line left with nothing but their lead-in too
    for a in [a for a in article.find_all("a", href=True) if _is_download(a)]:
        if a.decomposed:  # inside a line already removed
            continue
        block = a.find_parent(["p", "li", "div"])
        a.decompose()
        if block is not None and DOWNLOAD_LEFTOVER_RE.fullmatch(block.get_text(" ", strip=True)):
            block.decompose()
    # The pulje switch («Vis kapitlet for: …») is navigation, not content.
    for p in article.find_all("p"):
        if p.get_text(" ", strip=True).startswith("Vis kapitlet for"):
            p.decompose()
    # Collapsed extras are printed open, their summary as a small heading.
    for details in article.find_all("details"):
        summary = details.find("summary")
        if summary is not None:
            text = summary.get_text(" ", strip=True)
            text = re.sub(r"^Vis ", "", text)
            summary.name = "p"
            summary.attrs = {"class": ["lmp-details-title"]}
            summary.string = text[:1].upper() + text[1:]
        details.name = "div"
        details.attrs = {"class": ["lmp-details"]}


def assemble(site_dir: Path, pulje: str, build_date: dt.date | None = None, hyphenation: bool = True) -> PrintBook:
    """One print page for a pulje from the built site's pages."""
    site_dir = Path(site_dir).resolve()
    if pulje not in PULJER:
        raise LmpError(f"ugyldig pulje {pulje!r} for PDF; tillatt: {', '.join(PULJER)}")
    build_date = build_date or dt.date.today()
    pages = _page_paths(site_dir, pulje)
    keys_by_path = {p.resolve(): k for k, p in pages}
    dic = None
    if hyphenation:
        import pyphen

        dic = pyphen.Pyphen(lang="nb_NO", left=2, right=3)
    parts: list[str] = []
    headings: list[Heading] = []
    synthetic, source = None, None
    for key, path in pages:
        soup = BeautifulSoup(path.read_text(encoding="utf-8"), "html.parser")
        article = soup.find("article")
        if article is None:
            raise LmpError(f"{path}: ingen <article> (er dette en side fra Jupyter Book?)")
        if key == CHAPTER_PAGES[0]:
            synthetic, source = data_source(article)
        _clean(article)
        _rewrite_links(article, key, path, site_dir, keys_by_path)
        for h in article.find_all(["h1", "h2"]):
            number, title = _heading_parts(h)
            section = h.find_parent("section")
            anchor = section["id"] if section is not None and section.get("id") else f"kap-{key}"
            headings.append(Heading(int(h.name[1]), number, title, anchor))
        if dic is not None:
            hyphenate(article, dic)
        article.name = "div"
        article.attrs = {"class": ["lmp-chapter", f"lmp-chapter-{key}"], "id": f"kap-{key}"}
        parts.append(str(article))
    assert synthetic is not None and source is not None
    body = _title_page(pulje, synthetic, source, build_date) + _toc(headings, None) + "\n".join(parts)
    page = (f'<!DOCTYPE html>\n<html lang="nb"><head><meta charset="utf-8"><title>{html.escape(TITLE)} – '
            f'{pulje_label(pulje)}</title><style>{PRINT_CSS}</style></head><body>{body}</body></html>')
    return PrintBook(pulje, page, headings, synthetic, source)


def _title_page(pulje: str, synthetic: bool, source: str, build_date: dt.date) -> str:
    mark = (f'<div class="lmp-title-mark"><p><strong>{SYNTHETIC_MARK}</strong></p><p>Tallene i denne utgaven er '
            "beregnet fra et kunstig datasett som er laget for å etterligne rapportens publiserte tall. De er ikke "
            "svar fra ekte respondenter og skal ikke leses som funn.</p></div>") if synthetic else ""
    return (
        '<div class="lmp-title-page">'
        f'<p class="lmp-title">{html.escape(TITLE)}</p>'
        f'<p class="lmp-subtitle">{html.escape(SUBTITLE)}</p>'
        f'<p class="lmp-title-pulje">Utvalg: <strong>{pulje_label(pulje)}</strong></p>'
        f'<p class="lmp-title-source">Datakilde: <strong>{html.escape(source)}</strong></p>'
        f"{mark}"
        f'<p class="lmp-title-date">Bygget {build_date:%d.%m.%Y} fra mikrodata med <code>lmp run</code> og '
        "Jupyter Book, skrevet ut med chromium.</p>"
        '<p class="lmp-title-credit">Rapporten: NTNU Samfunnsforskning, 2017. Teksten i denne utgaven er '
        "bidragsyternes egen gjengivelse; tallene er beregnet på nytt fra dataene.</p>"
        "</div>"
    )


def _toc(headings: list[Heading], pages: list[int] | None) -> str:
    items = []
    for i, h in enumerate(headings):
        page = str(pages[i]) if pages is not None else "000"
        num = f'<span class="lmp-toc-num">{html.escape(h.number)}</span>' if h.number else ""
        items.append(f'<li class="lmp-toc-l{h.level}"><a href="#{h.anchor}">{num}'
                     f'<span class="lmp-toc-title">{html.escape(h.title)}</span></a>'
                     f'<span class="lmp-toc-page">{page}</span></li>')
    return f'<div class="lmp-toc"><p class="lmp-toc-heading">Innhold</p><ul>{"".join(items)}</ul></div>'


# -- printing ---------------------------------------------------------------------------------------


def header_footer(pulje: str, synthetic: bool, build_date: dt.date) -> tuple[str, str]:
    mark = SYNTHETIC_MARK if synthetic else REAL_MARK
    style = "font-size:9px;width:100%;margin:0 15mm;font-family:sans-serif;color:#333;"
    header = (f'<div style="{style}display:flex;justify-content:space-between;">'
              f"<span>{html.escape(mark)}</span><span>{pulje_label(pulje)}</span></div>")
    footer = (f'<div style="{style}display:flex;justify-content:space-between;">'
              f"<span>{html.escape(TITLE)} · bygget {build_date:%d.%m.%Y}</span>"
              '<span>Side <span class="pageNumber"></span> av <span class="totalPages"></span></span></div>')
    return header, footer


def outline_pages(pdf_path: Path) -> list[tuple[str, int]]:
    """(title, 1-based page) of every bookmark, in document order."""
    from pypdf import PdfReader

    reader = PdfReader(str(pdf_path))
    out: list[tuple[str, int]] = []

    def walk(items):
        for item in items:
            if isinstance(item, list):
                walk(item)
            else:
                out.append((" ".join(str(item.title).split()), reader.get_destination_page_number(item) + 1))

    walk(reader.outline)
    return out


def heading_pages(headings: list[Heading], outline: list[tuple[str, int]]) -> list[int]:
    """The page of each heading, matched in order against the PDF's bookmarks (chromium makes one per h1–h6)."""
    def key(text: str) -> str:
        # chromium drops the space where a long heading wraps («bidrag tilkompetanseheving»), and the
        # bookmarks keep the soft hyphens: compare without either
        return "".join(text.replace("\u00ad", "").split())

    pages = []
    rest = list(outline)
    for h in headings:
        while rest and key(rest[0][0]) != key(h.text):
            rest.pop(0)
        if not rest:
            raise LmpError(f"PDF: fant ikke overskriften «{h.text}» blant bokmerkene; innholdsfortegnelsen "
                           "kan ikke få sidetall")
        pages.append(rest.pop(0)[1])
    return pages


def print_books(site_dir: Path, out_dir: Path, puljer: tuple[str, ...] = PULJER,
                build_date: dt.date | None = None) -> list[Path]:
    """Print every pulje's PDF into out_dir (written whole: a temporary file renamed at the end)."""
    from playwright.sync_api import sync_playwright

    site_dir, out_dir = Path(site_dir), Path(out_dir)
    build_date = build_date or dt.date.today()
    exe = chromium_path()
    if not Path(exe).is_file():
        raise LmpError(f"PDF: finner ikke chromium ({exe}); kjør scripts/ensure-chromium.sh eller sett LMP_CHROMIUM")
    books = [assemble(site_dir, p, build_date) for p in puljer]
    out_dir.mkdir(parents=True, exist_ok=True)
    written = []
    with tempfile.TemporaryDirectory(prefix="lmp-pdf-") as tmp, sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=exe, args=CHROMIUM_ARGS)
        try:
            for book in books:
                header, footer = header_footer(book.pulje, book.synthetic, build_date)
                options = dict(format="A4", display_header_footer=True, header_template=header,
                               footer_template=footer, print_background=True, outline=True, tagged=True,
                               margin={"top": "20mm", "bottom": "18mm", "left": "20mm", "right": "20mm"})
                src = Path(tmp) / f"pulje-{book.pulje}.html"
                first = Path(tmp) / f"pulje-{book.pulje}.pass1.pdf"
                page = browser.new_page()
                src.write_text(book.html, encoding="utf-8")
                page.goto(src.as_uri(), wait_until="load")
                page.pdf(path=str(first), **options)
                pages = heading_pages(book.headings, outline_pages(first))
                toc_marker = _toc(book.headings, None)
                html_final = book.html.replace(toc_marker, _toc(book.headings, pages), 1)
                src.write_text(html_final, encoding="utf-8")
                page.goto(src.as_uri(), wait_until="load")
                target = out_dir / pdf_name(book.pulje)
                partial = target.with_suffix(".pdf.part")
                page.pdf(path=str(partial), **options)
                page.close()
                check = heading_pages(book.headings, outline_pages(partial))
                if check != pages:
                    raise LmpError(f"PDF {target.name}: sidetallene flyttet seg i andre utskrift ({pages} → {check})")
                partial.replace(target)
                written.append(target)
        finally:
            browser.close()
    return written


PRINT_CSS = """
@page { size: A4; }
html { font-family: "DejaVu Serif", "Liberation Serif", serif; font-size: 10.5pt; line-height: 1.4; color: #111; }
body { margin: 0; }
p, li { text-align: justify; hyphens: manual; orphans: 3; widows: 3; }
h1, h2, h3 { font-family: "DejaVu Sans", "Liberation Sans", sans-serif; break-after: avoid; line-height: 1.2; }
h1 { font-size: 18pt; margin: 0 0 12pt; }
h2 { font-size: 13pt; margin: 16pt 0 6pt; }
h3 { font-size: 11pt; }
.lmp-chapter { break-before: page; }
.lmp-title-page { break-after: page; padding-top: 40mm; }
.lmp-title { font-family: "DejaVu Sans", sans-serif; font-size: 24pt; font-weight: bold; margin: 0 0 8pt;
  text-align: left; }
.lmp-subtitle { font-size: 13pt; margin: 0 0 30mm; text-align: left; }
.lmp-title-pulje, .lmp-title-source { font-size: 13pt; text-align: left; margin: 4pt 0; }
.lmp-title-mark { border: 2pt solid #b00; padding: 6pt 10pt; margin: 14mm 0; background: #fff4f4; }
.lmp-title-mark p { text-align: left; }
.lmp-title-date, .lmp-title-credit { font-size: 9.5pt; text-align: left; }
.lmp-toc { break-after: page; }
.lmp-toc-heading { font-family: "DejaVu Sans", sans-serif; font-size: 18pt; font-weight: bold; margin: 0 0 12pt; }
.lmp-toc ul { list-style: none; padding: 0; margin: 0; }
.lmp-toc li { display: flex; align-items: baseline; text-align: left; margin: 3pt 0; }
.lmp-toc a { color: inherit; text-decoration: none; flex: 1; display: flex; }
.lmp-toc a::after { content: ""; flex: 1; border-bottom: 1px dotted #777; margin: 0 4pt; }
.lmp-toc-l1 { font-weight: bold; margin-top: 8pt !important; }
.lmp-toc-l2 { padding-left: 2.2em; }
.lmp-toc-num { min-width: 2.4em; display: inline-block; }
.lmp-toc-page { min-width: 2em; text-align: right; font-variant-numeric: tabular-nums; }
a { color: #14457a; text-decoration: none; }
img { max-width: 100%; }
figure { margin: 10pt 0; break-inside: avoid; text-align: center; }
figure img { max-height: 200mm; }
figcaption { font-size: 9.5pt; text-align: left; margin-top: 4pt; }
figcaption p { text-align: left; }
.caption-number { font-weight: bold; }
.lmp-details { break-inside: avoid; margin: 8pt 0; }
.lmp-details img { max-height: 180mm; }
.lmp-details-title { font-size: 9.5pt; font-style: italic; text-align: left; }
blockquote { margin: 8pt 0 8pt 8mm; padding: 2pt 0 2pt 4mm; border-left: 2pt solid #999; font-style: italic;
  break-inside: avoid; }
blockquote p:last-child { font-style: normal; font-size: 9pt; text-align: left; color: #333; }
blockquote p:first-child::before { content: "«"; }
blockquote p:first-child::after { content: "»"; }
blockquote p:only-child::after, blockquote p:only-child::before { content: none; }
table { border-collapse: collapse; font-size: 8.5pt; margin: 6pt 0; break-inside: auto;
  font-family: "DejaVu Sans", sans-serif; }
th, td { border: 0.5pt solid #bbb; padding: 1.5pt 4pt; vertical-align: top; text-align: left; }
td { white-space: nowrap; }
thead { display: table-header-group; }
tr { break-inside: avoid; }
.admonition { border: 1pt solid #b00; padding: 4pt 8pt; margin: 8pt 0; break-inside: avoid; background: #fff8f8; }
.admonition-title { font-weight: bold; margin: 0; }
.cell_output .output { overflow: visible; }
code { font-size: 9pt; }
.citation { display: flex; gap: 6pt; }
.citation .label { min-width: 2.5em; }
.bibtex-citation a { color: inherit; }
"""
