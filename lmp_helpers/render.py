"""Rendering for the book's pages: Norwegian number format, Markdown/table display, the banner and the
appendix tables. Mixed into `book.Chapter` (`PageRendering`); the chapter's data comes from there.
"""

from __future__ import annotations

import re

from lmp_helpers.pulje import pulje_label, pulje_slug
from lmp_helpers.statements import fmt_number, fmt_p

MISSING = "–"  # shown where a number does not exist (e.g. a group not asked in this pulje)
SUPPRESSED = ":"  # SSB's symbol for a number that cannot be published

__all__ = ["MISSING", "SUPPRESSED", "PageRendering", "display", "fmt_any", "fmt_number", "fmt_p", "fmt_pct",
           "markdown", "slug"]


def fmt_pct(value: object, decimals: int = 1) -> str:
    return fmt_number(value, decimals)


def slug(text: str) -> str:
    """«I svært stor grad» -> «i_svaert_stor_grad» (glue keys must be plain ASCII words)."""
    text = text.lower()
    for a, b in (("æ", "ae"), ("ø", "o"), ("å", "a"), ("é", "e")):
        text = text.replace(a, b)
    return re.sub(r"[^a-z0-9]+", "_", text).strip("_")


def display(obj) -> None:
    import pandas as pd
    from IPython.display import display as ipy_display

    # Every row and the full text: the book's tables are small, and a cut table hides numbers.
    with pd.option_context("display.max_rows", None, "display.max_columns", None,
                           "display.max_colwidth", None, "display.width", 200):
        ipy_display(obj)


def markdown(text: str) -> None:
    from IPython.display import Markdown

    display(Markdown(text))


def fmt_any(value: object) -> str:
    if isinstance(value, bool):
        return "ja" if value else "nei"
    if isinstance(value, int | float):
        return fmt_number(value, 0 if float(value).is_integer() else 1)
    try:
        x = float(str(value))
        return fmt_number(x, 0 if x.is_integer() else 1)
    except ValueError:
        return "" if value is None or str(value) in {"nan", "<NA>"} else str(value)


_display, _markdown = display, markdown


class PageRendering:
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
            from lmp_helpers.downloads import zip_link

            lines += ["", f"Last ned {zip_link(self.pulje)}."]
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

    def table(self, figure: str) -> None:
        """The numbers behind a figure, suppressed cells shown as `:`, and its download links."""
        from lmp_helpers import tables
        from lmp_helpers.downloads import figure_links

        frame = tables.display_table(figure, pulje=self.pulje, data_dir=self.data_dir, min_n=self.min_n,
                                     survey=self.survey)
        notes = list(frame.attrs.get("notes", []))
        frame.attrs = {}
        _display(frame.set_index(frame.columns[0]) if len(frame) else frame)
        _markdown("\n\n".join([*(f"*{n}*" for n in notes), figure_links(figure, self.pulje)]))

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
        from lmp_helpers.downloads import all_zip_links
        from lmp_helpers.suppression import footnote

        _markdown("*Andel (%) «i stor grad» eller «i svært stor grad»; for figur 4.2 andel per svaralternativ. "
                  f"{footnote(self.min_n)}*\n\n{all_zip_links()}")

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
        from lmp_helpers.downloads import codebook_frame, codebook_links

        _display(codebook_frame().set_index("Id"))
        _markdown(codebook_links())

    def source_table(self) -> None:
        import pandas as pd

        src = dict(self.source)
        src.pop("path", None)  # a machine path says nothing to a reader and differs between machines
        src.pop("kind", None)  # «synthetic»/«real» is English; the label says it in bokmål
        names = {"kind": "Type", "label": "Beskrivelse", "seed": "Seed", "note": "Merknad"}
        frame = pd.DataFrame({"Verdi": [str(v) for v in src.values()]}, index=[names.get(k, k) for k in src])
        _display(frame)
