"""`lmp import FILE --group G --out DIR`: turn a survey-tool export into the canonical CSV `DIR/<group>.csv`.

Accepted: `.xlsx` (first sheet) and `.csv` in UTF-8, UTF-8 with BOM or cp1252 (Norwegian Excel's «CSV»),
separated by comma or semicolon. Columns are matched by the canonical name, an alias from the codebook's
`import.column_aliases`, an item id, or an item's question text (any group's wording), all without regard to
case and extra whitespace. Answers may be codes (1–5) or scale labels in any case; «Vet ikke» and the other
`missing_labels`, and blanks, become missing.

Anything unknown is refused with a message that lists it: columns, answer labels, pulje values. The output
is validated exactly like `load_survey`, written to a temporary file in DIR and then linked into place,
which fails if the target exists: a half-written or overwritten file is impossible.
"""

from __future__ import annotations

import csv
import io
import os
import re
import tempfile
import unicodedata
from pathlib import Path

import numpy as np
import pandas as pd

from lmp_helpers.codebook import load_codebook
from lmp_helpers.data import DATASOURCE_FILE, _lines, _where, data_source, validate_frame
from lmp_helpers.errors import LmpInputError

ENCODINGS = ("utf-8-sig", "cp1252")  # utf-8-sig also reads plain UTF-8
SEPARATORS = (";", ",")
MAX_LISTED = 8


def _norm(text: object) -> str:
    """Compare texts without regard to case, Unicode form or runs of whitespace."""
    text = unicodedata.normalize("NFC", str(text))
    return " ".join(text.split()).casefold()


def _listing(values: list[str]) -> str:
    shown = ", ".join(repr(v) for v in values[:MAX_LISTED])
    return shown + (f" (og {len(values) - MAX_LISTED} til)" if len(values) > MAX_LISTED else "")


# -- reading the raw export --------------------------------------------------------------------------
def _decode(path: Path, data: bytes) -> tuple[str, str]:
    allowed = "tillatt: UTF-8, UTF-8 med BOM eller cp1252 (Windows/Excel)"
    # cp1252 decodes almost any bytes, so UTF-16/32 (Excel's «Unicode-tekst») must be caught before it is tried:
    # it starts with a BOM or, without one, is full of NUL bytes that no text export of ours contains.
    if data.startswith((b"\xff\xfe", b"\xfe\xff")) or b"\x00" in data:
        raise LmpInputError(f"{path}: tegnkodingen ser ut som UTF-16 (Excel «Unicode-tekst»); {allowed}")
    for enc in ENCODINGS:
        try:
            return data.decode(enc), enc
        except UnicodeDecodeError:
            continue
    raise LmpInputError(f"{path}: ukjent tegnkoding; {allowed}")


def read_export(path: str | Path) -> pd.DataFrame:
    """The raw export as a frame of strings ('' = blank), columns as in the file."""
    path = Path(path)
    if not path.is_file():
        raise LmpInputError(f"fant ikke filen {path}; tillatt: en eksisterende .xlsx- eller .csv-fil")
    suffix = path.suffix.lower()
    if suffix not in (".xlsx", ".csv"):
        raise LmpInputError(f"{path}: filtypen {suffix or '(ingen)'} støttes ikke; tillatt: .xlsx, .csv")
    if path.stat().st_size == 0:
        raise LmpInputError(f"{path}: filen er tom; tillatt: en overskriftslinje og minst én rad med svar")
    if suffix == ".xlsx":
        rows = _xlsx_rows(path)
        sep = None
    else:
        text, _ = _decode(path, path.read_bytes())
        first_line = text.split("\n", 1)[0]
        sep = max(SEPARATORS, key=first_line.count)
        rows = list(csv.reader(io.StringIO(text, newline=""), delimiter=sep))
    while rows and not any(c.strip() for c in rows[-1]):  # trailing empty lines/rows only: keeps line numbers
        rows.pop()
    if not rows:
        raise LmpInputError(f"{path}: filen er tom; tillatt: en overskriftslinje og minst én rad med svar")
    header = rows[0]
    width = len(header)
    bad = [i for i, r in enumerate(rows[1:]) if len(r) != width]
    if bad:
        how = f" (skilletegn {sep!r})" if sep else ""
        raise LmpInputError(
            f"{path}, linje {bad[0] + 2}: {len(rows[bad[0] + 1])} felt, men overskriften har {width}{how}; "
            "tillatt: like mange felt på hver linje"
        )
    raw = pd.DataFrame(rows[1:], columns=range(width), dtype=object)
    raw.columns = range(len(header))
    raw.attrs["header"] = [h.strip() for h in header]
    return raw


def _xlsx_rows(path: Path) -> list[list[str]]:
    """Cells of the first sheet as text ('' for empty); whole-number floats as integers («3.0» → «3»)."""
    from openpyxl import load_workbook

    try:
        wb = load_workbook(path, read_only=True, data_only=True)
    except Exception as exc:  # openpyxl raises many types for a broken workbook
        raise LmpInputError(f"{path}: kunne ikke lese Excel-filen ({type(exc).__name__}: {exc})") from None
    try:
        rows = [[_cell_text(v) for v in row] for row in wb.worksheets[0].iter_rows(values_only=True)]
    finally:
        wb.close()
    # read-only sheets can report trailing empty columns: cut to the header's width
    if rows:
        width = max((i + 1 for i, v in enumerate(rows[0]) if v.strip()), default=0)
        rows = [r[:width] + [""] * (width - len(r)) for r in rows]
    return rows


def _cell_text(v: object) -> str:
    if v is None:
        return ""
    if isinstance(v, float) and v.is_integer():
        return str(int(v))
    return str(v)


# -- mapping columns and answers -----------------------------------------------------------------------
def _column_names(group: str) -> dict[str, str]:
    """Normalised accepted header -> canonical column, for one group."""
    cb = load_codebook()
    names: dict[str, str] = {}
    aliases = (cb.raw.get("import") or {}).get("column_aliases") or {}
    for col in (cb.id_column, cb.pulje_column):
        for name in [col, *aliases.get(col, [])]:
            names[_norm(name)] = col
    for key in cb.items_for_group(group):
        item = cb.item(key)
        for name in [key, item.text, *item.text_by_group.values()]:
            names[_norm(name)] = key
    return names


def _map_columns(path: Path, header: list[str], group: str) -> list[str]:
    cb = load_codebook()
    names = _column_names(group)
    mapped = [names.get(_norm(h)) for h in header]
    unknown = [h for h, m in zip(header, mapped, strict=True) if m is None]
    if unknown:
        raise LmpInputError(
            f"{path} (overskriften): ukjente kolonner {_listing(unknown)}; tillatt for {group}: "
            f"{', '.join(cb.columns_for_group(group))}, kodebokas spørsmålstekster eller aliaser i data/codebook.yml"
        )
    dupes = sorted({m for m in mapped if mapped.count(m) > 1})
    if dupes:
        detail = "; ".join(
            f"{d}: {', '.join(repr(h) for h, m in zip(header, mapped, strict=True) if m == d)}" for d in dupes
        )
        raise LmpInputError(f"{path} (overskriften): flere kolonner betyr det samme ({detail}); tillatt: én per felt")
    missing = [c for c in cb.columns_for_group(group) if c not in mapped]
    if missing:
        raise LmpInputError(
            f"{path} (overskriften): mangler kolonne(r) {', '.join(missing)} for {group}; "
            "tillatt: kolonnenavnet, spørsmålsteksten fra kodeboka eller et alias"
        )
    return mapped


def _answer_lookup() -> dict[str, str]:
    """Normalised answer text -> canonical code text ('' = missing)."""
    cb = load_codebook()
    lookup = {"": ""}
    for code, label in cb.scale.items():
        lookup[_norm(label)] = str(code)
        lookup[str(code)] = str(code)
        lookup[f"{code}.0"] = str(code)
        lookup[f"{code},0"] = str(code)
    for label in cb.missing_labels:
        lookup[_norm(label)] = ""
    return lookup


def _convert_answers(path: Path, raw: pd.DataFrame, mapped: list[str], group: str) -> dict[str, pd.Series]:
    cb = load_codebook()
    lookup = _answer_lookup()
    out: dict[str, pd.Series] = {}
    problems = []
    for j, col in enumerate(mapped):
        # work on the distinct values only (an export has a handful per column, however many rows)
        codes_idx, uniques = pd.factorize(raw[j].to_numpy(dtype=object), sort=False)
        uniques = [str(u) for u in uniques]
        if col == cb.id_column:
            out[col] = pd.Series(np.asarray([u.strip() for u in uniques], dtype=object)[codes_idx])
            continue
        normed = [_norm(u) for u in uniques]
        if col == cb.pulje_column:
            # «2», «2.0», «Pulje 2»; anything else stays text for the loader's specific message
            cleaned = [re.sub(r"\.0$", "", re.sub(r"^pulje\s*", "", u)) for u in normed]
            if all(c.isdigit() for c in cleaned):
                out[col] = pd.Series(np.asarray([float(c) for c in cleaned])[codes_idx])
            else:
                out[col] = pd.Series(np.asarray(cleaned, dtype=object)[codes_idx]).replace("", None)
            continue
        found = [lookup.get(u) for u in normed]
        as_float = np.asarray([np.nan if f in (None, "") else float(f) for f in found])
        unknown = np.asarray([f is None for f in found], dtype=bool)
        bad = unknown[codes_idx]
        if bad.any():
            header = raw.attrs["header"][j]
            bad_values = sorted({uniques[i].strip() for i in np.flatnonzero(unknown)})
            problems.append((col, header, bad_values, bad))
        out[col] = pd.Series(as_float[codes_idx])
    if problems:
        labels = [f"{c} / {cb.scale[c]}" for c in cb.scale] + [f"{m} (mangler)" for m in cb.missing_labels]
        allowed = ", ".join(labels)
        parts = []
        for col, header, vals, bad in problems[:3]:
            lines, total = _lines(bad)
            name = col if _norm(header) == _norm(col) else f"{col} ({header[:40]}…)"
            parts.append(f"kolonne {name}: {_listing(vals)} på {_where(lines, total)}")
        more = f" (og {len(problems) - 3} kolonner til)" if len(problems) > 3 else ""
        raise LmpInputError(
            f"{path}: ukjente svar – {'; '.join(parts)}{more}; tillatt: {allowed} eller blank"
        )
    return out


def convert_export(path: str | Path, group: str) -> pd.DataFrame:
    """Read an export and return the validated canonical frame (same dtypes as `load_survey`)."""
    cb = load_codebook()
    cb.group(group)
    path = Path(path)
    raw = read_export(path)
    mapped = _map_columns(path, raw.attrs["header"], group)
    if len(raw) == 0:
        raise LmpInputError(f"{path}: ingen rader med svar (bare overskrift); tillatt: minst én respondent")
    converted = _convert_answers(path, raw, mapped, group)
    frame = pd.DataFrame({c: converted[c] for c in cb.columns_for_group(group)})
    return validate_frame(frame, group, path)


def canonical_csv_text(df: pd.DataFrame, group: str) -> str:
    """The canonical CSV text of a validated frame (same format as `lmp simulate` writes)."""
    cb = load_codebook()
    cols = cb.columns_for_group(group)
    buf = io.StringIO()
    df[cols].to_csv(buf, index=False, lineterminator="\n")
    return buf.getvalue()


def _write_new(path: Path, text: str) -> None:
    """Write atomically and never over an existing file: temp file in the same dir, then a hard link."""
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(fd, "w", encoding="utf-8", newline="") as fh:
            fh.write(text)
        try:
            os.link(tmp, path)  # atomic; fails if the target exists (a race with another writer included)
        except FileExistsError:
            raise LmpInputError(
                f"{path} finnes allerede; lmp import skriver aldri over en fil – velg en annen --out"
            ) from None
    finally:
        os.unlink(tmp)


def import_export(file: str | Path, group: str, out: str | Path) -> Path:
    """Convert `file` for `group` into `out/<group>.csv`; return the written path."""
    cb = load_codebook()
    g = cb.group(group)
    out = Path(out)
    target = out / g.file
    if out.exists() and not out.is_dir():
        raise LmpInputError(f"--out {out} er en fil; tillatt: en mappe (finnes den ikke, lages den)")
    if target.exists():
        raise LmpInputError(f"{target} finnes allerede; lmp import skriver aldri over en fil – velg en annen --out")
    if (out / DATASOURCE_FILE).exists() and data_source(out)["kind"] == "synthetic":
        raise LmpInputError(
            f"{out} har {DATASOURCE_FILE} (en syntetisk datamappe); ekte data skal i en egen mappe uten den fila"
        )
    frame = convert_export(file, group)
    text = canonical_csv_text(frame, group)
    out.mkdir(parents=True, exist_ok=True)
    _write_new(target, text)
    return target


def cli_import(args) -> int:
    target = import_export(args.file, args.group, args.out)
    df = pd.read_csv(target, dtype=str)
    print(f"{target}: {len(df)} respondenter skrevet ({args.group})")
    return 0

