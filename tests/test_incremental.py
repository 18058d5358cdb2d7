"""book/_ext/lmp_incremental.py: an incremental Sphinx build rewrites only the pages that changed, and the
site it leaves is the one a fresh build makes (numbers, toctrees, search index).

A small Sphinx project shaped like the book: the same chapters twice, each set under its own numbered
toctree (the report and a pulje page), with figures (re-based per document by lmp_fignumbers) and a
glossary (index entries in the search index). Built in-process with plain Sphinx, a few seconds.
"""

from __future__ import annotations

import io
import re
import shutil
from pathlib import Path

import pytest

from lmp_helpers.paths import PROJECT_ROOT

EXT_DIR = PROJECT_ROOT / "book" / "_ext"

CONF = f"""
import sys
sys.path.insert(0, {str(EXT_DIR)!r})
extensions = ["lmp_fignumbers", "lmp_incremental"]
numfig = True
numfig_secnum_depth = 1
html_last_updated_fmt = None
"""

INDEX = """Boka
====

.. toctree::
   :numbered:

   kap1
   kap2

.. toctree::

   pulje

.. glossary::

   Prikking
      Små grupper skjules.
"""

PULJE = """Pulje 1
=======

.. toctree::
   :numbered:

   p1/kap1
   p1/kap2
"""


def chapter(title: str, figures: int, text: str = "Tekst.") -> str:
    figs = "".join(f"\n.. _fig-{title.lower()}-{i}:\n\n.. figure:: bilde.png\n\n   Figur {i} i {title}\n"
                   for i in range(figures))
    return f"{title}\n{'=' * len(title)}\n\n{text} Se :term:`Prikking`.\n{figs}\nAvsnitt\n-------\n\nMer.\n"


def write_project(src: Path) -> None:
    (src / "p1").mkdir(parents=True)
    (src / "conf.py").write_text(CONF, encoding="utf-8")
    (src / "index.rst").write_text(INDEX, encoding="utf-8")
    (src / "pulje.rst").write_text(PULJE, encoding="utf-8")
    for sub in ("", "p1/"):
        (src / f"{sub}kap1.rst").write_text(chapter("Kunnskap", 2), encoding="utf-8")
        (src / f"{sub}kap2.rst").write_text(chapter("Praksis", 3), encoding="utf-8")
        (src / f"{sub}bilde.png").write_bytes(b"\x89PNG\r\n\x1a\n")


def build(src: Path, out: Path) -> list[str]:
    """One Sphinx build (incremental when out already holds one); the pages it wrote."""
    from sphinx.application import Sphinx

    written: list[str] = []
    app = Sphinx(str(src), str(src), str(out / "html"), str(out / "doctrees"), "html",
                 status=io.StringIO(), warning=io.StringIO(), freshenv=False)
    app.connect("html-page-context", lambda _app, pagename, *_: written.append(pagename))
    app.build()
    return sorted(written)


def site(out: Path) -> dict[str, str]:
    """Every page and the search index; the `?v=` cache-busting suffix of static files is left out."""
    html = out / "html"
    files = sorted(html.glob("**/*.html")) + [html / "searchindex.js"]
    return {str(p.relative_to(html)): re.sub(r"\?v=[0-9a-f]{8}", "", p.read_text(encoding="utf-8")) for p in files}


@pytest.fixture
def project(tmp_path):
    src = tmp_path / "src"
    write_project(src)
    out = tmp_path / "inkrementell"
    build(src, out)
    return src, out, tmp_path


def fresh_site(src: Path, tmp: Path) -> dict[str, str]:
    out = tmp / "fersk"
    shutil.rmtree(out, ignore_errors=True)
    build(src, out)
    return site(out)


def test_one_chapter_edited_rewrites_that_page_only_and_the_site_equals_a_fresh_build(project):
    src, out, tmp = project
    text = (src / "p1" / "kap2.rst").read_text(encoding="utf-8")
    (src / "p1" / "kap2.rst").write_text(text.replace("Tekst.", "Ny tekst."), encoding="utf-8")
    written = build(src, out)
    # Sphinx always writes the root document and its generated pages (genindex, search).
    assert [p for p in written if p not in {"index", "genindex", "search"}] == ["p1/kap2"]
    incremental = site(out)
    assert "Ny tekst." in incremental["p1/kap2.html"]
    assert incremental == fresh_site(src, tmp)
    # The figure numbers restart per document in both chapter sets, and the glossary term stays searchable.
    assert "Fig. 2.1" in incremental["p1/kap2.html"] and "Fig. 2.3" in incremental["p1/kap2.html"]
    assert '"prikking"' in incremental["searchindex.js"]


def test_a_new_figure_or_title_still_rewrites_the_pages_that_show_it(project):
    src, out, tmp = project
    # A figure added to chapter 1: its numbers change; the pulje copy keeps its own (re-based) numbers.
    (src / "kap1.rst").write_text(chapter("Kunnskap", 3), encoding="utf-8")
    assert "kap1" in build(src, out)
    incremental = site(out)
    assert "Fig. 1.3" in incremental["kap1.html"] and "Fig. 1.3" not in incremental["p1/kap1.html"]
    assert incremental == fresh_site(src, tmp)
    # A new title shows in the toctree of its parent, which is rewritten. (Other pages' sidebars keep the old
    # title until they are rewritten: Sphinx's own behaviour, with or without the extension.)
    (src / "p1" / "kap1.rst").write_text(chapter("Kompetanse", 2), encoding="utf-8")
    written = build(src, out)
    assert {"p1/kap1", "pulje"} <= set(written)
    assert "Kompetanse" in site(out)["pulje.html"]
    assert site(out)["pulje.html"] == fresh_site(src, tmp)["pulje.html"]


def test_without_the_extension_sphinx_rewrites_the_renumbered_pages(project, monkeypatch):
    """What the extension saves: plain Sphinx rewrites the re-based chapters and the toctree parent too
    (so the first test can fail)."""
    src, out, tmp = project
    conf = src / "conf.py"
    conf.write_text(conf.read_text(encoding="utf-8").replace(', "lmp_incremental"', ""), encoding="utf-8")
    shutil.rmtree(out)
    build(src, out)
    text = (src / "p1" / "kap2.rst").read_text(encoding="utf-8")
    (src / "p1" / "kap2.rst").write_text(text.replace("Tekst.", "Ny tekst."), encoding="utf-8")
    written = build(src, out)
    assert {"p1/kap1", "pulje"} <= set(written)
