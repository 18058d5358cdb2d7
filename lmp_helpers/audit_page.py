"""The audit page (`revisjon`): the report's claims recomputed, as readable Norwegian sentences.

Claims about the survey answers and claims that hold for any data (Tabell 1, the invitations, the report's
own arithmetic) are counted and shown separately; failing claims come first; a claim whose values are hidden
(fewer than min_n answers) or whose group was not asked reads «kan ikke sjekkes». Computed with the page's
`min_n`, so the page hides exactly what `lmp tables --min-n` hides. Mixed into `book.Chapter`.
"""

from __future__ import annotations

import re

import pandas as pd

from lmp_helpers.statements import fmt_number, fmt_p

RESULT_WORDS = {"fails": "holder ikke", "unknown": "kan ikke sjekkes", "holds": "holder"}
ORDER = {"fails": 0, "unknown": 1, "holds": 2}
TERM_RE = re.compile(r"^(?P<group>[a-z]+):(?P<item>[a-z_]+)(?:@(?P<pulje>\w+))?(?P<p> p)?$")


def term_text(key: str, codebook) -> str:
    """«ppt:rolle_uklar@1» -> «PPT, figur 4.1 «PPTs rolle i prosjektet har vært uklar» (pulje 1)»."""
    if key.startswith("spread:"):
        item = codebook.item(key.split(":", 1)[1])
        return f"forskjell mellom høyeste og laveste gruppe, figur {codebook.figure(item.figure).number} «{item.label}»"
    m = TERM_RE.match(key)
    if m and m["group"] in codebook.groups and m["item"] in codebook.items:
        item = codebook.item(m["item"])
        text = f"{codebook.group(m['group']).label}, figur {codebook.figure(item.figure).number} «{item.label}»"
        if m["pulje"]:
            text += f" (pulje {m['pulje']})"
        return text + (", p-verdi" if m["p"] else "")
    if key in codebook.groups:
        return codebook.group(key).label
    return key


COUNT_STATISTICS = {"n", "respondents", "invited", "tabell1", "tabell1_cases"}


def value_text(key: str, value: float, statistic: str = "share_pct") -> str:
    """«55,6 %» for a share, «n = 28» for a count, «< 0,001» for a p-value, «skjult» when hidden."""
    if value is None or value != value:
        return "skjult"
    if key.endswith(" p"):
        return fmt_p(value)
    if key.startswith("spread:"):
        return f"{fmt_number(value, 1)} prosentpoeng"
    if statistic in COUNT_STATISTICS:
        return f"n = {fmt_number(value)}"
    return f"{fmt_number(value, 0 if float(value).is_integer() else 1)} %"


def expected_text(text: str, codebook) -> str:
    """The report's value in Norwegian format; an ordering spec in words («A og B over C»)."""
    text = re.sub(r"(\d)\.(\d)", r"\1,\2", str(text))  # numbers first: figure numbers stay «4.1»
    text = re.sub(r"\s*,\s*(?=[a-z]+:)", " og ", text)
    text = re.sub(r"\b([a-z]+):\*", lambda m: f"{term_text(m.group(1), codebook)} (hvert spørsmål)", text)
    text = re.sub(r"\b(?:spread:[a-z_]+|[a-z]+:[a-z_]+(?:@\w+)?)", lambda m: term_text(m.group(0), codebook), text)
    for op, words in ((">=", "minst like høy som"), ("<=", "høyst like høy som"), (">", "over"), ("<", "under")):
        text = re.sub(rf"\s{re.escape(op)}\s", f" {words} ", text)
    return text.replace(";", "; og")


def row_sentence(row: pd.Series, codebook, statistic: str = "share_pct") -> str:
    """«<the report's words> Rapporten: 55,6. Beregnet: PPT, figur 4.1 «…»: 55,6 %.»"""
    values = row["values"] or {}
    if values:
        computed = "; ".join(f"{term_text(k, codebook)}: {value_text(k, v, statistic)}" for k, v in values.items())
    else:
        computed = "gruppen ble ikke spurt i denne puljen" if row["status"] == "unknown" else "–"
    claim = str(row["claim"]).strip()
    return f"{claim} Rapporten: {expected_text(row['expected'], codebook)}. Beregnet: {computed}."


def audit_summary(audit: pd.DataFrame, min_n: int) -> str:
    survey = audit[audit["scope"] == "survey"]
    other = audit[audit["scope"] == "any"]
    counts = survey["status"].value_counts()
    holds, fails, unknown = (int(counts.get(s, 0)) for s in ("holds", "fails", "unknown"))
    parts = [f"Av de {len(survey)} påstandene om surveysvarene holder {holds} i dette datagrunnlaget"]
    parts.append(f"{fails} holder ikke")
    if unknown:
        parts.append(f"{unknown} kan ikke sjekkes fordi tall de bygger på er skjult (færre enn {min_n} svar)")
    text = ", ".join(parts[:-1]) + " og " + parts[-1] + "."
    other_holds = int((other["status"] == "holds").sum())
    text += (f" I tillegg gjelder {len(other)} påstander tall som ikke avhenger av svarene (Tabell 1, antall "
             f"inviterte og rapportens egen regning); av dem holder {other_holds}.")
    return text


class AuditPage:
    def _audit(self) -> pd.DataFrame:
        if not hasattr(self, "_audit_cache"):
            from lmp_helpers.audit import evaluate_claims

            self._audit_cache = evaluate_claims(self.data_dir, survey=self.survey, min_n=self.min_n)
        return self._audit_cache

    def glue_revisjon(self) -> None:
        audit = self._audit()
        survey = audit[audit["scope"] == "survey"]
        self.glue("revisjon_antall", int(len(audit)))
        self.glue("revisjon_survey_antall", int(len(survey)))
        self.glue("revisjon_oppsummering", audit_summary(audit, self.min_n))

    def audit_rows(self, scope: str) -> pd.DataFrame:
        from lmp_helpers.data import load_claims

        cb = self.codebook
        statistic = load_claims().set_index("id")["statistic"].to_dict()
        a = self._audit()
        a = a[a["scope"] == scope].copy()
        a["_order"] = a["status"].map(ORDER)
        a = a.sort_values(["_order"], kind="stable")
        return pd.DataFrame({
            "Resultat": a["status"].map(RESULT_WORDS).to_numpy(),
            "Påstand og beregning": [row_sentence(r, cb, statistic.get(r["id"], "")) for _, r in a.iterrows()],
            "Hvor i rapporten": a["where"].astype(str).to_numpy(),
        }, index=pd.Index(a["id"].astype(str).to_numpy(), name="Id"))

    def audit_table(self, scope: str = "survey") -> None:
        """The claims of one scope («survey» or «any»), failing first, one readable sentence per row."""
        from lmp_helpers.errors import LmpInputError
        from lmp_helpers.render import display

        if scope not in ("survey", "any"):
            raise LmpInputError(f"ukjent omfang {scope!r}; tillatt: survey, any")
        display(self.audit_rows(scope))
