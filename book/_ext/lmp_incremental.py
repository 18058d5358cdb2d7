"""A one-chapter edit rewrites the pages that changed, not 20: Sphinx bookkeeping that marked pages outdated
although nothing on them changed.

Measured (benchmarks/README.md): after the 4 variants of one chapter change, Sphinx 7.4 wrote 20 pages.

1. Figure and section numbers. `lmp_fignumbers` re-bases the figure numbers Sphinx assigns (per document
   instead of across the book), and sphinx-external-toc restyles the section numbers after Sphinx assigned
   them. Sphinx's TocTreeCollector then compares its *fresh* numbers with the *re-based/restyled* ones stored
   in the environment, so every pulje 1–3 chapter looks renumbered on every build and is rewritten (12
   pages). Here the collector compares like with like: when it runs, the environment holds the previous
   build's numbers as Sphinx itself assigned them (kept in `env.lmp_raw_fignumbers`/`lmp_raw_secnumbers`).
   Re-basing and restyling are functions of Sphinx's numbers and the toctrees, so unchanged numbers stay
   unchanged on the page (the HTML comparisons below check it).
2. Toctree parents. Sphinx rewrites every page whose toctree includes a changed document (the pulje pages
   and the start page), because the child's title or headings might show there. Here a parent is rewritten
   only if that is so: when a re-read document's title, table of contents (headings, toctrees) or section
   numbers changed. The environment on disk keeps Sphinx's own map (it is pickled before writing starts;
   the filtered one is used only while writing).
3. The search index's index entries (the glossary terms «Casekommune», «FAU» …). Sphinx 7.4 keeps them only
   for the pages it writes in a build: an incremental build drops those of every other page from
   searchindex.js (they live in the environment, which is pickled before the pages are written). They are
   kept here in a file beside the environment and put back for the pages not written.
4. pybtex looks its plugins up in the installed packages' entry points on every citation it resolves
   (`importlib.metadata.entry_points()` reads every package's metadata: ~7 s of a one-chapter build under
   load). Entry points do not change during a build, so the lookup is cached; plugins registered at run time
   are still found first, as before.

`make test` builds with `--all` (a fresh environment), where none of this applies; tests/test_incremental.py
checks on a small Sphinx project that an incremental build writes only what changed and gives the same HTML
as a fresh build, and benchmarks/bench_build.py compares the book's HTML both ways.
"""

from __future__ import annotations

import copy
import functools
import os

RAW_FIGNUMBERS = "lmp_raw_fignumbers"
RAW_SECNUMBERS = "lmp_raw_secnumbers"
METADATA = {"version": "1.0", "parallel_read_safe": True, "parallel_write_safe": True, "env_version": 1}


# 1. Figure numbers --------------------------------------------------------------------------------------


def _before_collector(app, env):
    raw = getattr(env, RAW_FIGNUMBERS, None)
    if raw is not None:
        env.toc_fignumbers = raw
    return []


def _after_collector(app, env):
    # Sphinx's numbers, before lmp_fignumbers (priority 900) re-bases them.
    setattr(env, RAW_FIGNUMBERS, {doc: {t: dict(n) for t, n in by_type.items()}
                                  for doc, by_type in env.toc_fignumbers.items()})
    return []


def compare_raw_secnumbers() -> None:
    """Sphinx's own section numbering compares with Sphinx's own previous numbers (sphinx-external-toc's
    collector calls it through super() and restyles afterwards, inside the same event handler)."""
    from sphinx.environment.collectors.toctree import TocTreeCollector

    assign = TocTreeCollector.assign_section_numbers
    if getattr(assign, "lmp_raw", False):
        return

    def assign_section_numbers(self, env):
        if "lmp_incremental" not in getattr(getattr(env, "app", None), "extensions", {}):
            return assign(self, env)  # another Sphinx project in the same process
        raw = getattr(env, RAW_SECNUMBERS, None)
        if raw is not None:
            env.toc_secnumbers = raw
        rewrite = assign(self, env)
        setattr(env, RAW_SECNUMBERS, copy.deepcopy(env.toc_secnumbers))
        return rewrite

    assign_section_numbers.lmp_raw = True
    TocTreeCollector.assign_section_numbers = assign_section_numbers


# 2. Toctree parents -------------------------------------------------------------------------------------


def _shown_in_parents(env, docname: str) -> tuple:
    """What a parent's toctree can show of a document."""
    title = env.titles.get(docname)
    toc = env.tocs.get(docname)
    return (title.pformat() if title is not None else None, toc.pformat() if toc is not None else None,
            repr(sorted(env.toc_secnumbers.get(docname, {}).items())))


def _before_read(app, env, docnames):
    app._lmp_shown_before = {doc: _shown_in_parents(env, doc) for doc in docnames if doc in env.tocs}


def _write_started(app, builder):
    before = getattr(app, "_lmp_shown_before", {})
    unchanged = {doc for doc, shown in before.items() if shown == _shown_in_parents(app.env, doc)}
    if unchanged:
        app._lmp_files_to_rebuild = app.env.files_to_rebuild
        app.env.files_to_rebuild = {doc: parents for doc, parents in app.env.files_to_rebuild.items()
                                    if doc not in unchanged}


def _build_finished(app, exception):
    original = getattr(app, "_lmp_files_to_rebuild", None)
    if original is not None:
        app.env.files_to_rebuild = original
        del app._lmp_files_to_rebuild


# 3. Index entries in the search index ---------------------------------------------------------------------

INDEX_ENTRIES_FILE = "lmp-search-index-entries.pickle"


def _keep_index_entries(app):
    """Before the search index is written (html-collect-pages comes first): entries of the pages not written
    in this build come from the previous build; then all are kept for the next one."""
    import pickle
    from pathlib import Path

    indexer = getattr(app.builder, "indexer", None)
    entries = getattr(indexer, "_index_entries", None)
    if not isinstance(entries, dict):
        return []
    stored = Path(app.doctreedir) / INDEX_ENTRIES_FILE
    try:
        previous = pickle.loads(stored.read_bytes())
    except (OSError, ValueError, pickle.UnpicklingError, EOFError):
        previous = {}
    titles = getattr(indexer, "_titles", {})  # the pages the index holds after pruning removed ones
    for docname, doc_entries in previous.items():
        if docname not in entries and docname in titles and docname in app.env.found_docs:
            entries[docname] = doc_entries
    stored.write_bytes(pickle.dumps(dict(entries), pickle.HIGHEST_PROTOCOL))
    return []


# 4. pybtex plugin lookups -------------------------------------------------------------------------------


def cache_pybtex_entry_points() -> None:
    try:
        import pybtex.plugin
    except ImportError:
        return
    lookup = pybtex.plugin.entry_points
    if getattr(lookup, "lmp_cached", False):
        return

    @functools.cache
    def cached(**selection):
        return tuple(lookup(**selection))

    def entry_points(**selection):
        return cached(**selection)

    entry_points.lmp_cached = True
    pybtex.plugin.entry_points = entry_points


def setup(app):
    if os.environ.get("LMP_SPHINX_INCREMENTAL", "1") == "0":
        # Sphinx's own behaviour, for benchmarks/bench_build.py's «today's method» (same metadata, so the
        # environment is not invalidated by switching).
        return METADATA
    # Sphinx's TocTreeCollector assigns numbers at the default priority 500; lmp_fignumbers re-bases at 900.
    app.connect("env-get-updated", _before_collector, priority=400)
    app.connect("env-get-updated", _after_collector, priority=800)
    app.connect("env-before-read-docs", _before_read)
    app.connect("write-started", _write_started)
    app.connect("build-finished", _build_finished)
    app.connect("html-collect-pages", _keep_index_entries)
    compare_raw_secnumbers()
    cache_pybtex_entry_points()
    return METADATA
