"""Static checks of a built HTML site: offline assets, internal links, respondent-level data.

Used by the browser and privacy tests on `_build/html` and unit-tested on small fixture sites, so every
check is shown to fail on a broken input. Each function returns a list of findings (empty = clean);
the caller decides how to report them.
"""

from __future__ import annotations

import csv
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import unquote, urldefrag, urlsplit

from bs4 import BeautifulSoup

# Tags/attributes whose URL the browser fetches on its own while loading a page (not navigations).
RESOURCE_ATTRS: tuple[tuple[str, str], ...] = (
    ("script", "src"),
    ("link", "href"),
    ("img", "src"),
    ("img", "srcset"),
    ("source", "src"),
    ("source", "srcset"),
    ("iframe", "src"),
    ("embed", "src"),
    ("object", "data"),
    ("video", "src"),
    ("video", "poster"),
    ("audio", "src"),
    ("track", "src"),
    ("input", "src"),
)
# <link rel=...> values that are hints or metadata, not fetched as page resources. Anything else
# (stylesheet, icon, preload, modulepreload, manifest, ...) loads.
NON_LOADING_LINK_RELS = {"canonical", "alternate", "author", "license", "help", "next", "prev", "search", "index"}
# url(...) and @import in CSS, inline or in files.
CSS_URL_RE = re.compile(r"""url\(\s*(['"]?)([^'")]+)\1\s*\)|@import\s+(['"])([^'"]+)\3""", re.IGNORECASE)
TEXT_SUFFIXES = {".html", ".htm", ".js", ".json", ".css", ".txt", ".csv", ".ipynb", ".md", ".xml", ".svg", ".map"}


@dataclass(frozen=True)
class Finding:
    """One problem: which file, what, and the offending value."""

    file: str
    kind: str
    detail: str

    def __str__(self) -> str:
        return f"{self.file}: {self.kind}: {self.detail}"


def is_external(url: str) -> bool:
    """True for a URL that leaves the site: absolute http(s), protocol-relative, or another scheme host."""
    url = url.strip()
    if url.startswith("//"):
        return True
    parts = urlsplit(url)
    return parts.scheme in {"http", "https", "ws", "wss", "ftp"}


def html_files(site_dir: Path) -> list[Path]:
    """The site's pages. `_static/` holds theme template fragments (Jinja macros), not pages."""
    root = Path(site_dir)
    return sorted(p for p in root.rglob("*.html") if p.is_file() and "_static" not in p.relative_to(root).parts)


def _soup(path: Path) -> BeautifulSoup:
    return BeautifulSoup(path.read_text(encoding="utf-8", errors="replace"), "html.parser")


def _srcset_urls(value: str) -> list[str]:
    return [part.strip().split()[0] for part in value.split(",") if part.strip()]


def _css_urls(text: str) -> list[str]:
    return [m.group(2) or m.group(4) for m in CSS_URL_RE.finditer(text)]


def resource_urls(soup: BeautifulSoup) -> list[tuple[str, str]]:
    """(tag, url) for every resource the page loads by itself: scripts, styles, images, frames, CSS url()."""
    found: list[tuple[str, str]] = []
    for tag_name, attr in RESOURCE_ATTRS:
        for tag in soup.find_all(tag_name):
            value = tag.get(attr)
            if not value:
                continue
            if tag_name == "link":
                rels = {r.lower() for r in (tag.get("rel") or [])}
                if rels and rels <= NON_LOADING_LINK_RELS:
                    continue
            urls = _srcset_urls(value) if attr == "srcset" else [value]
            found.extend((f"<{tag_name} {attr}>", u) for u in urls)
    for style in soup.find_all("style"):
        found.extend(("<style>", u) for u in _css_urls(style.get_text()))
    for tag in soup.find_all(style=True):
        found.extend((f"<{tag.name} style>", u) for u in _css_urls(tag["style"]))
    return found


def external_resources(site_dir: Path) -> list[Finding]:
    """Every resource (HTML tag or CSS file) that would be fetched from outside the site."""
    site_dir = Path(site_dir)
    findings = []
    for path in html_files(site_dir):
        rel = str(path.relative_to(site_dir))
        for tag, url in resource_urls(_soup(path)):
            if is_external(url):
                findings.append(Finding(rel, f"external resource {tag}", url))
    for path in sorted(site_dir.rglob("*.css")):
        rel = str(path.relative_to(site_dir))
        for url in _css_urls(path.read_text(encoding="utf-8", errors="replace")):
            if is_external(url):
                findings.append(Finding(rel, "external resource in CSS", url))
    return findings


def _anchors(soup: BeautifulSoup) -> set[str]:
    ids = {t["id"] for t in soup.find_all(id=True)}
    ids |= {t["name"] for t in soup.find_all("a", attrs={"name": True})}
    return ids


def _resolve(site_dir: Path, page: Path, url: str) -> Path | None:
    """Filesystem path an internal URL points to, as a static server would serve it."""
    path_part = unquote(urlsplit(url).path)
    if path_part.startswith("/"):
        target = site_dir / path_part.lstrip("/")
    elif path_part == "":
        target = page
    else:
        target = page.parent / path_part
    target = target.resolve()
    if target.is_dir():
        target = target / "index.html"
    return target


def broken_links(site_dir: Path, check_anchors: bool = True) -> list[Finding]:
    """Internal href/src that point to a missing file or a missing #anchor (external links are skipped)."""
    site_dir = Path(site_dir).resolve()
    anchor_cache: dict[Path, set[str]] = {}
    findings = []
    pages = html_files(site_dir)
    soups = {p: _soup(p) for p in pages}

    def anchors_of(path: Path) -> set[str]:
        if path not in anchor_cache:
            anchor_cache[path] = _anchors(soups[path] if path in soups else _soup(path))
        return anchor_cache[path]

    for page in pages:
        rel = str(page.relative_to(site_dir))
        soup = soups[page]
        urls = [("a href", a.get("href")) for a in soup.find_all("a", href=True)]
        urls += [(tag, u) for tag, u in resource_urls(soup)]
        for tag, url in urls:
            url = (url or "").strip()
            if not url or is_external(url):
                continue
            scheme = urlsplit(url).scheme
            if scheme in {"mailto", "tel", "javascript", "data"}:
                continue
            base, fragment = urldefrag(url)
            target = _resolve(site_dir, page, base)
            try:
                target.relative_to(site_dir)
            except ValueError:
                findings.append(Finding(rel, f"link outside the site ({tag})", url))
                continue
            if not target.is_file():
                findings.append(Finding(rel, f"broken link ({tag})", url))
                continue
            if check_anchors and fragment and target.suffix in {".html", ".htm"}:
                if unquote(fragment) not in anchors_of(target):
                    findings.append(Finding(rel, f"missing anchor ({tag})", url))
    return findings


def text_files(site_dir: Path) -> Iterator[Path]:
    for path in sorted(Path(site_dir).rglob("*")):
        if path.is_file() and path.suffix.lower() in TEXT_SUFFIXES:
            yield path


def id_pattern(ids: Iterable[str]) -> re.Pattern | None:
    """A regex that matches ids of the same shape as the given ones ("ppt-001" -> ppt-\\d+)."""
    shapes = sorted({re.sub(r"\d+", r"\\d+", re.escape(i)) for i in ids if i})
    if not shapes:
        return None
    return re.compile(r"(?<![\w-])(?:" + "|".join(shapes) + r")(?![\w-])", re.IGNORECASE)


def _site_texts(site_dir: Path) -> Iterator[tuple[str, str]]:
    """(name, text) of every text file in the site, and of every XLSX and zip member (its cells / text),
    so a downloadable file is read as well as a page."""
    site_dir = Path(site_dir)
    for path in text_files(site_dir):
        yield str(path.relative_to(site_dir)), path.read_text(encoding="utf-8", errors="replace")
    for name, table in download_tables(site_dir):
        if Path(name.split("!")[0]).suffix.lower() == ".csv":
            continue  # a loose CSV is read above as a text file
        yield name, "\n".join(";".join(row) for row in table)


def respondent_ids_in(site_dir: Path, ids: Iterable[str]) -> list[Finding]:
    """Every text file (and downloadable XLSX or zip member) in the site that contains a respondent id (or
    one shaped like it)."""
    site_dir = Path(site_dir)
    pattern = id_pattern(ids)
    if pattern is None:
        raise ValueError("no respondent ids given: cannot build an id pattern")
    findings = []
    for name, text in _site_texts(site_dir):
        hits = sorted(set(m.group(0) for m in pattern.finditer(text)))
        if hits:
            shown = ", ".join(hits[:5]) + (" ..." if len(hits) > 5 else "")
            findings.append(Finding(name, "respondent id", shown))
    return findings


def raw_data_in(site_dir: Path, csv_files: Iterable[Path], min_rows: int = 1) -> list[Finding]:
    """Files in the site holding a raw data file: a copy by name/bytes, its header line or any data row."""
    site_dir = Path(site_dir)
    findings = []
    signatures: list[tuple[str, str]] = []  # (label, text that must not appear)
    names = set()
    contents = set()
    for csv_path in csv_files:
        csv_path = Path(csv_path)
        names.add(csv_path.name)
        raw = csv_path.read_bytes()
        contents.add(raw)
        lines = raw.decode("utf-8-sig", errors="replace").splitlines()
        if lines:
            signatures.append((f"header of {csv_path.name}", lines[0].strip()))
        for line in lines[1:]:
            if line.strip():
                signatures.append((f"data row of {csv_path.name}", line.strip()))
    for path in sorted(Path(site_dir).rglob("*")):
        if not path.is_file():
            continue
        rel = str(path.relative_to(site_dir))
        if path.name in names:
            findings.append(Finding(rel, "raw data file name", path.name))
        if path.read_bytes() in contents:
            findings.append(Finding(rel, "raw data file copy", path.name))
            continue
        if path.suffix.lower() not in TEXT_SUFFIXES:
            continue
        text = path.read_text(encoding="utf-8", errors="replace")
        hits = [label for label, sig in signatures if sig and sig in text]
        if len(hits) >= min_rows:
            findings.append(Finding(rel, "raw data content", f"{len(hits)} line(s), e.g. {hits[0]}"))
    return findings


def csv_rows(path: Path) -> list[dict[str, str]]:
    with open(path, encoding="utf-8-sig", newline="") as fh:
        return list(csv.DictReader(fh))


# -- small-cell privacy -----------------------------------------------------------------------------
# Recomputed here straight from the CSV files and the codebook (not through the code under test), so the
# check does not inherit a bug in the suppression it verifies.


@dataclass(frozen=True)
class Cell:
    """One published number: top-two count (bars) or one category's count (distribution) in one pulje."""

    figure: str
    item: str  # item id; for a distribution the category label
    group: str
    pulje: str  # "1", "2", "3" or "alle"
    n: int  # respondents with a substantive answer in this group/pulje
    k: int  # respondents counted in the published share


def _code(value: str) -> int | None:
    value = (value or "").strip()
    if not value:
        return None
    return int(float(value))


def true_cells(data_dir: Path, codebook) -> dict[tuple[str, str, str, str], Cell]:
    """Every cell the book can publish, keyed (figure, item, group, pulje), with its true n and k."""
    data_dir = Path(data_dir)
    cells: dict[tuple[str, str, str, str], Cell] = {}
    pulje_keys = [str(p) for p in codebook.pulje_values] + [codebook.pulje_all]
    for fig in codebook.figures.values():
        if fig.kind not in {"grouped_bars", "distribution"}:
            continue
        for group in fig.groups:
            path = data_dir / codebook.groups[group].file
            rows = csv_rows(path)
            for item in fig.items:
                if group not in codebook.items[item].groups:
                    continue
                for p in pulje_keys:
                    sel = [r for r in rows if p == codebook.pulje_all or str(_code(r[codebook.pulje_column])) == p]
                    codes = [c for c in (_code(r.get(item, "")) for r in sel) if c is not None]
                    n = len(codes)
                    if fig.kind == "grouped_bars":
                        k = sum(c in codebook.top_two for c in codes)
                        cells[(fig.key, item, group, p)] = Cell(fig.key, item, group, p, n, k)
                    else:
                        for code, label in codebook.scale.items():
                            k = sum(c == code for c in codes)
                            cells[(fig.key, label, group, p)] = Cell(fig.key, label, group, p, n, k)
    return cells


def disclosure_problems(
    cells: dict[tuple[str, str, str, str], Cell], shown: set[tuple[str, str, str, str]], min_n: int = 5
) -> list[str]:
    """Cells with 0 < n < min_n whose share is shown, or can be recovered as «alle» minus the other puljer.

    `shown` holds the keys of cells whose share (or interval) is visible. A cell with n = 0 reveals nothing
    and counts as known. A relation alle = pulje 1 + 2 + 3 with exactly one unknown cell gives that cell away.
    """
    problems = []
    for key in sorted(shown):
        cell = cells.get(key)
        if cell is not None and 0 < cell.n < min_n:
            problems.append(f"{key}: share shown for n={cell.n} < {min_n}")
    relations: dict[tuple[str, str, str], list[Cell]] = {}
    for key, cell in cells.items():
        relations.setdefault(key[:3], []).append(cell)
    for rel_key, members in sorted(relations.items()):
        unknown = [c for c in members if (c.figure, c.item, c.group, c.pulje) not in shown and c.n > 0]
        if len(unknown) == 1 and 0 < unknown[0].n < min_n:
            c = unknown[0]
            others = ", ".join(m.pulje for m in members if m is not c)
            problems.append(
                f"{rel_key} pulje {c.pulje} (n={c.n}) is hidden but recoverable by subtraction from pulje {others}"
            )
    return problems


def shown_in_export(rows: Iterable[dict[str, str]], codebook) -> tuple[set[tuple[str, str, str, str]], list[str]]:
    """Keys of cells whose share/interval is visible in exported table rows, plus format problems.

    `item` may be the item id or its label (bars) or the category label (distribution).
    """
    label_to_id = {it.label: key for key, it in codebook.items.items()}
    shown: set[tuple[str, str, str, str]] = set()
    problems = []
    for row in rows:
        fig = row["figure"]
        if fig not in codebook.figures or codebook.figures[fig].kind not in {"grouped_bars", "distribution"}:
            continue
        item = row["item"]
        if codebook.figures[fig].kind == "grouped_bars":
            item = label_to_id.get(item, item)
        pulje = str(row["pulje"]).strip()
        pulje = str(int(float(pulje))) if pulje.replace(".", "", 1).isdigit() else pulje
        key = (fig, item, row["group"], pulje)
        values = [row.get(c, "") for c in ("share_pct", "ci_low_pct", "ci_high_pct")]
        visible = [v for v in values if (v or "").strip() not in {"", ":", "nan", "NaN", "<NA>", "None"}]
        suppressed = str(row.get("suppressed", "")).strip().lower() in {"true", "1", "yes"}
        if visible:
            shown.add(key)
            if suppressed:
                problems.append(f"{key}: marked suppressed but shows {visible}")
    return shown, problems


def toc_files(toc_path: Path) -> list[str]:
    """Document paths (no suffix) in a Jupyter Book `_toc.yml`, in reading order: root, parts, chapters, sections."""
    import yaml

    toc = yaml.safe_load(Path(toc_path).read_text(encoding="utf-8"))
    out: list[str] = [toc["root"]]

    def walk(entries):
        for entry in entries or []:
            if "file" in entry:
                out.append(entry["file"])
            walk(entry.get("sections"))
            walk(entry.get("chapters"))
            for subtree in entry.get("subtrees") or []:  # a page with several toctrees (unnumbered + numbered)
                walk(subtree.get("sections"))

    for part in toc.get("parts", []):
        walk(part.get("chapters"))
    walk(toc.get("chapters"))
    walk(toc.get("sections"))
    return [str(Path(f).with_suffix("")) if Path(f).suffix in {".md", ".ipynb"} else f for f in out]


# -- numbers shown in the built site's tables ---------------------------------------------------------

PAGE_PULJE_RE = re.compile(r"pulje-(?P<pulje>[^/]+)/(?P<chapter>[^/]+)\.html$")
NUMBER_RE = re.compile(r"\d")
SHARE_RE = re.compile(r"^-?\d+(?:[.,]\d+)?$")


@dataclass(frozen=True)
class SiteValue:
    """One share shown in an HTML table: where, for which item, group (None = not named) and pulje."""

    page: str
    figures: tuple[str, ...]
    item: str  # item id, or the category label for a distribution
    group: str | None
    pulje: str
    value: float | None  # the share, None when only an interval is visible
    text: str


def _table_grid(table) -> tuple[list[str], list[list[tuple[str, str]]]]:
    """Column labels (header rows joined) and body rows as (tag, text) with rowspans expanded."""
    head_rows = table.find("thead").find_all("tr") if table.find("thead") else []
    body = table.find("tbody") or table
    body_rows = [r for r in body.find_all("tr") if r not in head_rows]
    labels: list[str] = []
    for tr in head_rows:
        col = 0
        for cell in tr.find_all(["th", "td"]):
            span = int(cell.get("colspan", 1) or 1)
            for _ in range(span):
                while len(labels) <= col:
                    labels.append("")
                text = cell.get_text(" ", strip=True)
                labels[col] = (labels[col] + " " + text).strip() if text else labels[col]
                col += 1
    rows: list[list[tuple[str, str]]] = []
    carry: dict[int, tuple[int, tuple[str, str]]] = {}  # column -> (rows left, cell)
    for tr in body_rows:
        row: list[tuple[str, str]] = []
        cells = list(tr.find_all(["th", "td"]))
        col = 0
        while cells or col in carry:
            if col in carry:
                left, cell = carry[col]
                row.append(cell)
                if left <= 1:
                    del carry[col]
                else:
                    carry[col] = (left - 1, cell)
                col += 1
                continue
            cell = cells.pop(0)
            entry = (cell.name, cell.get_text(" ", strip=True))
            row.append(entry)
            span = int(cell.get("rowspan", 1) or 1)
            if span > 1:
                carry[col] = (span - 1, entry)
            col += 1
        rows.append(row)
    return labels, rows


def _share(text: str) -> float | None:
    text = text.replace("\u2212", "-").replace("%", "").strip()
    if SHARE_RE.match(text):
        return float(text.replace(",", "."))
    return None


def site_values(site_dir: Path, codebook) -> list[SiteValue]:
    """Every share/interval shown for a report figure in the site's HTML tables.

    Understands the two table shapes the book uses: one row per item × group with «Gruppe», «Andel …» and
    «KI» columns (pulje from the page path), and one row per item with a column per pulje.
    """
    site_dir = Path(site_dir)
    pulje_labels = {codebook.pulje_all_label: codebook.pulje_all}
    pulje_labels.update({f"Pulje {p}": str(p) for p in codebook.pulje_values})
    group_labels = {g.label: k for k, g in codebook.groups.items()}
    group_labels.update({g.label_long: k for k, g in codebook.groups.items()})
    fig_by_number = {f.number: k for k, f in codebook.figures.items()}
    values: list[SiteValue] = []
    for page in html_files(site_dir):
        rel = str(page.relative_to(site_dir))
        m = PAGE_PULJE_RE.search(rel)
        page_pulje = m["pulje"] if m else None
        chapter_figs = tuple(k for k, f in codebook.figures.items() if m and f.chapter == m["chapter"])
        for table in _soup(page).find_all("table"):
            labels, rows = _table_grid(table)
            share_cols = [i for i, lab in enumerate(labels) if "andel" in lab.lower() or lab.lower().startswith("ki")
                          or " ki " in f" {lab.lower()} " or lab in pulje_labels]
            if not share_cols:
                continue
            group_col = next((i for i, lab in enumerate(labels) if lab.strip().lower() == "gruppe"), None)
            for row in rows:
                heads = [t for tag, t in row if tag == "th"]
                figs = tuple(fig_by_number[h] for h in heads if h in fig_by_number) or chapter_figs
                if not figs:
                    continue
                item = _match_item(heads, figs, codebook)
                if item is None:
                    continue
                group = None
                if group_col is not None and group_col < len(row):
                    group = group_labels.get(row[group_col][1])
                for i in share_cols:
                    if i >= len(row) or not NUMBER_RE.search(row[i][1]):
                        continue
                    pulje = pulje_labels.get(labels[i], page_pulje)
                    if pulje is None:
                        continue
                    values.append(SiteValue(rel, figs, item, group, pulje, _share(row[i][1]), row[i][1]))
    return values


def _match_item(heads: list[str], figs: tuple[str, ...], codebook) -> str | None:
    for fig in figs:
        f = codebook.figures[fig]
        if f.kind == "distribution":
            for label in codebook.scale.values():
                if label in heads:
                    return label
        else:
            for item in f.items:
                if codebook.items[item].label in heads or item in heads:
                    return item
    return None


def site_shown_cells(values: list[SiteValue], cells: dict, tolerance: float = 0.051):
    """Map shown site values to data cells. Returns (shown keys, values matching no cell).

    A value whose table names no group is given to the group whose true shares match every value of that
    table (e.g. a PPT-only comparison table).
    """
    shown: set[tuple[str, str, str, str]] = set()
    unmatched: list[SiteValue] = []

    def candidates(v: SiteValue, group: str | None) -> list[tuple[str, str, str, str]]:
        return [k for k, c in cells.items() if k[0] in v.figures and k[1] == v.item and k[3] == v.pulje
                and (group is None or k[2] == group)]

    def matches(v: SiteValue, key) -> bool:
        c = cells[key]
        if v.value is None:
            return c.n > 0
        return c.n > 0 and abs(100 * c.k / c.n - v.value) <= tolerance

    by_table: dict[tuple[str, tuple[str, ...]], list[SiteValue]] = {}
    for v in values:
        if v.group is not None:
            keys = [k for k in candidates(v, v.group) if matches(v, k)]
            shown.update(candidates(v, v.group))
            if not keys:
                unmatched.append(v)
        else:
            by_table.setdefault((v.page, v.figures), []).append(v)
    for group_less in by_table.values():
        groups = {k[2] for v in group_less for k in candidates(v, None)}
        fitting = [g for g in sorted(groups)
                   if all(any(matches(v, k) for k in candidates(v, g)) for v in group_less)]
        for v in group_less:
            if len(fitting) == 1:
                shown.update(candidates(v, fitting[0]))
            else:  # no single group explains the table: count it as showing every group's cell
                shown.update(candidates(v, None))
                unmatched.append(v)
    return shown, unmatched


GLUE_MIME = "application/papermill.record/text/plain"
GLUED_SHARE_RE = re.compile(r"^\s*(-?\d+(?:[.,]\d+)?)\s*(?:%|prosent)?\s*$")


def glued_values(generated_dir: Path, codebook) -> list[SiteValue]:
    """Shares glued into the prose of the executed chapters (`generated/pulje-<p>/*.ipynb`).

    Keys follow the book's scheme: `<figure>_<item>_<group>` (and `..._pst`) for bars,
    `<figure>_<category slug>` for the distribution.
    """
    import json

    from lmp_helpers.book import slug

    generated_dir = Path(generated_dir)
    bars = {}
    for fig in codebook.figures.values():
        if fig.kind == "grouped_bars":
            for item in fig.items:
                for group in fig.groups:
                    bars[f"{fig.key}_{item}_{group}"] = (fig.key, item, group)
                    bars[f"{fig.key}_{item}_{group}_pst"] = (fig.key, item, group)
        elif fig.kind == "distribution":
            for label in codebook.scale.values():
                bars[f"{fig.key}_{slug(label)}"] = (fig.key, label, fig.groups[0])
    out = []
    for path in sorted(generated_dir.glob("pulje-*/*.ipynb")):
        pulje = path.parent.name.removeprefix("pulje-")
        nb = json.loads(path.read_text(encoding="utf-8"))
        for cell in nb.get("cells", []):
            for output in cell.get("outputs", []):
                name = output.get("metadata", {}).get("scrapbook", {}).get("name")
                if name not in bars or GLUE_MIME not in output.get("data", {}):
                    continue
                text = output["data"][GLUE_MIME]
                text = "".join(text) if isinstance(text, list) else str(text)
                number = GLUED_SHARE_RE.match(text)
                if not number:  # ":", "–" or a sentence saying the number is hidden or does not exist
                    continue
                fig, item, group = bars[name]
                value = float(number.group(1).replace(",", "."))
                out.append(SiteValue(str(path.relative_to(generated_dir)), (fig,), item, group, pulje, value, text))
    return out


# a share in a glued sentence: «(61,5 prosent)», «44,4 %»; not «12,3 prosentpoeng»
SENTENCE_SHARE_RE = re.compile(r"(?<![\d,])(\d{1,3}(?:,\d)?)\s*(?:prosent(?!poeng)|%)")


def glued_sentence_problems(generated_dir: Path, cells: dict, codebook, min_n: int) -> tuple[list[str], int]:
    """Shares inside the sentences glued into the chapters, checked against the true cells of the page's pulje.

    A sentence's share must be the share of a cell the book may show (n >= min_n) of the figure the glue key
    names (every figure if it names none), or for a distribution a sum of its categories («72,0 prosent»
    svarer 4 eller 5, «28,0 prosent» resten). A share that only a small cell explains is a leak; one no cell
    explains is a wrong number or a parser gap. Returns (problems, shares checked).
    """
    import ast
    import json
    from itertools import combinations

    def explained(value: float, fig: str, pulje: str) -> list[Cell]:
        hits = []
        by_group: dict[str, list[Cell]] = {}
        for (f, _, _, p), c in cells.items():
            if f == fig and p == pulje and c.n > 0:
                by_group.setdefault(c.group, []).append(c)
        for group_cells in by_group.values():
            sets = [[c] for c in group_cells]
            if codebook.figures[fig].kind == "distribution":
                sets = [list(s) for r in range(1, len(group_cells) + 1) for s in combinations(group_cells, r)]
            for s in sets:
                if abs(100 * sum(c.k for c in s) / s[0].n - value) <= 0.051:
                    hits.append(s[0])
        return hits

    problems, checked = [], 0
    for path in sorted(Path(generated_dir).glob("pulje-*/*.ipynb")):
        pulje = path.parent.name.removeprefix("pulje-")
        nb = json.loads(path.read_text(encoding="utf-8"))
        for cell in nb.get("cells", []):
            for output in cell.get("outputs", []):
                name = output.get("metadata", {}).get("scrapbook", {}).get("name")
                raw = output.get("data", {}).get(GLUE_MIME)
                if not name or raw is None:
                    continue
                try:
                    text = ast.literal_eval("".join(raw) if isinstance(raw, list) else str(raw))
                except (ValueError, SyntaxError):
                    continue
                if not isinstance(text, str) or GLUED_SHARE_RE.match(text):
                    continue  # bare numbers are glued_values' business
                figs = [f for f in codebook.figures if name.startswith(f + "_")] or [
                    f for f, fig in codebook.figures.items() if fig.kind in {"grouped_bars", "distribution"}]
                for m in SENTENCE_SHARE_RE.finditer(text):
                    checked += 1
                    value = float(m.group(1).replace(",", "."))
                    hits = [c for f in figs for c in explained(value, f, pulje)]
                    where = f"{path.parent.name}/{path.name} «{name}»: {m.group(0)}"
                    if not hits:
                        problems.append(f"{where} er ikke andelen til noen celle i {', '.join(figs)}")
                    elif all(c.n < min_n for c in hits):
                        small = hits[0]
                        problems.append(f"{where} er andelen til en liten celle ({small.item}/{small.group}, "
                                        f"n={small.n} < {min_n})")
    return problems, checked


AUDIT_TERM_RE = re.compile(
    r"(?P<group>[^;:.«»]+?), figur (?P<number>\d+\.\d+) «(?P<label>[^»]+)»(?: \(pulje (?P<pulje>\d+)\))?"
    r"(?P<pvalue>, p-verdi)?: (?P<value>n = \d+|[\d\u00a0]+(?:,\d+)? %|skjult|< 0,001|\d+,\d+)"
)


def audit_text_values(text: str, page: str, codebook) -> list[SiteValue]:
    """Numbers the audit page (`revisjon`) shows for survey cells: «PPT, figur 4.1 «…» (pulje 1): 33,3 %».

    A share gives its value; a count (`n = 6`) gives None (it shows the cell all the same); hidden values
    («skjult») and p-values are skipped. A share of several answer categories (figur 4.2) counts as showing
    every category of that group and pulje.
    """
    import html

    groups = {g.label: k for k, g in codebook.groups.items()}
    figs = {f.number: k for k, f in codebook.figures.items()}
    out = []
    for m in AUDIT_TERM_RE.finditer(html.unescape(text)):
        if m["pvalue"] or m["value"] in ("skjult", "< 0,001"):
            continue
        group = groups.get(m["group"].strip().split(">")[-1].strip())
        fig = figs.get(m["number"])
        if group is None or fig is None:
            continue
        f = codebook.figures[fig]
        pulje = m["pulje"] or codebook.pulje_all
        value = None if m["value"].startswith("n =") else _share(m["value"].replace("\u00a0", ""))
        if f.kind == "distribution":
            out += [SiteValue(page, (fig,), label, group, pulje, None, m.group(0)) for label in codebook.scale.values()]
            continue
        item = next((k for k in f.items if codebook.items[k].label == m["label"]), None)
        if item is not None:
            out.append(SiteValue(page, (fig,), item, group, pulje, value, m.group(0)))
    return out


def audit_values(generated_dir: Path, codebook) -> list[SiteValue]:
    """`audit_text_values` of the executed audit page (`generated/vedlegg/revisjon.ipynb`), read from its
    HTML table outputs (what the site shows)."""
    import json

    path = Path(generated_dir) / "vedlegg" / "revisjon.ipynb"
    if not path.is_file():
        return []
    nb = json.loads(path.read_text(encoding="utf-8"))
    out = []
    for cell in nb.get("cells", []):
        for output in cell.get("outputs", []):
            text = output.get("data", {}).get("text/html")
            if text:
                text = "".join(text) if isinstance(text, list) else str(text)
                out += audit_text_values(text, str(path.relative_to(generated_dir)), codebook)
    return out


LEXICAL_DECL_RE = re.compile(r"(?:^|[;{}\s])(?:const|let|class)\s+[A-Za-z_$]")


def duplicate_scripts(site_dir: Path) -> list[Finding]:
    """Pages that include the same <script src> twice, or twice an inline script that declares with
    const/let/class: the second copy is a console error («Identifier 'X' has already been declared»).
    A doubled inline `var x = ...` is harmless and not reported.
    """
    site_dir = Path(site_dir)
    findings = []
    for path in html_files(site_dir):
        seen: dict[str, int] = {}
        for tag in _soup(path).find_all("script"):
            body = " ".join(tag.get_text().split())
            if tag.get("src"):
                key = f"src={tag['src']}"
            elif LEXICAL_DECL_RE.search(body):
                key = f"inline={body}"
            else:
                continue
            seen[key] = seen.get(key, 0) + 1
        for key, count in seen.items():
            if count > 1:
                findings.append(Finding(str(path.relative_to(site_dir)), f"script included {count} times", key[:120]))
    return findings


# -- downloadable files (CSV, XLSX, zip) ----------------------------------------------------------------
# The book's downloads (lmp_helpers.downloads) are read back as a reader gets them: a CSV in either dialect
# (`lmp tables`' own, or Norwegian Excel: BOM, `;`, decimal comma), an XLSX's first sheet, and every member of
# a zip (also zips in zips). Their columns are mapped back to the export's by the codebook, independently of
# the code that wrote them, so the small-cell checks above apply to them unchanged.

DOWNLOAD_SUFFIXES = {".csv", ".xlsx", ".zip"}
EXCEL_TO_EXPORT = {"Id": "item", "Pulje": "pulje", "n": "n", "Andel (%)": "share_pct",
                   "KI nedre (%)": "ci_low_pct", "KI øvre (%)": "ci_high_pct", "Prikket": "suppressed"}
HIDDEN = {"", ":", "nan", "NaN", "<NA>", "None"}


def _table_from_bytes(name: str, data: bytes) -> list[list[str]] | None:
    """The cells of a CSV (either dialect) or an XLSX's first sheet as text; None for anything else."""
    import io

    suffix = Path(name).suffix.lower()
    if suffix == ".csv":
        text = data.decode("utf-8-sig", errors="replace")
        first = text.split("\n", 1)[0]
        delimiter = ";" if first.count(";") > first.count(",") else ","
        return [row for row in csv.reader(io.StringIO(text), delimiter=delimiter) if row]
    if suffix == ".xlsx":
        from openpyxl import load_workbook

        wb = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
        ws = wb.worksheets[0]
        rows = [["" if v is None else str(v) for v in row] for row in ws.iter_rows(values_only=True)]
        wb.close()
        return [r for r in rows if any(r)]
    return None


def download_tables(site_dir: Path) -> Iterator[tuple[str, list[list[str]]]]:
    """(name, cells) for every CSV and XLSX in the site, including zip members («a.zip!b.csv»)."""
    import io
    import zipfile

    def walk(name: str, data: bytes):
        if Path(name).suffix.lower() == ".zip":
            with zipfile.ZipFile(io.BytesIO(data)) as zf:
                for member in zf.namelist():
                    yield from walk(f"{name}!{member}", zf.read(member))
            return
        table = _table_from_bytes(name, data)
        if table is not None:
            yield name, table

    site_dir = Path(site_dir)
    for path in sorted(site_dir.rglob("*")):
        if path.is_file() and path.suffix.lower() in DOWNLOAD_SUFFIXES:
            yield from walk(str(path.relative_to(site_dir)), path.read_bytes())


def export_rows_of(cells: list[list[str]], codebook) -> list[dict[str, str]] | None:
    """A downloaded table's rows in the export's columns (figure, item, group, pulje, n, shares,
    suppressed); None if it is not a figure table (the codebook, say). Decimal commas become points."""
    if not cells:
        return None
    header, body = cells[0], cells[1:]
    if "figure" in header:  # `lmp tables`' own CSV
        return [dict(zip(header, row, strict=False)) for row in body]
    if not {"Figur", "Gruppe", *EXCEL_TO_EXPORT} <= set(header):
        return None
    figures = {f"Figur {f.number}": key for key, f in codebook.figures.items()} | {"Tabell 1": "tabell1"}
    groups = {g.label: key for key, g in codebook.groups.items()}
    rows = []
    for values in body:
        raw = dict(zip(header, values, strict=False))
        row = {EXCEL_TO_EXPORT[k]: raw.get(k, "") for k in EXCEL_TO_EXPORT}
        for k in ("n", "share_pct", "ci_low_pct", "ci_high_pct"):
            row[k] = row[k].replace(",", ".").replace("−", "-")
        row["suppressed"] = "True" if raw.get("Prikket", "").strip().lower() in {"ja", "true", "1"} else "False"
        row["figure"] = figures.get(raw["Figur"], raw["Figur"])
        row["group"] = groups.get(raw["Gruppe"], raw["Gruppe"])
        rows.append(row)
    return rows


def download_problems(site_dir: Path, cells: dict, codebook, min_n: int) -> tuple[list[Finding], set]:
    """Small cells in the site's downloadable files: a suppressed row showing a share, interval or an n other
    than 0, a row of a small cell that is not suppressed, and a small cell recoverable by subtraction across
    the puljer. Returns (findings, keys of the cells the downloads show)."""
    findings: list[Finding] = []
    shown_all: set = set()
    for name, table in download_tables(site_dir):
        rows = export_rows_of(table, codebook)
        if rows is None:
            continue
        for row in rows:
            if row.get("suppressed") == "True" and (row.get("n") or "").strip() not in HIDDEN | {"0"}:
                findings.append(Finding(name, "n shown next to a suppressed cell",
                                        f"{row['figure']}/{row['item']}/{row['group']}/pulje {row['pulje']}: "
                                        f"n={row['n']}"))
        shown, problems = shown_in_export(rows, codebook)
        findings += [Finding(name, "suppressed cell shown", p) for p in problems]
        findings += [Finding(name, "small cell shown", p)
                     for p in disclosure_problems({k: c for k, c in cells.items() if k in shown}, shown, min_n)]
        shown_all |= shown
    findings += [Finding("(alle nedlastinger)", "small cell recoverable", p)
                 for p in disclosure_problems(cells, shown_all, min_n) if "recoverable" in p]
    return findings, shown_all
# -- the PDFs (lmp_helpers/pdf.py) ------------------------------------------------------------------
# Read back as a reader's tools see them: the text poppler's pdftotext extracts, page by page.


def pdf_pages(path: Path, layout: bool = False) -> list[str]:
    """The text of every page of a PDF (pdftotext, poppler-utils; scripts/ensure-poppler.sh installs it)."""
    import shutil
    import subprocess

    exe = shutil.which("pdftotext")
    if exe is None:
        raise RuntimeError("pdftotext not found; run scripts/ensure-poppler.sh (apt-get install poppler-utils)")
    args = [exe, "-enc", "UTF-8"] + (["-layout"] if layout else []) + [str(path), "-"]
    proc = subprocess.run(args, capture_output=True, text=True, encoding="utf-8", errors="replace")
    if proc.returncode != 0:
        raise RuntimeError(f"pdftotext failed on {path}: {proc.stderr.strip()}")
    pages = proc.stdout.split("\f")
    if pages and not pages[-1].strip():
        pages.pop()
    return pages


def pdf_privacy_findings(site_dir: Path, ids: Iterable[str], csv_files: Iterable[Path]) -> list[Finding]:
    """Every PDF in the site whose text holds a respondent id (or one shaped like it), a raw data file's
    header line or one of its data rows. Text files are covered by respondent_ids_in/raw_data_in; a PDF's
    text is compressed, so it is scanned here through pdftotext."""
    site_dir = Path(site_dir)
    pattern = id_pattern(ids)
    if pattern is None:
        raise ValueError("no respondent ids given: cannot build an id pattern")
    signatures: list[tuple[str, str]] = []
    for csv_path in csv_files:
        lines = Path(csv_path).read_bytes().decode("utf-8-sig", errors="replace").splitlines()
        if lines:
            signatures.append((f"header of {Path(csv_path).name}", lines[0].strip()))
        signatures += [(f"data row of {Path(csv_path).name}", line.strip()) for line in lines[1:] if line.strip()]
    findings = []
    for path in sorted(site_dir.rglob("*.pdf")):
        rel = str(path.relative_to(site_dir))
        text = "\n".join(pdf_pages(path))
        # soft hyphens and line breaks must not hide an id split over two lines
        flat = text.replace("\u00ad", "").replace("-\n", "-")
        hits = sorted(set(m.group(0) for m in pattern.finditer(flat)))
        if hits:
            shown = ", ".join(hits[:5]) + (" ..." if len(hits) > 5 else "")
            findings.append(Finding(rel, "respondent id in PDF", shown))
        rows = [label for label, sig in signatures if sig and sig in text]
        if rows:
            findings.append(Finding(rel, "raw data content in PDF", f"{len(rows)} line(s), e.g. {rows[0]}"))
    return findings
