"""Norwegian author–year references, as the report writes them: «Auestad og Roland (2015)», «Seeberg m.fl.
(2015)», and a reference list without English words («Technical Report», «and», «et al.»).

Two pybtex/sphinxcontrib-bibtex plugins, registered at import:
* `lmp_norsk` (bibliography style, `bibtex_default_style`): «Etternavn, F. og Etternavn, F. (år). *Tittel*.
  Rapport, institusjon, sted. Merknad.»
* `lmp_author_year` (citation style, `bibtex_reference_style`): round brackets, «og» and «m.fl.».
"""

from __future__ import annotations

from dataclasses import dataclass, field

import pybtex.plugin
from pybtex.richtext import Text
from pybtex.style.formatting import toplevel
from pybtex.style.formatting.plain import Style as PlainStyle
from pybtex.style.template import field as bib_field
from pybtex.style.template import join, names, optional, optional_field, sentence, tag
from sphinxcontrib.bibtex.plugin import register_plugin
from sphinxcontrib.bibtex.style.referencing import BracketStyle, PersonStyle
from sphinxcontrib.bibtex.style.referencing.author_year import AuthorYearReferenceStyle

AND = " og "
OTHERS = " m.fl."
# The kind of document in Norwegian, where the reference list names it (BibTeX's @techreport).
REPORT = "Rapport"


class NorskStyle(PlainStyle):
    """Author (year). Title. Where. Note. – names «Etternavn, F.», joined with «og»."""

    default_name_style = "lastfirst"

    def __init__(self, **kwargs):
        kwargs.setdefault("abbreviate_names", True)
        super().__init__(**kwargs)
        self.sort = self._sort  # BaseStyle sets self.sort to its sorting plugin's

    def _sort(self, entries):
        """By author (corporate authors without their braces), then year: «Faglig enhet» before «Ogden»."""

        def key(entry):
            people = entry.persons.get("author", [])
            text = " ".join(" ".join(p.last_names + p.first_names) for p in people)
            return (text.replace("{", "").replace("}", "").casefold(), entry.fields.get("year", ""))

        return sorted(entries, key=key)

    def format_names(self, role, as_sentence=True):
        formatted = names(role, sep=", ", sep2=AND, last_sep=AND)
        return sentence[formatted] if as_sentence else formatted

    def _head(self):
        """«Auestad, G. og Roland, E. (2015).»"""
        year = join["(", bib_field("year"), ")"]
        return sentence[join(sep=" ")[self.format_names("author", as_sentence=False), year]]

    def _title(self):
        return sentence[tag("em")[bib_field("title")]]

    def get_techreport_template(self, e):
        return toplevel[
            self._head(),
            self._title(),
            sentence[optional_field("type") if "type" in e.fields else REPORT, bib_field("institution"),
                     optional_field("address")],
            sentence[optional_field("note")],
            self.format_web_refs(e),
        ]

    def get_misc_template(self, e):
        return toplevel[
            self._head(),
            self._title(),
            optional[sentence[bib_field("howpublished"), optional_field("address")]],
            sentence[optional_field("note")],
            self.format_web_refs(e),
        ]

    def get_book_template(self, e):
        return toplevel[
            self._head(),
            self._title(),
            optional[sentence[bib_field("publisher"), optional_field("address")]],
            sentence[optional_field("note")],
            self.format_web_refs(e),
        ]

    def get_report_template(self, e):
        return self.get_techreport_template(e)


def _person():
    return PersonStyle(sep2=AND, last_sep=AND, other=Text(OTHERS))


@dataclass
class NorskAuthorYearReferenceStyle(AuthorYearReferenceStyle):
    """«(Wendelborg, 2016)», «Auestad og Roland (2015)», «Seeberg m.fl. (2015)»."""

    bracket_parenthetical: BracketStyle = field(default_factory=lambda: BracketStyle(left="(", right=")"))
    bracket_textual: BracketStyle = field(default_factory=lambda: BracketStyle(left="(", right=")"))
    bracket_author: BracketStyle = field(default_factory=lambda: BracketStyle(left="(", right=")"))
    bracket_label: BracketStyle = field(default_factory=lambda: BracketStyle(left="(", right=")"))
    bracket_year: BracketStyle = field(default_factory=lambda: BracketStyle(left="(", right=")"))
    person: PersonStyle = field(default_factory=_person)


pybtex.plugin.register_plugin("pybtex.style.formatting", "lmp_norsk", NorskStyle)
register_plugin("sphinxcontrib.bibtex.style.referencing", "lmp_author_year", NorskAuthorYearReferenceStyle)


def setup(app):
    return {"version": "1.0", "parallel_read_safe": True, "parallel_write_safe": True}
