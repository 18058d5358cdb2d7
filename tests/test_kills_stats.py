"""Kill tests for stats.py: independent oracles (formulas written out here, enumeration on tiny data).

Fast and in process (mutation testing runs them per mutant); permutation tests use few resamples and a
seeded generator.
"""

from __future__ import annotations

import math

from lmp_helpers import stats


def test_wilson_bounds_from_the_formula():
    k, n, z = 7, 20, 1.959963984540054
    p = k / n
    centre = (p + z * z / (2 * n)) / (1 + z * z / n)
    half = z * math.sqrt(p * (1 - p) / n + z * z / (4 * n * n)) / (1 + z * z / n)
    lo, hi = stats.wilson_interval(k, n)
    assert math.isclose(lo, centre - half, rel_tol=1e-6)
    assert math.isclose(hi, centre + half, rel_tol=1e-6)
