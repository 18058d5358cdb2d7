"""What the book's notebooks call: one `start(...)` per notebook, then one call per figure/table/quote.

A chapter notebook stays thin:

    ch = book.start("kunnskapstilforsel", pulje=pulje, data_dir=data_dir, min_n=min_n)   # hidden cell
    ch.figure("fig2_1")                                                                  # figure cell
    ch.quotes(section="2")                                                               # quote cell

`start` validates the parameters, shows the banner (pulje + data source, and a pulje switch), and glues
every number the chapter's prose uses (myst-nb `glue`, Norwegian decimal comma), so no number is typed
in the prose. Every glued key is also kept in `Chapter.glued` for tests.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path

from lmp_helpers.codebook import load_codebook
from lmp_helpers.errors import LmpInputError
from lmp_helpers.pulje import Pulje, parse_pulje, pulje_label, pulje_slug

# Chapter notebooks (one page per pulje) and appendices (one page, all pulje); same names as the runner.
CHAPTERS = ("datagrunnlag", "kunnskapstilforsel", "praksisendring", "ppts_rolle", "oppsummering")
MISSING = "–"  # shown where a number does not exist (e.g. a group not asked in this pulje)
SUPPRESSED = ":"  # SSB's symbol for a number that cannot be published


# ---------------------------------------------------------------------------------------------------------
# Norwegian number formatting


def fmt_number(value: object, decimals: int = 0) -> str:
    """34.6 -> «34,6»; 1234 -> «1 234» (no-break space); None/NaN -> «–»."""
    if value is None:
        return MISSING
    try:
        x = float(value)
    except (TypeError, ValueError):
        return str(value)
    if math.isnan(x):
        return MISSING
    text = f"{x:,.{decimals}f}"
    return text.replace(",", "\u00a0").replace(".", ",")


def fmt_pct(value: object, decimals: int = 1) -> str:
    return fmt_number(value, decimals)


def slug(text: str) -> str:
    """«I svært stor grad» -> «i_svaert_stor_grad» (glue keys must be plain ASCII words)."""
    text = text.lower()
    for a, b in (("æ", "ae"), ("ø", "o"), ("å", "a"), ("é", "e")):
        text = text.replace(a, b)
    return re.sub(r"[^a-z0-9]+", "_", text).strip("_")


def _display(obj) -> None:
    import pandas as pd
    from IPython.display import display

    # Every row and the full text: the book's tables are small, and a cut table hides numbers.
    with pd.option_context("display.max_rows", None, "display.max_columns", None,
                           "display.max_colwidth", None, "display.width", 200):
        display(obj)


def _markdown(text: str) -> None:
    from IPython.display import Markdown

    _display(Markdown(text))


# ---------------------------------------------------------------------------------------------------------
# The chapter object


@dataclass
class Chapter:
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

        return figure_table(figure, pulje=self.pulje, data_dir=self.data_dir, min_n=self.min_n, survey=self.survey)

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
    def glue_datagrunnlag(self) -> None:
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
        t1 = self._tabell1()
        self.glue("intervjuer_sum", int(t1.drop(columns=["case", "pulje"]).to_numpy().sum()))
        self.glue("case_antall", int(len(t1)))

    def glue_pulje_sammenligning(self) -> None:
        parts = [self.n_text("ppt", p) for p in self.codebook.pulje_values]
        labels = [f"pulje {p}: {n}" for p, n in zip(self.codebook.pulje_values, parts, strict=True)]
        self.glue("ppt_n_puljer", ", ".join(labels))
        tests = self._pulje_tests()
        row = tests[tests["item"] == "rolle_uklar"]
        for col, key in (("fisher_p", "p_rolle_uklar_fisher"), ("kruskal_p", "p_rolle_uklar_kruskal")):
            self.glue(key, fmt_p(row[col].iloc[0]) if len(row) else MISSING)

    def glue_revisjon(self) -> None:
        audit = self._audit()
        self.glue("revisjon_antall", int(len(audit)))
        self.glue("revisjon_holder", int(audit["holds"].astype(bool).sum()))

    def glue_figure(self, figure: str) -> None:
        """Shares per item × group (`fig2_1_<item>_<group>`), n per group, and the highest/lowest item."""
        cb = self.codebook
        fig = cb.figure(figure)
        table = self.figure_table(figure)
        if fig.kind == "distribution":
            for _, row in table.iterrows():
                shown = not bool(row["suppressed"]) and row["share_pct"] == row["share_pct"]
                self.glue(f"{figure}_{slug(str(row['item']))}", row["share_pct"] if shown else SUPPRESSED, 1)
            # «I stor grad eller i svært stor grad» and its complement, from the same rows the figure shows.
            top_labels = {cb.scale[c] for c in cb.top_two}
            shares = {str(r["item"]): r for _, r in table.iterrows()}
            if any(bool(r["suppressed"]) for r in shares.values()) or not shares:
                top = rest = SUPPRESSED
            else:
                total_top = sum(float(r["share_pct"]) for k, r in shares.items() if k in top_labels)
                total_rest = sum(float(r["share_pct"]) for k, r in shares.items() if k not in top_labels)
                top, rest = fmt_number(total_top, 1), fmt_number(total_rest, 1)
            self.glue(f"{figure}_topp_to", top)
            self.glue(f"{figure}_ovrige", rest)
            for key, value in ((f"{figure}_topp_to_pst", top), (f"{figure}_ovrige_pst", rest)):
                self.glue(key, f"et skjult tall (færre enn {self.min_n} svar)" if value == SUPPRESSED
                          else f"{value} prosent")
            n = table["n"].dropna()
            self.glue(f"{figure}_n", int(n.max()) if len(n) else MISSING)
            return
        for _, row in table.iterrows():
            key = f"{figure}_{row['item']}_{row['group']}"
            if bool(row["suppressed"]):
                self.glue(key, SUPPRESSED)
                self.glue(f"{key}_pst", f"et skjult tall (færre enn {self.min_n} svar)")
            elif row["share_pct"] != row["share_pct"]:
                self.glue(key, MISSING)
                self.glue(f"{key}_pst", "ingen (ingen svar i dette utvalget)")
            else:
                self.glue(key, row["share_pct"], 1)
                self.glue(f"{key}_pst", f"{fmt_number(row['share_pct'], 1)} prosent")
        for group in fig.groups:
            if group not in set(table["group"]):
                for item in fig.items:
                    self.glue(f"{figure}_{item}_{group}", MISSING)
                    self.glue(f"{figure}_{item}_{group}_pst",
                              f"ingen ({cb.groups[group].label.lower()} ble ikke spurt i {self.pulje_text.lower()})")
        for group in fig.groups:
            rows = table[(table["group"] == group) & (~table["suppressed"].astype(bool))]
            rows = rows[rows["share_pct"].notna()]
            if len(rows) == 0:
                hi = lo = f"{MISSING} (ingen tall for {cb.groups[group].label.lower()} i dette utvalget)"
            else:
                hi = cb.item(rows.loc[rows["share_pct"].idxmax(), "item"]).label.lower()
                lo = cb.item(rows.loc[rows["share_pct"].idxmin(), "item"]).label.lower()
            self.glue(f"{figure}_{group}_hoyest", hi)
            self.glue(f"{figure}_{group}_lavest", lo)
            n = table.loc[table["group"] == group, "n"].dropna()
            self.glue(f"{figure}_n_{group}", int(n.max()) if len(n) else MISSING)

    # -- page elements ----------------------------------------------------------------------------
    def banner(self) -> None:
        """Pulje and data source on top of every page; a pulje switch on chapter pages."""
        label = self.source.get("label", "")
        lines = []
        if self.synthetic:
            lines += [
                ":::{admonition} Syntetiske data – ikke funn fra evalueringen",
                ":class: warning",
                f"Utvalg: **{self.pulje_text}** · Datakilde: **{label}**. ",
                "Tallene på denne siden er beregnet fra et kunstig datasett som er laget for å etterligne "
                "rapportens publiserte tall. De er ikke svar fra ekte respondenter og skal ikke leses som funn.",
            ]
        else:
            lines += [
                ":::{admonition} Datagrunnlag",
                ":class: note",
                f"Utvalg: **{self.pulje_text}** · Datakilde: **{label}**.",
            ]
        if self.is_chapter:
            links = []
            for p in [self.codebook.pulje_all, *self.codebook.pulje_values]:
                text = pulje_label(p)
                if p == self.pulje:
                    links.append(f"**{text}**")
                else:
                    links.append(f"{{doc}}`{text} </generated/{pulje_slug(p)}/{self.name}>`")
            lines += ["", "Vis kapitlet for: " + " · ".join(links)]
        missing = self.groups_missing_in_pulje()
        if missing:
            names = " og ".join(self.codebook.groups[g].label.lower() for g in missing)
            years = ", ".join(map(str, sorted({self.codebook.groups[g].survey_year for g in missing})))
            asked = " og ".join(map(str, sorted({p for g in missing for p in self.codebook.groups[g].pulje})))
            lines += [
                "",
                f"**Merk:** {names.capitalize()} ble spurt i {years}, og den surveyen gikk bare til pulje {asked}. "
                f"For {self.pulje_text.lower()} finnes derfor bare svar fra PPT; søylene for {names} står tomme.",
            ]
        lines.append(":::")
        _markdown("\n".join(lines))

    def figure(self, figure: str) -> None:
        """Show one report figure (PNG) and nothing else, so the cell output is stable."""
        import matplotlib.pyplot as plt
        from IPython.display import display

        from lmp_helpers.alttext import figure_alt_for
        from lmp_helpers.figures import plot_figure

        fig = plot_figure(figure, pulje=self.pulje, data_dir=self.data_dir, min_n=self.min_n, survey=self.survey)
        # alt text in the output metadata (as nbconvert reads it); book/_ext/lmp_alttext.py hands it to myst-nb
        alt = figure_alt_for(figure, pulje=self.pulje, data_dir=self.data_dir, min_n=self.min_n, survey=self.survey)
        display(fig, metadata={"image/png": {"alt": alt}})
        plt.close(fig)

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
            sel = sel[sel["theme"] == theme]
        sel = quotes_for_pulje(sel, self.pulje)
        if not len(sel):
            _markdown(f"*Ingen sitater i dette avsnittet for {self.pulje_text.lower()}.*")
            return
        _markdown("\n\n".join(quote_markdown(row) for _, row in sel.iterrows()))

    def table(self, figure: str) -> None:
        """The numbers behind a figure, suppressed cells shown as `:`."""
        from lmp_helpers import tables

        frame = tables.display_table(figure, pulje=self.pulje, data_dir=self.data_dir, min_n=self.min_n,
                                     survey=self.survey)
        notes = list(frame.attrs.get("notes", []))
        frame.attrs = {}
        _display(frame.set_index(frame.columns[0]) if len(frame) else frame)
        if notes:
            _markdown("\n\n".join(f"*{n}*" for n in notes))


    # -- datagrunnlag ------------------------------------------------------------------------------
    def _tabell1(self):
        from lmp_helpers.data import load_tabell1

        t1 = load_tabell1()
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
        from IPython.display import HTML

        from lmp_helpers.figures import tabell1_styler

        # As HTML, not the Styler itself: a Styler's text/plain repr carries its memory address.
        _display(HTML(tabell1_styler(self.pulje).to_html()))

    # -- appendices ---------------------------------------------------------------------------------
    def pulje_shares(self) -> None:
        """PPT's top-two share per item for each pulje side by side (suppressed cells as `:`)."""
        import pandas as pd

        cb = self.codebook
        rows = []
        for key, fig in cb.figures.items():
            if "ppt" not in fig.groups:
                continue
            for p in [cb.pulje_all, *cb.pulje_values]:
                from lmp_helpers.tables import figure_table

                t = figure_table(key, pulje=p, data_dir=self.data_dir, min_n=self.min_n, survey=self.survey)
                t = t[t["group"] == "ppt"]
                for _, r in t.iterrows():
                    label = cb.item(r["item"]).label if r["item"] in cb.items else str(r["item"])
                    value = SUPPRESSED if bool(r["suppressed"]) else fmt_number(r["share_pct"], 1)
                    rows.append({"Figur": fig.number, "Spørsmål/svar": label, "pulje": pulje_label(p),
                                 "value": value})
        frame = pd.DataFrame(rows)
        order = [pulje_label(p) for p in [cb.pulje_all, *cb.pulje_values]]
        wide = frame.pivot_table(index=["Figur", "Spørsmål/svar"], columns="pulje", values="value",
                                 aggfunc="first", sort=False)[order]
        wide.columns.name = None
        _display(wide)
        from lmp_helpers.suppression import footnote

        _markdown("*Andel (%) «i stor grad» eller «i svært stor grad»; for figur 4.2 andel per svaralternativ. "
                  f"{footnote(self.min_n)}*")

    def _pulje_tests(self):
        import pandas as pd

        from lmp_helpers.stats import pulje_comparison

        if not hasattr(self, "_tests_cache"):
            frames = [pulje_comparison(key, group="ppt", survey=self.survey, min_n=self.min_n)
                      for key, fig in self.codebook.figures.items() if "ppt" in fig.groups]
            self._tests_cache = pd.concat(frames, ignore_index=True)
        return self._tests_cache

    def pulje_tests(self) -> None:
        import pandas as pd

        cb = self.codebook
        t = self._pulje_tests()
        out = pd.DataFrame({
            "Figur": [cb.figure(cb.item(i).figure).number for i in t["item"]],
            "Spørsmål": [cb.item(i).label for i in t["item"]],
            "n (pulje 1 / 2 / 3)": t["n_pulje"],
            "p (Fisher)": t["fisher_p"].map(fmt_p),
            "p (Kruskal–Wallis)": t["kruskal_p"].map(fmt_p),
        })
        _display(out.set_index(["Figur", "Spørsmål"]))
        if len(t):
            _markdown(f"*Metode: {t['method'].iloc[0]}.*")

    def _audit(self):
        if not hasattr(self, "_audit_cache"):
            from lmp_helpers.audit import evaluate_claims

            self._audit_cache = evaluate_claims(self.data_dir)
        return self._audit_cache

    def audit_table(self) -> None:
        import pandas as pd

        a = self._audit().reset_index(drop=True)
        out = pd.DataFrame({
            "Id": a["id"].astype(str),
            "Avsnitt": a["section"].astype(str),
            "Påstand i rapporten": a["claim"].astype(str),
            "Rapporten": a["expected"].map(_fmt_any),
            "Beregnet": a["computed"].map(_fmt_any),
            "Holder": a["holds"].map(lambda h: "ja" if bool(h) else "NEI"),
            "Hvor i rapporten": a["where"].astype(str),
        })
        _display(out.set_index("Id"))

    def data_files(self) -> None:
        import pandas as pd

        cb = self.codebook
        rows = []
        for g, grp in cb.groups.items():
            df = self.survey[g]
            rows.append({"Fil": grp.file, "Gruppe": grp.label_long, "Surveyår": grp.survey_year,
                         "Puljer": ", ".join(map(str, grp.pulje)), "Spørsmål": len(cb.items_for_group(g)),
                         "Rader": fmt_number(len(df)) if len(df) >= self.min_n or len(df) == 0 else SUPPRESSED})
        _display(pd.DataFrame(rows).set_index("Fil"))

    def codebook_groups(self) -> None:
        import pandas as pd

        cb = self.codebook
        _display(pd.DataFrame(
            [{"Nøkkel": k, "Navn": g.label_long, "Surveyår": g.survey_year,
              "Puljer": ", ".join(map(str, g.pulje)), "Invitert": MISSING if g.invited is None else g.invited}
             for k, g in cb.groups.items()]).set_index("Nøkkel"))

    def codebook_scale(self) -> None:
        import pandas as pd

        cb = self.codebook
        frame = pd.DataFrame({"Kode": list(cb.scale), "Svar": list(cb.scale.values()),
                              "Teller med i topp-to": ["ja" if c in cb.top_two else "" for c in cb.scale]})
        _display(frame.set_index("Kode"))
        _markdown(f"*Blankt (ingen kode) = {', '.join(cb.missing_labels).lower()}: regnes ikke med i nevneren.*")

    def codebook_items(self) -> None:
        import pandas as pd

        cb = self.codebook
        rows = [{"Id": k, "Figur": cb.figure(it.figure).number, "Kort navn": it.label,
                 "Grupper": ", ".join(cb.groups[g].label for g in it.groups), "Spørsmålstekst (PPT)": it.text}
                for k, it in cb.items.items()]
        _display(pd.DataFrame(rows).set_index("Id"))

    def source_table(self) -> None:
        import pandas as pd

        src = dict(self.source)
        src.pop("path", None)  # a machine path says nothing to a reader and differs between machines
        src.pop("kind", None)  # «synthetic»/«real» is English; the label says it in bokmål
        names = {"kind": "Type", "label": "Beskrivelse", "seed": "Seed", "note": "Merknad"}
        frame = pd.DataFrame({"Verdi": [str(v) for v in src.values()]}, index=[names.get(k, k) for k in src])
        _display(frame)


def fmt_p(p: object) -> str:
    """p-values with a decimal comma; very small ones as «< 0,001»."""
    try:
        x = float(p)
    except (TypeError, ValueError):
        return MISSING
    if math.isnan(x):
        return MISSING
    return "< 0,001" if x < 0.001 else fmt_number(x, 3)


def _fmt_any(value: object) -> str:
    if isinstance(value, bool):
        return "ja" if value else "nei"
    if isinstance(value, int | float):
        return fmt_number(value, 0 if float(value).is_integer() else 1)
    try:
        x = float(str(value))
        return fmt_number(x, 0 if x.is_integer() else 1)
    except ValueError:
        return "" if value is None or str(value) in {"nan", "<NA>"} else str(value)


def _escape_md(text: str) -> str:
    # Quotes are respondents' words: keep them literal (no emphasis, roles or HTML from their text).
    return re.sub(r"([\\`*_{}\[\]<>#|])", r"\\\1", " ".join(str(text).split()))


def quote_markdown(row) -> str:
    """One quote as a MyST block quote with its source: «— PPT-leder (case I, pulje 2)»."""
    where = []
    if str(row.get("source", "")) == "case" and str(row.get("case", "") or "").strip():
        where.append(f"case {row['case']}")
    elif str(row.get("source", "")) == "survey":
        where.append("åpent svar i surveyen")
    pulje = row.get("pulje")
    if pulje is not None and pulje == pulje and str(pulje) not in {"<NA>", ""}:
        where.append(f"pulje {int(pulje)}")
    actor = str(row.get("actor", "") or "").strip() or "Informant"
    source = f"{actor} ({', '.join(where)})" if where else actor
    return f"> {_escape_md(row['text'])}\n>\n> — {_escape_md(source)}"


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
    # PNG only: SVG output carries dates and random ids, which would make outputs differ run to run.
    try:
        from matplotlib_inline.backend_inline import set_matplotlib_formats
    except ImportError:  # pragma: no cover - outside IPython
        return
    set_matplotlib_formats("png")
