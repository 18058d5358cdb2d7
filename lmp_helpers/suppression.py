"""Small-cell suppression («prikking») for survey shares.

Rules (Udir's rule for its user surveys, SSB's symbol):

* **Primary**: a group × item × pulje cell where fewer than `min_n` (default 5) answered shows no share, no
  interval and no distribution. It is marked `:`.
* **Secondary**: the book publishes «alle» beside pulje 1, 2 and 3, and alle = pulje 1 + 2 + 3 (counts add
  up). If exactly one cell in that equation were hidden, it could be recovered by subtraction, so one more
  cell is hidden: the shown pulje with the smallest n (ties: lowest pulje), or «alle» when no pulje is left.
  The decision is made over the whole family {alle, 1, 2, 3} of a group × item, never per requested pulje,
  so `lmp tables --pulje 2` hides exactly what a side-by-side alle/1/2/3 table would.
* Cells with n = 0 hide nothing (there is nothing to disclose, and the subtraction gives 0), so they never
  count as protection for another hidden cell.
* **n of suppressed cells**: a hidden cell keeps n only when n is 0. A small n (1–4) is itself a small
  count (e.g. «one school owner in pulje 1 answered»), and the n of a secondary-suppressed cell would let the
  reader recover the hidden small n by subtraction (alle n − shown n), so both are blanked as well.

All tables, figures, the explorer and the CSV export go through `suppress_family` via
`lmp_helpers.tables`, so none of them can show a suppressed number.
"""

from __future__ import annotations

import numpy as np

SYMBOL = ":"
DEFAULT_MIN_N = 5


def footnote(min_n: int = DEFAULT_MIN_N) -> str:
    return (
        f"{SYMBOL} = prikket: færre enn {min_n} svar, eller skjult for at et prikket tall ikke skal kunne "
        "regnes ut fra de andre tallene (alle puljer = pulje 1 + 2 + 3)."
    )


def check_min_n(min_n: object) -> int:
    """Validate the `min_n` parameter (an integer ≥ 1)."""
    from lmp_helpers.errors import LmpInputError

    if isinstance(min_n, bool) or not isinstance(min_n, int | np.integer):
        if isinstance(min_n, str) and min_n.strip().isdigit():
            min_n = int(min_n.strip())
        else:
            raise LmpInputError(f"ugyldig min_n {min_n!r}; tillatt: et heltall ≥ 1 (standard {DEFAULT_MIN_N})")
    if int(min_n) < 1:
        raise LmpInputError(f"ugyldig min_n {min_n!r}; tillatt: et heltall ≥ 1 (standard {DEFAULT_MIN_N})")
    return int(min_n)


def suppress_family(n_parts, min_n: int = DEFAULT_MIN_N) -> tuple[np.ndarray, np.ndarray]:
    """Decide suppression for families «alle = sum of parts».

    `n_parts`: array (families × parts) of n per pulje; a negative value marks a pulje the group was not
    asked in (no cell exists). Returns `(hidden_parts, hidden_total)`: boolean arrays of shape
    (families × parts) and (families,).
    """
    n = np.asarray(n_parts, dtype=np.int64)
    if n.ndim == 1:
        n = n[None, :]
    present = n >= 0
    total = np.where(present, n, 0).sum(axis=1)
    hidden = present & (n < min_n)
    hidden_total = total < min_n
    # Only a few families per figure (groups × items): a loop over families, not respondents.
    for f in range(n.shape[0]):
        # Exactly one hidden cell with respondents could be recovered from the total and the shown parts: hide the
        # smallest part still shown too. One step is enough (the part hidden next has respondents, so two are
        # hidden), and there always is such a part: the one hidden cell is a part (a hidden total with
        # respondents means every part is below min_n, so hidden: two or more), and were it the only part with
        # respondents, the total would equal it, be below min_n and hidden too.
        protective = int((hidden[f] & (n[f] > 0)).sum()) + int(hidden_total[f] and total[f] > 0)
        if protective == 1:
            candidates = np.flatnonzero(present[f] & ~hidden[f] & (n[f] > 0))
            hidden[f, candidates[np.argmin(n[f, candidates])]] = True
    return hidden, hidden_total


def n_shown(n: int, suppressed: bool) -> int | None:
    """The n printed for a cell: hidden cells keep n only when it is 0 (see module docstring)."""
    if not suppressed or n == 0:
        return int(n)
    return None


def add_suppression(cells, min_n: int = DEFAULT_MIN_N):
    """Add a boolean `suppressed` column to a `stats.cell_stats` frame (group, item, pulje, n, ...).

    Families are group × item; parts are the numbered puljer, the total is «alle».
    """
    import pandas as pd

    from lmp_helpers.codebook import load_codebook

    cb = load_codebook()
    min_n = check_min_n(min_n)
    out = cells.copy()
    if out.empty:
        out["suppressed"] = pd.Series(dtype=bool)
        return out
    part_keys = [str(p) for p in cb.pulje_values]
    fam, _ = pd.factorize(pd.MultiIndex.from_frame(out[["group", "item"]]))
    n_fam = int(fam.max()) + 1
    pulje = out["pulje"].astype(str).to_numpy()
    n = out["n"].to_numpy(dtype=np.int64)
    parts = np.full((n_fam, len(part_keys)), -1, dtype=np.int64)
    is_part = np.isin(pulje, part_keys)
    col = np.array([part_keys.index(p) if p in part_keys else -1 for p in pulje])
    parts[fam[is_part], col[is_part]] = n[is_part]
    hidden_parts, hidden_total = suppress_family(parts, min_n)
    out["suppressed"] = np.where(is_part, hidden_parts[fam, np.maximum(col, 0)], hidden_total[fam])
    return out
