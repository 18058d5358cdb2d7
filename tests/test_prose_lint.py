"""Lint: a chapter's fixed Markdown holds no word that depends on the data.

Comparative and quantifier words («høyere», «de fleste», «ingen» …) may only come from glued text (chosen
from the numbers by `lmp_helpers.statements`) or stand in a sentence attributed to the report.

Attributed sentence (precisely): after removing MyST roles, a sentence that starts with «Rapporten»,
«Rapportens», «I rapporten» or «Ifølge rapporten», or contains «ifølge rapporten». Sentences end at «.», «!»
or «?» followed by a space and a capital letter (or at the end of a paragraph); list items and headings are
sentences of their own. Glued text is `{glue:text}` roles, removed before the check (its words are chosen
from the data). Exempt phrases (no claim about the data): «alle puljer» (the pulje label), «hvor mange» (a
question) and «færre enn {glue:text}`min_n`» (the suppression rule).
"""

from __future__ import annotations

import re

import nbformat
import pytest

from lmp_helpers import book
from lmp_helpers.paths import NOTEBOOKS_DIR

# Every chapter notebook of the report (Sammendrag, 1–5), as the book lists them.
LINTED = book.CHAPTERS

DATA_WORDS = (
    "høyere", "lavere", "høyest", "lavest", "høyeste", "laveste", "flere", "flest", "færre", "færrest", "mest",
    "minst", "mange", "de fleste", "flertall", "flertallet", "mindretall", "mindretallet", "halvparten",
    "tredjedel", "tredjedelen", "ingen", "alle", "oftest", "oftere", "sjeldnere", "sjeldnest", "større", "størst",
    "mindre", "samtlige", "majoritet", "majoriteten", "like mange", "om lag like",
)
WORD_RE = re.compile(r"(?<![\wæøå])(" + "|".join(re.escape(w) for w in DATA_WORDS) + r")(?![\wæøå])", re.I)
ROLE_RE = re.compile(r"\{[a-z:]+\}`[^`]*`")
# Fixed phrases that use such a word without a claim about the data: the pulje label, a question, the rule.
EXEMPT_RE = re.compile(r"alle puljer|hvor mange|færre enn \{glue:text\}`min_n`", re.I)
ATTRIBUTED_RE = re.compile(r"^(Rapporten|Rapportens|I rapporten|Ifølge rapporten)\b|ifølge rapporten", re.I)


def sentences(markdown: str) -> list[str]:
    text = ROLE_RE.sub(" ", EXEMPT_RE.sub(" ", markdown))
    text = re.sub(r"`[^`]*`", " ", text)
    out = []
    for block in re.split(r"\n\s*\n|\n(?=\s*(?:[-*] |#+ |\(\w[\w-]*\)=))", text):
        block = " ".join(block.split())
        block = re.sub(r"^(?:[-*] |#+ |\([\w-]+\)=\s*)", "", block)
        out += [s for s in re.split(r"(?<=[.!?])\s+(?=[A-ZÆØÅ«(])", block) if s.strip()]
    return out


def unattributed_data_words(markdown: str) -> list[tuple[str, str]]:
    hits = []
    for s in sentences(markdown):
        if ATTRIBUTED_RE.search(s.strip()):
            continue
        hits += [(m.group(1), s) for m in WORD_RE.finditer(s)]
    return hits


@pytest.mark.parametrize("name", LINTED)
def test_chapter_prose_has_no_fixed_data_words(name):
    nb = nbformat.read(NOTEBOOKS_DIR / f"{name}.ipynb", as_version=4)
    hits = [h for c in nb.cells if c.cell_type == "markdown" for h in unattributed_data_words(c.source)]
    assert hits == [], f"{name}: data-dependent words in fixed prose (glue them or attribute to the report): {hits}"


def test_the_lint_flags_fixed_words_and_accepts_glue_and_attribution():
    assert unattributed_data_words("Andelen er høyest for mobbing.") == [
        ("høyest", "Andelen er høyest for mobbing.")]
    assert unattributed_data_words("Svarene spriker. De fleste er positive.")[0][0] == "De fleste"
    assert unattributed_data_words("- Praksis: alle sier ja") == [("alle", "Praksis: alle sier ja")]
    # glued text, attributed sentences and roles pass
    assert unattributed_data_words("{glue:text}`fig2_1_ppt_rangering` Neste setning.") == []
    assert unattributed_data_words("Rapporten tolker de lave tallene for PPT: mange kontor.") == []
    assert unattributed_data_words("I rapporten er det skoleeierne som oftest melder om endret praksis.") == []
    assert unattributed_data_words("Da er det ifølge rapporten vanskelig for de fleste.") == []
    # attribution covers its own sentence only
    assert unattributed_data_words("Rapporten sier noe. Flere er enige.")[0][0] == "Flere"
    # whole words only: «allerede», «mindretallsvern» and «mestring» are not data words
    assert unattributed_data_words("Det var allerede mestring av flertallsprinsippet.") == []
    assert unattributed_data_words("Hvor mange svarte for alle puljer? Færre enn {glue:text}`min_n` vises ikke.") == []
