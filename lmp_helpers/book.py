"""What the book's notebooks call: one `start(...)` per notebook, then one call per figure/table/quote.

A chapter notebook stays thin:

    ch = book.start("kunnskapstilforsel", pulje=pulje, data_dir=data_dir, min_n=min_n)   # hidden cell
    ch.figure("fig2_1")                                                                  # figure cell
    ch.quotes(section="2")                                                               # quote cell

`start` validates the parameters, shows the banner (pulje + data source, and a pulje switch), and glues
every number the chapter's prose uses (myst-nb `glue`, Norwegian decimal comma), so no number is typed
in the prose. Every glued key is also kept in `Chapter.glued` for tests.

This module is the thin entry; the work lives in one module per concern, mixed into `Chapter`:
`chapter_glue` (what each chapter glues, worded by `statements`), `render` (number format, banner, tables,
appendices) and `audit_page` (the revisjon appendix).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path

from lmp_helpers.audit_page import AuditPage
from lmp_helpers.chapter_glue import ChapterGlue
from lmp_helpers.codebook import load_codebook
from lmp_helpers.errors import LmpInputError
from lmp_helpers.pulje import Pulje, parse_pulje, pulje_label
from lmp_helpers.render import (  # noqa: F401 - re-exported: notebooks and tests use book.fmt_number etc.
    MISSING,
    SUPPRESSED,
    PageRendering,
    _display,
    _markdown,
    fmt_number,
    fmt_p,
    fmt_pct,
    slug,
)
from lmp_helpers.render import fmt_any as _fmt_any  # noqa: F401

# Chapter notebooks (one page per pulje) and appendices (one page, all pulje); same names as the runner.
CHAPTERS = ("sammendrag", "introduksjon", "kunnskapstilforsel", "praksisendring", "ppts_rolle", "oppsummering")


# ---------------------------------------------------------------------------------------------------------
# The chapter object


@dataclass
class Chapter(ChapterGlue, PageRendering, AuditPage):
    name: str
    pulje: Pulje
    data_dir: str | None
    min_n: int
    glued: dict[str, str] = field(default_factory=dict)

    # -- data -------------------------------------------------------------------------------------
    @cached_property
    def codebook(self):
        return load_codebook()

    @cached_property
    def source(self) -> dict:
        from lmp_helpers.data import data_source

        return data_source(self.data_dir)

    @property
    def synthetic(self) -> bool:
        return self.source.get("kind") == "synthetic"

    @cached_property
    def survey(self) -> dict:
        from lmp_helpers.data import load_survey

        return load_survey(self.data_dir)

    @property
    def is_chapter(self) -> bool:
        return self.name in CHAPTERS

    @property
    def pulje_text(self) -> str:
        return pulje_label(self.pulje)

    def groups_missing_in_pulje(self) -> list[str]:
        """Groups that were never asked in this pulje (the 2016 school surveys had no pulje 3)."""
        if self.pulje == self.codebook.pulje_all:
            return []
        return [g for g, grp in self.codebook.groups.items() if self.pulje not in grp.pulje]

    def respondents(self, group: str) -> int:
        df = self.survey.get(group)
        if df is None:
            return 0
        if self.pulje == self.codebook.pulje_all:
            return int(len(df))
        return int((df[self.codebook.pulje_column] == self.pulje).sum())

    def figure_table(self, figure: str):
        from lmp_helpers.tables import figure_table

        cache = self.__dict__.setdefault("_figure_tables", {})  # one table per figure and page
        if figure not in cache:
            cache[figure] = figure_table(figure, pulje=self.pulje, data_dir=self.data_dir, min_n=self.min_n,
                                         survey=self.survey)
        return cache[figure].copy()

    # -- glue -------------------------------------------------------------------------------------
    def glue(self, key: str, value: object, decimals: int = 0) -> str:
        """Glue one value for `{glue:text}` in the prose; numbers get a decimal comma."""
        from myst_nb import glue

        if not re.fullmatch(r"[A-Za-z0-9_]+", key):
            raise LmpInputError(f"ugyldig glue-nøkkel {key!r}: bare bokstaver, tall og _")
        text = value if isinstance(value, str) else fmt_number(value, decimals)
        self.glued[key] = text
        # Glued as a str: its text/plain is the quoted literal ('34,6'), which myst-nb unquotes when pasting.
        # (An unquoted «34,6» would be read by myst-nb's literal_eval as the tuple (34, 6).)
        glue(key, text, display=False)
        return text

    def glue_common(self) -> None:
        self.glue("pulje", self.pulje_text)
        self.glue("datakilde", self.source.get("label", ""))
        self.glue("min_n", self.min_n)

    def counts(self, pulje: Pulje | None = None):
        """Respondents per group (suppressed like every other number)."""
        from lmp_helpers.tables import respondent_counts

        return respondent_counts(self.pulje if pulje is None else pulje, self.data_dir, self.min_n, self.survey)

    def n_text(self, group: str, pulje: Pulje | None = None) -> str:
        c = self.counts(pulje)
        row = c[c["group"] == group]
        if not len(row):
            return MISSING
        n = row["n"].iloc[0]
        return SUPPRESSED if bool(row["suppressed"].iloc[0]) else fmt_number(int(n))

    # -- page-specific numbers ----------------------------------------------------------------------
    def glue_sammendrag(self) -> None:
        """The summary repeats chapter 1's survey and case counts and chapter 5's computed sentences."""
        self.glue_introduksjon()
        self.glue_oppsummering()

    def glue_introduksjon(self) -> None:
        cb = self.codebook
        invited = cb.groups["ppt"].invited
        self.glue("ppt_invitert", invited if invited is not None else MISSING)
        n = self.n_text("ppt")
        self.glue("n_ppt_tekst", "et skjult antall kontor" if n == SUPPRESSED else f"{n} kontor")
        if self.pulje == cb.pulje_all and invited and n not in (SUPPRESSED, MISSING):
            self.glue("svarprosent", f"{fmt_number(100 * self.respondents('ppt') / invited, 1)} prosent")
        else:  # invitations per pulje are not published
            self.glue("svarprosent", "ukjent for én pulje alene")
        # 100/n would reveal a hidden n: only computed when n itself is shown
        shown = n not in (SUPPRESSED, MISSING) and self.respondents("ppt") > 0
        self.glue("ett_kontor_pst", f"{fmt_number(100 / self.respondents('ppt'), 1)} prosent" if shown else MISSING)
        self.glue_cases()
        self.glue_project()

    def glue_project(self) -> None:
        """Facts about the project and the evaluation that chapter 1 states (data/project.yml)."""
        import yaml

        from lmp_helpers.paths import DATA_DIR

        facts = yaml.safe_load((DATA_DIR / "project.yml").read_text(encoding="utf-8"))
        for p, pulje in facts["puljer"].items():
            for key in ("start", "skoler", "kommuner"):
                if key in pulje:
                    self.glue(f"pulje{p}_{key}", pulje[key])
        self.glue("pulje1_utvalgsar", str(facts["pulje1_selection_years"]))
        self.glue("pulje1_semestre", number_word(int(facts["pulje1_semesters"])))
        self.glue("sluttrapport", str(facts["final_report"]))
        self.glue("data_ferdig", str(facts["data_complete"]))

    def glue_cases(self) -> None:
        """Counts of case municipalities and interviews for chapter 1, all from data/cases.yml."""
        from lmp_helpers.cases import load_cases

        cases = load_cases()
        here = cases.in_pulje(self.pulje)
        t1 = self._tabell1()
        self.glue("intervjuer_sum", int(t1.drop(columns=["case", "pulje"]).to_numpy().sum()))
        self.glue("case_antall", int(len(t1)))
        self.glue("case_besokt", number_word(cases.visited))
        self.glue("case_planlagt", number_word(cases.planned))
        self.glue("case_gjenstar", number_word(cases.planned - cases.visited))
        self.glue("case_gjenstar_tid", cases.remaining_visit)
        per_pulje = [(p, [c for c in cases.cases if c.pulje == p]) for p in self.codebook.pulje_values]
        self.glue("case_fordeling", join_and([f"{number_word(len(cs))} fra pulje {p}" for p, cs in per_pulje if cs]))
        self.glue("case_fylker", join_and(list(cases.counties)))
        if self.pulje == self.codebook.pulje_all:
            text = (f"Til sammen ble {fmt_number(sum(c.total for c in here))} personer intervjuet i de "
                    f"{number_word(len(here))} casekommunene. Tabell 1 viser hvem som ble intervjuet.")
        elif not here:
            without = join_and([f"pulje {p}" for p, cs in per_pulje if cs])
            text = (f"Ingen av casekommunene deltok i {self.pulje_text.lower()}, så det finnes ingen intervjuer "
                    f"fra denne puljen. Tabell 1 viser derfor alle {number_word(len(cases.cases))} casekommunene "
                    f"({without}).")
        else:
            names = join_and([c.label for c in here])
            text = (f"{number_word(len(here)).capitalize()} av casekommunene ({names}) deltok i "
                    f"{self.pulje_text.lower()}; der ble til sammen {fmt_number(sum(c.total for c in here))} "
                    "personer intervjuet. Tabell 1 viser hvem som ble intervjuet.")
        self.glue("case_setning", text)

    # -- page elements ----------------------------------------------------------------------------

    def figure(self, figure: str) -> None:
        """Show one report figure (PNG + SVG in one output) and nothing else: myst-nb wraps every output of a
        figure cell in the figure, so the links under it come from the next cell (`distribution`,
        `question_note`)."""
        from lmp_helpers.alttext import figure_alt_for
        from lmp_helpers.figures import plot_figure

        fig = plot_figure(figure, pulje=self.pulje, data_dir=self.data_dir, min_n=self.min_n, survey=self.survey)
        alt = figure_alt_for(figure, pulje=self.pulje, data_dir=self.data_dir, min_n=self.min_n, survey=self.survey)
        self._show_image(fig, alt=alt)

    def distribution(self, figure: str) -> None:
        """What comes under a report figure: its download links («Last ned tallene»), then a collapsed section
        with every item of the figure on all five answers per group (diverging bars centred on «verken
        eller»), suppressed per group and pulje like the tables."""
        from lmp_helpers.downloads import figure_links
        from lmp_helpers.figures import plot_distribution

        _markdown(figure_links(figure, self.pulje))
        fig = plot_distribution(figure, pulje=self.pulje, data_dir=self.data_dir, min_n=self.min_n,
                                survey=self.survey)
        number = self.codebook.figure(figure).number
        self._show_image(fig, summary=f"Vis fordelingen på alle fem svaralternativer (figur {number})")

    def pulje_figure(self) -> None:
        """PPT's answers per pulje as small multiples (one panel per item, p-value in the panel title)."""
        from lmp_helpers.figures import plot_pulje_comparison

        tests = self._pulje_tests()
        fig = plot_pulje_comparison(self.data_dir, self.min_n, self.survey, tests=tests[tests["item"].isin(
            [i for f in ("fig2_1", "fig3_1", "fig4_1") for i in self.codebook.figure(f).items])])
        self._show_image(fig)

    def _show_image(self, fig, summary: str | None = None, alt: str | None = None) -> None:
        """The one place where the book displays a figure: PNG + SVG (the site uses the SVG), or, with a
        `summary`, a collapsed HTML <details> block with the SVG as an embedded image (every current browser
        shows SVG in <img>; a <picture> srcset would need a comma-free URL). Clears the figure."""
        import base64
        import html

        from IPython.display import HTML

        from lmp_helpers.figures import image_bundle, svg_bytes

        if summary is None:
            from IPython.display import display

            bundle = image_bundle(fig)
            fig.clear()
            # alt text in the output metadata of both formats (as nbconvert reads it); the site uses the SVG and
            # book/_ext/lmp_alttext.py hands the alt of the shown format to myst-nb
            meta = {mime: {"alt": alt} for mime in ("image/png", "image/svg+xml")} if alt else None
            display(bundle, raw=True, metadata=meta)
            return
        # Only the SVG is shown here, so no PNG is drawn (a PNG costs about as much as the SVG).
        svg = base64.b64encode(svg_bytes(fig)).decode("ascii")
        alt = html.escape(alt or getattr(fig, "lmp_heading", "Figur"), quote=True)
        fig.clear()
        _display(HTML(
            f"<details class=\"lmp-collapsible\"><summary>{html.escape(summary)}</summary>"
            f"<img src=\"data:image/svg+xml;base64,{svg}\" alt=\"{alt}\" style=\"max-width:100%\"></details>"
        ))

    def quotes(self, section: str, theme: str | None = None) -> None:
        """Quotes from data/quotes.csv for one report section (optionally one theme), filtered to the pulje.

        A quote whose source names its pulje (case interviews) is shown only on that pulje's page and on
        «alle»; a quote whose pulje is unknown (open survey answers) is shown on every page.
        """
        from lmp_helpers.data import load_quotes, quotes_for_pulje

        q = load_quotes()
        sel = q[q["section"].astype(str) == str(section)]
        if not len(sel):
            allowed = ", ".join(sorted(set(q["section"].astype(str))))
            raise LmpInputError(f"ingen sitater med avsnitt {section!r} i data/quotes.csv; tillatt: {allowed}")
        if theme is not None:
            themes = ", ".join(sorted(set(sel["theme"])))
            sel = sel[sel["theme"] == theme]
            if not len(sel):
                raise LmpInputError(f"ingen sitater med avsnitt {section!r} og tema {theme!r} i data/quotes.csv; "
                                    f"temaer i avsnittet: {themes}")
        here = quotes_for_pulje(sel, self.pulje)
        if not len(here):
            if theme is None:
                _markdown(f"*Ingen sitater i dette avsnittet for {self.pulje_text.lower()}.*")
            else:  # the frame before names the quotes: say where they are
                which = "Sitatet" if len(sel) == 1 else "Sitatene"
                puljer = sorted({int(p) for p in sel["pulje"].dropna()})
                where = join_and([f"pulje {p}" for p in puljer])
                _markdown(f"*{which} her hører til en casekommune i {where} og vises på sidene for {where} og for "
                          "alle puljer.*")
            return
        sel = here
        _markdown("\n\n".join(quote_markdown(row) for _, row in sel.iterrows()))

    def footnotes(self) -> None:
        """The report's footnotes in this chapter's prose, under an unnumbered rubric, with the report's numbers.

        The prose marks each with {sup}`N`; tests/test_quotes.py checks marks and entries match both ways.
        """
        notes = chapter_footnotes(self.name)
        if not notes:
            raise LmpInputError(f"kapittel {self.name} har ingen fotnoter i data/footnotes.yml")
        lines = [f"{{sup}}`{f['number']}` {_escape_md(' '.join(str(f['text']).split()))}" for f in notes]
        _markdown("```{rubric} Fotnoter\n```\n\n" + "\n\n".join(lines))

    # -- datagrunnlag ------------------------------------------------------------------------------

    def question_note(self, figure: str) -> None:
        """Under a figure: its download links, then the report's note on how the question was worded (codebook
        `question_note`), in italics."""
        from lmp_helpers.downloads import figure_links

        note = self.codebook.figure(figure).question_note
        if not note:
            raise LmpInputError(f"figur {figure} har ingen spørsmålsformulering (question_note) i data/codebook.yml")
        _markdown(f"{figure_links(figure, self.pulje)}\n\n*{_escape_md(note)}*")

    def _tabell1(self):
        from lmp_helpers.cases import tabell1_rows

        t1 = tabell1_rows()  # data/tabell1.csv holds the same rows (tests/test_cases.py)
        if self.pulje != self.codebook.pulje_all:
            t1 = t1[t1["pulje"] == self.pulje]
        return t1

    def respondent_table(self) -> None:
        """Respondents per group and pulje (suppressed as everywhere), with the pulje shown highlighted."""
        import pandas as pd

        cb = self.codebook
        cols = {}
        for p in [*cb.pulje_values, cb.pulje_all]:
            c = self.counts(p).set_index("group")
            cols[pulje_label(p)] = [
                (SUPPRESSED if bool(c.loc[g, "suppressed"]) else fmt_number(int(c.loc[g, "n"])))
                if g in c.index else MISSING
                for g in cb.groups
            ]
        frame = pd.DataFrame(cols, index=[cb.groups[g].label_long for g in cb.groups])
        frame.index.name = "Gruppe (surveyår)"
        frame.index = [f"{cb.groups[g].label_long} ({cb.groups[g].survey_year})" for g in cb.groups]
        _display(frame)
        _markdown(f"*{MISSING} = gruppen ble ikke spurt i denne puljen. {SUPPRESSED} = skjult (prikket).*")

    def tabell1(self) -> None:
        """Tabell 1 for this pulje; all cases when none took part in it (pulje 1), as `case_setning` says."""
        from IPython.display import HTML

        from lmp_helpers.figures import tabell1_styler

        pulje = self.pulje if len(self._tabell1()) else self.codebook.pulje_all
        # As HTML, not the Styler itself: a Styler's text/plain repr carries its memory address.
        _display(HTML(tabell1_styler(pulje).to_html()))
        from lmp_helpers.downloads import figure_links

        _markdown(figure_links("tabell1", pulje))

    def case_descriptions(self) -> None:
        """The case municipalities of this pulje (all on «alle»), one paragraph each, from data/cases.yml."""
        from lmp_helpers.cases import load_cases

        here = load_cases().in_pulje(self.pulje)
        if not here:
            _markdown(f"*Ingen casekommune deltok i {self.pulje_text.lower()}.*")
            return
        parts = []
        for c in here:
            text = (f"**Casekommune {c.label}** har {c.inhabitants} innbyggere og deltok i pulje {c.pulje}; "
                    f"intervjuene ble gjort {c.collected}. {c.organisation}")
            if c.background:
                text += f" {c.background}"
            text += (f" Forskerne intervjuet {c.interviewed} – {fmt_number(c.total)} personer i alt "
                     "(Tabell 1).")
            parts.append(text)
        _markdown("\n\n".join(parts))

    # -- appendices ---------------------------------------------------------------------------------


NUMBER_WORDS = ("null", "én", "to", "tre", "fire", "fem", "seks", "sju", "åtte", "ni", "ti", "elleve", "tolv")


def number_word(n: int) -> str:
    """Small counts as words, as Norwegian prose writes them (4 -> «fire»); from 13 on as digits."""
    return NUMBER_WORDS[n] if 0 <= n < len(NUMBER_WORDS) else fmt_number(n)


def join_and(parts: list[str]) -> str:
    """[a, b, c] -> «a, b og c»."""
    return parts[0] if len(parts) == 1 else ", ".join(parts[:-1]) + " og " + parts[-1] if parts else ""




def _escape_md(text: str) -> str:
    # Quotes are respondents' words: keep them literal (no emphasis, roles or HTML from their text).
    return re.sub(r"([\\`*_{}\[\]<>#|])", r"\\\1", " ".join(str(text).split()))


UNMARKED = "kilde ikke oppgitt i rapporten"


def quote_source_text(row) -> str:
    """Who said it and where, as far as the report tells: «PPT-leder (case I, pulje 2)».

    A quote the report does not mark is shown as unmarked, never as a survey answer; if the report's
    context points to a case, that is said as context. A case's pulje is read from data/cases.yml.
    """
    from lmp_helpers.cases import quote_source_label

    source = str(row.get("source", "") or "")
    case = str(row.get("case", "") or "").strip()
    if source == "case" and case:
        where = quote_source_label(case)
    elif source == "survey":
        where = "åpent svar i surveyen"
    elif source == "unmarked":
        where = UNMARKED + (f"; sammenhengen peker på {quote_source_label(case)}" if case else "")
    else:
        raise LmpInputError(f"sitat {row.get('id', '?')}: ukjent kilde {source!r}; tillatt: case, survey, unmarked")
    actor = str(row.get("actor", "") or "").strip() or "Informant"
    return f"{actor} ({where})"


def report_footnotes() -> dict[int, dict]:
    """data/footnotes.yml by the report's number: each entry belongs to a quote (`quote`) or to a chapter's
    prose (`chapter`, the notebook name), never both."""
    import yaml

    from lmp_helpers.paths import DATA_DIR

    path = DATA_DIR / "footnotes.yml"
    raw = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    out = {}
    for number, entry in raw.items():
        where = f"{path.name}, fotnote {number}"
        if not isinstance(number, int) or not isinstance(entry, dict):
            raise LmpInputError(f"{where}: nøkkelen må være rapportens fotnotenummer med felter under")
        if ("quote" in entry) == ("chapter" in entry):
            raise LmpInputError(f"{where}: oppgi enten «quote» (sitat-id) eller «chapter» (notatboknavn)")
        if not str(entry.get("text", "")).strip():
            raise LmpInputError(f"{where}: mangler «text»")
        out[number] = {"number": number, **entry}
    return out


def quote_footnotes() -> dict:
    """The report's footnotes inside quotes, by quote id."""
    return {str(f["quote"]): f for f in report_footnotes().values() if "quote" in f}


def chapter_footnotes(chapter: str) -> list[dict]:
    """The report's footnotes in one chapter's prose (marked there as {sup}`N`), in number order."""
    return [f for n, f in sorted(report_footnotes().items()) if f.get("chapter") == chapter]


def quote_markdown(row, footnotes: dict | None = None) -> str:
    """One quote as a MyST block quote with its source: «— PPT-leder (case I, pulje 2)».

    A footnote of the report inside the quote gets its number as a superscript after the words it follows,
    and its text under the quote.
    """
    text = _escape_md(row["text"])
    fn = (quote_footnotes() if footnotes is None else footnotes).get(str(row.get("id", "")))
    note = ""
    if fn:
        after = _escape_md(fn["after"])
        if after not in text:
            raise LmpInputError(f"fotnote {fn['number']}: finner ikke «{fn['after']}» i sitat {row.get('id')}")
        text = text.replace(after, f"{after}{{sup}}`{fn['number']}`", 1)
        note = f"\n\n{{sup}}`{fn['number']}` {' '.join(str(fn['text']).split())}"
    return f"> {text}\n>\n> — {_escape_md(quote_source_text(row))}{note}"


# ---------------------------------------------------------------------------------------------------------
# Entry point for notebooks


def start(
    name: str,
    pulje: object = "alle",
    data_dir: object = None,
    min_n: object = 5,
    banner: bool = True,
    figures: list[str] | str | None = None,
) -> Chapter:
    """Validate the notebook parameters, show the banner and glue the chapter's numbers."""
    from lmp_helpers.suppression import check_min_n

    p = parse_pulje(pulje)
    if data_dir is not None and not isinstance(data_dir, str | Path):
        raise LmpInputError(f"ugyldig data_dir {data_dir!r}; oppgi en mappe (tekst) eller None")
    if isinstance(data_dir, str) and not data_dir.strip():
        data_dir = None
    if data_dir is not None and not Path(data_dir).is_dir():
        raise LmpInputError(f"datamappa finnes ikke: {data_dir}")
    ch = Chapter(name=name, pulje=p, data_dir=str(data_dir) if data_dir is not None else None,
                 min_n=check_min_n(min_n))
    _setup_matplotlib()
    if banner:
        ch.banner()
    ch.glue_common()
    if figures is None:  # the chapter's own figures
        figures = [key for key, fig in ch.codebook.figures.items() if fig.chapter == name]
    elif figures == "alle":  # every report figure (the summary refers to all of them)
        figures = list(ch.codebook.figures)
    for key in figures:
        ch.glue_figure(key)
    special = getattr(ch, f"glue_{name}", None)
    if special is not None:
        special()
    return ch


def _setup_matplotlib() -> None:
    # PNG for any figure shown through the inline backend (its SVG carries dates and random ids). The book's
    # own figures go through Chapter._show_image, whose SVG is made deterministic in figures.svg_bytes.
    try:
        from matplotlib_inline.backend_inline import set_matplotlib_formats
    except ImportError:  # pragma: no cover - outside IPython
        return
    set_matplotlib_formats("png")
