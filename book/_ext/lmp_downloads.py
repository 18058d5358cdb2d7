"""The «Last ned tallene» links as plain text.

The book's downloads (lmp_helpers.downloads: CSV, XLSX and zip per figure, table and pulje) are linked with
Sphinx's `{download}` role, which copies each file into `_downloads/<hash>/<readable name>` and fails the
build (-W) when a linked file is missing. The role sets its text as inline code, one <span> per word; a
reader sees a sentence, not code, and a screen reader a plain link name, so the text becomes a plain inline.
"""

from __future__ import annotations

from docutils import nodes
from sphinx import addnodes


def plain_download_text(doctree: nodes.Node) -> int:
    """Replace the literal inside every download link by plain text; returns how many were replaced."""
    count = 0
    for ref in list(doctree.findall(addnodes.download_reference)):
        for literal in list(ref.findall(nodes.literal)):
            text = literal.astext()
            literal.replace_self(nodes.inline(text, text, classes=["lmp-download"]))
            count += 1
    return count


def _on_doctree_resolved(app, doctree, docname):
    plain_download_text(doctree)


def setup(app):
    app.connect("doctree-resolved", _on_doctree_resolved)
    return {"version": "1.0", "parallel_read_safe": True, "parallel_write_safe": True}
