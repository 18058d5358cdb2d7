"""Fast, in-process contract tests for the loader (one group's file, the data folder, the report's tables), the
pulje parameter and suppression (run per mutant by `make mutate`). Expected values are written out by hand from
the rules in the module docstrings and data/codebook.yml, never produced by the code under test.
"""

from __future__ import annotations

import csv
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from lmp_helpers.data import data_source, load_claims, load_quotes, load_tabell1
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


# -- one group's file: header, row shape and parsing (survivors of the 27 Nov run) -------------------------
# The columns of ppt.csv, typed from data/codebook.yml (items in the order of the report's figures).
PPT_COLUMNS = [
    "respondent_id", "pulje", "kunnskap_skoleutvikling", "kunnskap_laeringsmiljo", "kunnskap_klasseledelse",
    "kunnskap_mobbing", "praksis_skoleutvikling", "praksis_laeringsmiljo", "praksis_klasseledelse",
    "praksis_mobbing", "rolle_uklar", "rolle_maloppnaelse", "rolle_skoleutvikling", "rolle_kompetanse", "ressurs",
]
PPT_ALLOWED = ", ".join(PPT_COLUMNS)
PPT_ROWS = [
    "ppt-001,2,2,3,3,2,3,2,2,2,3,3,2,4,4",
    "ppt-002,2,5,5,4,4,3,4,3,4,3,2,4,5,4",
    "ppt-003,1,4,5,5,4,4,4,4,3,4,4,4,4,5",
]
SCALE_ALLOWED = "heltall 1–5 (1 = I svært liten grad … 5 = I svært stor grad) eller blank (mangler)"
SHAPE_ALLOWED = "tillatt: like mange felt på hver linje (kolonnene ville ellers forskyves)"
EMPTY = "filen er tom; tillatt: en overskriftslinje med kolonnene og minst én rad"


def _ppt_file(tmp_path: Path, lines: list[str], newline: str = "\n", bom: bool = False) -> Path:
    path = tmp_path / "ppt.csv"
    path.write_bytes((b"\xef\xbb\xbf" if bom else b"") + (newline.join(lines) + newline).encode("utf-8"))
    return path


def _quoted(line: str) -> str:
    """The line with its first field in quotes (a file with a quote goes through the csv module)."""
    first, rest = line.split(",", 1)
    return f'"{first}",{rest}'


def _set(line: str, column: str, value: str) -> str:
    cells = line.split(",")
    cells[PPT_COLUMNS.index(column)] = value
    return ",".join(cells)


def _read_ppt(path: Path) -> pd.DataFrame:
    from lmp_helpers.data import read_group

    return read_group(path, "ppt")


def _refusal(path: Path) -> str:
    with pytest.raises(LmpInputError) as info:
        _read_ppt(path)
    return str(info.value)


def test_header_message_lists_every_duplicated_column(tmp_path):
    path = _ppt_file(tmp_path, [",".join([*PPT_COLUMNS, "ressurs", "pulje"]), PPT_ROWS[0] + ",4,2"])
    assert _refusal(path) == (
        f"{path} (linje 1): kolonnen(e) pulje, ressurs står flere ganger i overskriften; tillatt: én gang"
    )


def test_header_message_lists_missing_and_unknown_columns_and_every_allowed_one(tmp_path):
    header = [c for c in PPT_COLUMNS if c not in ("rolle_uklar", "ressurs")] + ["notat", "kommune"]
    path = _ppt_file(tmp_path, [",".join(header), *PPT_ROWS])
    assert _refusal(path) == (
        f"{path} (linje 1): mangler kolonne(r) rolle_uklar, ressurs; ukjent(e) kolonne(r) 'notat', 'kommune'; "
        f"tillatt for ppt: {PPT_ALLOWED}"
    )


def test_a_one_character_file_is_a_header_without_the_columns(tmp_path):
    path = tmp_path / "ppt.csv"
    path.write_bytes(b"x")
    assert _refusal(path) == (
        f"{path} (linje 1): mangler kolonne(r) {PPT_ALLOWED}; ukjent(e) kolonne(r) 'x'; tillatt for ppt: {PPT_ALLOWED}"
    )


@pytest.mark.parametrize("content", [
    b"\xef\xbb\xbf",  # Excel's «CSV UTF-8» of an empty sheet: the byte order mark only
    b",,,\n", b"   \n", b" , \n",
])
def test_a_file_without_a_header_is_empty(tmp_path, content):
    path = tmp_path / "ppt.csv"
    path.write_bytes(content)
    assert _refusal(path) == f"{path}: {EMPTY}"


def test_a_header_cell_is_named_as_written_even_with_a_line_break_in_quotes(tmp_path):
    cell = "notat\r\nfritt"
    path = _ppt_file(tmp_path, [",".join(PPT_COLUMNS) + f',"{cell}"', *(r + ",x" for r in PPT_ROWS)])
    assert _refusal(path) == f"{path} (linje 1): ukjent(e) kolonne(r) {cell!r}; tillatt for ppt: {PPT_ALLOWED}"


def _ids_and_answers(df: pd.DataFrame) -> list[list[object]]:
    return [[None if pd.isna(v) else v for v in row] for row in df.astype(object).itertuples(index=False)]


EXPECTED_PPT = [
    ["ppt-001", 2, 2, 3, 3, 2, 3, 2, 2, 2, 3, 3, 2, 4, 4],
    ["ppt-002", 2, 5, 5, 4, 4, 3, 4, 3, 4, 3, 2, 4, 5, 4],
    ["ppt-003", 1, 4, 5, 5, 4, 4, 4, 4, 3, 4, 4, 4, 4, 5],
]


@pytest.mark.parametrize("variant", ["lf", "crlf", "bom", "bom-quoted", "quoted-blank-lines-at-end",
                                     "quoted-cr", "cr"])
def test_the_same_answers_in_every_way_a_csv_file_may_be_written(tmp_path, variant):
    lines = [",".join(PPT_COLUMNS), *PPT_ROWS]
    quoted = [lines[0], *(_quoted(r) for r in PPT_ROWS)]
    path = {
        "lf": lambda: _ppt_file(tmp_path, lines),
        "crlf": lambda: _ppt_file(tmp_path, lines, newline="\r\n"),
        "bom": lambda: _ppt_file(tmp_path, lines, bom=True),  # Excel's «CSV UTF-8»
        "bom-quoted": lambda: _ppt_file(tmp_path, [_quoted(lines[0]), *quoted[1:]], bom=True),
        "quoted-blank-lines-at-end": lambda: _ppt_file(tmp_path, [*quoted, "", ""]),
        "quoted-cr": lambda: _ppt_file(tmp_path, quoted, newline="\r"),  # old Mac line ends
        "cr": lambda: _ppt_file(tmp_path, lines, newline="\r"),
    }[variant]()
    got = _read_ppt(path)
    assert got.columns.tolist() == PPT_COLUMNS
    assert _ids_and_answers(got) == EXPECTED_PPT


@pytest.mark.parametrize("quote", [False, True])
def test_a_blank_line_between_rows_is_named(tmp_path, quote):
    rows = [_quoted(r) for r in PPT_ROWS] if quote else PPT_ROWS
    path = _ppt_file(tmp_path, [",".join(PPT_COLUMNS), rows[0], "", rows[1]])
    assert _refusal(path) == f"{path}, linje 3: tom linje mellom radene; tillatt: én respondent per linje"


@pytest.mark.parametrize("quote", [False, True])
@pytest.mark.parametrize(("last", "found", "what"), [
    (PPT_ROWS[2].rsplit(",", 1)[0], 14, "for få"), (PPT_ROWS[2] + ",4", 16, "for mange")])
def test_a_last_row_of_the_wrong_width_is_named(tmp_path, quote, last, found, what):
    rows = [PPT_ROWS[0], PPT_ROWS[1], last]
    path = _ppt_file(tmp_path, [",".join(PPT_COLUMNS), *([_quoted(r) for r in rows] if quote else rows)])
    assert _refusal(path) == f"{path}, linje 4: {found} felt ({what}), men overskriften har 15; {SHAPE_ALLOWED}"


@pytest.mark.parametrize("placeholder", ["NA", "N/A", "n/a", "null", "NULL", "nan", "NaN", "None", "#N/A", "XXXX",
                                         "-", "<NA>"])
def test_a_placeholder_for_missing_is_refused_only_blank_is_missing(tmp_path, placeholder):
    rows = [PPT_ROWS[0], _set(PPT_ROWS[1], "kunnskap_mobbing", placeholder), _set(PPT_ROWS[2], "ressurs", "")]
    path = _ppt_file(tmp_path, [",".join(PPT_COLUMNS), *rows])
    assert _refusal(path) == (
        f"{path}, linje 3, kolonne kunnskap_mobbing: feil type, verdien {placeholder!r} er ikke et heltall; "
        f"tillatt: {SCALE_ALLOWED}"
    )


@pytest.mark.parametrize("header_id", ["respondent_id", "respondent_id ", " respondent_id"])
@pytest.mark.parametrize("answer", ["4", "\u00a04"])  # a no-break space (copied from a word processor) is trimmed
@pytest.mark.parametrize("ids", [["001", "01", "1e3", "1000", "7"], ["NA", "null", "None", "n/a", "7"]])
def test_ids_are_text_as_written(tmp_path, header_id, answer, ids):
    rows = [f"{i},1,{answer},3,3,2,3,2,2,2,3,3,2,4,4" for i in ids]
    path = _ppt_file(tmp_path, [",".join([header_id, *PPT_COLUMNS[1:]]), *rows])
    got = _read_ppt(path)
    assert got["respondent_id"].tolist() == ids
    assert got["kunnskap_skoleutvikling"].tolist() == [4] * len(ids)


def test_a_negative_zero_is_named_as_written(tmp_path):
    rows = [_set(PPT_ROWS[0], "ressurs", ""), _set(PPT_ROWS[1], "kunnskap_mobbing", "-0"), PPT_ROWS[2]]
    path = _ppt_file(tmp_path, [",".join(PPT_COLUMNS), *rows])
    assert _refusal(path) == (
        f"{path}, linje 3, kolonne kunnskap_mobbing: koden -0 er utenfor skalaen; tillatt: {SCALE_ALLOWED}"
    )


def test_a_missing_group_file_names_the_files_a_data_folder_holds(tmp_path):
    from lmp_helpers.data import read_group

    with pytest.raises(LmpInputError) as info:
        read_group(tmp_path / "skoleeier.csv", "skoleeier")
    assert str(info.value) == (
        f"mangler fil {tmp_path / 'skoleeier.csv'} (gruppe skoleeier); tillatt: en datamappe med ppt.csv, "
        "skoleleder.csv, skoleeier.csv"
    )


def test_load_survey_reads_the_datasource_file_of_the_folder_given(tmp_path):
    import shutil

    from lmp_helpers.data import load_survey
    from lmp_helpers.paths import SYNTHETIC_DIR

    folder = tmp_path / "data"
    shutil.copytree(SYNTHETIC_DIR, folder)
    (folder / "datasource.yml").write_text("kind: ekte\n", encoding="utf-8")
    with pytest.raises(LmpInputError) as info:
        load_survey(folder)
    assert str(info.value) == f"{folder / 'datasource.yml'}: kind 'ekte' er ukjent; tillatt: synthetic, real"


@pytest.mark.parametrize("given", ["", "   "])
def test_an_empty_data_folder_name_is_refused_not_read_as_the_default(given):
    from lmp_helpers.data import load_survey, resolve_data_dir

    expected = "datamappen er tom tekst (''); tillatt: en mappe med ppt.csv, skoleleder.csv, skoleeier.csv"
    for call in (resolve_data_dir, load_survey):
        with pytest.raises(LmpInputError) as info:
            call(given)
        assert str(info.value) == expected


@pytest.mark.parametrize(("survey", "kind"), [([], "list"), ("ppt", "str"), (pd.DataFrame(), "DataFrame")])
def test_survey_that_is_no_dict_names_its_type(survey, kind):
    from lmp_helpers.data import survey_or_load

    with pytest.raises(LmpInputError) as info:
        survey_or_load(survey, None)
    assert str(info.value) == (
        f"survey må være en dict {{gruppe: DataFrame}}, ikke {kind}; tillatt nøkler: ppt, skoleleder, skoleeier"
    )


def test_a_datasource_note_in_utf8_is_read_whatever_the_locale(tmp_path):
    """datasource.yml is UTF-8 by contract (it is written with UTF-8 everywhere), so its Norwegian note reads the
    same under a locale whose default encoding is not UTF-8 (Windows' cp1252, or the C locale's ASCII here)."""
    import locale

    note = "Syntetiske data for Læringsmiljøprosjektet – ikke funn"
    (tmp_path / "datasource.yml").write_text(f"kind: synthetic\nnote: {note}\n", encoding="utf-8")
    before = locale.setlocale(locale.LC_CTYPE)
    try:
        locale.setlocale(locale.LC_CTYPE, "C")
        assert locale.getencoding().lower() not in ("utf-8", "utf8")  # the premise: open() would not read UTF-8
        info = data_source(tmp_path)
    finally:
        locale.setlocale(locale.LC_CTYPE, before)
    assert info["note"] == note


# -- validate_frame called from code (the importer's path): default source, first_line, messages -----------
# (survivors of the resumed 27 Nov run). A frame of ppt columns; `first_line=5` stands for a sheet whose
# header is on row 4, so every line number below is the row's position + 5.
def _ppt_frame(**columns) -> pd.DataFrame:
    frame = {"respondent_id": ["a", "b"], "pulje": [1, 2]}
    frame.update({c: [3, 3] for c in PPT_COLUMNS[2:]})
    frame.update(columns)
    return pd.DataFrame(frame)


def _frame_refusal(frame: pd.DataFrame, **kwargs) -> str:
    from lmp_helpers.data import validate_frame

    with pytest.raises(LmpInputError) as info:
        validate_frame(frame, "ppt", **kwargs)
    return str(info.value)


PULJE_ALLOWED = "heltall, en av 1, 2, 3"


@pytest.mark.parametrize(("columns", "expected"), [
    ({"respondent_id": ["a", ""]}, "linje 6, kolonne respondent_id: tom id; tillatt: en unik, ikke-tom id"),
    ({"pulje": ["1", "x"]},
     f"linje 6, kolonne pulje: feil type, verdien 'x' er ikke et heltall; tillatt: {PULJE_ALLOWED}"),
    ({"pulje": [1.0, np.nan]}, f"linje 6, kolonne pulje: tom verdi; tillatt: {PULJE_ALLOWED}"),
    ({"pulje": [1, 4]}, "linje 6, kolonne pulje: ugyldig pulje 4; tillatt for ppt: 1, 2, 3"),
    ({"ressurs": [3, 6]}, f"linje 6, kolonne ressurs: koden 6 er utenfor skalaen; tillatt: {SCALE_ALLOWED}"),
    ({"ressurs": ["3", "tre"]},
     f"linje 6, kolonne ressurs: feil type, verdien 'tre' er ikke et heltall; tillatt: {SCALE_ALLOWED}"),
])
def test_a_frame_from_code_is_named_data_and_counted_from_its_first_line(columns, expected):
    """Without `source` the messages name «<data>»; with `first_line` the rows are counted from it. ppt covers
    every pulje, so a pulje outside them gets no «…dekket bare pulje» note."""
    assert _frame_refusal(_ppt_frame(**columns), first_line=5) == f"<data>, {expected}"


def test_duplicated_ids_name_the_first_one_and_count_the_others():
    frame = _ppt_frame(respondent_id=["a", "b", "a", "b"], pulje=[1, 1, 1, 1],
                       **{c: [3] * 4 for c in PPT_COLUMNS[2:]})
    assert _frame_refusal(frame, source="ppt.xlsx", first_line=5) == (
        "ppt.xlsx, linje 5, 7, kolonne respondent_id: respondent-id 'a' forekommer flere ganger "
        "(2 id-er er duplisert i alt); tillatt: hver id én gang"
    )


@pytest.mark.parametrize("ids", [[1, "1"], ["a", 1, "1"], ["a", "b", 1, "1"]])
def test_ids_that_are_equal_as_text_are_duplicates_whatever_their_type(ids):
    """The loaded ids are text, so a number 1 and a text «1» are the same respondent."""
    n = len(ids)
    frame = _ppt_frame(respondent_id=ids, pulje=[1] * n, **{c: [3] * n for c in PPT_COLUMNS[2:]})
    assert _frame_refusal(frame) == (
        f"<data>, linje {n}, {n + 1}, kolonne respondent_id: respondent-id '1' forekommer flere ganger; "
        "tillatt: hver id én gang"
    )


def test_ids_from_code_become_text_as_pandas_writes_them():
    from lmp_helpers.data import validate_frame

    stamps = [pd.Timestamp("2017-03-01"), pd.Timestamp("2017-03-02 12:30")]
    out = validate_frame(_ppt_frame(respondent_id=stamps), "ppt")
    assert out["respondent_id"].tolist() == ["2017-03-01 00:00:00", "2017-03-02 12:30:00"]
    assert out["respondent_id"].dtype == "str"  # the documented type: text with NaN as its missing value
    assert out["respondent_id"].dtype == pd.StringDtype(na_value=np.nan)


def test_blank_text_answers_are_missing_and_loading_them_warns_nothing():
    """Blank answers in a text column (an importer frame) and in a float column are missing (<NA>), with no
    RuntimeWarning about casting NaN (a warning would be printed in the executed notebooks)."""
    import warnings

    from lmp_helpers.data import validate_frame

    frame = _ppt_frame(respondent_id=["a", "b", "c"], pulje=[1, 2, 3],
                       **{c: [3, 3, 3] for c in PPT_COLUMNS[2:]})
    frame["ressurs"] = pd.Series([" 4 ", "", None], dtype=object)
    frame["rolle_uklar"] = [np.nan, 2.0, 5.0]
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        out = validate_frame(frame, "ppt")
    assert out["ressurs"].tolist() == [4, pd.NA, pd.NA]
    assert out["rolle_uklar"].tolist() == [pd.NA, 2, 5]


def test_a_datasource_seed_is_reported(tmp_path):
    (tmp_path / "datasource.yml").write_text("kind: synthetic\nseed: 20170301\n", encoding="utf-8")
    assert data_source(tmp_path) == {"kind": "synthetic", "label": data_source(None)["label"], "path": str(tmp_path),
                                     "seed": 20170301}


def test_a_validated_frame_validates_again_to_the_same_frame():
    """validate_frame's own output passed through it again (a survey handed in from code): its answers are
    nullable Int64 with blanks, and the blanks stay blanks."""
    from lmp_helpers.data import validate_frame

    frame = _ppt_frame(respondent_id=["a", "b", "c"], pulje=[1, 2, 3], **{c: [3, 3, 3] for c in PPT_COLUMNS[2:]})
    frame["ressurs"] = [np.nan, 2.0, 5.0]
    once = validate_frame(frame, "ppt")
    assert once["ressurs"].dtype == "Int64" and once["ressurs"].isna().tolist() == [True, False, False]
    pd.testing.assert_frame_equal(validate_frame(once, "ppt"), once)
