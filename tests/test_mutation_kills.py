"""Tests written for mutants that survived `make mutate` (see tests/MUTATION.md), each against behaviour."""

from __future__ import annotations

from lmp_helpers.book import fmt_number, fmt_pct


def test_fmt_pct_is_one_decimal_with_a_comma():
    assert fmt_pct(34.6) == "34,6" and fmt_pct(5) == "5,0" and fmt_pct(34.64, 2) == "34,64"
    assert fmt_pct(float("nan")) == fmt_number(None) == "–"
