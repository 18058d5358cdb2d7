"""«Last ned rapporten som PDF» on every page, and the PDFs themselves (lmp_helpers/pdf.py).

The link appears only in a build that also makes the PDFs, so the site never links a missing file:
`LMP_PDF=1` (set by `make pdf` and by `make test`'s book step) turns both on. Then, after Sphinx has
written every page, the chapter pages of each pulje are printed by chromium into `_build/html/pdf/`; a
failing print fails the build. Without it no page has the link and a `pdf/` folder left by an earlier
build is removed. The setting is a config value that rebuilds the HTML, so switching it re-writes every page
(without re-reading the sources).
"""

from __future__ import annotations

import os
import shutil
import time
from pathlib import Path

from sphinx.util import logging

from lmp_helpers import pdf

logger = logging.getLogger(__name__)

LINK_TEXT = "Last ned rapporten som PDF"


def enabled(value: str | None) -> bool:
    value = (value or "").strip().lower()
    if value in {"", "0", "false", "no", "nei"}:
        return False
    if value in {"1", "true", "yes", "ja"}:
        return True
    raise ValueError(f"LMP_PDF={value!r} er ugyldig; bruk 1 (lag PDF-ene) eller 0")


def link_html(pagename: str) -> str:
    """The link paragraph for a page, relative to it."""
    pulje = pdf.page_pulje(pagename)
    depth = pagename.count("/")
    href = "../" * depth + f"{pdf.PDF_DIR}/{pdf.pdf_name(pulje)}"
    return (f'<p class="lmp-pdf-link"><a href="{href}" download>{LINK_TEXT}</a> '
            f"({pdf.pulje_label(pulje).lower()}, A4)</p>")


def insert_link(body: str, link: str) -> str:
    """After the page's first heading (its title), or first in the body when it has none."""
    end = body.find("</h1>")
    return body[: end + 5] + link + body[end + 5:] if end >= 0 else link + body


def _on_config_inited(app, config):
    config.lmp_pdf = enabled(os.environ.get("LMP_PDF"))


def _on_page_context(app, pagename, templatename, context, doctree):
    if app.config.lmp_pdf and "body" in context:
        context["body"] = insert_link(context["body"], link_html(pagename))


def _on_build_finished(app, exception):
    if exception is not None or app.builder.format != "html":
        return
    out = Path(app.outdir) / pdf.PDF_DIR
    if not app.config.lmp_pdf:
        shutil.rmtree(out, ignore_errors=True)
        return
    start = time.perf_counter()
    written = pdf.print_books(Path(app.outdir), out)
    logger.info(f"lmp_pdf: {len(written)} PDF-er i {out} ({time.perf_counter() - start:.1f} s)")


def setup(app):
    app.add_config_value("lmp_pdf", False, "html")
    app.connect("config-inited", _on_config_inited)
    app.connect("html-page-context", _on_page_context)
    app.connect("build-finished", _on_build_finished)
    return {"version": "1.0", "parallel_read_safe": True, "parallel_write_safe": True}
