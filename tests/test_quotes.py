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
