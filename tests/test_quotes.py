"""How the quotes are labelled and shown (book.quote_markdown / quote_source_text, data/footnotes.yml)."""

from __future__ import annotations

import re

import pytest

from lmp_helpers import fingerprint as fpmod
from lmp_helpers.book import UNMARKED, quote_footnotes, quote_markdown, quote_source_text
from lmp_helpers.data import load_quotes
from lmp_helpers.errors import LmpInputError

QUOTES = load_quotes()


def test_unmarked_quotes_are_the_ones_the_report_leaves_unmarked():
    # `where` records how the source was read off the report; «kilden er ikke merket» = no marker at the quote.
    unmarked = QUOTES["where"].str.contains("kilden er ikke merket")
    assert unmarked.sum() == 20
    assert (QUOTES.loc[unmarked, "source"] == "unmarked").all()
    assert (QUOTES.loc[~unmarked, "source"] != "unmarked").all()


@pytest.mark.parametrize("qid", list(QUOTES["id"]))
def test_every_quote_is_labelled_as_the_report_marks_it(qid):
    row = QUOTES.set_index("id", drop=False).loc[qid]
    label = quote_source_text(row)
    if row["source"] == "unmarked":
        assert UNMARKED in label and "survey" not in label
        assert ("sammenhengen peker på case" in label) == bool(row["case"])
    elif row["source"] == "survey":
        assert label.endswith("(åpent svar i surveyen)")
    else:
        assert label.endswith(f"(case {row['case']}, pulje {int(row['pulje'])})")


def test_quotes_are_statements_not_fragments_and_carry_no_footnote_digits():
    lengths = QUOTES["text"].map(lambda t: len(fpmod.words(t)))
    assert lengths.min() >= 5, QUOTES.loc[lengths.idxmin(), "text"]
    assert not QUOTES["text"].str.contains(r"(?:[^\W\d_]|[)»])\d(?=[\s.,;:]|$)").any()
    assert not QUOTES["text"].str.contains("sitter der").any()


def test_footnote_in_a_quote_is_shown_as_a_footnote():
    fns = quote_footnotes()
    assert set(fns) == {"q24"} and fns["q24"]["number"] == 3
    md = quote_markdown(QUOTES.set_index("id", drop=False).loc["q24"])
    assert "(LP modellen){sup}`3` Det er derfor" in md
    quote, note = md.split("\n\n", 1)
    assert note.startswith("{sup}`3` LP-modellen") and not note.startswith(">")
    windows = fpmod.window_set(fpmod.load())
    assert not fpmod.shared_runs(fpmod.words(note), windows)  # the footnote is in our own words


def test_footnote_whose_words_are_not_in_the_quote_is_an_error():
    row = {"id": "x", "text": "Noe helt annet.", "source": "survey", "case": "", "pulje": None, "actor": "PPT"}
    with pytest.raises(LmpInputError, match="fotnote 3: finner ikke «\\(LP modellen\\)» i sitat x"):
        quote_markdown(row, {"x": {"number": 3, "after": "(LP modellen)", "text": "t"}})


def test_unknown_source_names_the_allowed():
    row = {"id": "q99", "text": "Ja.", "source": "intervju", "case": "", "pulje": None, "actor": ""}
    with pytest.raises(LmpInputError, match=re.escape("sitat q99: ukjent kilde 'intervju'; tillatt: case, survey")):
        quote_source_text(row)


def _markdown_of(notebook: str) -> str:
    import nbformat

    from lmp_helpers.paths import NOTEBOOKS_DIR

    nb = nbformat.read(NOTEBOOKS_DIR / f"{notebook}.ipynb", as_version=4)
    return "\n".join(c.source for c in nb.cells if c.cell_type == "markdown")


def _calls_footnotes(notebook: str) -> bool:
    import nbformat

    from lmp_helpers.paths import NOTEBOOKS_DIR

    nb = nbformat.read(NOTEBOOKS_DIR / f"{notebook}.ipynb", as_version=4)
    return any("ch.footnotes()" in c.source for c in nb.cells if c.cell_type == "code")


@pytest.mark.parametrize("notebook", ["introduksjon", "kunnskapstilforsel", "praksisendring", "ppts_rolle",
                                      "oppsummering", "sammendrag"])
def test_prose_footnote_marks_and_entries_match_both_ways(notebook):
    from lmp_helpers.book import chapter_footnotes

    marks = sorted(int(n) for n in re.findall(r"\{sup\}`(\d+)`", _markdown_of(notebook)))
    entries = [f["number"] for f in chapter_footnotes(notebook)]
    assert marks == entries, f"{notebook}: merker {marks}, fotnoter i data/footnotes.yml {entries}"
    assert _calls_footnotes(notebook) == bool(entries), f"{notebook}: ch.footnotes() skal vises når det finnes fotnoter"


def test_prose_footnotes_are_in_our_own_words():
    from lmp_helpers.book import report_footnotes

    windows = fpmod.window_set(fpmod.load())
    for number, f in report_footnotes().items():
        # a web address is the reference itself, not prose: the words around it must be our own
        prose = re.sub(r"https?://\S+", " ", str(f["text"]))
        assert not fpmod.shared_runs(fpmod.words(prose), windows), f"fotnote {number}"
        copied = QUOTES.set_index("id").loc["q32", "text"]  # words of the report: the check must find them
        assert fpmod.shared_runs(fpmod.words(f"{prose} {copied}"), windows)


@pytest.mark.parametrize(("yml", "message"), [
    ("4:\n  chapter: ppts_rolle\n  quote: q1\n  text: t\n", "fotnote 4: oppgi enten «quote»"),
    ("4:\n  text: t\n", "fotnote 4: oppgi enten «quote»"),
    ("4:\n  chapter: ppts_rolle\n", "fotnote 4: mangler «text»"),
    ("fire:\n  chapter: ppts_rolle\n  text: t\n", "fotnote fire: nøkkelen må være rapportens fotnotenummer"),
])
def test_bad_footnote_file_is_refused_with_the_entry_named(tmp_path, monkeypatch, yml, message):
    from lmp_helpers import paths
    from lmp_helpers.book import report_footnotes

    (tmp_path / "footnotes.yml").write_text(yml, encoding="utf-8")
    monkeypatch.setattr(paths, "DATA_DIR", tmp_path)
    with pytest.raises(LmpInputError, match=re.escape(message)):
        report_footnotes()


def test_chapter_footnotes_render_under_an_unnumbered_rubric(tmp_path, monkeypatch, capsys):
    from lmp_helpers import book, paths

    (tmp_path / "footnotes.yml").write_text("5:\n  chapter: x\n  text: Fem.\n2:\n  chapter: x\n  text: To.\n"
                                            "3:\n  chapter: y\n  text: Tre.\n", encoding="utf-8")
    monkeypatch.setattr(paths, "DATA_DIR", tmp_path)
    assert [f["number"] for f in book.chapter_footnotes("x")] == [2, 5]
    shown = []
    monkeypatch.setattr(book, "_markdown", shown.append)
    book.Chapter.footnotes(type("C", (), {"name": "x"})())
    assert shown == ["```{rubric} Fotnoter\n```\n\n{sup}`2` To.\n\n{sup}`5` Fem."]
    with pytest.raises(LmpInputError, match="kapittel z har ingen fotnoter"):
        book.Chapter.footnotes(type("C", (), {"name": "z"})())


@pytest.mark.parametrize("pulje", ["alle", "1", "2", "3"])
def test_case_quote_leads_follow_the_quotes_the_page_shows(pulje, monkeypatch):
    """Chapter 4's lead-in before a case-interview quote («PPT-lederen sier:») stands only where the quote is
    shown; elsewhere it is empty, and the quote's own cell says once where the quote stands."""
    from lmp_helpers import book

    ch = book.Chapter(name="ppts_rolle", pulje=book.parse_pulje(pulje), data_dir=None, min_n=5)
    ch.glue_case_quote_leads()
    for qid, lead in ch.CASE_QUOTE_LEADS.items():
        quote_pulje = int(QUOTES.set_index("id").loc[qid, "pulje"])
        shown = pulje in ("alle", str(quote_pulje))
        text = ch.glued[f"sitat_{qid}"]
        assert text == (lead if shown else ""), (qid, pulje, text)
        if not shown:
            notes = []
            monkeypatch.setattr(book, "_markdown", notes.append)
            row = QUOTES.set_index("id").loc[qid]
            ch.quotes(str(row["section"]), row["theme"])
            assert notes == [f"*Sitatet her hører til en casekommune i pulje {quote_pulje} og vises på sidene for "
                             f"pulje {quote_pulje} og for alle puljer.*"], (qid, pulje)
