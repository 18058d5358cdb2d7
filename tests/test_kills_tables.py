"""Kill tests for tables.py and the number formatting in scope (statements, render, book.number_word).

Fast and in process (mutation testing runs them per mutant). Expected values are written out by hand.
"""

from __future__ import annotations

import pytest

from lmp_helpers import book

NBSP = "\u00a0"


@pytest.mark.parametrize(
    ("n", "word"),
    [(0, "null"), (1, "én"), (2, "to"), (3, "tre"), (4, "fire"), (5, "fem"), (6, "seks"), (7, "sju"),
     (8, "åtte"), (9, "ni"), (10, "ti"), (11, "elleve"), (12, "tolv")],
)
def test_number_word_small_counts_are_norwegian_words(n, word):
    assert book.number_word(n) == word


def test_number_word_from_13_and_below_0_as_digits():
    assert book.number_word(13) == "13"
    assert book.number_word(-1) == "-1"
    assert book.number_word(1234) == f"1{NBSP}234"
