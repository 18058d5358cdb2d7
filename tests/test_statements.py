"""Every sentence the chapters glue is true for the data it was built from, on many generated data sets.

The chapter glue (`lmp_helpers.chapter_glue`, worded by `lmp_helpers.statements`) is run directly on 30
generated data sets × 2 pulje pages («alle» and pulje 1, 2 or 3 in turn): seeded random answers, reversed
group orders (PPT highest, school owners lowest), exact ties (items and groups), a group missing from a
pulje, groups of 1–6 respondents per pulje, min_n 3/5/10. Each composed sentence is then checked
INDEPENDENTLY: the shares, the order, the tie words, the quantifier words and the uncertainty note are
recomputed here from the raw CSV answers (pandas + scipy, nothing from lmp_helpers' statistics). Only which
cells are hidden is taken from the published tables (`tables.figure_table`), because the sentences must hide
what the tables hide.
"""

from __future__ import annotations

import re
from fractions import Fraction
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from lmp_helpers import book, statements
from lmp_helpers.codebook import load_codebook
from lmp_helpers.data import load_survey
from lmp_helpers.paths import SYNTHETIC_DIR
from lmp_helpers.tables import figure_table

CB = load_codebook()
VARIANTS = ("random", "reversed", "ties", "missing")
N_DATASETS = 30
PULJER = ("1", "2", "3", "alle")
DEF = {"ppt": "PPT-kontorene", "skoleleder": "skolelederne", "skoleeier": "skoleeierne"}
STATEMENT_FIGURES = {"fig4_1"}

# The quantifier rule set, typed here a second time from the documentation (exact share p in per cent).
QUANTIFIERS = [
    (lambda p: p == 0, "ingen"),
    (lambda p: 0 < p < 28, "et mindretall"),
    (lambda p: 28 <= p <= 38, "om lag en tredjedel"),
    (lambda p: 38 < p < 45, "under halvparten"),
    (lambda p: 45 <= p <= 55, "om lag halvparten"),
    (lambda p: 55 < p < 65, "over halvparten"),
    (lambda p: 65 <= p < 100, "de fleste"),
    (lambda p: p == 100, "alle"),
]


# -- generated data ---------------------------------------------------------------------------------------


def _answers(rng, variant: str, group: str, n_rows: int, n_items: int) -> np.ndarray:
    if variant == "reversed":  # PPT high, school leaders middle, school owners low: the report reversed
        pools = {"ppt": [4, 5, 5, 3], "skoleleder": [2, 3, 4], "skoleeier": [1, 2, 2, 3]}
        a = rng.choice(pools[group], size=(n_rows, n_items))
    elif variant == "ties":  # one answer per respondent for every item: every item ties within a group
        a = np.repeat(rng.integers(1, 6, size=(n_rows, 1)), n_items, axis=1)
    else:
        a = rng.integers(1, 6, size=(n_rows, n_items))
    blank = rng.random((n_rows, n_items)) < (0.0 if variant == "ties" else 0.1)
    return np.where(blank, 0, a)


def make_dataset(seed: int, out: Path) -> tuple[str, int]:
    """Write ppt/skoleleder/skoleeier CSVs; return (variant, min_n)."""
    rng = np.random.default_rng(seed)
    variant = VARIANTS[seed % len(VARIANTS)]
    min_n = (3, 5, 10)[seed % 3]
    out.mkdir(parents=True)
    sizes = {}
    for group, grp in CB.groups.items():
        sizes[group] = {p: int(rng.integers(1, 7)) for p in grp.pulje}
    if variant == "missing":  # one group with nobody in one pulje
        group = ["ppt", "skoleleder", "skoleeier"][seed // 4 % 3]
        sizes[group][CB.groups[group].pulje[seed // 12 % len(CB.groups[group].pulje)]] = 0
    if variant == "ties":  # school owners answer exactly like school leaders: groups tie too
        sizes["skoleeier"] = dict(sizes["skoleleder"])
    frames = {}
    for group, grp in CB.groups.items():
        items = CB.items_for_group(group)
        puljer = [p for p in grp.pulje for _ in range(sizes[group][p])]
        if variant == "ties" and group == "skoleeier":
            codes = frames["skoleleder"][1]
        else:
            codes = _answers(rng, variant, group, len(puljer), len(items))
        frames[group] = (puljer, codes)
        lines = [",".join(CB.columns_for_group(group))]
        for i, (p, row) in enumerate(zip(puljer, codes, strict=True)):
            cells = ["" if c == 0 else str(int(c)) for c in row]
            lines.append(",".join([f"{group}-{i + 1:03d}", str(p), *cells]))
        (out / grp.file).write_text("\n".join(lines) + "\n", encoding="utf-8")
    return variant, min_n


# -- independent arithmetic ---------------------------------------------------------------------------------


_RAW: dict[Path, pd.DataFrame] = {}


def raw_frame(path: Path) -> pd.DataFrame:
    if path not in _RAW:
        _RAW.clear()  # one data set at a time
        _RAW[path] = pd.read_csv(path, dtype=str, keep_default_na=False)
    return _RAW[path]


def raw_counts(data_dir: Path, group: str, item: str, pulje: str) -> tuple[int, int, dict[int, int]]:
    """(k top-two, n answered, counts per code) from the CSV with plain pandas."""
    df = raw_frame(data_dir / CB.groups[group].file)
    if pulje != "alle":
        df = df[df["pulje"] == pulje]
    col = df[item]
    col = col[col != ""].astype(int)
    counts = {c: int((col == c).sum()) for c in (1, 2, 3, 4, 5)}
    return counts[4] + counts[5], int(len(col)), counts


def share(k: int, n: int) -> float:
    return int(Fraction(1000 * k, n) + Fraction(1, 2)) / 10


def pct(value: float) -> str:
    return f"{value:.1f}".replace(".", ",") + " prosent"


def quantifier(k: int, n: int) -> str:
    p = Fraction(100 * k, n)
    return next(word for rule, word in QUANTIFIERS if rule(p))


def item_label(item: str) -> str:
    label = CB.item(item).label
    if CB.item(item).figure in STATEMENT_FIGURES:
        return f"«{label}»"
    return label if label[1:2].isupper() else label[:1].lower() + label[1:]


class Page:
    """Independent view of one pulje page: state and share of every cell."""

    def __init__(self, data_dir: Path, pulje: str, min_n: int, survey: dict | None = None, tables=None):
        self.data_dir, self.pulje, self.min_n = data_dir, pulje, min_n
        self.tables = tables or {}
        self.cells = {}
        for key, fig in CB.figures.items():
            if key not in self.tables:
                self.tables[key] = figure_table(key, pulje=pulje, data_dir=data_dir, min_n=min_n, survey=survey)
            if fig.kind != "grouped_bars":
                continue
            table = self.tables[key]
            for group in fig.groups:
                for item in fig.items:
                    row = table[(table["group"] == group) & (table["item"] == item)]
                    k, n, _ = raw_counts(data_dir, group, item, pulje) if len(row) else (0, 0, {})
                    if not len(row):
                        state = "not_asked"
                    elif bool(row["suppressed"].iloc[0]):
                        state = "suppressed"
                    elif n == 0:
                        state = "no_data"
                    else:
                        state = "shown"
                    self.cells[(item, group)] = (state, k, n)

    def shown(self, item, group) -> bool:
        return self.cells[(item, group)][0] == "shown"

    def share(self, item, group) -> float:
        _, k, n = self.cells[(item, group)]
        return share(k, n)


# -- checks of the sentences ---------------------------------------------------------------------------------


def number_after(sentence: str, label: str) -> str:
    """The first «NN,N prosent» after `label` in the sentence."""
    start = sentence.index(label) + len(label)
    m = re.search(r"\d+,\d prosent", sentence[start:])
    assert m, (label, sentence)
    return m.group(0)


def check_extremes(sentence: str, page: Page, cells: dict[str, tuple[str, float]]):
    """`cells`: label -> (state, share). Checks «høyest … og lavest …», ties and the number beside each label."""
    shown = {lab: s for lab, (state, s) in cells.items() if state == "shown"}
    hidden = [lab for lab, (state, _) in cells.items() if state == "suppressed"]
    for lab in hidden:  # named in the hidden sentence, never with a number
        assert re.search(r"(Tallet|Tallene) for [^.]*" + re.escape(lab) + r"[^.]* er skjult", sentence), sentence
    if len(shown) < 2:
        return
    top, bottom = max(shown.values()), min(shown.values())
    if top == bottom:
        assert "like høy for" in sentence and pct(top).split()[0] in sentence, sentence
        return
    highs = [lab for lab, s in shown.items() if s == top]
    lows = [lab for lab, s in shown.items() if s == bottom]
    high_part, low_part = sentence.split(" og lavest", 1)
    high_part = high_part.split("høyest", 1)[1]
    assert sorted(lab for lab in shown if lab in high_part) == sorted(highs), (highs, sentence)
    assert sorted(lab for lab in shown if lab in low_part.split(".")[0]) == sorted(lows), (lows, sentence)
    assert ("høyest og like høy" in sentence) == (len(highs) > 1), sentence
    assert ("lavest og like lav" in sentence) == (len(lows) > 1), sentence
    for lab in highs + lows:
        assert number_after(sentence, lab) == pct(shown[lab]), (lab, sentence)


def check_ranking(glued: dict, page: Page, figure: str, group: str, key: str | None = None):
    sentence = glued[key or f"{figure}_{group}_rangering"]
    items = CB.figure(figure).items
    if all(page.cells[(i, group)][0] == "not_asked" for i in items):
        assert sentence == f"{DEF[group][:1].upper()}{DEF[group][1:]} ble ikke spurt i pulje {page.pulje}."
        return
    if all(page.cells[(i, group)][0] == "suppressed" for i in items):
        assert sentence.startswith(f"Tallene for {DEF[group]} er skjult (færre enn {page.min_n} svar"), sentence
        return
    check_extremes(sentence, page, {item_label(i): (page.cells[(i, group)][0], page.share(i, group)
                                                    if page.shown(i, group) else None) for i in items})


def check_group_order(sentence: str, page: Page, figure: str, item: str):
    """«For <item> er andelen høyest blant A (x), så B (y) og lavest blant C (z).»: order and numbers."""
    lead = f"For {item_label(item)} er andelen"
    groups = [g for g in CB.figure(figure).groups if page.shown(item, g)]
    if not groups:
        assert lead not in sentence
        return
    part = sentence[sentence.index(lead):].split(". ", 1)[0]
    positions = sorted(groups, key=lambda g: part.index(DEF[g]))
    shares = [page.share(item, g) for g in positions]
    assert shares == sorted(shares, reverse=True), (shares, part)
    for g in groups:
        assert number_after(part, DEF[g]) == pct(page.share(item, g)), (g, part)
    levels = sorted(set(shares), reverse=True)
    if len(levels) == 1:
        assert len(groups) == 1 or "like høy blant" in part, part
        return
    size = [shares.count(v) for v in levels]
    assert ("høyest og like høy" in part) == (size[0] > 1), part
    assert ("lavest og like lav" in part) == (size[-1] > 1), part
    assert ("(like høy)" in part) == any(c > 1 for c in size[1:-1]), part


def check_share_sentence(sentence: str, page: Page, figure: str, item: str):
    for g in CB.figure(figure).groups:
        state = page.cells[(item, g)][0]
        if state == "shown":
            assert f"{pct(page.share(item, g))} av {DEF[g]}" in sentence, (g, sentence)
        elif state == "not_asked":
            assert re.search(re.escape(DEF[g]) + r"[^.]* ble ikke spurt i pulje", sentence, re.I), sentence
        elif state == "suppressed":
            assert DEF[g] in sentence.split("skjult")[0], sentence
            assert not re.search(r"\d+,\d prosent av " + re.escape(DEF[g]), sentence), sentence


def check_quantifiers(sentence: str, page: Page, figure: str, item: str):
    words = []
    for g in CB.figure(figure).groups:
        if page.shown(item, g):
            _, k, n = page.cells[(item, g)]
            words.append((quantifier(k, n), g))
            assert f"{DEF[g]} ({pct(page.share(item, g))})" in sentence, sentence
    for word, g in words:
        if len({w for w, _ in words}) == 1:
            assert sentence.lower().startswith(word), (word, sentence)
        else:
            assert f"{word} av {DEF[g]}".lower() in sentence.lower(), (word, g, sentence)


def check_comparison(sentence: str, page: Page, figure: str, item: str):
    from scipy.stats import fisher_exact

    if not page.shown(item, "ppt"):
        assert "PPT-kontorene" not in sentence
        return
    for g in ("skoleleder", "skoleeier"):
        if not page.shown(item, g):
            assert DEF[g] not in sentence
            continue
        a, b = page.share(item, "ppt"), page.share(item, g)
        part = next(s for s in re.split(r"(?<=\.) (?=Andelen)", sentence) if DEF[g] in s)
        word = "like høy" if a == b else "om lag like høy" if abs(a - b) < 5 else "høyere" if a > b else "lavere"
        assert part.startswith(f"Andelen er {word} blant PPT-kontorene ({pct(a)})"), (word, part)
        assert number_after(part, DEF[g]) == pct(b)
        _, ka, na = page.cells[(item, "ppt")]
        _, kb, nb = page.cells[(item, g)]
        p = fisher_exact([[ka, na - ka], [kb, nb - kb]])[1]
        expect_note = a != b and p >= 0.05 and word != "like høy"
        assert ("innenfor usikkerheten" in part) == expect_note, (p, part)


def check_interpretation(sentence: str, verdict: str | None):
    """verdict: 'holds', 'fails' or None (cannot be checked)."""
    if verdict == "holds":
        assert sentence.startswith("I dette datagrunnlaget holder mønsteret"), sentence
    elif verdict == "fails":
        assert sentence.startswith("Merk: I dette datagrunnlaget holder ikke") and "passer derfor ikke" in sentence
    else:
        assert "kan ikke sjekkes" in sentence, sentence


def verdict(page: Page, pairs: list[tuple[tuple[str, str], tuple[str, str]]]) -> str | None:
    """Every left cell > right cell (shown shares), None if one is not shown."""
    if not all(page.shown(*a) and page.shown(*b) for a, b in pairs):
        return None
    return "holds" if all(page.share(*a) > page.share(*b) for a, b in pairs) else "fails"


def check_fig4_2(sentence: str, data_dir: Path, pulje: str, min_n: int, table: pd.DataFrame):
    k_top, n, counts = raw_counts(data_dir, "ppt", "ressurs", pulje)
    if bool(table["suppressed"].any()):
        assert "skjult" in sentence and not re.search(r"\d", sentence.replace(str(min_n), "")), sentence
        return
    if n == 0:
        assert sentence.startswith("Ingen"), sentence
        return
    rest = counts[1] + counts[2] + counts[3]
    assert sentence.startswith(f"I dette datagrunnlaget svarer {quantifier(k_top, n)} av PPT-kontorene "
                               f"({pct(share(k_top, n))})"), sentence
    assert f"mens {pct(share(rest, n))} svarer" in sentence, sentence


def check_item_order(sentence: str, page: Page, figure: str, group: str):
    """«Blant <gruppe> er andelen … høyest for A (x), så B (y) og lavest for C (z).»: every shown item of one
    group from highest to lowest, each with its own number, tie words where shares are equal."""
    items = [i for i in CB.figure(figure).items if page.shown(i, group)]
    if len(items) < 2:
        return
    lead = f"Blant {DEF[group]} er andelen"
    part = sentence[sentence.index(lead):].split(". ", 1)[0]
    positions = sorted(items, key=lambda i: part.index(item_label(i)))
    shares = [page.share(i, group) for i in positions]
    assert shares == sorted(shares, reverse=True), (shares, part)
    for i in items:
        assert number_after(part, item_label(i)) == pct(page.share(i, group)), (i, part)
    levels = sorted(set(shares), reverse=True)
    if len(levels) == 1:
        assert "like høy for" in part, part
        return
    assert ("høyest og like høy" in part) == (shares.count(levels[0]) > 1), part
    assert ("lavest og like lav" in part) == (shares.count(levels[-1]) > 1), part


def below(page: Page, cells: list[tuple[str, str]], limit: float) -> str | None:
    """Every cell's shown share below `limit`; None if one is not shown."""
    if not all(page.shown(*c) for c in cells):
        return None
    return "holds" if all(page.share(*c) < limit for c in cells) else "fails"


def chapter_2_3_verdicts(page: Page) -> dict[str, str | None]:
    """The verdict each reading of the report in chapters 2 and 3 must get, recomputed from the raw answers."""
    k = lambda i, g: (f"kunnskap_{i}", g)  # noqa: E731
    p = lambda i, g: (f"praksis_{i}", g)  # noqa: E731
    areas = ("skoleutvikling", "laeringsmiljo", "klasseledelse", "mobbing")
    return {
        "fig2_1_tolkning_grupper": verdict(page, [
            pair for a in areas for pair in ((k(a, "skoleeier"), k(a, "skoleleder")),
                                             (k(a, "skoleleder"), k(a, "ppt")))]),
        "fig2_1_tolkning_skoleeier": verdict(page, [
            (k(a, "skoleeier"), k("klasseledelse", "skoleeier")) for a in areas if a != "klasseledelse"]),
        "fig2_1_tolkning_skoleleder": verdict(page, [
            (k(a, "skoleleder"), k("skoleutvikling", "skoleleder")) for a in areas if a != "skoleutvikling"]),
        "fig3_1_tolkning_ppt_omrader": verdict(page, [
            (p(a, "ppt"), p(b, "ppt")) for a in ("laeringsmiljo", "mobbing") for b in ("skoleutvikling",
                                                                                      "klasseledelse")]),
        "fig3_1_tolkning_ppt_midt": below(page, [p(a, "ppt") for a in areas], 50),
        "fig3_1_tolkning_skoleeier_omrader": verdict(page, [
            (p("mobbing", "skoleeier"), p(b, "skoleeier")) for b in ("skoleutvikling", "laeringsmiljo")] + [
            (p(a, "skoleeier"), p("klasseledelse", "skoleeier")) for a in ("skoleutvikling", "laeringsmiljo")]),
        "fig3_1_tolkning_skoleleder": verdict(page, [
            (p(a, "skoleleder"), p(b, "skoleleder")) for a, b in (("mobbing", "klasseledelse"),
                                                                  ("klasseledelse", "skoleutvikling"),
                                                                  ("skoleutvikling", "laeringsmiljo"))]),
    }


def check_chapters_2_3(glued: dict, page: Page):
    """The sentences chapters 2 and 3 glue besides the rankings: group orders per item, item orders per group
    (shown where a reading fails), every reading's verdict, and the case names from data/cases.yml."""
    for item in CB.figure("fig2_1").items:
        check_group_order(glued["fig2_1_grupper"], page, "fig2_1", item)
    for key, want in chapter_2_3_verdicts(page).items():
        check_interpretation(glued[key], want)
        if want == "fails" and "Blant" in glued[key]:
            figure = "fig2_1" if key.startswith("fig2_1") else "fig3_1"
            group = next(g for g in ("skoleeier", "skoleleder", "ppt") if f"Blant {DEF[g]}" in glued[key])
            check_item_order(glued[key], page, figure, group)
    assert glued["casekommune_I"] == "casekommune I (pulje 2)"
    assert glued["casekommune_III"] == "casekommune III (pulje 3)"


def ffh_p(rows: list[tuple[int, int]]) -> float | None:
    """Exact Fisher–Freeman–Halton p for an r×2 table (k of n per row), by enumerating every table with the
    same margins in integer arithmetic. None when there is nothing to test (fewer than two rows with answers,
    or a column of zeros)."""
    from itertools import product
    from math import comb

    rows = [(k, n) for k, n in rows if n > 0]
    total_k = sum(k for k, _ in rows)
    total_n = sum(n for _, n in rows)
    if len(rows) < 2 or total_k == 0 or total_k == total_n:
        return None

    def weight(xs):
        w = 1
        for x, (_, n) in zip(xs, rows, strict=True):
            w *= comb(n, x)
        return w

    observed = weight([k for k, _ in rows])
    tail = sum(w for xs in product(*[range(n + 1) for _, n in rows]) if sum(xs) == total_k
               for w in [weight(xs)] if w <= observed)
    return float(Fraction(tail, comb(total_n, total_k)))


def hidden_in_pulje(data_dir: Path, min_n: int, survey, figure: str, group: str, item: str, pulje: str) -> bool:
    t = figure_table(figure, pulje=pulje, data_dir=data_dir, min_n=min_n, survey=survey)
    row = t[(t["group"] == group) & (t["item"] == item)]
    return not len(row) or bool(row["suppressed"].iloc[0])


def check_pulje_difference(sentence: str, data_dir: Path, min_n: int, survey):
    """«ingen systematisk forskjell» between the puljer (PPT, rolle uklar): p > 0,05 holds, else fails."""
    puljer = [str(p) for p in CB.groups["ppt"].pulje]
    # a pulje nobody answered is left out of the test (nothing to hide); a hidden answered cell withholds it
    if any(hidden_in_pulje(data_dir, min_n, survey, "fig4_1", "ppt", "rolle_uklar", p)
           and raw_counts(data_dir, "ppt", "rolle_uklar", p)[1] > 0 for p in puljer):
        check_interpretation(sentence, None)
        return
    p = ffh_p([raw_counts(data_dir, "ppt", "rolle_uklar", q)[:2] for q in puljer])
    if p is None:
        check_interpretation(sentence, None)
        return
    check_interpretation(sentence, "holds" if p > 0.05 else "fails")
    shown = "< 0,001" if p < 0.001 else "= " + f"{p:.3f}".replace(".", ",")
    assert f"Fishers eksakte test: p {shown})" in sentence, (p, sentence)


def check_no_improvement(sentence: str, data_dir: Path, min_n: int, survey):
    """No improvement from the first to the last pulje: the share (as shown) is not lower in the last."""
    first, last = (str(p) for p in (CB.groups["ppt"].pulje[0], CB.groups["ppt"].pulje[-1]))
    counts = {p: raw_counts(data_dir, "ppt", "rolle_uklar", p)[:2] for p in (first, last)}
    if any(hidden_in_pulje(data_dir, min_n, survey, "fig4_1", "ppt", "rolle_uklar", p) or counts[p][1] == 0
           for p in (first, last)):
        check_interpretation(sentence, None)
        return
    a, b = share(*counts[last]), share(*counts[first])
    check_interpretation(sentence, "holds" if a >= b else "fails")
    if a < b:
        assert f"{pct(a)} i pulje {last} og {pct(b)} i pulje {first}" in sentence, sentence


def check_spread(sentence: str, page: Page):
    """The groups agree more on skoleutvikling than on kompetanse: max − min smaller for skoleutvikling."""
    items = ("rolle_skoleutvikling", "rolle_kompetanse")
    groups = CB.figure("fig4_1").groups
    if not all(page.shown(i, g) for i in items for g in groups):
        check_interpretation(sentence, None)
        return
    spread = {i: round(max(page.share(i, g) for g in groups) - min(page.share(i, g) for g in groups), 1)
              for i in items}
    check_interpretation(sentence, "holds" if spread["rolle_kompetanse"] > spread["rolle_skoleutvikling"]
                         else "fails")


def check_fig4_2_most(sentence: str, data_dir: Path, pulje: str, table: pd.DataFrame):
    k_top, n, _ = raw_counts(data_dir, "ppt", "ressurs", pulje)
    if bool(table["suppressed"].any()) or n == 0:
        check_interpretation(sentence, None)
        return
    check_interpretation(sentence, "holds" if share(k_top, n) > 50 else "fails")


# -- the test ------------------------------------------------------------------------------------------------


def run_glue(data_dir: Path, pulje: str, min_n: int, survey: dict | None = None):
    ch = book.Chapter(name="test", pulje=book.parse_pulje(pulje), data_dir=str(data_dir), min_n=min_n)
    if survey is not None:
        ch.__dict__["survey"] = survey  # cached_property: load the CSVs once per data set
    for key in CB.figures:
        ch.glue_figure(key)
    for name in ("kunnskapstilforsel", "praksisendring", "ppts_rolle", "oppsummering"):
        getattr(ch, f"glue_{name}")()
    # the published tables the page was built from: which cells are hidden (the only thing not recomputed)
    return ch.glued, {key: ch.figure_table(key) for key in CB.figures}


@pytest.mark.parametrize("seed", range(N_DATASETS))
def test_every_composed_sentence_is_true_for_generated_data(tmp_path: Path, seed: int):
    data_dir = tmp_path / "data"
    variant, min_n = make_dataset(seed, data_dir)
    survey = load_survey(data_dir)
    for pulje in ("alle", PULJER[seed % 3]):  # «alle» and, in turn, pulje 1, 2 and 3
        glued, tables = run_glue(data_dir, pulje, min_n, survey)
        page = Page(data_dir, pulje, min_n, survey, tables)
        for figure in ("fig2_1", "fig3_1", "fig4_1"):
            for group in CB.figure(figure).groups:
                check_ranking(glued, page, figure, group)
        check_ranking(glued, page, "fig2_1", "ppt", key="fig2_1_ppt_kort")
        check_ranking(glued, page, "fig3_1", "ppt", key="fig3_1_ppt_kort")
        for item in CB.figure("fig3_1").items:
            check_group_order(glued["fig3_1_grupper"], page, "fig3_1", item)
        for key, item in (("fig4_1_uklar_setning", "rolle_uklar"), ("fig4_1_maal_setning", "rolle_maloppnaelse"),
                          ("fig4_1_kompetanse_setning", "rolle_kompetanse"), ("fig4_1_uklar_kort", "rolle_uklar")):
            check_share_sentence(glued[key], page, "fig4_1", item)
        check_quantifiers(glued["fig4_1_skoleutvikling_setning"], page, "fig4_1", "rolle_skoleutvikling")
        check_comparison(glued["fig4_1_kompetanse_sammenligning"], page, "fig4_1", "rolle_kompetanse")
        check_fig4_2(glued["fig4_2_setning"], data_dir, pulje, min_n, page.tables["fig4_2"])
        ppt = lambda i: (f"kunnskap_{i}", "ppt")  # noqa: E731
        check_interpretation(glued["fig2_1_tolkning"], verdict(page, [
            (ppt(a), ppt(b)) for a in ("laeringsmiljo", "mobbing") for b in ("skoleutvikling", "klasseledelse")]))
        items3 = CB.figure("fig3_1").items
        check_interpretation(glued["fig3_1_tolkning_skoleeier"], verdict(page, [
            ((i, "skoleeier"), (i, other)) for i in items3 for other in ("skoleleder", "ppt")]))
        check_interpretation(glued["fig3_1_tolkning_ppt"], verdict(page, [
            pair for i in ("praksis_skoleutvikling", "praksis_klasseledelse")
            for pair in (((i, "skoleeier"), (i, "skoleleder")), ((i, "skoleleder"), (i, "ppt")))]))
        check_chapters_2_3(glued, page)
        # chapter 4's and 5's readings of the report, each checked against the data
        uklar = ("rolle_uklar", "ppt")
        check_interpretation(glued["fig4_1_uklar_ppt_tolkning"], None if not page.shown(*uklar) else
                             "holds" if page.share(*uklar) < 50 else "fails")
        maal = "rolle_maloppnaelse"
        check_interpretation(glued["fig4_1_maal_tolkning"], verdict(page, [((maal, "skoleeier"), (maal, "ppt"))]))
        komp = "rolle_kompetanse"
        check_interpretation(glued["fig4_1_kompetanse_tolkning"], verdict(page, [
            ((komp, "ppt"), (komp, other)) for other in ("skoleleder", "skoleeier")]))
        check_spread(glued["fig4_1_samstemt_tolkning"], page)
        check_fig4_2_most(glued["fig4_2_flest_tolkning"], data_dir, pulje, page.tables["fig4_2"])
        for key in ("fig4_1_uklar_pulje_tolkning", "uklar_pulje_tolkning"):
            check_pulje_difference(glued[key], data_dir, min_n, survey)
        check_no_improvement(glued["uklar_bedring_tolkning"], data_dir, min_n, survey)


def test_the_generated_data_sets_cover_the_cases_the_issue_names(tmp_path: Path):
    """The 30 data sets hold ties, reversed orders, a group missing from a pulje, tiny groups, min_n 3/5/10."""
    seen = {"tie_items": False, "tie_groups": False, "ppt_highest": False, "empty_pulje": False,
            "hidden": False, "shown": False}
    min_ns = set()
    verdicts: dict[str, set] = {}
    for seed in range(N_DATASETS):
        d = tmp_path / str(seed)
        variant, min_n = make_dataset(seed, d)
        min_ns.add(min_n)
        survey = load_survey(d)
        for pulje in ("alle",):
            page = Page(d, pulje, min_n, survey)
            for key, v in chapter_2_3_verdicts(page).items():
                verdicts.setdefault(key, set()).add(v)
            states = {s for s, _, _ in page.cells.values()}
            seen["hidden"] |= "suppressed" in states
            seen["shown"] |= "shown" in states
            shown = {k: page.share(*k) for k in page.cells if page.shown(*k)}
            ppt = [shown[(i, "ppt")] for i in CB.figure("fig2_1").items if (i, "ppt") in shown]
            seen["tie_items"] |= len(ppt) > 1 and len(set(ppt)) < len(ppt)
            for i in CB.figure("fig2_1").items:
                g = [shown.get((i, x)) for x in ("ppt", "skoleleder", "skoleeier")]
                if None not in g:
                    seen["ppt_highest"] |= g[0] > g[1] > g[2]
                    seen["tie_groups"] |= g[1] == g[2]
        for grp in CB.groups.values():
            df = pd.read_csv(d / grp.file, dtype=str)
            seen["empty_pulje"] |= any((df["pulje"] == str(p)).sum() == 0 for p in grp.pulje)
    assert all(seen.values()), seen
    assert min_ns == {3, 5, 10}
    # every reading of chapters 2–3 fails on some page and cannot be checked on another; on the shipped
    # synthetic data (which follows the report) every one of them holds
    assert all(v >= {"fails", None} for v in verdicts.values()), verdicts
    shipped = chapter_2_3_verdicts(Page(SYNTHETIC_DIR, "alle", 5))
    assert set(shipped.values()) == {"holds"}, shipped


def test_quantifier_rules_give_the_reports_words_on_the_shipped_data():
    """«om lag en tredjedel» (fig. 4.1 skoleutvikling), «de fleste» (fig. 4.2: 18 of 25), the documented
    boundaries, and every share from 0 to 100 % gets exactly one word."""
    assert statements.quantifier(9, 26) == statements.quantifier(12, 36) == "om lag en tredjedel"
    assert statements.quantifier(18, 25) == "de fleste"
    assert statements.quantifier(0, 7) == "ingen" and statements.quantifier(7, 7) == "alle"
    for n in range(1, 41):
        for k in range(n + 1):
            assert statements.quantifier(k, n) == quantifier(k, n), (k, n)


def test_ties_are_named_as_ties_and_each_number_stays_with_its_item():
    cell = statements.Cell
    cells = [cell("a", "shown", 2, 3), cell("b", "shown", 2, 3), cell("c", "shown", 1, 3), cell("d", "suppressed")]
    text = statements.rank_clause(cells)
    assert text == "høyest og like høy for a og b (begge 66,7 prosent) og lavest for c (33,3 prosent)"
    assert statements.rank_clause(cells[:2]) == "like høy for a og b (begge 66,7 prosent)"
    assert statements.order_clause([cells[2], cells[0], cells[1]], "blant") == (
        "høyest og like høy blant a og b (begge 66,7 prosent) og lavest blant c (33,3 prosent)")


def test_derived_share_comes_from_counts_not_from_rounded_shares():
    # 10 of 11: the rounded category shares 18,2 + 36,4 + 36,4 add up to 91,0; the true share is 90,9
    assert statements.share_of_codes({1: 1, 2: 2, 3: 4, 4: 4}, (2, 3, 4)) == (10, 11, 90.9)
    assert statements.share_of_codes({1: 1, 2: 1, 3: 1}, (1, 2)) == (2, 3, 66.7)


@pytest.mark.parametrize(("answers", "differ", "improved"), [
    ({"1": [5] * 8, "2": [3] * 8, "3": [1] * 8}, True, True),  # pulje 1 all agree, pulje 3 none: «better» in 3
    ({"1": [1] * 8, "2": [3] * 8, "3": [5] * 8}, True, False),  # reversed: a difference, no improvement
    ({p: [4, 1] * 4 for p in "123"}, False, False),  # the same half in every pulje (a tie): p = 1
])
def test_pulje_readings_on_data_built_to_hold_or_fail(tmp_path: Path, answers, differ, improved):
    """The 30 random data sets rarely give p ≤ 0,05 with 1–6 PPT offices per pulje; here PPT's answers on
    «rollen har vært uklar» are set per pulje (8 offices each), so both the pulje test and «no improvement
    from pulje 1 to 3» are seen failing and holding."""
    data_dir = tmp_path / "data"
    make_dataset(1, data_dir)
    grp = CB.groups["ppt"]
    columns = CB.columns_for_group("ppt")
    lines = [",".join(columns)]
    for p in (str(x) for x in grp.pulje):
        for i, code in enumerate(answers[p]):
            lines.append(",".join([f"ppt-{p}{i:02d}", p, *[str(code)] * (len(columns) - 2)]))
    (data_dir / grp.file).write_text("\n".join(lines) + "\n", encoding="utf-8")
    survey = load_survey(data_dir)
    for pulje in ("alle", "2"):
        glued, _ = run_glue(data_dir, pulje, 5, survey)
        for key in ("fig4_1_uklar_pulje_tolkning", "uklar_pulje_tolkning"):
            check_pulje_difference(glued[key], data_dir, 5, survey)
            assert glued[key].startswith("Merk:" if differ else "I dette datagrunnlaget holder"), glued[key]
        check_no_improvement(glued["uklar_bedring_tolkning"], data_dir, 5, survey)
        expected = "Merk:" if improved else "I dette datagrunnlaget holder"
        assert glued["uklar_bedring_tolkning"].startswith(expected), glued["uklar_bedring_tolkning"]
