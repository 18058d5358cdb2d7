"""Restart figure/table numbers in every document: «Figur 2.1» is the first figure of chapter 2.

Why: the book has the same chapters once for all pulje and once per pulje, each set in its own numbered
toctree, so chapter 2 exists four times. Sphinx counts figures per section number across the whole book,
which would make pulje 3's first figure of chapter 2 «Figur 2.4». The report's numbers are per chapter
document, so after Sphinx has assigned numbers we re-base them within each document (order kept).
"""

from __future__ import annotations


def renumber(toc_fignumbers: dict) -> dict:
    """{doc: {figtype: {id: (*secnum, k)}}} with k restarting at 1 per (doc, figtype, secnum)."""
    out: dict = {}
    for docname, by_type in toc_fignumbers.items():
        out[docname] = {}
        for figtype, numbers in by_type.items():
            ordered = sorted(numbers.items(), key=lambda kv: kv[1])
            counters: dict[tuple, int] = {}
            new = {}
            for fig_id, number in ordered:
                secnum = tuple(number[:-1])
                counters[secnum] = counters.get(secnum, 0) + 1
                new[fig_id] = (*secnum, counters[secnum])
            out[docname][figtype] = new
    return out


def _on_env_get_updated(app, env):
    env.toc_fignumbers = renumber(env.toc_fignumbers)
    return []


def setup(app):
    # Priority > 500: run after Sphinx's own TocTreeCollector has assigned the numbers.
    app.connect("env-get-updated", _on_env_get_updated, priority=900)
    return {"version": "1.0", "parallel_read_safe": True, "parallel_write_safe": True}
