"""The case municipalities (data/cases.yml): one source for Tabell 1's rows, the case descriptions in chapter 1
and the labels on quotes from the case interviews."""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import yaml

from lmp_helpers.errors import LmpInputError
from lmp_helpers.paths import DATA_DIR

CASES_PATH = DATA_DIR / "cases.yml"
ACTORS = ("fylkesmann", "skoleeier", "ppt", "rektor", "laerere", "elever", "foreldre")  # Tabell 1's columns
LABELS = ("I", "II", "III", "IV", "V", "VI")
TEXT_FIELDS = ("inhabitants", "collected", "organisation", "background", "interviewed")


@dataclass(frozen=True)
class Case:
    label: str
    pulje: int
    inhabitants: str
    collected: str
    organisation: str
    background: str
    interviewed: str
    interviews: dict[str, int]
    lines: str

    @property
    def name(self) -> str:
        return f"casekommune {self.label}"

    @property
    def total(self) -> int:
        return sum(self.interviews.values())


@dataclass(frozen=True)
class Cases:
    planned: int
    visited: int
    remaining_visit: str
    counties: tuple[str, ...]
    cases: tuple[Case, ...]

    def get(self, label: str) -> Case:
        for c in self.cases:
            if c.label == label:
                return c
        raise LmpInputError(f"ukjent casekommune {label!r}; tillatt: {', '.join(c.label for c in self.cases)}")

    def in_pulje(self, pulje) -> tuple[Case, ...]:
        """The cases of one pulje (1, 2, 3), or all for «alle» (any non-integer)."""
        if not isinstance(pulje, int):
            return self.cases
        return tuple(c for c in self.cases if c.pulje == pulje)


def _fail(path: Path, where: str, what: str) -> LmpInputError:
    return LmpInputError(f"{path.name}: {where}: {what}")


@lru_cache(maxsize=4)
def load_cases(path: str | Path | None = None) -> Cases:
    """Read and check data/cases.yml; a wrong entry raises LmpInputError naming the case and the field."""
    from lmp_helpers.codebook import load_codebook

    path = Path(path) if path else CASES_PATH
    try:
        raw = yaml.safe_load(path.read_text(encoding="utf-8"))
    except FileNotFoundError as exc:
        raise LmpInputError(f"fant ikke {path}") from exc
    if not isinstance(raw, dict) or not isinstance(raw.get("cases"), dict) or not raw["cases"]:
        raise _fail(path, "toppnivå", "forventet en nøkkel `cases` med minst én casekommune")
    pulje_values = set(load_codebook().pulje_values)
    cases = []
    for label, entry in raw["cases"].items():
        label = str(label)
        if label not in LABELS:
            raise _fail(path, f"case {label!r}", f"ugyldig navn; tillatt: {', '.join(LABELS)}")
        if not isinstance(entry, dict):
            raise _fail(path, f"case {label}", "forventet felt som pulje, interviews, …")
        pulje = entry.get("pulje")
        if pulje not in pulje_values:
            allowed = ", ".join(map(str, sorted(pulje_values)))
            raise _fail(path, f"case {label}, pulje", f"{pulje!r} er ikke en pulje; tillatt: {allowed}")
        counts = entry.get("interviews")
        if not isinstance(counts, dict) or set(counts) != set(ACTORS):
            got = ", ".join(map(str, counts)) if isinstance(counts, dict) else repr(counts)
            raise _fail(path, f"case {label}, interviews", f"fikk {got}; forventet nøyaktig {', '.join(ACTORS)}")
        for actor, n in counts.items():
            if not isinstance(n, int) or isinstance(n, bool) or n < 0:
                raise _fail(path, f"case {label}, interviews.{actor}", f"{n!r} er ikke et heltall ≥ 0")
        texts = {}
        for key in TEXT_FIELDS:
            value = entry.get(key, "")
            if not isinstance(value, str) or (key != "background" and not value.strip()):
                raise _fail(path, f"case {label}, {key}", "mangler eller er ikke tekst")
            texts[key] = " ".join(value.split())
        cases.append(Case(label=label, pulje=int(pulje), interviews={a: counts[a] for a in ACTORS},
                          lines=str(entry.get("lines", "")), **texts))
    for key in ("planned", "visited"):
        if not isinstance(raw.get(key), int) or raw[key] < 0:
            raise _fail(path, key, f"{raw.get(key)!r} er ikke et heltall ≥ 0")
    if raw["visited"] != len(cases) or raw["planned"] < raw["visited"]:
        raise _fail(path, "visited/planned", f"visited={raw['visited']} må være antall caser ({len(cases)}) og "
                    f"≤ planned={raw['planned']}")
    order = [c.label for c in cases]
    if order != sorted(order, key=LABELS.index):
        raise _fail(path, "cases", f"casene må stå i rekkefølge {', '.join(LABELS)}; fikk {', '.join(order)}")
    return Cases(planned=raw["planned"], visited=raw["visited"], remaining_visit=str(raw.get("remaining_visit", "")),
                 counties=tuple(raw.get("counties") or ()), cases=tuple(cases))


def tabell1_rows(cases: Cases | None = None):
    """Tabell 1 as data/tabell1.csv holds it (case, pulje, one column per actor), built from cases.yml."""
    import pandas as pd

    cases = cases or load_cases()
    return pd.DataFrame([{"case": c.label, "pulje": c.pulje, **c.interviews} for c in cases.cases])


def quote_source_label(case: str) -> str:
    """«case I, pulje 2», as the report marks a quote from a case interview; the pulje read from cases.yml."""
    return f"case {case}, pulje {load_cases().get(case).pulje}"
