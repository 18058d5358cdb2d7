"""Parse the `pulje` parameter: 1, 2, 3 or «alle», from papermill, the CLI or Python.

papermill passes `-p pulje 1` as int and `-p pulje alle` as str, so both must work.
"""

from __future__ import annotations

from lmp_helpers.codebook import load_codebook
from lmp_helpers.errors import LmpInputError, plain_value

Pulje = int | str  # an int in the codebook's pulje values, or the codebook's «alle»


def allowed_pulje() -> list[str]:
    cb = load_codebook()
    return [str(v) for v in cb.pulje_values] + [cb.pulje_all]


def parse_pulje(value: object) -> Pulje:
    """Return an int pulje (1, 2, 3) or "alle"; raise LmpInputError naming the allowed values."""
    cb = load_codebook()
    allowed = ", ".join(allowed_pulje())
    value = plain_value(value)  # a pulje read from a DataFrame cell is np.int64(2)
    if isinstance(value, bool) or value is None:
        raise LmpInputError(f"ugyldig pulje {value!r}; tillatt: {allowed}")
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    if isinstance(value, int):
        if value in cb.pulje_values:
            return value
        raise LmpInputError(f"ugyldig pulje {value!r}; tillatt: {allowed}")
    if isinstance(value, str):
        text = value.strip().lower()
        if text in cb.pulje_all_aliases:
            return cb.pulje_all
        if text.isdigit() and int(text) in cb.pulje_values:
            return int(text)
    raise LmpInputError(f"ugyldig pulje {value!r}; tillatt: {allowed}")


def pulje_label(pulje: Pulje) -> str:
    cb = load_codebook()
    return cb.pulje_all_label if pulje == cb.pulje_all else f"Pulje {pulje}"


def pulje_slug(pulje: Pulje) -> str:
    """Folder/URL name of a pulje variant: pulje-1, pulje-2, pulje-3, pulje-alle."""
    return f"pulje-{pulje}"
