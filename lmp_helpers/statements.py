"""Norwegian (bokmål) clauses and sentences built from computed tables: the book's statement layer.

Pure functions: no file access, no IPython. Chapters glue what these return, so every word that depends on
the data («høyest», «lavere», «de fleste», which item is named first) is chosen here from the numbers.

Statement kinds
---------------
* `Cell`: one number in one of four states: ``shown`` (k of n, share, Wilson interval), ``suppressed``
  (hidden, fewer than min_n answers or protecting another hidden cell), ``not_asked`` (the group was not
  asked in this pulje) and ``no_data`` (asked, but nobody answered). `cell_text` gives each state's words.
* Ranking (`rank_clause`, `rank_groups_sentence`): items within a group or groups within an item, highest
  and lowest, ties named as ties («høyest og like høy for A og B (66,7 prosent hver)»), each number beside
  its own item. Ranks use the shares as shown (one decimal), so what the reader sees is what is ranked.
* Comparison (`comparison_word`, `compare_sentence`): «høyere», «lavere», «om lag like høy», «like høy»
  from the difference of two shown shares, plus a note when the difference is within the uncertainty
  (Fisher's exact test on the 2×2 table, p ≥ 0,05; the Wilson intervals in the tables then overlap too).
* Quantifiers (`quantifier`): a named rule set on the exact share k/n (see `QUANTIFIER_RULES`).
* States as whole sentences (`states_sentence`, `not_asked_sentence`).
* The report's interpretations (`interpretation_sentence`): the notebook states what the report said
  (attributed, «Rapporten tolker …»); the glued sentence after it says whether the pattern the report
  builds on holds in the data shown, does not hold (an admonition), or cannot be checked (hidden/not asked).
* Derived shares (`share_of_codes`) are computed from counts, never by adding rounded shares.
"""

from __future__ import annotations

from dataclasses import dataclass
from fractions import Fraction

SHOWN, SUPPRESSED, NOT_ASKED, NO_DATA = "shown", "suppressed", "not_asked", "no_data"

# Quantifier words from the exact share p = 100·k/n (per cent, not rounded). Each rule is (word, low, high,
# bounds): «[]» both ends included, «()» both excluded, «[)» low included. The intervals cover 0–100 without
# overlap (tested). Chosen so the report's own words come out on the synthetic data: «om lag en tredjedel»
# for 33,3–34,6 % (fig. 4.1, skoleutvikling), «de fleste» for 72 % (fig. 4.2), «under halvparten» for
# 40,7–44,4 % (fig. 3.1, PPT).
QUANTIFIER_RULES: tuple[tuple[str, int, int, str], ...] = (
    ("ingen", 0, 0, "[]"),
    ("et mindretall", 0, 28, "()"),
    ("om lag en tredjedel", 28, 38, "[]"),
    ("under halvparten", 38, 45, "()"),
    ("om lag halvparten", 45, 55, "[]"),
    ("over halvparten", 55, 65, "()"),
    ("de fleste", 65, 100, "[)"),
    ("alle", 100, 100, "[]"),
)
# «about equal» for a comparison: shown shares less than this many percentage points apart
ABOUT_EQUAL_POINTS = 5.0
# a difference counts as «within the uncertainty» when Fisher's exact test gives p at or above this
UNCERTAINTY_P = 0.05


def fmt_number(value: object, decimals: int = 0) -> str:
    """34.6 -> «34,6»; 1234 -> «1 234» (no-break space); None/NaN -> «–»."""
    import math

    if value is None:
        return "–"
    try:
        x = float(value)
    except (TypeError, ValueError):
        return str(value)
    if math.isnan(x):
        return "–"
    text = f"{x:,.{decimals}f}"
    return text.replace(",", "\u00a0").replace(".", ",")


def fmt_p(p: object) -> str:
    """p-values with a decimal comma; very small ones as «< 0,001»."""
    import math

    try:
        x = float(p)
    except (TypeError, ValueError):
        return "–"
    if math.isnan(x):
        return "–"
    return "< 0,001" if x < 0.001 else fmt_number(x, 3)


def share_pct(k: int, n: int) -> float:
    """100·k/n to one decimal, half away from zero, in integer arithmetic (as the tables)."""
    if n <= 0:
        return float("nan")
    return ((2000 * k + n) // (2 * n)) / 10.0


def share_of_codes(counts: dict[int, int], codes) -> tuple[int, int, float]:
    """(k, n, share %) for a set of answer codes, from counts per code: a derived share from counts."""
    n = sum(counts.values())
    k = sum(counts.get(c, 0) for c in codes)
    return k, n, share_pct(k, n)


def lower_first(label: str) -> str:
    """«Klasseledelse» -> «klasseledelse», but «PPTs rolle …» stays (an abbreviation keeps its capitals)."""
    if len(label) > 1 and label[1].isupper():
        return label
    return label[:1].lower() + label[1:]


def join_and(words: list[str]) -> str:
    if len(words) <= 1:
        return "".join(words)
    return ", ".join(words[:-1]) + " og " + words[-1]


def capitalize(text: str) -> str:
    return text[:1].upper() + text[1:]


@dataclass(frozen=True)
class Cell:
    """One number as a reader meets it: what it is about (`label`), its state, and (if shown) k of n."""

    label: str
    state: str
    k: int | None = None
    n: int | None = None
    low: float | None = None  # Wilson interval (%), as the tables show it
    high: float | None = None

    @property
    def shown(self) -> bool:
        return self.state == SHOWN

    @property
    def share(self) -> float:
        return share_pct(self.k, self.n) if self.shown else float("nan")

    @property
    def exact(self) -> Fraction:
        return Fraction(self.k, self.n)


def pct_text(cell: Cell) -> str:
    return f"{fmt_number(cell.share, 1)} prosent"


def state_text(cell: Cell, min_n: int, pulje_text: str) -> str:
    """Words for a number in each state (used in brackets or tables)."""
    if cell.state == SHOWN:
        return pct_text(cell)
    if cell.state == SUPPRESSED:
        return f"skjult: færre enn {min_n} svar"
    if cell.state == NOT_ASKED:  # the label names the group here: «skoleeierne ble ikke spurt i pulje 3»
        return f"{cell.label} ble ikke spurt i {pulje_text.lower()}"
    return "ingen svar i dette utvalget"


# -- quantifiers -----------------------------------------------------------------------------------------


def quantifier(k: int, n: int) -> str:
    """The quantifier word for k of n (see `QUANTIFIER_RULES`)."""
    if n <= 0:
        raise ValueError("quantifier needs n > 0")
    p = Fraction(100 * k, n)
    for word, low, high, bounds in QUANTIFIER_RULES:
        above = p >= low if bounds[0] == "[" else p > low
        below = p <= high if bounds[1] == "]" else p < high
        if above and below:
            return word
    raise AssertionError(f"no quantifier rule for {p}")  # pragma: no cover - the rules cover 0..100


# -- ranking ---------------------------------------------------------------------------------------------


def _bracket(cells: list[Cell]) -> str:
    if len(cells) == 1:
        return f"({pct_text(cells[0])})"
    return f"({'begge' if len(cells) == 2 else 'hver'} {fmt_number(cells[0].share, 1)} prosent)"


def _extreme(cells: list[Cell], word: str, tie_word: str, prep: str) -> str:
    labels = join_and([c.label for c in cells])
    if len(cells) == 1:
        return f"{word} {prep} {labels} {_bracket(cells)}"
    return f"{word} og {tie_word} {prep} {labels} {_bracket(cells)}"


def rank_clause(cells: list[Cell], prep: str = "for") -> str:
    """«høyest for A (x prosent) og lavest for B (y prosent)» over the shown cells, ties named as ties.

    Returns "" if fewer than two cells are shown.
    """
    shown = [c for c in cells if c.shown]
    if len(shown) < 2:
        return ""
    top = max(c.share for c in shown)
    bottom = min(c.share for c in shown)
    if top == bottom:
        return f"like høy {prep} {join_and([c.label for c in shown])} {_bracket(shown)}"
    highs = [c for c in shown if c.share == top]
    lows = [c for c in shown if c.share == bottom]
    return (f"{_extreme(highs, 'høyest', 'like høy', prep)} og "
            f"{_extreme(lows, 'lavest', 'like lav', prep)}")


def order_clause(cells: list[Cell], prep: str = "blant") -> str:
    """Every shown cell from highest to lowest: «høyest blant A (x prosent), så B (y prosent) og lavest
    blant C (z prosent)»; equal shares are grouped («like høy blant A og B (x prosent begge)»)."""
    shown = [c for c in cells if c.shown]
    if len(shown) < 2:
        return ""
    levels: list[list[Cell]] = []
    for c in sorted(shown, key=lambda c: -c.share):  # stable: ties keep the given order
        if levels and levels[-1][0].share == c.share:
            levels[-1].append(c)
        else:
            levels.append([c])
    if len(levels) == 1:
        return rank_clause(shown, prep)
    parts = [_extreme(levels[0], "høyest", "like høy", prep)]
    for mid in levels[1:-1]:
        tie = " (like høy)" if len(mid) > 1 else ""
        parts.append(f"så {join_and([c.label for c in mid])}{tie} {_bracket(mid)}")
    parts.append(_extreme(levels[-1], "lavest", "like lav", prep))
    return ", ".join(parts[:-1]) + " og " + parts[-1]


def states_sentence(cells: list[Cell], min_n: int, pulje_text: str, what: str = "Tallet") -> str:
    """One sentence per state that is not «shown»: «Tallet for A er skjult (færre enn 5 svar).»"""
    out = []
    hidden = [c.label for c in cells if c.state == SUPPRESSED]
    if hidden:
        head = "Tallene" if len(hidden) > 1 else what
        out.append(f"{head} for {join_and(hidden)} er skjult ({HIDDEN_WHY.format(min_n=min_n)}).")
    empty = [c.label for c in cells if c.state == NO_DATA]
    if empty:
        out.append(f"For {join_and(empty)} finnes ingen svar i dette utvalget.")
    return " ".join(out)


HIDDEN_WHY = "færre enn {min_n} svar, eller skjult for at et skjult tall ikke skal kunne regnes ut"


def hidden_by_topic(topics: list[tuple[str, list[str]]], min_n: int) -> str:
    """Hidden numbers of several topics in one sentence per set of labels: «Tallene for skoleeierne er
    skjult for skoleutvikling og klasseledelse (færre enn 5 svar …).» `topics`: (topic, hidden labels)."""
    by_labels: dict[tuple[str, ...], list[str]] = {}
    for topic, labels in topics:
        if labels:
            by_labels.setdefault(tuple(labels), []).append(topic)
    out = []
    for labels, names in by_labels.items():
        head = "Tallene" if len(labels) > 1 or len(names) > 1 else "Tallet"
        out.append(f"{head} for {join_and(list(labels))} er skjult for {join_and(names)} "
                   f"({HIDDEN_WHY.format(min_n=min_n)}).")
    return " ".join(out)


def not_asked_sentence(group_defs: list[str], pulje_text: str) -> str:
    """«Skoleeierne og skolelederne ble ikke spurt i pulje 3.»"""
    if not group_defs:
        return ""
    return f"{capitalize(join_and(group_defs))} ble ikke spurt i {pulje_text.lower()}."


def rank_sentence(lead: str, cells: list[Cell], min_n: int, pulje_text: str, prep: str = "for") -> str:
    """`lead` + ranking + a sentence for hidden/empty cells. Lead like «Blant PPT-kontorene er andelen …»."""
    clause = rank_clause(cells, prep)
    shown = [c for c in cells if c.shown]
    if clause:
        text = f"{lead} {clause}."
    elif len(shown) == 1:
        text = f"{lead} {pct_text(shown[0])} for {shown[0].label}."
    else:
        text = f"{lead} ikke å lese i dette utvalget."
    rest = states_sentence(cells, min_n, pulje_text)
    return f"{text} {rest}".strip()


def share_list(cells: list[Cell], of: str = "av") -> str:
    """«55,6 prosent av skoleeierne, 28,6 prosent av skolelederne og 34,6 prosent av PPT-kontorene»."""
    return join_and([f"{pct_text(c)} {of} {c.label}" for c in cells if c.shown])


# -- comparisons -----------------------------------------------------------------------------------------


def comparison_word(a: Cell, b: Cell) -> str:
    """How a's shown share stands to b's: «høyere», «lavere», «om lag like høy» or «like høy»."""
    d = a.share - b.share
    if d == 0:
        return "like høy"
    if abs(d) < ABOUT_EQUAL_POINTS:
        return "om lag like høy"
    return "høyere" if d > 0 else "lavere"


def fisher_p(a: Cell, b: Cell) -> float:
    from lmp_helpers.stats import fisher_top_two

    return fisher_top_two([[a.k, a.n - a.k], [b.k, b.n - b.k]])


def uncertainty_note(a: Cell, b: Cell) -> str:
    """«forskjellen er innenfor usikkerheten (Fishers eksakte test: p = 0,412)» or ""."""
    import math

    if a.share == b.share:
        return ""
    p = fisher_p(a, b)
    if math.isnan(p) or p < UNCERTAINTY_P:
        return ""
    return f"forskjellen er innenfor usikkerheten (Fishers eksakte test: p = {fmt_p(p)})"


def compare_sentence(subject: str, a: Cell, b: Cell) -> str:
    """«Andelen er høyere blant A (x prosent) enn blant B (y prosent); forskjellen er innenfor …».

    `subject` is the start of the sentence up to the comparison word, e.g. «For klasseledelse er andelen».
    """
    if not (a.shown and b.shown):
        return ""
    word = comparison_word(a, b)
    if word in ("like høy", "om lag like høy"):
        text = f"{subject} {word} blant {a.label} ({pct_text(a)}) og {b.label} ({pct_text(b)})"
    else:
        text = f"{subject} {word} blant {a.label} ({pct_text(a)}) enn blant {b.label} ({pct_text(b)})"
    note = uncertainty_note(a, b)
    return f"{text}; {note}." if note and word != "like høy" else f"{text}."


# -- the report's interpretations ----------------------------------------------------------------------


HOLDS, FAILS, UNKNOWN = "holds", "fails", "unknown"


def interpretation_sentence(status: str, pattern: str, data_says: str, reason_unknown: str = "") -> str:
    """The sentence after an attributed interpretation of the report.

    `pattern`: the pattern the report builds on, as a clause («PPT ligger lavest på alle fire områdene»);
    `data_says`: what the data shown says instead (a whole sentence), used when the pattern fails.
    """
    if status == HOLDS:
        return f"I dette datagrunnlaget holder mønsteret rapporten bygger på: {pattern}."
    if status == FAILS:
        return (f"Merk: I dette datagrunnlaget holder ikke mønsteret rapporten bygger på ({pattern}). "
                f"{data_says} Forklaringen passer derfor ikke her.")
    why = f" ({reason_unknown})" if reason_unknown else ""
    return f"Mønsteret rapporten bygger på ({pattern}), kan ikke sjekkes i dette utvalget{why}."
