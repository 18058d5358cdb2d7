"""`lmp import FILE --group G --out DIR`: turn a survey-tool export into the canonical CSV `DIR/<group>.csv`.

Diagnosis first: the file's real type by its first bytes (an .xlsx, .xls, zip, gzip, PNG or PDF named .csv is
named as such), then the encoding (UTF-8, UTF-8 with BOM or cp1252, one of them for the whole file: a stray
cp1252 byte in a UTF-8 file, or a NUL, is named with its line), text NFC-normalised. CSV separators: `;`,
`,` or tab. In an .xlsx the sheet holding the data is found (hidden and info sheets skipped; `--sheet` when
several qualify), title rows above the header are skipped with a note (`--header-row N` to say where it is),
and empty leading columns (data from column B) are dropped.

Row shape is strict: a CSV line with more or fewer fields than the header, or an Excel cell right of the
header's last column, stops with the line or cell.

Columns are matched (without regard to case, whitespace or a leading question number «1. », «Q3: ») by the
canonical name, an item id, the item's question text *as this group was asked it*, or an alias from the
codebook's `import.column_aliases` (ids, Q1…, spm1…); `import.ignore_columns` (times, status, IP …) and
`--ignore` are left out; `--map FILE` (YAML «overskrift: kolonne») adds a user's own mapping. Questions of
another group's survey are refused naming that group. An unknown column is listed with the closest question.
Answers may be codes (1–5) or scale labels in any case; «Vet ikke» and the other `missing_labels`, and blanks,
become missing.

The output is validated exactly like `load_survey`, written to a temporary file in DIR and then linked into
place, which fails if the target exists: a half-written or overwritten file is impossible.
"""

from __future__ import annotations

import csv
import io
import re
import unicodedata
from pathlib import Path

import numpy as np
import pandas as pd

from lmp_helpers.codebook import load_codebook
from lmp_helpers.data import DATASOURCE_FILE, _lines, _where, data_source, validate_frame
from lmp_helpers.errors import LmpInputError

ENCODINGS = ("utf-8-sig", "cp1252")  # utf-8-sig also reads plain UTF-8
SEPARATORS = (";", ",", "\t")
SEPARATOR_NAMES = {";": "semikolon", ",": "komma", "\t": "tabulator"}
MAX_LISTED = 8
HEADER_SEARCH_ROWS = 30  # title rows above the header: how far down the header is looked for
# A leading question number: «1. I hvilken grad…», «Q1: …», «Spm. 3) …», «4 - …»
NUMBERING = re.compile(r"^(?:q|spm\.?|spørsmål|sp\.?)?\s*\d+[a-z]?\s*[.):\-–]\s*(?=\S)", re.IGNORECASE)


def _norm(text: object) -> str:
    """Compare texts without regard to case, Unicode form or runs of whitespace."""
    text = unicodedata.normalize("NFC", str(text))
    return " ".join(text.split()).casefold()


def _listing(values: list[str]) -> str:
    shown = ", ".join(repr(v) for v in values[:MAX_LISTED])
    return shown + (f" (og {len(values) - MAX_LISTED} til)" if len(values) > MAX_LISTED else "")


# -- what a file really is ------------------------------------------------------------------------------
MAGIC = (
    (b"PK\x03\x04", "zip"),
    (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1", "xls"),
    (b"\x1f\x8b", "gzip"),
    (b"\x89PNG\r\n\x1a\n", "png"),
    (b"%PDF", "pdf"),
)
KIND_NAMES = {
    "xlsx": "en Excel-fil (.xlsx)",
    "zip": "et zip-arkiv",
    "xls": "en gammel Excel-fil (.xls) eller et annet Office-dokument",
    "gzip": "et gzip-komprimert arkiv",
    "png": "et PNG-bilde",
    "pdf": "et PDF-dokument",
}


def sniff(path: Path, head: bytes) -> str:
    """The file's real type by its first bytes: a key of KIND_NAMES, or «text»."""
    for magic, kind in MAGIC:
        if head.startswith(magic):
            if kind == "zip":
                import zipfile

                try:
                    with zipfile.ZipFile(path) as zf:
                        if any(n.startswith("xl/") for n in zf.namelist()):
                            return "xlsx"
                except zipfile.BadZipFile:
                    pass
            return kind
    return "text"


def _check_file_type(path: Path, suffix: str, head: bytes) -> None:
    kind = sniff(path, head)
    if suffix == ".csv" and kind != "text":
        fix = {
            "xlsx": "gi den endelsen .xlsx",
            "xls": "åpne den i Excel og lagre som .xlsx eller CSV",
        }.get(kind, "eksporter svarene på nytt som .xlsx eller .csv")
        raise LmpInputError(f"{path}: filen heter .csv, men er {KIND_NAMES[kind]}; {fix}")
    if suffix == ".xlsx" and kind != "xlsx":
        what = KIND_NAMES.get(kind, "en tekstfil (kanskje CSV)")
        fix = "gi den endelsen .csv" if kind == "text" else "eksporter svarene på nytt som .xlsx eller .csv"
        raise LmpInputError(f"{path}: filen heter .xlsx, men er {what}; {fix}")


# -- reading the raw export --------------------------------------------------------------------------
def _line_of(data: bytes, offset: int) -> int:
    return data.count(b"\n", 0, offset) + 1


def _decode(path: Path, data: bytes) -> tuple[str, str]:
    allowed = "tillatt: UTF-8, UTF-8 med BOM eller cp1252 (Windows/Excel)"
    # cp1252 decodes almost any bytes, so UTF-16/32 (Excel's «Unicode-tekst») must be caught before it is tried:
    # it starts with a BOM or has a NUL in every other byte.
    head = data[:4096]
    if data.startswith((b"\xff\xfe", b"\xfe\xff")) or head.count(b"\x00") > len(head) // 4:
        raise LmpInputError(f"{path}: tegnkodingen ser ut som UTF-16 (Excel «Unicode-tekst»); {allowed}")
    if b"\x00" in data:
        at = data.index(b"\x00")
        raise LmpInputError(
            f"{path}, linje {_line_of(data, at)}: en NUL-byte (0x00) midt i teksten; fjern den eller eksporter på nytt"
        )
    try:
        return unicodedata.normalize("NFC", data.decode("utf-8-sig")), "utf-8-sig"
    except UnicodeDecodeError as exc:
        bad_at = exc.start
    # Valid UTF-8 letters elsewhere in the file and one odd byte: a mixed file. Decoding it all as cp1252
    # would turn every æøå into mojibake, so name the line instead.
    lenient = data.decode("utf-8", errors="replace")
    if any(ord(ch) > 127 and ch != "\ufffd" for ch in lenient):
        raise LmpInputError(
            f"{path}, linje {_line_of(data, bad_at)}: byten 0x{data[bad_at]:02X} er ikke UTF-8, men resten av filen "
            f"er UTF-8 (blandet tegnkoding); rett tegnet på den linjen; {allowed}, men én av dem i hele filen"
        )
    try:
        return unicodedata.normalize("NFC", data.decode("cp1252")), "cp1252"
    except UnicodeDecodeError as exc:
        raise LmpInputError(
            f"{path}, linje {_line_of(data, exc.start)}: ukjent tegnkoding (byten 0x{data[exc.start]:02X}); {allowed}"
        ) from None


def _guess_separator(text: str) -> str:
    """The separator with the most fields on the busiest of the first lines (title rows have few)."""
    lines = [line for line in text.splitlines()[:HEADER_SEARCH_ROWS] if line.strip()]
    return max(SEPARATORS, key=lambda sep: max((line.count(sep) for line in lines), default=0))


def read_export(
    path: str | Path, sheet: str | None = None, header_row: int | None = None, notes: list[str] | None = None
) -> pd.DataFrame:
    """The raw export as a frame of strings ('' = blank), columns as in the file.

    attrs: header (stripped texts), first_line (file line / sheet row of the first data row), where.
    """
    path = Path(path)
    notes = notes if notes is not None else []
    if path.is_dir():
        raise LmpInputError(f"{path} er en mappe; tillatt: en .xlsx- eller .csv-fil")
    if not path.is_file():
        raise LmpInputError(f"fant ikke filen {path}; tillatt: en eksisterende .xlsx- eller .csv-fil")
    suffix = path.suffix.lower()
    if suffix not in (".xlsx", ".csv"):
        extra = ""
        if suffix == ".xls":
            extra = " (gammelt Excel-format: åpne filen i Excel og lagre som .xlsx)"
        raise LmpInputError(f"{path}: filtypen {suffix or '(ingen)'} støttes ikke{extra}; tillatt: .xlsx, .csv")
    if path.stat().st_size == 0:
        raise LmpInputError(f"{path}: filen er tom; tillatt: en overskriftslinje og minst én rad med svar")
    with open(path, "rb") as fh:
        head = fh.read(16)
    _check_file_type(path, suffix, head)
    if suffix == ".xlsx":
        rows, where = _xlsx_rows(path, sheet, notes)
        sep = None
    else:
        if sheet is not None:
            raise LmpInputError(f"{path}: --sheet gjelder bare .xlsx-filer; en CSV-fil har ingen ark")
        text, _ = _decode(path, path.read_bytes())
        sep = _guess_separator(text)
        rows = list(csv.reader(io.StringIO(text, newline=""), delimiter=sep))
        where = str(path)
    while rows and not any(c.strip() for c in rows[-1]):  # trailing empty lines/rows only: keeps line numbers
        rows.pop()
    if not rows:
        raise LmpInputError(f"{path}: filen er tom; tillatt: en overskriftslinje og minst én rad med svar")
    h = _header_index(rows, header_row, where, notes)
    rows_after = rows[h + 1:]
    header = rows[h]
    # data starting in column B (or later): empty leading columns in the header and every row are dropped
    lead = next((i for i, c in enumerate(header) if c.strip()), 0)
    if lead and all(not any(c.strip() for c in r[:lead]) for r in rows_after):
        header = header[lead:]
        rows_after = [r[lead:] for r in rows_after]
    else:
        lead = 0
    width = max((i + 1 for i, v in enumerate(header) if v.strip()), default=0)
    if width == 0:  # (no column to name: a cell right of it would have no «last column» either)
        raise LmpInputError(
            f"{where}, linje {h + 1}: overskriften er tom (ingen kolonnenavn); tillatt: kolonnenavn, "
            "spørsmålstekster eller alias på overskriftslinjen (velg linjen med --header-row N)"
        )
    _check_shape(where, rows_after, header, width, h, lead, sep)
    rows_after = [r[:width] + [""] * (width - len(r)) for r in rows_after]
    raw = pd.DataFrame(rows_after, columns=range(width), dtype=object)
    raw.attrs["header"] = [c.strip() for c in header[:width]]
    raw.attrs["first_line"] = h + 2
    raw.attrs["where"] = where
    return raw


def _check_shape(where: str, rows: list[list[str]], header: list[str], width: int, h: int, lead: int,
                 sep: str | None) -> None:
    """Every row as wide as the header: a short or long CSV line, or a cell right of the header (an Excel row
    shifted by «sett inn celle»), would put answers under the wrong question."""
    from openpyxl.utils import get_column_letter

    if sep is not None:  # CSV: exactly the header's field count (trailing empty header fields included)
        n_header = len(header)
        for i, r in enumerate(rows):
            if len(r) != n_header:
                what = "for få" if len(r) < n_header else "for mange"
                raise LmpInputError(
                    f"{where}, linje {h + 2 + i}: {len(r)} felt ({what}), men overskriften har {n_header} "
                    f"(skilletegn {SEPARATOR_NAMES[sep]}); tillatt: like mange felt på hver linje "
                    "(ellers havner svarene under feil spørsmål)"
                )
        return
    for i, r in enumerate(rows):
        extra = next((j for j in range(width, len(r)) if r[j].strip()), None)
        if extra is not None:
            cell = f"{get_column_letter(lead + extra + 1)}{h + 2 + i}"
            last = get_column_letter(lead + width)
            raise LmpInputError(
                f"{where}, celle {cell}: verdien {r[extra].strip()[:40]!r} står til høyre for overskriftens siste "
                f"kolonne ({last}); tillatt: ingen verdier utenfor overskriften (er raden forskjøvet?)"
            )


def _header_index(rows: list[list[str]], header_row: int | None, where: str, notes: list[str]) -> int:
    """Index of the header row: given (1-based) by --header-row, else row 1 unless row 1 does not look like a
    header and a later row (title rows above) does."""
    if header_row is not None:
        if header_row < 1 or header_row > len(rows):
            raise LmpInputError(f"{where}: --header-row {header_row} finnes ikke; tillatt: 1–{len(rows)}")
        return header_row - 1
    if _looks_like_header(rows[0]):
        return 0
    for i, r in enumerate(rows[1:HEADER_SEARCH_ROWS], start=1):
        if _looks_like_header(r):
            notes.append(
                f"{where}: overskriften står på linje {i + 1}; linje 1–{i} (tittel o.l.) er hoppet over"
                if i > 1 else f"{where}: overskriften står på linje 2; linje 1 (tittel o.l.) er hoppet over"
            )
            return i
    return 0


def _looks_like_header(row: list[str]) -> bool:
    known = _all_known_names()
    cells = [c for c in row if c.strip()]
    hits = sum(1 for c in cells if _header_key(c) in known)
    return hits >= 2 and hits * 2 >= len(cells)


def _xlsx_rows(path: Path, sheet: str | None, notes: list[str]) -> tuple[list[list[str]], str]:
    """Cells of the sheet holding the data as text ('' for empty); whole-number floats as integers («3.0» → «3»).

    Without --sheet: hidden sheets are skipped, and of the visible ones the one whose header matches the
    codebook is used (an info sheet first is common); more than one candidate needs --sheet."""
    from openpyxl import load_workbook

    try:
        wb = load_workbook(path, read_only=True, data_only=True)
    except Exception as exc:  # openpyxl raises many types for a broken workbook
        raise LmpInputError(f"{path}: kunne ikke lese Excel-filen ({type(exc).__name__}: {exc})") from None
    try:
        names = wb.sheetnames
        if sheet is not None:
            if sheet not in names:
                raise LmpInputError(f"{path}: arket {sheet!r} finnes ikke; tillatt: {_listing(names)}")
            chosen = sheet
            rows = _sheet_rows(wb[sheet])
        else:
            visible = [n for n in names if getattr(wb[n], "sheet_state", "visible") == "visible"]
            candidates = {}
            for n in visible:
                sheet_rows = _sheet_rows(wb[n])
                if any(_looks_like_header(r) for r in sheet_rows[:HEADER_SEARCH_ROWS]):
                    candidates[n] = sheet_rows
            if len(candidates) > 1:
                raise LmpInputError(
                    f"{path}: flere ark ser ut som svardata ({_listing(list(candidates))}); velg ett med --sheet"
                )
            if candidates:
                chosen, rows = next(iter(candidates.items()))
            elif visible:
                chosen = visible[0]
                rows = _sheet_rows(wb[chosen])
            else:
                raise LmpInputError(f"{path}: arbeidsboka har ingen synlige ark; velg et ark med --sheet")
            if chosen != names[0]:
                skipped = [n for n in names if n != chosen]
                notes.append(f"{path}: bruker arket {chosen!r} (hoppet over {_listing(skipped)})")
    finally:
        wb.close()
    where = f"{path} (ark {chosen!r})" if len(names) > 1 else str(path)
    return rows, where


def _sheet_rows(ws) -> list[list[str]]:
    rows = [[_cell_text(v) for v in row] for row in ws.iter_rows(min_row=1, min_col=1, values_only=True)]
    width = max((len(r) for r in rows), default=0)
    return [r + [""] * (width - len(r)) for r in rows]


def _cell_text(v: object) -> str:
    if v is None:
        return ""
    if isinstance(v, float) and v.is_integer():
        return str(int(v))
    return unicodedata.normalize("NFC", str(v))


# -- mapping columns and answers -----------------------------------------------------------------------
def _header_key(text: str) -> str:
    """A header as compared: normalised, with a leading question number («1. », «Q3: ») removed."""
    return _norm(NUMBERING.sub("", unicodedata.normalize("NFC", str(text)).strip()))


def _import_config() -> dict:
    return load_codebook().raw.get("import") or {}


def _column_names(group: str) -> dict[str, str]:
    """Normalised accepted header -> canonical column, for one group: canonical names, aliases, item ids and
    the question text as this group was asked it (another group's wording is *not* accepted)."""
    cb = load_codebook()
    names: dict[str, str] = {}
    aliases = _import_config().get("column_aliases") or {}
    for col in (cb.id_column, cb.pulje_column):
        for name in [col, *aliases.get(col, [])]:
            names[_header_key(name)] = col
    for key in cb.items_for_group(group):
        item = cb.item(key)
        for name in [key, item.text_for(group), *aliases.get(key, [])]:
            names[_header_key(name)] = key
    return names


def _ignored_names() -> set[str]:
    return {_header_key(n) for n in _import_config().get("ignore_columns") or []}


def _all_known_names() -> set[str]:
    cb = load_codebook()
    known = set(_ignored_names())
    for g in cb.groups:
        known |= set(_column_names(g))
    return known


def _other_group(header: list[str], group: str, unknown: list[str]) -> str | None:
    """The group whose question set the unknown headers belong to (an export for another group)."""
    cb = load_codebook()
    own = _column_names(group)
    best, best_hits = None, 0
    for g in cb.groups:
        if g == group:
            continue
        theirs = {k for k, v in _column_names(g).items() if own.get(k) != v}
        hits = sum(1 for h in unknown if _header_key(h) in theirs)
        if hits > best_hits:
            best, best_hits = g, hits
    return best


def load_mapping(path: str | Path, group: str) -> dict[str, str | None]:
    """A user's own column mapping (`--map FILE`): YAML «overskrift: kolonne», where kolonne is a canonical
    column of the group, or blank/«ignorer» for a column to leave out."""
    import yaml

    path = Path(path)
    cb = load_codebook()
    allowed = cb.columns_for_group(group)
    if not path.is_file():
        raise LmpInputError(f"--map {path}: fant ikke filen; tillatt: en YAML-fil med «overskrift: kolonne»")
    try:
        raw = yaml.safe_load(path.read_text(encoding="utf-8"))
    except (yaml.YAMLError, UnicodeDecodeError) as exc:
        raise LmpInputError(f"--map {path}: ugyldig YAML ({str(exc).splitlines()[0]})") from None
    if not isinstance(raw, dict) or not raw:
        raise LmpInputError(f"--map {path}: innholdet må være «overskrift: kolonne»-par, ett per linje")
    mapping: dict[str, str | None] = {}
    for header, col in raw.items():
        if col is None or str(col).strip().casefold() in ("", "ignorer", "ignore"):
            mapping[_header_key(header)] = None
            continue
        if col not in allowed:
            raise LmpInputError(
                f"--map {path}: {header!r} peker på {col!r}, som ikke er en kolonne for {group}; "
                f"tillatt: {', '.join(allowed)} eller «ignorer»"
            )
        mapping[_header_key(header)] = col
    return mapping


def _suggest(header: str, names: dict[str, str]) -> str:
    import difflib

    cb = load_codebook()
    questions = [k for k, v in names.items() if v not in (cb.id_column, cb.pulje_column)]
    close = difflib.get_close_matches(_header_key(header), questions, n=1, cutoff=0.6)
    return f" (nærmest: {names[close[0]]})" if close else ""


def _map_columns(
    path: Path | str,
    header: list[str],
    group: str,
    mapping: dict[str, str | None] | None = None,
    ignore: list[str] | tuple[str, ...] = (),
) -> list[str | None]:
    """Canonical column per header cell (None = ignored column)."""
    cb = load_codebook()
    names = _column_names(group)
    mapping = mapping or {}
    ignored = _ignored_names() | {_header_key(i) for i in ignore}
    mapped: list[str | None] = []
    unknown = []
    for h in header:
        key = _header_key(h)
        if key in mapping:
            mapped.append(mapping[key])
        elif key in names:
            mapped.append(names[key])
        elif key in ignored:
            mapped.append(None)
        else:
            mapped.append(None)
            unknown.append(h)
    if unknown:
        other = _other_group(header, group, unknown)
        if other is not None:
            g = cb.group(other)
            raise LmpInputError(
                f"{path} (overskriften): spørsmålene hører til {g.label.lower()}-surveyen, ikke {group} "
                f"(f.eks. {unknown[0][:60]!r}); eksporten ser ut til å være for --group {other}"
            )
        listed = ", ".join(repr(h[:60]) + _suggest(h, names) for h in unknown[:MAX_LISTED])
        if len(unknown) > MAX_LISTED:
            listed += f" (og {len(unknown) - MAX_LISTED} til)"
        raise LmpInputError(
            f"{path} (overskriften): ukjente kolonner {listed}; tillatt for {group}: "
            f"{', '.join(cb.columns_for_group(group))}, spørsmålsteksten eller et alias – eller hopp over dem med "
            "--ignore, eller oversett dem med --map FIL"
        )
    used = [m for m in mapped if m is not None]
    dupes = sorted({m for m in used if used.count(m) > 1})
    if dupes:
        detail = "; ".join(
            f"{d}: {', '.join(repr(h) for h, m in zip(header, mapped, strict=True) if m == d)}" for d in dupes
        )
        raise LmpInputError(f"{path} (overskriften): flere kolonner betyr det samme ({detail}); tillatt: én per felt")
    missing = [c for c in cb.columns_for_group(group) if c not in used]
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
    first_line = raw.attrs.get("first_line", 2)
    for j, col in enumerate(mapped):
        if col is None:  # an ignored column
            continue
        # work on the distinct values only (an export has a handful per column, however many rows)
        codes_idx, uniques = pd.factorize(raw[j].to_numpy(dtype=object), sort=False)
        uniques = [str(u) for u in uniques]
        if col == cb.id_column:
            out[col] = pd.Series(np.asarray([u.strip() for u in uniques], dtype=object)[codes_idx])
            continue
        normed = [_norm(u) for u in uniques]
        if col == cb.pulje_column:
            # «2», «2.0», «Pulje 2»; anything else stays text for the loader's specific message
            # (only a whole number loses its «.0»: «1.0.0» or «x.0» must reach the loader as written)
            cleaned = [re.sub(r"^(\d+)\.0+$", r"\1", re.sub(r"^pulje\s*", "", u)) for u in normed]
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
            lines, total = _lines(bad, first_line)
            name = col if _norm(header) == _norm(col) else f"{col} ({header[:40]}…)"
            parts.append(f"kolonne {name}: {_listing(vals)} på {_where(lines, total)}")
        rest = len(problems) - 3
        more = f" (og {rest} {'kolonne' if rest == 1 else 'kolonner'} til)" if rest > 0 else ""
        raise LmpInputError(
            f"{path}: ukjente svar – {'; '.join(parts)}{more}; tillatt: {allowed} eller blank"
        )
    return out


def convert_export(
    path: str | Path,
    group: str,
    *,
    mapping: dict[str, str | None] | None = None,
    ignore: list[str] | tuple[str, ...] = (),
    sheet: str | None = None,
    header_row: int | None = None,
    notes: list[str] | None = None,
) -> pd.DataFrame:
    """Read an export and return the validated canonical frame (same dtypes as `load_survey`).

    `notes` (if given) collects what was found and done on the way (header row, sheet), for the user."""
    cb = load_codebook()
    cb.group(group)
    path = Path(path)
    raw = read_export(path, sheet=sheet, header_row=header_row, notes=notes)
    where = raw.attrs["where"]
    mapped = _map_columns(where, raw.attrs["header"], group, mapping, ignore)
    if len(raw) == 0:
        raise LmpInputError(f"{where}: ingen rader med svar (bare overskrift); tillatt: minst én respondent")
    converted = _convert_answers(where, raw, mapped, group)
    frame = pd.DataFrame({c: converted[c] for c in cb.columns_for_group(group)})
    return validate_frame(frame, group, where, first_line=raw.attrs["first_line"])


def canonical_csv_text(df: pd.DataFrame, group: str) -> str:
    """The canonical CSV text of a validated frame (same format as `lmp simulate` writes)."""
    cb = load_codebook()
    cols = cb.columns_for_group(group)
    buf = io.StringIO()
    df[cols].to_csv(buf, index=False, lineterminator="\n")
    return buf.getvalue()


def _write_new(path: Path, text: str) -> None:
    """Write atomically and never over an existing file: temp file in the same dir, then a hard link."""
    from lmp_helpers.staging import write_atomic

    try:
        write_atomic(path, text, exclusive=True)  # the link fails if the target exists (a racing writer too)
    except FileExistsError:
        raise LmpInputError(
            f"{path} finnes allerede; lmp import skriver aldri over en fil – velg en annen --out"
        ) from None


def import_export(
    file: str | Path,
    group: str,
    out: str | Path,
    *,
    mapping_file: str | Path | None = None,
    ignore: list[str] | tuple[str, ...] = (),
    sheet: str | None = None,
    header_row: int | None = None,
    notes: list[str] | None = None,
) -> Path:
    """Convert `file` for `group` into `out/<group>.csv`; return the written path."""
    cb = load_codebook()
    g = cb.group(group)
    if str(out).strip() == "":
        raise LmpInputError("--out er tom tekst (''); tillatt: en mappe (finnes den ikke, lages den)")
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
    mapping = load_mapping(mapping_file, group) if mapping_file is not None else None
    frame = convert_export(file, group, mapping=mapping, ignore=ignore, sheet=sheet, header_row=header_row,
                           notes=notes)
    text = canonical_csv_text(frame, group)
    out.mkdir(parents=True, exist_ok=True)
    for stale in out.glob(f".{target.name}.*.tmp"):  # left by an import that was killed while writing
        stale.unlink(missing_ok=True)
    _write_new(target, text)
    return target


def parse_ignore(values: list[str] | None) -> list[str]:
    """`--ignore "Start, Slutt" --ignore IP`: comma-separated header names, repeatable."""
    out = []
    for value in values or []:
        out.extend(v.strip() for v in value.split(",") if v.strip())
    return out


def cli_import(args) -> int:
    notes: list[str] = []
    target = import_export(
        args.file, args.group, args.out,
        mapping_file=getattr(args, "map", None),
        ignore=parse_ignore(getattr(args, "ignore", None)),
        sheet=getattr(args, "sheet", None),
        header_row=getattr(args, "header_row", None),
        notes=notes,
    )
    for note in notes:
        print(f"merk: {note}")
    df = pd.read_csv(target, dtype=str)
    print(f"{target}: {len(df)} respondenter skrevet ({args.group})")
    return 0
