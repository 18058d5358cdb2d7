"""The site in bokmål, accessible, and true to the build's options.

* Theme strings: sphinx-book-theme's own catalogue has no `nb` (only `no`) and pydata-sphinx-theme has no
  Norwegian at all, so `book/_locale/nb/LC_MESSAGES/` holds our catalogues. Sphinx compiles its own domain
  (`sphinx.po`, where pydata's strings live) itself; the `booktheme` domain is compiled here (a fresh clone
  has only the .po files) and registered after the theme's (empty) one.
* Theme options are edited in place at `config-inited`: `sphinx: config:` in _config.yml would replace
  Jupyter Book's html_theme_options wholesale.
* The repository button only when `LMP_REPO_URL` (`make book REPO_URL=...`) is a real https address.
* Substitutions from the build's options for the Markdown pages: `{{ min_n_ord }}` («fem»), read from the
  parameters `lmp run` injected into the generated notebooks (the one source of the build's min_n).
* The reference list's deprecated DPUB roles are replaced (axe).
* The sidebar's <details><summary> toggles have no text; each gets an aria-label naming its section (axe
  `summary-name`).
"""

from __future__ import annotations

import json
import os
import re
from pathlib import Path

LOCALE_DIR = Path(__file__).resolve().parent.parent / "_locale"
NUMBER_WORDS = {1: "ett", 2: "to", 3: "tre", 4: "fire", 5: "fem", 6: "seks", 7: "sju", 8: "åtte", 9: "ni",
                10: "ti", 11: "elleve", 12: "tolv"}
REPO_URL_RE = re.compile(r"https://[A-Za-z0-9.-]+\.[A-Za-z]{2,}/[^\s\"'<>]+")
PLACEHOLDER_HOSTS = ("example.", "localhost")


def number_word(n: int) -> str:
    """5 -> «fem»; above twelve the digits (as in Norwegian prose)."""
    return NUMBER_WORDS.get(n, str(n))


def repo_url(value: str | None) -> str | None:
    """A configured repository address, or None. Anything else than a plain https address is an error."""
    value = (value or "").strip()
    if not value:
        return None
    if not REPO_URL_RE.fullmatch(value) or any(h in value for h in PLACEHOLDER_HOSTS):
        raise ValueError(f"REPO_URL {value!r} er ikke en gyldig https-adresse (f.eks. https://github.com/eier/repo)")
    return value


def build_min_n(generated: Path) -> int | None:
    """min_n that `lmp run` injected into the generated notebooks; None if there are none."""
    values = set()
    for nb_path in sorted(generated.glob("*/*.ipynb")):
        nb = json.loads(nb_path.read_text(encoding="utf-8"))
        for cell in nb.get("cells", []):
            if "injected-parameters" in cell.get("metadata", {}).get("tags", []):
                m = re.search(r"^min_n = (\d+)\s*$", "".join(cell["source"]), re.M)
                if m:
                    values.add(int(m[1]))
    if len(values) > 1:
        raise ValueError(f"generated/ er bygget med ulike min_n {sorted(values)}; kjør `lmp run` på nytt")
    return values.pop() if values else None


def compile_catalogues(locale_dir: Path = LOCALE_DIR) -> list[Path]:
    """.po -> .mo where the .mo is missing or older (babel, as Sphinx does)."""
    from babel.messages.mofile import write_mo
    from babel.messages.pofile import read_po

    written = []
    for po in sorted(locale_dir.glob("*/LC_MESSAGES/*.po")):
        mo = po.with_suffix(".mo")
        if mo.is_file() and mo.stat().st_mtime >= po.stat().st_mtime:
            continue
        with open(po, "rb") as fh:
            catalog = read_po(fh, locale=po.parent.parent.name)
        with open(mo, "wb") as fh:
            write_mo(fh, catalog)
        written.append(mo)
    return written


def name_summaries(html: str, label: str = "Vis eller skjul undersidene til «{}»") -> str:
    """Give every <summary> in a toctree an aria-label from the link in its <li> (axe summary-name)."""
    from bs4 import BeautifulSoup

    soup = BeautifulSoup(html, "html.parser")
    for summary in soup.find_all("summary"):
        if summary.get("aria-label") or summary.get_text(strip=True):
            continue
        li = summary.find_parent("li")
        link = li.find("a") if li else None
        name = " ".join(link.get_text(" ").split()) if link else "seksjonen"
        summary["aria-label"] = label.format(name)
    return str(soup)


def _on_config_inited(app, config):
    opts = config.html_theme_options
    opts["search_bar_text"] = "Søk i boka …"
    opts["toc_title"] = "Innhold"
    # one search field: the sidebar's (the header's would be a second one at desktop width)
    opts["navbar_persistent"] = []
    url = repo_url(os.environ.get("LMP_REPO_URL"))
    if url:
        opts.update(repository_url=url, use_repository_button=True,
                    repository_branch=opts.get("repository_branch") or "main")
    else:
        opts.pop("repository_url", None)
        opts["use_repository_button"] = False
        opts["use_issues_button"] = False
        opts["use_edit_page_button"] = False
    min_n = build_min_n(Path(app.confdir) / "generated")
    subs = dict(config.myst_substitutions or {})
    subs["min_n"] = str(min_n) if min_n is not None else "5"
    subs["min_n_ord"] = number_word(min_n if min_n is not None else 5)
    config.myst_substitutions = subs


def fix_citation_roles(body: str) -> str:
    """docutils marks the reference list role="list" with role="doc-biblioentry" items and
    role="doc-backlink" links: deprecated DPUB roles that also break the list (axe aria-required-children,
    aria-deprecated-role). Items become listitems; the backlinks are plain links."""
    return body.replace(' role="doc-biblioentry"', ' role="listitem"').replace(' role="doc-backlink"', "")


def _on_page_context(app, pagename, templatename, context, doctree):
    if "body" in context:
        context["body"] = fix_citation_roles(context["body"])
    generate = context.get("generate_toctree_html")
    if generate is None or getattr(generate, "_lmp_named", False):
        return

    def named(*args, **kwargs):
        from markupsafe import Markup

        return Markup(name_summaries(str(generate(*args, **kwargs))))

    named._lmp_named = True
    context["generate_toctree_html"] = named


def setup(app):
    compile_catalogues()
    # after sphinx_book_theme's own (for `nb`: empty) catalogue, so ours is used
    app.add_message_catalog("booktheme", str(LOCALE_DIR))
    app.connect("config-inited", _on_config_inited)
    # after pydata-sphinx-theme has put generate_toctree_html into the context
    app.connect("html-page-context", _on_page_context, priority=900)
    app.add_css_file("lmp-site.css")
    return {"version": "1.0", "parallel_read_safe": True, "parallel_write_safe": True}
