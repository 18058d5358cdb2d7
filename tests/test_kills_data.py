"""Fast, in-process contract tests for the loader's tables, the pulje parameter and suppression (run per
mutant by `make mutate`). Expected values are written out by hand from the rules in the module docstrings
and data/codebook.yml, never produced by the code under test.
"""

from __future__ import annotations

import csv
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from lmp_helpers.data import load_claims, load_quotes, load_tabell1
from lmp_helpers.errors import LmpInputError
from lmp_helpers.pulje import allowed_pulje, parse_pulje, pulje_label, pulje_slug
from lmp_helpers.suppression import add_suppression, check_min_n, footnote, n_shown, suppress_family

# -- pulje ---------------------------------------------------------------------------------------------------
ALLOWED = "1, 2, 3, alle"


@pytest.mark.parametrize(("given", "expected"), [
    (1, 1), (2, 2), (3, 3), (1.0, 1), (3.0, 3),
    ("1", 1), (" 2 ", 2), ("3\n", 3),
    ("alle", "alle"), ("ALLE", "alle"), (" Alle ", "alle"), ("all", "alle"), ("All", "alle"),
    (np.int64(2), 2), (np.int32(3), 3), (np.float64(1.0), 1),  # a pulje read from a DataFrame cell
])
def test_pulje_accepts_one_two_three_and_alle(given, expected):
    got = parse_pulje(given)
    assert got == expected and type(got) is type(expected)


@pytest.mark.parametrize("given", [
    0, 4, -1, 1.5, 2.5, 0.0, 4.0, "0", "4", "-1", "1.0", "", " ", "en", "alle puljer", "pulje 1", "12",
    True, False, None, [1], {"pulje": 1}, b"1", np.int64(4), np.float64(2.5), np.bool_(True),
])
def test_pulje_refuses_everything_else_naming_the_allowed_values(given):
    with pytest.raises(LmpInputError) as info:
        parse_pulje(given)
    # 4.0 from papermill is 4; a numpy scalar is shown as the number, not as «np.int64(4)»
    shown = given.item() if isinstance(given, np.generic) else given
    shown = int(shown) if isinstance(shown, float) and shown.is_integer() else shown
    assert str(info.value) == f"ugyldig pulje {shown!r}; tillatt: {ALLOWED}"


def test_pulje_names_and_slugs():
    assert allowed_pulje() == ["1", "2", "3", "alle"]
    assert [pulje_label(p) for p in (1, 2, 3, "alle")] == ["Pulje 1", "Pulje 2", "Pulje 3", "Alle puljer"]
    assert [pulje_slug(p) for p in (1, 2, 3, "alle")] == ["pulje-1", "pulje-2", "pulje-3", "pulje-alle"]


# -- suppression: the rule at min_n - 1, min_n, min_n + 1 ----------------------------------------------------
# (parts n for pulje 1, 2, 3; -1 = not asked) -> (hidden parts, hidden alle), worked out by hand:
# primary: 0 <= n < min_n; secondary: while exactly one hidden cell with n > 0 (parts, or alle if its n > 0)
# could be recovered by subtraction, hide the shown part with the smallest n > 0 (ties: lowest pulje), or
# alle when no part is left.
CASES_MIN_N_5 = [
    ([5, 5, 5], [0, 0, 0], 0),      # exactly min_n: shown
    ([6, 6, 6], [0, 0, 0], 0),
    ([4, 6, 7], [1, 1, 0], 0),      # min_n - 1: hidden, and the smallest shown one with it
    ([6, 4, 5], [0, 1, 1], 0),
    ([7, 6, 4], [0, 1, 1], 0),
    ([6, 6, 4], [1, 0, 1], 0),      # a tie: the lowest pulje
    ([4, 3, 9], [1, 1, 0], 0),      # two hidden cells protect each other
    ([4, 0, 9], [1, 1, 1], 0),      # a 0 does not protect: the 9 goes too
    ([0, 0, 9], [1, 1, 0], 0),      # zeros only: nothing to recover
    ([0, 0, 0], [1, 1, 1], 1),
    ([2, 1, 1], [1, 1, 1], 1),      # alle 4 < 5 too
    ([1, 1, 3], [1, 1, 1], 0),      # alle 5 = min_n: shown
    ([3, -1, -1], [1, 0, 0], 1),    # asked in pulje 1 only: alle is pulje 1
    ([5, -1, -1], [0, 0, 0], 0),
    ([4, 6, -1], [1, 1, 0], 0),
    ([-1, 4, 6], [0, 1, 1], 0),
    ([4, 0, -1], [1, 1, 0], 1),
    ([2, 2, -1], [1, 1, 0], 1),     # alle 4: a pulje not asked adds nothing to it
]


@pytest.mark.parametrize(("parts", "hidden", "hidden_alle"), CASES_MIN_N_5)
def test_suppression_of_one_family(parts, hidden, hidden_alle):
    got_parts, got_alle = suppress_family(parts, 5)
    assert got_parts.tolist() == [[bool(h) for h in hidden]] and got_alle.tolist() == [bool(hidden_alle)]


def test_suppression_default_min_n_is_5_and_families_are_independent():
    parts = [p for p, _, _ in CASES_MIN_N_5]
    got_parts, got_alle = suppress_family(parts)
    assert got_parts.astype(int).tolist() == [h for _, h, _ in CASES_MIN_N_5]
    assert got_alle.astype(int).tolist() == [a for _, _, a in CASES_MIN_N_5]


@pytest.mark.parametrize(("min_n", "hidden", "hidden_alle"), [
    (1, [0, 0, 0], 0), (6, [0, 0, 0], 0), (7, [1, 1, 0], 0), (9, [1, 1, 0], 0), (10, [1, 1, 0], 0),
    (11, [1, 1, 1], 0), (25, [1, 1, 1], 0), (26, [1, 1, 1], 1),  # alle = 25
])
def test_suppression_follows_min_n(min_n, hidden, hidden_alle):
    got_parts, got_alle = suppress_family([[6, 9, 10]], min_n)
    assert got_parts.astype(int).tolist() == [hidden] and got_alle.tolist() == [bool(hidden_alle)]


def test_n_shown_keeps_only_zero_and_unhidden_counts():
    assert [n_shown(n, False) for n in (0, 1, 4, 5, 6)] == [0, 1, 4, 5, 6]
    assert [n_shown(n, True) for n in (0, 1, 4, 5, 6)] == [0, None, None, None, None]
    assert type(n_shown(np.int64(7), False)) is int


def test_footnote_names_the_threshold():
    assert footnote() == (
        ": = prikket: færre enn 5 svar, eller skjult for at et prikket tall ikke skal kunne regnes ut fra de "
        "andre tallene (alle puljer = pulje 1 + 2 + 3)."
    )
    assert "færre enn 3 svar" in footnote(3)


@pytest.mark.parametrize("given", [0, -1, "0", "", "fem", 2.0, 5.5, True, None, [5]])
def test_min_n_refusals_say_what_is_allowed(given):
    with pytest.raises(LmpInputError) as info:
        check_min_n(given)
    shown = int(given) if isinstance(given, str) and given.strip().isdigit() else given
    assert str(info.value) == f"ugyldig min_n {shown!r}; tillatt: et heltall ≥ 1 (standard 5)"


@pytest.mark.parametrize(("given", "expected"), [(1, 1), (5, 5), ("7", 7), (" 3 ", 3), (np.int64(4), 4)])
def test_min_n_accepts_integers(given, expected):
    got = check_min_n(given)
    assert got == expected and type(got) is int


def _cells(rows):
    return pd.DataFrame(rows, columns=["group", "item", "pulje", "n"])


def test_add_suppression_marks_cells_by_family():
    rows = []
    # ppt × q1: 4, 6, 7 -> pulje 1 and 2 hidden; ppt × q2: 5, 5, 5 -> nothing; eier × q1 (asked in 1, 2):
    # 3, 9 -> both hidden; alle for each family is the sum.
    for group, item, parts in [("ppt", "q1", [4, 6, 7]), ("ppt", "q2", [5, 5, 5]), ("eier", "q1", [3, 9])]:
        rows.append((group, item, "alle", sum(parts)))
        rows += [(group, item, p, n) for p, n in zip([1, 2, 3], parts, strict=False)]
    cells = _cells(rows[::-1])  # order must not matter
    out = add_suppression(cells, 5)
    got = {(g, i, str(p)): s for g, i, p, s in out[["group", "item", "pulje", "suppressed"]].itertuples(index=False)}
    assert got == {
        ("ppt", "q1", "alle"): False, ("ppt", "q1", "1"): True, ("ppt", "q1", "2"): True, ("ppt", "q1", "3"): False,
        ("ppt", "q2", "alle"): False, ("ppt", "q2", "1"): False, ("ppt", "q2", "2"): False,
        ("ppt", "q2", "3"): False,
        ("eier", "q1", "alle"): False, ("eier", "q1", "1"): True, ("eier", "q1", "2"): True,
    }
    assert out["suppressed"].dtype == bool
    assert cells.columns.tolist() == ["group", "item", "pulje", "n"]  # the input is not changed
    assert add_suppression(cells, "6")["suppressed"].sum() == add_suppression(cells, 6)["suppressed"].sum() == 7
    # min_n 6: ppt q1 4 -> also the 6; ppt q2 5, 5, 5 -> all three; eier 3 -> also the 9


def test_add_suppression_of_no_cells_and_a_bad_min_n():
    out = add_suppression(_cells([]), 5)
    assert out.empty and out["suppressed"].dtype == bool and "suppressed" in out.columns
    with pytest.raises(LmpInputError, match="ugyldig min_n 0"):
        add_suppression(_cells([("ppt", "q1", 1, 3)]), 0)


# -- the report's tables: claims, quotes, Tabell 1 -----------------------------------------------------------
DATA = Path(__file__).resolve().parents[1] / "data"
LOADERS = [
    (load_claims, "report_claims.csv", "rapportens påstander"),
    (load_quotes, "quotes.csv", "sitater"),
    (load_tabell1, "tabell1.csv", "Tabell 1"),
]


def _csv_rows(path: Path) -> list[dict[str, str]]:
    with open(path, encoding="utf-8", newline="") as fh:
        return list(csv.DictReader(fh))


@pytest.mark.parametrize(("load", "name", "what"), LOADERS)
def test_a_missing_table_is_named_with_what_it_holds(tmp_path, load, name, what):
    with pytest.raises(LmpInputError) as info:
        load(tmp_path / name)
    assert str(info.value) == f"mangler fil {tmp_path / name} ({what})"


@pytest.mark.parametrize(("load", "name", "what"), LOADERS)
def test_a_table_without_a_column_names_the_file_the_column_and_the_allowed_columns(tmp_path, load, name, what):
    columns = list(_csv_rows(DATA / name)[0])
    broken = tmp_path / name
    # one column missing, then two (named with «, »)
    for kept, missing in ((columns[:1] + columns[2:], columns[1]), (columns[:1] + columns[3:],
                                                                     f"{columns[1]}, {columns[2]}")):
        broken.write_text(",".join(kept) + "\n", encoding="utf-8")
        with pytest.raises(LmpInputError) as info:
            load(broken)
        assert str(info.value) == f"{broken}: mangler kolonne(r) {missing}; tillatt: {', '.join(columns)}"


@pytest.mark.parametrize(("load", "name", "what"), LOADERS)
def test_the_default_is_the_shipped_file_and_a_given_path_is_read_instead(tmp_path, load, name, what):
    rows = _csv_rows(DATA / name)
    columns = list(rows[0])
    shipped = load()
    assert shipped.columns.tolist() == columns and len(shipped) == len(rows)
    assert shipped.iloc[-1, 0] == rows[-1][columns[0]]
    # A file of our own, with one row, the columns in another order and one column more: read as given,
    # the documented columns in their order, the extra one dropped.
    own = tmp_path / name
    values = {c: rows[0][c] for c in columns}
    values[columns[0]] = "egen-rad"
    with open(own, "w", encoding="utf-8", newline="") as fh:
        writer = csv.DictWriter(fh, fieldnames=["ekstra", *columns[::-1]])
        writer.writeheader()
        writer.writerow({"ekstra": "x", **values})
    for given in (own, str(own)):
        got = load(given)
        assert got.columns.tolist() == columns and len(got) == 1 and got.iloc[0, 0] == "egen-rad"


def test_quote_pulje_is_a_nullable_integer(tmp_path):
    own = tmp_path / "quotes.csv"
    columns = ["id", "chapter", "section", "theme", "source", "case", "pulje", "actor", "text", "where"]
    puljer = ["", "2", "3", ""]
    lines = [",".join(columns)] + [f"q{i},2,2,t,survey,,{p},PPT-leder,tekst {i},her" for i, p in enumerate(puljer)]
    own.write_text("\n".join(lines) + "\n", encoding="utf-8")
    got = load_quotes(own)
    assert str(got["pulje"].dtype) == "Int64"
    assert [None if pd.isna(v) else int(v) for v in got["pulje"]] == [None, 2, 3, None]
    assert got["case"].tolist() == ["", "", "", ""]  # text columns keep blanks as ""


def test_tabell1_counts_are_integers(tmp_path):
    rows = _csv_rows(DATA / "tabell1.csv")
    got = load_tabell1()
    for col in ["pulje", "fylkesmann", "skoleeier", "ppt", "rektor", "laerere", "elever", "foreldre"]:
        assert str(got[col].dtype) == "int64"
        assert got[col].tolist() == [int(r[col]) for r in rows]
    assert got["case"].tolist() == [r["case"] for r in rows]


# -- the pandera contract of a loaded group, and datasource.yml messages -----------------------------------
def _typed_ppt(ids):
    from lmp_helpers.codebook import load_codebook

    cb = load_codebook()
    frame = {"respondent_id": pd.array(ids, dtype="str"), "pulje": np.ones(len(ids), dtype=np.int64)}
    for item in cb.items_for_group("ppt"):
        frame[item] = pd.array([3] * len(ids), dtype="Int64")
    return pd.DataFrame(frame)


def test_schema_accepts_a_one_character_id_and_refuses_ids_that_are_not_text():
    import pandera.errors

    from lmp_helpers.data import survey_schema

    schema = survey_schema("ppt")
    schema.validate(_typed_ppt(["a", "b", "c"]))  # any non-empty id, one character too
    as_category = _typed_ppt(["a", "b", "c"])
    as_category["respondent_id"] = as_category["respondent_id"].astype("category")
    with pytest.raises((pandera.errors.SchemaError, pandera.errors.SchemaErrors), match="respondent_id"):
        schema.validate(as_category)


@pytest.mark.parametrize(("content", "kind"), [
    ("- kind: synthetic\n", "en liste"),
    ("12\n", "en verdi av typen int"),
    ("'" + "a" * 39 + "bcdefgh'\n", "teksten '" + "a" * 39 + "b'"),  # the first 40 characters
    ("kort tekst\n", "teksten 'kort tekst'"),
])
def test_a_datasource_file_that_is_no_mapping_says_what_it_holds(tmp_path, content, kind):
    from lmp_helpers.data import data_source

    (tmp_path / "datasource.yml").write_text(content, encoding="utf-8")
    with pytest.raises(LmpInputError) as info:
        data_source(tmp_path)
    assert str(info.value) == (
        f"{tmp_path / 'datasource.yml'}: innholdet er {kind}, ikke nøkkel: verdi; tillatt: f.eks. «kind: synthetic»"
    )


# -- survivors of the 2026-11 run (tests/mutation/survivors.tsv) -------------------------------------------
def _own_table(path: Path, name: str, changes: list[dict[str, str]]) -> Path:
    """The shipped table's first row, once per entry of `changes` with those fields replaced."""
    first = _csv_rows(DATA / name)[0]
    with open(path, "w", encoding="utf-8", newline="") as fh:
        writer = csv.DictWriter(fh, fieldnames=list(first))
        writer.writeheader()
        writer.writerows({**first, **change} for change in changes)
    return path


def test_text_fields_that_look_like_numbers_keep_their_text(tmp_path):
    claims = _own_table(tmp_path / "report_claims.csv", "report_claims.csv", [
        {"id": "a", "section": "2.10", "expected": "41"}, {"id": "b", "section": "1.2", "expected": "0.5"}])
    got = load_claims(claims)
    assert got["expected"].tolist() == ["41", "0.5"] and got["section"].tolist() == ["2.10", "1.2"]
    quotes = _own_table(tmp_path / "quotes.csv", "quotes.csv", [
        {"id": "q1", "section": "2.10"}, {"id": "q2", "section": "3.1"}])
    assert load_quotes(quotes)["section"].tolist() == ["2.10", "3.1"]
