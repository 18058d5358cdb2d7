"""Chapters 2 and 3: every quote of the report's sections 2, 2.1 and 3 is shown once, each after a framing
sentence that fits it (who speaks, from which source, how many), and the quote calls fail or explain clearly."""

from __future__ import annotations

import re

import nbformat
import pytest

from lmp_helpers import book
from lmp_helpers.data import load_quotes
from lmp_helpers.errors import LmpInputError
from lmp_helpers.paths import NOTEBOOKS_DIR

CHAPTERS = {"kunnskapstilforsel": ("2", "2.1"), "praksisendring": ("3",)}
CALL = re.compile(r'ch\.quotes\(section="([\d.]+)", theme="(\w+)"\)')
QUOTES = load_quotes()


def quote_calls(name: str) -> list[tuple[str, str, str]]:
    """(section, theme, the Markdown cell just before) for each ch.quotes call of a chapter notebook."""
    nb = nbformat.read(NOTEBOOKS_DIR / f"{name}.ipynb", as_version=4)
    out = []
    for i, cell in enumerate(nb.cells):
        if cell.cell_type == "code" and "ch.quotes(" in cell.source:
            m = CALL.fullmatch(cell.source.strip())
            assert m, f"{name}: every quote list names its theme (frame and quotes must match): {cell.source!r}"
            frame = nb.cells[i - 1]
            assert frame.cell_type == "markdown", f"{name}: {cell.source} has no framing text before it"
            out.append((m.group(1), m.group(2), frame.source))
    return out


def selected(section: str, theme: str):
    q = QUOTES[QUOTES["section"].astype(str) == section]
    return q[q["theme"] == theme]


@pytest.mark.parametrize("name", CHAPTERS)
def test_every_quote_of_the_chapter_is_shown_exactly_once(name):
    shown = [qid for section, theme, _ in quote_calls(name) for qid in selected(section, theme)["id"]]
    expected = QUOTES[QUOTES["section"].astype(str).isin(CHAPTERS[name])]["id"].tolist()
    assert sorted(shown) == sorted(expected)


COUNT_WORDS = {"to": 2, "ett": 1, "et": 1}
COUNTED = re.compile(r"\b(to|ett|et) (svar|av dem|av svarene|neste sitatene|PPT-ledere)\b", re.I)


@pytest.mark.parametrize("name", CHAPTERS)
def test_each_framing_sentence_fits_the_quotes_after_it(name):
    for section, theme, frame in quote_calls(name):
        quotes = selected(section, theme)
        last = frame.strip().split("\n\n")[-1]
        where = f"{name}, {section}/{theme}: «{last}»"
        actors = set(quotes["actor"])
        if actors == {"skoleeier"}:
            assert "skoleeier" in last, where
        if all(a.startswith("PPT") for a in actors):
            assert "PPT" in frame, where
        if set(quotes["source"]) == {"survey"}:  # open answers: the frame says so
            assert re.search(r"survey|åpne felt|åpent svar", frame), where
        for word, _ in COUNTED.findall(last):
            assert COUNT_WORDS[word.lower()] == len(quotes), where


def test_the_check_catches_a_frame_that_does_not_fit():
    # the cases: a frame naming PPT offices before a school owner's words, a count that is wrong
    quotes = selected("3", "nyanse")
    assert set(quotes["actor"]) == {"skoleeier"}
    assert "skoleeier" not in "Slik beskriver noen av kontorene det selv:"
    assert COUNT_WORDS[COUNTED.search("To svar fra surveyen:").group(1).lower()] != len(selected("2.1", "tettere"))


def _chapter(pulje):
    return book.Chapter(name="kunnskapstilforsel", pulje=book.parse_pulje(pulje), data_dir=None, min_n=5)


def test_quotes_of_another_puljes_case_are_explained_not_shown(monkeypatch):
    shown = []
    monkeypatch.setattr(book, "_markdown", shown.append)
    _chapter("3").quotes(section="2", theme="posisjon")  # case I, pulje 2
    assert shown == ["*Sitatet her hører til en casekommune i pulje 2 og vises på sidene for pulje 2 og for alle "
                     "puljer.*"]
    shown.clear()
    _chapter("2").quotes(section="2", theme="posisjon")
    assert shown[0].startswith("> Mandatet vårt er annerledes") and "case I, pulje 2" in shown[0]


def test_unknown_theme_names_the_sections_themes():
    with pytest.raises(LmpInputError, match=r"avsnitt '2' og tema 'finnes_ikke'.*temaer i avsnittet: .*posisjon"):
        _chapter("alle").quotes(section="2", theme="finnes_ikke")


def test_a_heading_title_wrapped_onto_a_short_second_line_is_read_whole():
    # 2.1's title wraps onto a second line followed directly by body text (report lines 466-468)
    from lmp_helpers.fingerprint import headings

    lines = [" 2.1 Læringsmiljøsenteret og veiledningsteamene ", "sitt bidrag til kompetanseheving i PPT ",
             "Ifølge delmål 3 i Læringsmiljøprosjektet skal PPT lære om hvordan de kan støtte og ",
             "4. PPTs rolle i Læringsmiljøprosjektet ",
             "Involvering av PPT er et viktig delmål i utviklingsarbeidet gjennom ",
             "1.2 Datagrunnlag ", "Kort setning.", ""]
    assert [(h["number"], h["title"]) for h in headings(lines)] == [
        ("2.1", "Læringsmiljøsenteret og veiledningsteamene sitt bidrag til kompetanseheving i PPT"),
        ("4", "PPTs rolle i Læringsmiljøprosjektet"),
        ("1.2", "Datagrunnlag"),
    ]
