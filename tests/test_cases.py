"""data/cases.yml (lmp_helpers.cases): checked on load, agrees with Tabell 1 and the quotes, in our own words."""

from __future__ import annotations

import pandas as pd
import pytest
import yaml

from lmp_helpers import fingerprint as fpmod
from lmp_helpers.cases import CASES_PATH, TEXT_FIELDS, load_cases, quote_source_label, tabell1_rows
from lmp_helpers.data import load_quotes, load_tabell1
from lmp_helpers.errors import LmpInputError


def test_cases_agree_with_tabell1_csv():
    pd.testing.assert_frame_equal(tabell1_rows(), load_tabell1())


def test_cases_carry_the_reports_counts():
    # Typed from the report (kap. 1.2): four of six case municipalities, two in pulje 2 and two in pulje 3,
    # 17/17/14/14 interviews, 62 in all.
    c = load_cases()
    assert (c.planned, c.visited) == (6, 4)
    assert [(x.label, x.pulje, x.total) for x in c.cases] == [("I", 2, 17), ("II", 2, 17), ("III", 3, 14),
                                                              ("IV", 3, 14)]
    assert sum(x.total for x in c.cases) == 62
    assert [x.label for x in c.in_pulje(1)] == [] and [x.label for x in c.in_pulje(3)] == ["III", "IV"]


def test_quote_labels_take_the_pulje_from_cases():
    q = load_quotes()
    for _, row in q[q["case"] != ""].iterrows():
        assert quote_source_label(row["case"]) == f"case {row['case']}, pulje {int(row['pulje'])}"


def test_case_texts_are_our_own_words():
    windows = fpmod.window_set(fpmod.load())
    for case in load_cases().cases:
        for key in TEXT_FIELDS:
            w = fpmod.words(getattr(case, key))
            assert not fpmod.shared_runs(w, windows), f"case {case.label}.{key} kopierer rapporten"


def _write(tmp_path, mutate):
    raw = yaml.safe_load(CASES_PATH.read_text(encoding="utf-8"))
    mutate(raw)
    path = tmp_path / "cases.yml"
    path.write_text(yaml.safe_dump(raw, allow_unicode=True), encoding="utf-8")
    return path


@pytest.mark.parametrize(
    "mutate,message",
    [
        (lambda r: r["cases"]["II"].update(pulje=4), r"case II, pulje: 4 er ikke en pulje; tillatt: 1, 2, 3"),
        (lambda r: r["cases"]["I"]["interviews"].pop("elever"), r"case I, interviews: .*forventet nøyaktig"),
        (lambda r: r["cases"]["III"]["interviews"].update(rektor=-1), r"interviews.rektor: -1 er ikke et heltall"),
        (lambda r: r["cases"].update(VII=r["cases"]["I"]), r"case 'VII': ugyldig navn"),
        (lambda r: r["cases"]["IV"].update(organisation=""), r"case IV, organisation: mangler"),
        (lambda r: r.update(visited=3), r"visited=3 må være antall caser \(4\)"),
    ],
)
def test_bad_cases_file_names_case_and_field(tmp_path, mutate, message):
    with pytest.raises(LmpInputError, match=message):
        load_cases(_write(tmp_path, mutate))


def test_unknown_case_label_lists_the_allowed():
    with pytest.raises(LmpInputError, match="tillatt: I, II, III, IV"):
        load_cases().get("V")


# -- the prose built from the cases ----------------------------------------------------------------------
def _glued(pulje):
    from lmp_helpers import book

    return book.start("introduksjon", pulje=pulje, banner=False).glued


def test_case_sentences_per_pulje_follow_the_cases():
    alle, p1, p2, p3 = (_glued(p) for p in ("alle", 1, 2, 3))
    assert alle["case_setning"] == ("Til sammen ble 62 personer intervjuet i de fire casekommunene. "
                                     "Tabell 1 viser hvem som ble intervjuet.")
    assert p1["case_setning"].startswith("Ingen av casekommunene deltok i pulje 1")
    assert "alle fire casekommunene (pulje 2 og pulje 3)" in p1["case_setning"]
    assert p2["case_setning"] == ("To av casekommunene (I og II) deltok i pulje 2; der ble til sammen 34 personer "
                                  "intervjuet. Tabell 1 viser hvem som ble intervjuet.")
    assert p3["case_setning"].startswith("To av casekommunene (III og IV) deltok i pulje 3")
    assert " 28 personer" in p3["case_setning"]
    assert alle["case_fordeling"] == p1["case_fordeling"] == "to fra pulje 2 og to fra pulje 3"
    assert (alle["case_besokt"], alle["case_planlagt"], alle["case_gjenstar"]) == ("fire", "seks", "to")
    assert (p1["intervjuer_sum"], p2["intervjuer_sum"], p3["intervjuer_sum"]) == ("0", "34", "28")


def test_case_sentences_on_other_case_files(tmp_path, monkeypatch):
    # One case in pulje 1, one in pulje 3, five planned: counts and words follow the file, not the report.
    import lmp_helpers.cases as cases_mod

    def mutate(r):
        r["cases"] = {"I": {**r["cases"]["I"], "pulje": 1}, "II": r["cases"]["IV"]}
        r["planned"], r["visited"] = 5, 2

    monkeypatch.setattr(cases_mod, "CASES_PATH", _write(tmp_path, mutate))
    load_cases.cache_clear()
    try:
        p1, p2, alle = _glued(1), _glued(2), _glued("alle")
    finally:
        load_cases.cache_clear()
    assert p1["case_setning"].startswith("Én av casekommunene (I) deltok i pulje 1; der ble til sammen 17 personer")
    assert p2["case_setning"].startswith("Ingen av casekommunene deltok i pulje 2")
    assert "alle to casekommunene (pulje 1 og pulje 3)" in p2["case_setning"]
    assert alle["case_fordeling"] == "én fra pulje 1 og én fra pulje 3"
    assert (alle["case_besokt"], alle["case_planlagt"], alle["case_gjenstar"]) == ("to", "fem", "tre")
    assert alle["intervjuer_sum"] == "31" and p2["intervjuer_sum"] == "0"


def test_tabell1_has_one_header_row_with_casekommuner_in_the_corner():
    from lmp_helpers.figures import tabell1_styler

    html = tabell1_styler().to_html()
    head = html.split("<thead>")[1].split("</thead>")[0]
    assert head.count("<tr>") == 1 and ">Casekommuner</th>" in head
