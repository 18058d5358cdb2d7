"""Per-chapter glue: the numbers and whole clauses each chapter's prose pastes with `{glue:text}`.

Every data-dependent word comes from `lmp_helpers.statements`; this module only picks the cells a chapter
talks about and names the glue keys. Mixed into `book.Chapter` (which provides `glue`, `figure_table`,
`pulje`, `min_n`, `survey`, `codebook`).
"""

from __future__ import annotations

from dataclasses import replace

from lmp_helpers import statements as st
from lmp_helpers.errors import LmpInputError

TOP_TWO = "«i stor grad» eller «i svært stor grad»"
# figures whose items are statements («PPTs rolle … har vært uklar»): named in quotes, not as topics
STATEMENT_FIGURES = {"fig4_1"}


class ChapterGlue:
    # -- cells --------------------------------------------------------------------------------------
    def figure_cells(self, figure: str) -> dict[tuple[str, str], st.Cell]:
        """{(item, group): Cell} for a grouped-bar figure, every group of the figure in every state.

        Labels are neutral (the item id); callers relabel with `item_cell`/`group_cell`.
        """
        cache = self.__dict__.setdefault("_cells_cache", {})
        if figure in cache:
            return cache[figure]
        cb = self.codebook
        fig = cb.figure(figure)
        table = self.figure_table(figure)  # decides what is hidden
        counts = self.raw_cells(figure)  # k and n of the cells the table shows
        rows = {(r.group, r.item): r for r in table.itertuples(index=False)}
        raw = {(r.group, r.item): r for r in counts.itertuples(index=False)}
        out = {}
        for group in fig.groups:
            for item in fig.items:
                row, c = rows.get((group, item)), raw.get((group, item))
                if row is None:
                    out[(item, group)] = st.Cell(item, st.NOT_ASKED)
                elif bool(row.suppressed):
                    out[(item, group)] = st.Cell(item, st.SUPPRESSED)
                elif int(c.n) == 0:
                    out[(item, group)] = st.Cell(item, st.NO_DATA)
                else:
                    out[(item, group)] = st.Cell(item, st.SHOWN, k=int(c.k), n=int(c.n), low=float(row.ci_low_pct),
                                                 high=float(row.ci_high_pct))
        cache[figure] = out
        return out

    def raw_cells(self, figure: str):
        """Counts (n, k, c1..c5) per group × item for this pulje, unsuppressed: only read for shown cells."""
        from lmp_helpers.stats import cell_stats

        fig = self.codebook.figure(figure)
        cells = cell_stats(self.survey, fig.groups, fig.items)
        return cells[cells["pulje"] == str(self.pulje)]

    def item_label(self, item: str) -> str:
        it = self.codebook.item(item)
        if it.figure in STATEMENT_FIGURES:
            return f"«{it.label}»"
        return st.lower_first(it.label)

    def group_def(self, group: str) -> str:
        return self.codebook.groups[group].label_definite

    def items_of_group(self, figure: str, group: str) -> list[st.Cell]:
        cells = self.figure_cells(figure)
        return [replace(cells[(i, group)], label=self.item_label(i)) for i in self.codebook.figure(figure).items]

    def groups_of_item(self, figure: str, item: str) -> list[st.Cell]:
        cells = self.figure_cells(figure)
        return [replace(cells[(item, g)], label=self.group_def(g)) for g in self.codebook.figure(figure).groups]

    def not_asked(self, cells: list[st.Cell]) -> str:
        return st.not_asked_sentence([c.label for c in cells if c.state == st.NOT_ASKED], self.pulje_text)

    # -- generic figure glue --------------------------------------------------------------------------
    def glue_figure(self, figure: str) -> None:
        """Per cell `<figure>_<item>_<group>` (the number) and `…_pst` (the number in words, any state);
        per group `<figure>_<group>_rangering` (a whole sentence ranking the items, ties as ties)."""
        cb = self.codebook
        fig = cb.figure(figure)
        if fig.kind == "distribution":
            self.glue_distribution(figure)
            return
        cells = self.figure_cells(figure)
        for (item, group), cell in cells.items():
            key = f"{figure}_{item}_{group}"
            self.glue(key, cell.share if cell.shown else {st.SUPPRESSED: ":"}.get(cell.state, "–"), 1)
            self.glue(f"{key}_pst", st.state_text(replace(cell, label=self.group_def(group)), self.min_n,
                                                  self.pulje_text))
        for group in fig.groups:
            self.glue(f"{figure}_{group}_rangering", self.group_ranking(figure, group))

    def group_ranking(self, figure: str, group: str, lead: str | None = None) -> str:
        """«Blant PPT-kontorene er andelen som svarer … høyest for A (x prosent) og lavest for B (y prosent).»"""
        cells = self.items_of_group(figure, group)
        if all(c.state == st.NOT_ASKED for c in cells):
            return st.not_asked_sentence([self.group_def(group)], self.pulje_text)
        if all(c.state == st.SUPPRESSED for c in cells):
            return f"Tallene for {self.group_def(group)} er skjult ({st.HIDDEN_WHY.format(min_n=self.min_n)})."
        if not any(c.shown for c in cells):
            return f"Ingen av {self.group_def(group)} har svart på disse spørsmålene i dette utvalget."
        lead = lead or f"Blant {self.group_def(group)} er andelen som svarer {TOP_TWO},"
        return st.rank_sentence(lead, cells, self.min_n, self.pulje_text)

    def item_order(self, figure: str, item: str, with_not_asked: bool = True, with_hidden: bool = True) -> str:
        """«For skoleutvikling er andelen høyest blant …, så … og lavest blant ….» (+ hidden / not asked)."""
        cells = self.groups_of_item(figure, item)
        clause = st.order_clause(cells)
        shown = [c for c in cells if c.shown]
        lead = f"For {self.item_label(item)} er andelen"
        if clause:
            text = f"{lead} {clause}."
        elif len(shown) == 1:
            text = f"{lead} blant {shown[0].label} {st.pct_text(shown[0])}."
        else:
            text = ""
        rest = [st.states_sentence(cells, self.min_n, self.pulje_text)] if with_hidden else []
        if with_not_asked:
            rest.append(self.not_asked(cells))
        return " ".join(t for t in [text, *rest] if t)

    def items_order(self, figure: str, items) -> str:
        """`item_order` for several items, the groups not asked in this pulje named once at the end."""
        text = [self.item_order(figure, i, with_not_asked=False, with_hidden=False) for i in items]
        text.append(st.hidden_by_topic(
            [(self.item_label(i), [c.label for c in self.groups_of_item(figure, i) if c.state == st.SUPPRESSED])
             for i in items], self.min_n))
        empty = [(self.item_label(i), [c.label for c in self.groups_of_item(figure, i) if c.state == st.NO_DATA])
                 for i in items]
        text += [f"For {c} finnes ingen svar om {t} i dette utvalget." for t, labels in empty
                 for c in [st.join_and(labels)] if labels]
        text.append(self.not_asked(self.groups_of_item(figure, items[0])))
        return " ".join(t for t in text if t)

    def share_sentence(self, figure: str, item: str, lead: str, verb_of: str = "av") -> str:
        """`lead` + «x prosent av A, y prosent av B …» + sentences for the other states."""
        cells = self.groups_of_item(figure, item)
        listed = st.share_list(cells, verb_of)
        text = f"{lead} {listed}." if listed else ""
        rest = [st.states_sentence(cells, self.min_n, self.pulje_text), self.not_asked(cells)]
        return " ".join(t for t in [text, *rest] if t)

    def glue_distribution(self, figure: str) -> None:
        """Fig. 4.2: share per category, the top two and the rest, all from counts (never sums of rounded
        shares)."""
        cb = self.codebook
        fig = cb.figure(figure)
        table = self.figure_table(figure)
        counts = self.raw_cells(figure)
        group, item = fig.groups[0], fig.items[0]
        hidden = bool(table["suppressed"].any()) if len(table) else True
        for _, row in table.iterrows():
            self.glue(f"{figure}_{st_slug(str(row['item']))}", ":" if hidden else row["share_pct"], 1)
        c = counts[(counts["group"] == group) & (counts["item"] == item)]
        n = int(c["n"].iloc[0]) if len(c) else 0
        who = self.group_def(group)
        if hidden or n == 0:
            top = rest = st.Cell(who, st.SUPPRESSED if hidden else st.NO_DATA)
        else:
            per_code = {code: int(c[f"c{code}"].iloc[0]) for code in cb.scale}
            k_top = sum(per_code[code] for code in cb.top_two)
            top = st.Cell(who, st.SHOWN, k=k_top, n=n)
            rest = st.Cell(who, st.SHOWN, k=n - k_top, n=n)
        self.glue(f"{figure}_topp_to", top.share if top.shown else ":", 1)
        self.glue(f"{figure}_ovrige", rest.share if rest.shown else ":", 1)
        self.glue(f"{figure}_n", n if top.shown else "–")
        for key, cell in ((f"{figure}_topp_to_pst", top), (f"{figure}_ovrige_pst", rest)):
            self.glue(key, st.state_text(cell, self.min_n, self.pulje_text))
        if top.shown:
            q = st.quantifier(top.k, top.n)
            sentence = (f"I dette datagrunnlaget svarer {q} av {who} ({st.pct_text(top)}) at de i stor eller svært "
                        f"stor grad har en slik rolle, mens {st.pct_text(rest)} svarer «verken eller» eller lavere.")
        elif top.state == st.SUPPRESSED:
            sentence = (f"Svarene fra {who} på dette spørsmålet er skjult i dette utvalget (færre enn {self.min_n} "
                        "svar).")
        else:
            sentence = f"Ingen av {who} har svart på dette spørsmålet i dette utvalget."
        self.glue(f"{figure}_setning", sentence)
        self.glue(f"{figure}_kort", sentence.replace("I dette datagrunnlaget svarer", "Her svarer"))

    # -- the report's interpretations ----------------------------------------------------------------
    def claim_check(self, claim_id: str, pattern: str, data_says: str) -> str:
        """Evaluate one claim of data/report_claims.csv on this page's pulje and data; a sentence."""
        from lmp_helpers.audit import HOLDS, UNKNOWN, _Tables, claim_result
        from lmp_helpers.data import load_claims

        claims = load_claims().set_index("id", drop=False)
        claim = claims.loc[claim_id].copy()
        claim["pulje"] = str(self.pulje)
        tables = self.__dict__.setdefault("_claim_tables", _Tables(self.survey, self.min_n))
        for figure in self.codebook.figures:  # the page's own tables: computed once
            tables._cache.setdefault((figure, str(self.pulje)), self.figure_table(figure))
        result = claim_result(claim, tables)
        status = {HOLDS: st.HOLDS, UNKNOWN: st.UNKNOWN}.get(result["status"], st.FAILS)
        reason = ""
        if status == st.UNKNOWN:
            missing = [g for g in self.groups_missing_in_pulje() if g in _claim_groups(claim)]
            reason = (st.not_asked_sentence([self.group_def(g) for g in missing], self.pulje_text).rstrip(".")
                      if missing else f"noen av tallene er skjult: færre enn {self.min_n} svar")
            reason = reason[:1].lower() + reason[1:] if missing else reason
        return st.interpretation_sentence(status, pattern, data_says, reason)

    # -- chapters --------------------------------------------------------------------------------------
    def glue_pulje_sammenligning(self) -> None:
        parts = [self.n_text("ppt", p) for p in self.codebook.pulje_values]
        labels = [f"pulje {p}: {n}" for p, n in zip(self.codebook.pulje_values, parts, strict=True)]
        self.glue("ppt_n_puljer", ", ".join(labels))
        tests = self._pulje_tests()
        row = tests[tests["item"] == "rolle_uklar"]
        for col, key in (("fisher_p", "p_rolle_uklar_fisher"), ("kruskal_p", "p_rolle_uklar_kruskal")):
            self.glue(key, st.fmt_p(row[col].iloc[0]) if len(row) else "–")

    def glue_case_names(self) -> None:
        """`casekommune_I` … `casekommune_IV`: «casekommune I (pulje 2)», the pulje read from data/cases.yml."""
        from lmp_helpers.cases import load_cases

        for case in load_cases().cases:
            self.glue(f"casekommune_{case.label}", f"{case.name} (pulje {case.pulje})")

    def glue_interpretations(self, checks) -> None:
        """For each (glue key, claim id in data/report_claims.csv, the pattern the report builds on, what the
        data says instead): the sentence after the report's reading (see `claim_check`)."""
        for key, claim_id, pattern, data_says in checks:
            self.glue(key, self.claim_check(claim_id, pattern, data_says))

    def glue_kunnskapstilforsel(self) -> None:
        self.glue_case_names()
        f = "fig2_1"
        groups_text = self.items_order(f, self.codebook.figure(f).items)
        self.glue("fig2_1_grupper", groups_text)
        self.glue_interpretations([
            ("fig2_1_tolkning_grupper", "fig21_groups_order",
             "på hvert av de fire områdene er andelen høyest blant skoleeierne, så blant skolelederne og lavest "
             "blant PPT-kontorene", groups_text),
            ("fig2_1_tolkning", "fig21_ppt_order",
             "blant PPT-kontorene er andelen høyere for læringsmiljø og mobbing enn for skoleutvikling og "
             "klasseledelse", self.group_ranking(f, "ppt")),
            ("fig2_1_tolkning_skoleeier", "fig21_skoleeier_order",
             "blant skoleeierne er andelen lavere for klasseledelse enn for hvert av de tre andre områdene",
             self.group_order(f, "skoleeier")),
            ("fig2_1_tolkning_skoleleder", "fig21_skoleleder_order",
             "blant skolelederne er andelen lavere for skoleutvikling enn for hvert av de tre andre områdene",
             self.group_order(f, "skoleleder")),
        ])

    def glue_praksisendring(self) -> None:
        self.glue_case_names()
        f = "fig3_1"
        self.glue("fig3_1_grupper", self.items_order(f, self.codebook.figure(f).items))
        ppt_order = self.group_order(f, "ppt")
        self.glue_interpretations([
            ("fig3_1_tolkning_ppt", "fig31_ppt_vs_others",
             "PPT ligger lavere enn skolelederne, og skolelederne lavere enn skoleeierne, på skoleutvikling og "
             "klasseledelse", self.items_order(f, ["praksis_skoleutvikling", "praksis_klasseledelse"])),
            ("fig3_1_tolkning_ppt_omrader", "fig31_ppt_order",
             "blant PPT-kontorene er andelen høyere for læringsmiljø og mobbing enn for skoleutvikling og "
             "klasseledelse", ppt_order),
            ("fig3_1_tolkning_ppt_midt", "fig31_ppt_below_middle",
             f"under halvparten av PPT-kontorene svarer {TOP_TWO} på hvert av de fire områdene", ppt_order),
            ("fig3_1_tolkning_skoleeier", "fig31_skoleeier_highest",
             "skoleeierne ligger høyest av de tre gruppene på alle fire områdene", self.highest_group_sentence(f)),
            ("fig3_1_tolkning_skoleeier_omrader", "fig31_skoleeier_order",
             "blant skoleeierne er andelen høyest for mobbing, lavere for skoleutvikling og læringsmiljø og "
             "lavest for klasseledelse", self.group_order(f, "skoleeier")),
            ("fig3_1_tolkning_skoleleder", "fig31_skoleleder_order",
             "blant skolelederne er andelen høyest for mobbing, så for klasseledelse, så for skoleutvikling og "
             "lavest for læringsmiljø", self.group_order(f, "skoleleder")),
        ])

    def group_order(self, figure: str, group: str) -> str:
        """Every item of one group from highest to lowest, ties as ties: «Blant skolelederne er andelen som
        svarer … høyest for A (x prosent), så B (y prosent) og lavest for C (z prosent).» (+ hidden/not asked)."""
        cells = self.items_of_group(figure, group)
        clause = st.order_clause(cells, prep="for")
        if not clause:  # fewer than two numbers shown: the ranking sentence says what there is
            return self.group_ranking(figure, group)
        lead = f"Blant {self.group_def(group)} er andelen som svarer {TOP_TWO},"
        rest = st.states_sentence(cells, self.min_n, self.pulje_text)
        return f"{lead} {clause}. {rest}".strip()

    def highest_group_sentence(self, figure: str) -> str:
        """Which group is highest on each item, ties named («… like høy blant A og B …»)."""
        parts = []
        for item in self.codebook.figure(figure).items:
            cells = [c for c in self.groups_of_item(figure, item) if c.shown]
            if not cells:
                continue
            top = max(c.share for c in cells)
            highs = [c for c in cells if c.share == top]
            word = "høyest" if len(highs) == 1 else "høyest og like høy"
            parts.append(f"for {self.item_label(item)} er andelen {word} blant {st.join_and([c.label for c in highs])}"
                         f" ({st.fmt_number(top, 1)} prosent)")
        return st.capitalize("; ".join(parts)) + "." if parts else ""

    def glue_ppts_rolle(self) -> None:
        f = "fig4_1"
        self.glue("fig4_1_uklar_setning", self.share_sentence(
            f, "rolle_uklar", "Påstanden om at PPTs rolle har vært uklar, får tilslutning fra"))
        self.glue("fig4_1_maal_setning", self.share_sentence(
            f, "rolle_maloppnaelse", "At PPT har bidratt til at skolen når sine mål, mener"))
        self.glue("fig4_1_skoleutvikling_setning", self.quantifier_sentence(
            f, "rolle_skoleutvikling", "mener at PPT i stor eller svært stor grad bidrar til skoleutvikling"))
        self.glue("fig4_1_kompetanse_setning", self.share_sentence(
            f, "rolle_kompetanse", "At PPT har fått økt kompetanse i å støtte skolenes læringsmiljøarbeid, mener"))
        self.glue("fig4_1_kompetanse_sammenligning", self.compare_ppt(f, "rolle_kompetanse"))
        # the report's readings of Figur 4.1 and 4.2, each checked on this page's data (data/report_claims.csv)
        self.glue("fig4_1_uklar_ppt_tolkning", self.claim_check(
            "fig41_uklar_ppt_under_half", "under halvparten av PPT-kontorene mener at rollen har vært uklar",
            self.share_sentence(f, "rolle_uklar", "Påstanden om en uklar rolle får tilslutning fra")))
        self.glue("fig4_1_uklar_pulje_tolkning", self.pulje_difference_check())
        self.glue("fig4_1_maal_tolkning", self.claim_check(
            "fig41_maal_ppt_below_skoleeier", "PPT-kontorenes andel ligger under skoleeiernes",
            self.compare_ppt(f, "rolle_maloppnaelse", only="skoleeier")))
        self.glue("fig4_1_samstemt_tolkning", self.claim_check(
            "fig41_skoleutvikling_agree",
            "avstanden mellom gruppen med høyest og gruppen med lavest andel er mindre for skoleutvikling enn for "
            "økt kompetanse",
            self.items_order(f, ["rolle_skoleutvikling", "rolle_kompetanse"])))
        self.glue("fig4_1_kompetanse_tolkning", self.claim_check(
            "fig41_kompetanse_ppt_highest",
            "PPT-kontorenes andel for økt kompetanse ligger over både skolelederne og skoleeierne",
            self.compare_ppt(f, "rolle_kompetanse")))
        self.glue("fig4_2_flest_tolkning", self.claim_check(
            "fig42_most", "over halvparten av PPT-kontorene svarer «i stor grad» eller «i svært stor grad»",
            self.glued.get("fig4_2_setning") or self._fig4_2_sentence()))
        self.glue_case_quote_leads()

    # lead-ins to the case-interview quotes of chapter 4: a case quote is shown only on «alle» and on its pulje
    CASE_QUOTE_LEADS = {
        "q40": "Lederen sa:",
        "q41": "Lederen sa også:",
        "q50": "PPT-lederen i casekommune IV sier:",
        "q51": "PPT-lederen sier:",
        "q52": "En rådgiver i PPT utdyper (rapporten merker ikke kilden ved sitatet, men sammenhengen peker på samme "
               "kommune):",
    }

    def glue_case_quote_leads(self) -> None:
        for qid, lead in self.CASE_QUOTE_LEADS.items():
            self.glue(f"sitat_{qid}", self.case_quote_lead(qid, lead))

    def case_quote_lead(self, qid: str, lead: str) -> str:
        """`lead` where the page shows the quote; where it does not, nothing: the quote's own cell
        (`Chapter.quotes`) then says where it stands, once."""
        from lmp_helpers.data import load_quotes, quotes_for_pulje

        q = load_quotes()
        row = q[q["id"] == qid]
        if not len(row):
            raise LmpInputError(f"sitat {qid} finnes ikke i data/quotes.csv")
        if len(quotes_for_pulje(row, self.pulje)):
            return lead
        return ""

    def _fig4_2_sentence(self) -> str:
        self.glue_distribution("fig4_2")
        return self.glued["fig4_2_setning"]

    def pulje_p(self, item: str, group: str = "ppt") -> float:
        """Exact Fisher test across the puljer (top two vs the rest); NaN when withheld (a hidden cell)."""
        from lmp_helpers.stats import pulje_comparison

        cache = self.__dict__.setdefault("_pulje_p", {})
        if (item, group) not in cache:
            pc = pulje_comparison(item, group=group, survey=self.survey, min_n=self.min_n, n_resamples=99)
            cache[(item, group)] = float(pc["fisher_p"].iloc[0])
        return cache[(item, group)]

    def pulje_difference_check(self) -> str:
        """The report's «ingen systematisk forskjell» between the puljer on «rollen har vært uklar», checked on
        every pulje's answers (the same test whatever pulje the page shows)."""
        import math

        puljer = "pulje " + st.join_and([str(p) for p in self.codebook.groups["ppt"].pulje])
        p = self.pulje_p("rolle_uklar")
        p_fmt = st.fmt_p(p)  # «< 0,001» or «0,412»
        relation = p_fmt if p_fmt.startswith("<") else f"= {p_fmt}"
        p_text = "" if math.isnan(p) else f" (Fishers eksakte test: p {relation})"
        return self.claim_check(
            "fig41_uklar_no_pulje_difference",
            f"når svarene fra PPT-kontorene i {puljer} sammenlignes, er forskjellen mellom puljene innenfor "
            f"usikkerheten{p_text}",
            f"Andelen PPT-kontor som mener rollen har vært uklar, skiller seg mellom puljene{p_text}.")

    def pulje_share_text(self, figure: str, item: str, group: str, pulje) -> str:
        """«34,6 prosent i pulje 1» or «skjult i pulje 1 (…)» from the published table of that pulje."""
        from lmp_helpers.tables import figure_table

        t = figure_table(figure, pulje=pulje, min_n=self.min_n, survey=self.survey)
        row = t[(t["group"] == group) & (t["item"] == item)]
        if not len(row) or bool(row["suppressed"].iloc[0]) or row["share_pct"].isna().iloc[0]:
            return f"skjult eller uten svar i pulje {pulje}"
        return f"{st.fmt_number(float(row['share_pct'].iloc[0]), 1)} prosent i pulje {pulje}"

    def no_improvement_check(self) -> str:
        """The report: the survey shows no improvement from pulje 1 to pulje 3 in how unclear the role is."""
        first, last = self.codebook.groups["ppt"].pulje[0], self.codebook.groups["ppt"].pulje[-1]
        shares = (f"Andelen PPT-kontor som mener rollen har vært uklar, er "
                  f"{self.pulje_share_text('fig4_1', 'rolle_uklar', 'ppt', last)} og "
                  f"{self.pulje_share_text('fig4_1', 'rolle_uklar', 'ppt', first)}.")
        return self.claim_check(
            "fig41_uklar_no_improvement",
            f"andelen PPT-kontor som mener rollen har vært uklar, er ikke lavere i pulje {last} enn i pulje {first}",
            shares)

    def quantifier_sentence(self, figure: str, item: str, predicate: str) -> str:
        """«Om lag en tredjedel av PPT-kontorene (34,6 prosent), … mener …» from the quantifier rules."""
        cells = self.groups_of_item(figure, item)
        shown = [c for c in cells if c.shown]
        rest = [st.states_sentence(cells, self.min_n, self.pulje_text), self.not_asked(cells)]
        if not shown:
            return " ".join(t for t in rest if t)
        words = [st.quantifier(c.k, c.n) for c in shown]
        if len(set(words)) == 1 and len(shown) > 1:
            listed = st.join_and([f"{c.label} ({st.pct_text(c)})" for c in shown])
            text = f"{st.capitalize(words[0])} av {listed} {predicate}."
        else:
            listed = st.join_and([f"{w} av {c.label} ({st.pct_text(c)})" for w, c in zip(words, shown, strict=True)])
            text = f"{st.capitalize(listed)} {predicate}."
        return " ".join(t for t in [text, *rest] if t)

    def compare_ppt(self, figure: str, item: str, only: str | None = None) -> str:
        """PPT against each other shown group (or only the group `only`) on one item, with the uncertainty
        note."""
        cells = {g: c for g, c in zip(self.codebook.figure(figure).groups, self.groups_of_item(figure, item),
                                      strict=True)}
        ppt = cells.pop("ppt")
        if only is not None:
            cells = {only: cells[only]}
        out = [st.compare_sentence("Andelen er", ppt, other) for other in cells.values()]
        text = " ".join(t for t in out if t)
        return text or "I dette utvalget er det ingen andre grupper med tall å sammenligne PPT med."

    def glue_oppsummering(self) -> None:
        self.glue("fig2_1_ppt_kort", self.group_ranking(
            "fig2_1", "ppt", lead=f"PPT-kontorenes andel {TOP_TWO} er"))
        self.glue("fig3_1_ppt_kort", self.group_ranking(
            "fig3_1", "ppt", lead=f"PPT-kontorenes andel {TOP_TWO} er"))
        self.glue("fig4_1_uklar_kort", self.share_sentence(
            "fig4_1", "rolle_uklar", "At PPTs rolle har vært uklar, mener"))
        self.glue("uklar_bedring_tolkning", self.no_improvement_check())
        self.glue("uklar_pulje_tolkning", self.pulje_difference_check())


def _claim_groups(claim) -> set[str]:
    import re

    text = f"{claim['group']};{claim['spec']}"
    return set(re.findall(r"(ppt|skoleleder|skoleeier)", text))


def st_slug(text: str) -> str:
    from lmp_helpers.render import slug

    return slug(text)
