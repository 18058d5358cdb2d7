"""The codebook (`data/codebook.yml`): the single source of truth for groups, pulje, scale and items.

Everything that shows a label, a question text or a figure title reads it from here.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import yaml

from lmp_helpers.errors import LmpInputError
from lmp_helpers.paths import CODEBOOK_PATH


@dataclass(frozen=True)
class Group:
    key: str
    label: str
    label_long: str
    label_definite: str  # definite plural for running text: «PPT-kontorene», «skolelederne»
    survey_year: int
    file: str
    pulje: tuple[int, ...]
    invited: int | None = None


@dataclass(frozen=True)
class Item:
    key: str
    figure: str
    label: str
    text: str
    groups: tuple[str, ...]
    text_by_group: dict

    def text_for(self, group: str) -> str:
        return self.text_by_group.get(group, self.text)

    def refuse_bad_groups(self, groups) -> None:
        """A clear error when a caller picks a group this item was never put to, or one group twice (a group
        compared with itself, or its rows shown twice)."""
        twice = sorted({g for g in groups if list(groups).count(g) > 1})
        if twice:
            raise LmpInputError(f"spørsmålet {self.key!r}: gruppen {', '.join(twice)} er valgt mer enn én gang")
        not_asked = [g for g in groups if g not in self.groups]
        if not_asked:
            raise LmpInputError(
                f"spørsmålet {self.key!r} ble ikke stilt til {', '.join(not_asked)}; tillatt: {', '.join(self.groups)}"
            )


@dataclass(frozen=True)
class Figure:
    key: str
    number: str
    chapter: str
    title: str
    kind: str
    groups: tuple[str, ...]
    items: tuple[str, ...]
    question_note: str = ""  # the report's note on the question's wording under the figure, if it has one


class Codebook:
    """Typed view of the codebook YAML."""

    def __init__(self, raw: dict, source: Path):
        self.raw = raw
        self.source = source
        self.title = raw["survey"]["title"]
        self.id_column: str = raw["id_column"]
        self.pulje_column: str = raw["pulje_column"]
        self.pulje_values: tuple[int, ...] = tuple(raw["pulje"]["values"])
        self.pulje_all: str = raw["pulje"]["all"]
        self.pulje_all_label: str = raw["pulje"]["all_label"]
        self.pulje_all_aliases: tuple[str, ...] = tuple(raw["pulje"]["all_aliases"])
        self.scale: dict[int, str] = {int(k): v for k, v in raw["scale"].items()}
        self.top_two: tuple[int, ...] = tuple(raw["top_two"])
        self.top_two_label: str = raw["top_two_label"]
        self.missing_labels: tuple[str, ...] = tuple(raw["missing_labels"])
        self.groups: dict[str, Group] = {
            key: Group(
                key=key,
                label=g["label"],
                label_long=g["label_long"],
                label_definite=g["label_definite"],
                survey_year=int(g["survey_year"]),
                file=g["file"],
                pulje=tuple(g["pulje"]),
                invited=g.get("invited"),
            )
            for key, g in raw["groups"].items()
        }
        self.figures: dict[str, Figure] = {
            key: Figure(
                key=key,
                number=str(f["number"]),
                chapter=f["chapter"],
                title=" ".join(f["title"].split()),
                kind=f["kind"],
                groups=tuple(f["groups"]),
                items=tuple(f["items"]),
                question_note=" ".join(str(f.get("question_note", "")).split()),
            )
            for key, f in raw["figures"].items()
        }
        self.items: dict[str, Item] = {}
        for key, it in raw["items"].items():
            figure = self.figures[it["figure"]]
            self.items[key] = Item(
                key=key,
                figure=it["figure"],
                label=it["label"],
                text=" ".join(it["text"].split()),
                groups=tuple(it.get("groups", figure.groups)),
                text_by_group={g: " ".join(t.split()) for g, t in it.get("text_by_group", {}).items()},
            )

    # -- lookups with specific errors -------------------------------------------------------
    def group(self, key: str) -> Group:
        if key not in self.groups:
            raise LmpInputError(f"ukjent gruppe {key!r}; tillatt: {', '.join(self.groups)}")
        return self.groups[key]

    def figure(self, key: str) -> Figure:
        if key not in self.figures:
            raise LmpInputError(f"ukjent figur {key!r}; tillatt: {', '.join(self.figures)}")
        return self.figures[key]

    def item(self, key: str) -> Item:
        if key not in self.items:
            raise LmpInputError(f"ukjent spørsmål {key!r}; tillatt: {', '.join(self.items)}")
        return self.items[key]

    def items_for_group(self, group: str) -> list[str]:
        """Item ids asked of a group, in codebook order (the canonical CSV column order)."""
        self.group(group)
        return [k for k, it in self.items.items() if group in it.groups]

    def columns_for_group(self, group: str) -> list[str]:
        """Canonical CSV columns for a group: id, pulje, then its items."""
        return [self.id_column, self.pulje_column, *self.items_for_group(group)]

    def scale_label(self, code: int) -> str:
        return self.scale[int(code)]


@lru_cache(maxsize=4)
def _load(path: str) -> Codebook:
    with open(path, encoding="utf-8") as fh:
        raw = yaml.safe_load(fh)
    return Codebook(raw, Path(path))


def load_codebook(path: str | Path | None = None) -> Codebook:
    """Load (and cache) the codebook; defaults to `data/codebook.yml`."""
    return _load(str(Path(path) if path else CODEBOOK_PATH))
