"""Load and validate survey data directories, and the report's tabular data (claims, quotes, Tabell 1).

A data directory holds `ppt.csv`, `skoleleder.csv`, `skoleeier.csv` (columns from the codebook: respondent_id,
pulje, items; codes 1–5, blank = missing) and optionally `datasource.yml` (`kind: synthetic` from
`lmp simulate`; a directory without it counts as real data).

Validation is vectorised (one pass per column, no Python loop over rows) so a million rows load in about a
second; every failure is an `LmpInputError` naming the file, the line, the column and what is allowed.
"""

from __future__ import annotations

import csv
import io
from pathlib import Path

import numpy as np
import pandas as pd
import yaml

from lmp_helpers.codebook import load_codebook
from lmp_helpers.errors import LmpInputError
from lmp_helpers.paths import DATA_DIR, SYNTHETIC_DIR

DATASOURCE_FILE = "datasource.yml"
CLAIMS_PATH = DATA_DIR / "report_claims.csv"
QUOTES_PATH = DATA_DIR / "quotes.csv"
TABELL1_PATH = DATA_DIR / "tabell1.csv"
SOURCE_LABELS = {"synthetic": "syntetiske data (ikke ekte svar)", "real": "ekte surveydata"}
MAX_LISTED = 5  # how many offending lines a message lists before "… og N til"


# -- helpers for messages ------------------------------------------------------------------------
def _lines(mask: np.ndarray, first_line: int = 2) -> tuple[list[int], int]:
    """File line numbers of the True rows (the first data row is `first_line`: header = line 1 by default),
    the first few, and how many in all."""
    idx = np.flatnonzero(mask)
    return [int(i) + first_line for i in idx[:MAX_LISTED]], len(idx)


def _where(lines: list[int], total: int) -> str:
    text = "linje " + ", ".join(str(x) for x in lines)
    if total > len(lines):
        text += f" (og {total - len(lines)} til)"
    return text


def _scale_allowed() -> str:
    cb = load_codebook()
    lo, hi = min(cb.scale), max(cb.scale)
    return f"heltall {lo}–{hi} ({lo} = {cb.scale[lo]} … {hi} = {cb.scale[hi]}) eller blank (mangler)"


# -- reading one canonical CSV -------------------------------------------------------------------
def _read_header(path: Path) -> list[str]:
    try:
        with open(path, encoding="utf-8-sig", newline="") as fh:
            header = next(csv.reader(fh), None)
    except UnicodeDecodeError as exc:
        raise LmpInputError(
            f"{path}: filen er ikke UTF-8 (byte {exc.start}); tillatt: kanonisk CSV i UTF-8 "
            "(bruk `lmp import` for eksporter i cp1252/Excel)"
        ) from None
    if not header or all(not h.strip() for h in header):
        raise LmpInputError(f"{path}: filen er tom; tillatt: en overskriftslinje med kolonnene og minst én rad")
    return header


def _check_header(path: Path, group: str, header: list[str]) -> None:
    cb = load_codebook()
    expected = cb.columns_for_group(group)
    stripped = [h.strip() for h in header]
    dupes = sorted({h for h in stripped if stripped.count(h) > 1})
    if dupes:
        raise LmpInputError(
            f"{path} (linje 1): kolonnen(e) {', '.join(dupes)} står flere ganger i overskriften; tillatt: én gang"
        )
    missing = [c for c in expected if c not in stripped]
    unknown = [h for h in stripped if h not in expected]
    if missing or unknown:
        parts = []
        if missing:
            parts.append(f"mangler kolonne(r) {', '.join(missing)}")
        if unknown:
            parts.append(f"ukjent(e) kolonne(r) {', '.join(repr(u) for u in unknown)}")
        raise LmpInputError(
            f"{path} (linje 1): {'; '.join(parts)}; tillatt for {group}: {', '.join(expected)}"
        )


def _check_row_shape(path: Path, width: int) -> None:
    """Every line has exactly as many fields as the header (pandas would pad a short row with blanks and
    shift its answers unnoticed), and no blank line sits between rows (pandas would skip it, and every
    later line number in a message would be off by one)."""
    data = path.read_bytes()
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = data.count(b"\n", 0, exc.start) + 1
        raise LmpInputError(
            f"{path}, linje {line}: byten 0x{data[exc.start]:02X} er ikke UTF-8; tillatt: kanonisk CSV i UTF-8 "
            "(bruk `lmp import` for eksporter i cp1252/Excel)"
        ) from None
    if '"' not in text:  # fast path: no quoting, so a field count is a comma count
        if "\r" in text:  # \r\n and a lone \r (old Mac files) end a line too, as for the csv module and pandas
            text = text.replace("\r\n", "\n").replace("\r", "\n")
        lines = text.split("\n")
        while lines and not lines[-1].strip():
            lines.pop()
        counts = [line.count(",") + 1 if line.strip() else 0 for line in lines]
        bad = next((i for i, n in enumerate(counts) if n != width), None)
        if bad is None:
            return
        found, line_no = counts[bad], bad + 1
    else:
        reader = csv.reader(io.StringIO(text, newline=""))
        rows = [(reader.line_num, len(r)) for r in reader]
        while rows and rows[-1][1] == 0:
            rows.pop()
        offending = next(((n, k) for n, k in rows if k != width), None)
        if offending is None:
            return
        line_no, found = offending
    if found == 0:
        raise LmpInputError(f"{path}, linje {line_no}: tom linje mellom radene; tillatt: én respondent per linje")
    what = "for få" if found < width else "for mange"
    raise LmpInputError(
        f"{path}, linje {line_no}: {found} felt ({what}), men overskriften har {width}; "
        "tillatt: like mange felt på hver linje (kolonnene ville ellers forskyves)"
    )


def _integer_column(
    values: pd.Series, path: Path, column: str, allowed: str, required: bool, first_line: int = 2
) -> np.ndarray:
    """Parse a column to float (NaN = blank), raising on text, decimals or (if required) blanks."""
    if values.dtype.kind in "iu":
        return values.to_numpy(dtype=float)
    if values.dtype.kind == "f":
        num = values.to_numpy(dtype=float)
        bad_type = np.zeros(len(num), dtype=bool)
    else:  # text somewhere in the column: find exactly which lines
        text = values.astype("string").str.strip()
        num = pd.to_numeric(text, errors="coerce").to_numpy(dtype=float)
        bad_type = np.isnan(num) & text.notna().to_numpy() & (text.fillna("") != "").to_numpy()
    bad_type |= ~np.isnan(num) & (num != np.round(num))
    if bad_type.any():
        lines, total = _lines(bad_type, first_line)
        first = values.iloc[lines[0] - first_line]
        raise LmpInputError(
            f"{path}, {_where(lines, total)}, kolonne {column}: feil type, verdien {str(first)!r} er ikke et "
            f"heltall; tillatt: {allowed}"
        )
    if required and np.isnan(num).any():
        lines, total = _lines(np.isnan(num), first_line)
        raise LmpInputError(f"{path}, {_where(lines, total)}, kolonne {column}: tom verdi; tillatt: {allowed}")
    return num


def validate_frame(
    raw: pd.DataFrame, group: str, source: str | Path = "<data>", first_line: int = 2
) -> pd.DataFrame:
    """Check a frame read from a canonical CSV (or built by the importer) and return it typed:
    respondent_id str, pulje int64, items Int64 (1–5, <NA>). `source` names the file in messages, and
    `first_line` is the file line of the frame's first row (2 below a one-line header)."""
    cb = load_codebook()
    g = cb.group(group)
    path = Path(source)
    if len(raw) == 0:
        raise LmpInputError(f"{path}: ingen rader (bare overskrift); tillatt: minst én respondent")
    id_col, pulje_col = cb.id_column, cb.pulje_column

    ids = raw[id_col].to_numpy(dtype=object)
    # Every id must be text (not only the first): a frame built in code may mix 1 and «1», the same id as text.
    if ids.size and pd.api.types.infer_dtype(ids, skipna=False) != "string":
        ids = np.array([None if pd.isna(x) else str(x) for x in ids], dtype=object)
    blank = pd.isna(ids) | (ids == "")
    if blank.any():
        lines, total = _lines(blank, first_line)
        raise LmpInputError(f"{path}, {_where(lines, total)}, kolonne {id_col}: tom id; tillatt: en unik, ikke-tom id")
    if pd.Index(ids).has_duplicates:  # hash check first; the details only when needed
        dup = pd.Series(ids).duplicated(keep=False).to_numpy()
        first_dup = ids[dup][0]
        lines, total = _lines(ids == first_dup, first_line)
        n_ids = len(set(ids[dup]))
        more = f" ({n_ids} id-er er duplisert i alt)" if n_ids > 1 else ""
        raise LmpInputError(
            f"{path}, {_where(lines, total)}, kolonne {id_col}: respondent-id {first_dup!r} forekommer flere ganger"
            f"{more}; tillatt: hver id én gang"
        )

    allowed_pulje = ", ".join(str(p) for p in g.pulje)
    pulje_note = f"heltall, en av {allowed_pulje}"
    pulje = _integer_column(raw[pulje_col], path, pulje_col, pulje_note, required=True, first_line=first_line)
    bad = ~np.isin(pulje, g.pulje)
    if bad.any():
        lines, total = _lines(bad, first_line)
        value = pulje[lines[0] - first_line]
        why = ""
        if len(g.pulje) < len(cb.pulje_values):
            why = f" ({g.label}-surveyen fra {g.survey_year} dekket bare pulje {allowed_pulje})"
        raise LmpInputError(
            f"{path}, {_where(lines, total)}, kolonne {pulje_col}: ugyldig pulje {value:g}{why}; "
            f"tillatt for {group}: {allowed_pulje}"
        )

    out = {id_col: pd.array(ids, dtype="str"), pulje_col: pulje.astype(np.int64)}
    codes = np.array(sorted(cb.scale), dtype=float)
    for item in cb.items_for_group(group):
        num = _integer_column(raw[item], path, item, _scale_allowed(), required=False, first_line=first_line)
        bad = ~np.isnan(num) & ~np.isin(num, codes)
        if bad.any():
            lines, total = _lines(bad, first_line)
            raise LmpInputError(
                f"{path}, {_where(lines, total)}, kolonne {item}: koden {num[lines[0] - first_line]:g} er utenfor "
                "skalaen; "
                f"tillatt: {_scale_allowed()}"
            )
        missing = np.isnan(num)
        out[item] = pd.arrays.IntegerArray(np.where(missing, 0, num).astype(np.int64), missing)
    return pd.DataFrame(out, index=pd.RangeIndex(len(raw)), copy=False)


def survey_schema(group: str):
    """The typed contract of a loaded group as a pandera schema, built from the codebook.

    `load_survey` checks the same rules itself, vectorised and with messages naming file, line and column;
    this schema states the result for other code (`survey_schema(g).validate(df)`) and is tested against it.
    """
    import pandera.pandas as pa

    cb = load_codebook()
    g = cb.group(group)
    columns = {
        cb.id_column: pa.Column("str", pa.Check.str_length(min_value=1), unique=True, nullable=False),
        cb.pulje_column: pa.Column("int64", pa.Check.isin(list(g.pulje)), nullable=False),
    }
    for item in cb.items_for_group(group):
        columns[item] = pa.Column("Int64", pa.Check.isin(sorted(cb.scale)), nullable=True)
    return pa.DataFrameSchema(columns, strict=True, ordered=True, name=f"{group} ({g.file})")


def read_group(path: str | Path, group: str) -> pd.DataFrame:
    """Read and validate one canonical CSV for `group`."""
    cb = load_codebook()
    cb.group(group)
    path = Path(path)
    if not path.is_file():
        raise LmpInputError(
            f"mangler fil {path} (gruppe {group}); tillatt: en datamappe med "
            f"{', '.join(x.file for x in cb.groups.values())}"
        )
    if path.stat().st_size == 0:
        raise LmpInputError(f"{path}: filen er tom; tillatt: en overskriftslinje med kolonnene og minst én rad")
    header = _read_header(path)
    _check_header(path, group, header)
    _check_row_shape(path, len(header))
    # Fast path: numbers parsed by the C reader. Text in a number column makes it fail; then the file is
    # read again as text so the message can name the exact line and value. The id column stays text; dtype is
    # keyed by the header as written (a name with spaces around it would otherwise be typed as a number).
    dtypes = {h: object if h.strip() == cb.id_column else "float64" for h in header}
    common = dict(encoding="utf-8-sig", keep_default_na=False, na_values=[""])
    try:
        try:
            raw = pd.read_csv(path, dtype=dtypes, **common)
        except UnicodeDecodeError:
            raise
        except ValueError:
            raw = pd.read_csv(path, dtype=object, **common)
    except UnicodeDecodeError as exc:
        raise LmpInputError(
            f"{path}: filen er ikke UTF-8 ({exc.reason}); tillatt: kanonisk CSV i UTF-8 "
            "(bruk `lmp import` for eksporter i cp1252/Excel)"
        ) from None
    except pd.errors.ParserError as exc:
        raise LmpInputError(f"{path}: ugyldig CSV ({exc}); tillatt: kommaseparert med {len(header)} kolonner") from None
    raw.columns = [c.strip() for c in raw.columns]
    raw = raw[cb.columns_for_group(group)]
    return validate_frame(raw, group, path)


def resolve_data_dir(data_dir: str | Path | None = None) -> Path:
    if data_dir is not None and str(data_dir).strip() == "":
        raise LmpInputError(
            "datamappen er tom tekst (''); tillatt: en mappe med ppt.csv, skoleleder.csv, skoleeier.csv"
        )
    path = Path(data_dir) if data_dir else SYNTHETIC_DIR
    if path.exists() and not path.is_dir():
        raise LmpInputError(
            f"{path} er en fil, ikke en mappe; tillatt: en mappe med ppt.csv, skoleleder.csv, skoleeier.csv "
            "(bruk `lmp import` for å gjøre en eksport om til en datamappe)"
        )
    if not path.is_dir():
        raise LmpInputError(
            f"datamappen {path} finnes ikke; tillatt: en mappe med ppt.csv, skoleleder.csv, skoleeier.csv"
        )
    return path


def load_survey(data_dir: str | Path | None = None) -> dict[str, pd.DataFrame]:
    """All three groups, validated against the codebook, keyed ppt/skoleleder/skoleeier."""
    cb = load_codebook()
    path = resolve_data_dir(data_dir)
    data_source(path)  # a broken datasource.yml is an error too
    return {key: read_group(path / g.file, key) for key, g in cb.groups.items()}


def _yaml_kind(value: object) -> str:
    if isinstance(value, list):
        return "en liste"
    if isinstance(value, str):
        return f"teksten {value[:40]!r}"
    return f"en verdi av typen {type(value).__name__}"


def survey_or_load(survey, data_dir) -> dict[str, pd.DataFrame]:
    """The survey frames passed in by a caller (type-checked), or else loaded from `data_dir`.

    The one entry point for stats, tables and figures, so none of them imports another for loading.
    """
    if survey is not None:
        if not isinstance(survey, dict):
            raise LmpInputError(
                f"survey må være en dict {{gruppe: DataFrame}}, ikke {type(survey).__name__}; "
                "tillatt nøkler: ppt, skoleleder, skoleeier"
            )
        return survey
    return load_survey(data_dir)


def data_source(data_dir: str | Path | None = None) -> dict:
    """What kind of data a directory holds: kind ("synthetic"|"real"), Norwegian label, path (+ seed/note)."""
    path = Path(data_dir) if data_dir else SYNTHETIC_DIR
    ds_path = path / DATASOURCE_FILE
    meta: dict = {}
    if ds_path.is_file():
        try:
            with open(ds_path, encoding="utf-8") as fh:
                meta = yaml.safe_load(fh) or {}
        except yaml.YAMLError as exc:
            raise LmpInputError(f"{ds_path}: ugyldig YAML ({exc}); tillatt: f.eks. «kind: synthetic»") from None
        if not isinstance(meta, dict):
            raise LmpInputError(
                f"{ds_path}: innholdet er {_yaml_kind(meta)}, ikke nøkkel: verdi; tillatt: f.eks. «kind: synthetic»"
            )
        kind = meta.get("kind")
        if kind not in SOURCE_LABELS:
            raise LmpInputError(f"{ds_path}: kind {kind!r} er ukjent; tillatt: {', '.join(SOURCE_LABELS)}")
    kind = meta.get("kind", "real")
    result = {"kind": kind, "label": SOURCE_LABELS[kind], "path": str(path)}
    for key in ("seed", "note"):
        if key in meta:
            result[key] = meta[key]
    return result


def cli_validate(args) -> int:
    cb = load_codebook()
    survey = load_survey(args.data_dir)
    src = data_source(args.data_dir or SYNTHETIC_DIR)
    print(f"{src['path']}: {src['label']}")
    for key, df in survey.items():
        counts = df[cb.pulje_column].value_counts().sort_index()
        puljer = ", ".join(f"pulje {p}: {n}" for p, n in counts.items())
        print(f"  {cb.groups[key].file}: {len(df)} respondenter ({puljer}) – OK")
    return 0


# -- the report's own tables -----------------------------------------------------------------------
CLAIM_COLUMNS = [
    "id", "section", "figure", "kind", "claim", "group", "item", "pulje", "statistic",
    "comparator", "expected", "tolerance", "spec", "basis", "where",
]
QUOTE_COLUMNS = ["id", "chapter", "section", "theme", "source", "case", "pulje", "actor", "text", "where"]
TABELL1_COLUMNS = ["case", "pulje", "fylkesmann", "skoleeier", "ppt", "rektor", "laerere", "elever", "foreldre"]


def _read_table(path: Path, columns: list[str], what: str) -> pd.DataFrame:
    if not path.is_file():
        raise LmpInputError(f"mangler fil {path} ({what})")
    df = pd.read_csv(path, dtype=str, keep_default_na=False, encoding="utf-8")
    missing = [c for c in columns if c not in df.columns]
    if missing:
        raise LmpInputError(f"{path}: mangler kolonne(r) {', '.join(missing)}; tillatt: {', '.join(columns)}")
    return df[columns]


def load_claims(path: str | Path | None = None) -> pd.DataFrame:
    """Every quantitative statement of the report (data/report_claims.csv), one row per claim."""
    return _read_table(Path(path) if path else CLAIMS_PATH, CLAIM_COLUMNS, "rapportens påstander")


def load_quotes(path: str | Path | None = None) -> pd.DataFrame:
    """Every quoted respondent statement in the report (data/quotes.csv); pulje Int64, <NA> if unknown."""
    df = _read_table(Path(path) if path else QUOTES_PATH, QUOTE_COLUMNS, "sitater")
    df["pulje"] = pd.to_numeric(df["pulje"].replace("", None)).astype("Int64")
    return df


def quotes_for_pulje(quotes: pd.DataFrame, pulje) -> pd.DataFrame:
    """The quotes that belong on a page for `pulje` (1, 2, 3 or «alle»; already parsed).

    «alle» keeps every quote. For one pulje, a quote whose source names another pulje (case interviews) is
    left out; a quote whose pulje is unknown (anonymous open survey answers) is kept.
    """
    if pulje == load_codebook().pulje_all:
        return quotes
    return quotes[quotes["pulje"].isna() | (quotes["pulje"] == pulje)]


def load_tabell1(path: str | Path | None = None) -> pd.DataFrame:
    """Tabell 1 (interviews per case and actor); one row per case, totals computed, not stored."""
    df = _read_table(Path(path) if path else TABELL1_PATH, TABELL1_COLUMNS, "Tabell 1")
    for col in TABELL1_COLUMNS[1:]:
        df[col] = df[col].astype("int64")
    return df
