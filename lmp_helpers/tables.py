"""The published numbers: one table per report figure, with suppression applied, and `lmp tables`.

`figure_table` is the single source of every number the book shows (chapters, figures, explorer, the
claims check and the CSV downloads), so suppression cannot be bypassed.

Export columns (exactly): figure, item, group, pulje, n, share_pct, ci_low_pct, ci_high_pct, suppressed.

* fig2_1, fig3_1, fig4_1: one row per item × group (codebook order), `share_pct` = share answering
  «i stor grad» or «i svært stor grad» of those who answered, with a 95 % Wilson interval.
* fig4_2: one row per answer category (`item` = the category label from the codebook), share of those who
  answered, no interval.
* tabell1 (interviews in the case municipalities, from `data/tabell1.csv`): one row per case × actor,
  `item` = actor column (fylkesmann, skoleeier, ppt, rektor, laerere, elever, foreldre), `group` = the case
  («I» … «IV»), `pulje` = the case's pulje, `n` = number of interviews; no share, no interval. These are
  counts of interviews the report itself publishes per case, not survey answers, so they are not suppressed.
  Totals (per case, per actor, 62 in all) are computed by readers, not stored as rows.
* `pulje` is the string "1", "2", "3" or "alle". Suppressed rows: `suppressed` True, share and interval
  empty, n empty unless 0 (see `lmp_helpers.suppression`).
"""

from __future__ import annotations

import re
from pathlib import Path

import numpy as np
import pandas as pd

from lmp_helpers.codebook import load_codebook
from lmp_helpers.data import survey_or_load
from lmp_helpers.errors import LmpInputError
from lmp_helpers.pulje import parse_pulje
from lmp_helpers.suppression import DEFAULT_MIN_N, SYMBOL, check_min_n

EXPORT_COLUMNS = ["figure", "item", "group", "pulje", "n", "share_pct", "ci_low_pct", "ci_high_pct", "suppressed"]
FIGURES = ["tabell1", "fig2_1", "fig3_1", "fig4_1", "fig4_2"]
TABELL1_ACTORS = ["fylkesmann", "skoleeier", "ppt", "rektor", "laerere", "elever", "foreldre"]


def check_figure(figure: str) -> str:
    if figure not in FIGURES:
        raise LmpInputError(f"ukjent figur/tabell {figure!r}; tillatt: {', '.join(FIGURES)}")
    return figure


def missing_group_note(groups, pulje) -> str | None:
    """Norwegian note for groups that were not asked in the requested pulje (skoleledere/skoleeiere in 3)."""
    cb = load_codebook()
    if pulje == cb.pulje_all:
        return None
    absent = [g for g in groups if pulje not in cb.group(g).pulje]
    if not absent:
        return None
    labels = " og ".join(cb.group(g).label.lower() for g in absent)
    years = sorted({cb.group(g).survey_year for g in absent})
    asked = sorted({p for g in absent for p in cb.group(g).pulje})
    return (
        f"{labels[0].upper()}{labels[1:]} ble ikke spurt i pulje {pulje}: surveyen til dem ("
        f"{', '.join(map(str, years))}) gikk bare til pulje {' og '.join(map(str, asked))}. "
        f"Derfor finnes ingen tall for dem her."
    )


def _empty_export() -> pd.DataFrame:
    return pd.DataFrame({c: pd.Series(dtype=_EXPORT_DTYPES[c]) for c in EXPORT_COLUMNS})


_EXPORT_DTYPES = {
    "figure": "object",
    "item": "object",
    "group": "object",
    "pulje": "object",
    "n": "Int64",
    "share_pct": "float64",
    "ci_low_pct": "float64",
    "ci_high_pct": "float64",
    "suppressed": "bool",
}


def _finish(frame: pd.DataFrame, notes: list[str], min_n: int) -> pd.DataFrame:
    frame = frame.reset_index(drop=True)
    for c in EXPORT_COLUMNS:
        frame[c] = frame[c].astype(_EXPORT_DTYPES[c])
    frame = frame[EXPORT_COLUMNS]
    if frame["suppressed"].any():
        from lmp_helpers.suppression import footnote

        notes = [*notes, footnote(min_n)]
    frame.attrs["notes"] = notes
    frame.attrs["min_n"] = min_n
    return frame


def survey_cells(figure: str, pulje="alle", data_dir=None, min_n: int = DEFAULT_MIN_N, survey=None):
    """Internal, richer table behind `figure_table`: one row per group × item of the requested pulje with
    n, k, c1..c5 and `suppressed` (decided over the whole pulje family). The counts are NOT blanked here: the
    caller computes from them and hides the suppressed cells itself (`_hide`). Returns (cells, notes)."""
    from lmp_helpers.stats import cell_stats
    from lmp_helpers.suppression import add_suppression

    cb = load_codebook()
    fig = cb.figure(figure)
    pulje = parse_pulje(pulje)
    min_n = check_min_n(min_n)
    survey = survey_or_load(survey, data_dir)
    cells = add_suppression(cell_stats(survey, fig.groups, fig.items), min_n)
    cells = cells[cells["pulje"] == str(pulje)].reset_index(drop=True)
    notes = [n for n in [missing_group_note(fig.groups, pulje)] if n]
    return cells, notes


def _repeat(values, times: int):
    """Repeat each value `times` times, keeping a nullable integer dtype (np.repeat would give floats)."""
    return pd.Series(values).repeat(times).reset_index(drop=True).array


def _hide(cells: pd.DataFrame) -> pd.DataFrame:
    """Blank every number of suppressed cells except an n of 0."""
    cells = cells.copy()
    hide = cells["suppressed"].to_numpy()
    n = cells["n"].astype("Int64")
    cells["n"] = n.mask(hide & (n.to_numpy() != 0))
    for c in ["k", "c1", "c2", "c3", "c4", "c5"]:
        cells[c] = cells[c].astype("Int64").mask(hide)
    return cells


def figure_table(
    figure: str, pulje="alle", data_dir=None, min_n: int = DEFAULT_MIN_N, survey=None
) -> pd.DataFrame:
    """The numbers of one report figure/table, suppressed, with exactly `EXPORT_COLUMNS`.

    `survey`: an already loaded {group: DataFrame} (otherwise loaded from `data_dir`). Notes (Norwegian:
    suppression footnote, groups not asked in this pulje) are in `df.attrs["notes"]`.
    """
    from lmp_helpers.stats import pct_from_counts, round_pct, wilson_interval

    check_figure(figure)
    pulje = parse_pulje(pulje)
    min_n = check_min_n(min_n)
    if figure == "tabell1":
        return _tabell1_table(pulje, min_n)
    cb = load_codebook()
    cells, notes = survey_cells(figure, pulje, data_dir, min_n, survey)
    hide = cells["suppressed"].to_numpy(dtype=bool)
    n = cells["n"].to_numpy(dtype=np.int64)
    if cb.figure(figure).kind == "distribution":
        codes = list(cb.scale)
        counts = cells[[f"c{c}" for c in codes]].to_numpy(dtype=np.int64)  # (cells, 5)
        shares = pct_from_counts(counts, n[:, None])
        shares[hide] = np.nan
        frame = pd.DataFrame(
            {
                "figure": figure,
                "item": np.tile([cb.scale[c] for c in codes], len(cells)),
                "group": np.repeat(cells["group"].to_numpy(), len(codes)),
                "pulje": str(pulje),
                "n": _repeat(_hide(cells)["n"], len(codes)),
                "share_pct": shares.ravel(),
                "ci_low_pct": np.nan,
                "ci_high_pct": np.nan,
                "suppressed": np.repeat(hide, len(codes)),
            }
        )
        return _finish(frame, notes, min_n)
    k = cells["k"].to_numpy(dtype=np.int64)
    low, high = wilson_interval(k, n) if len(cells) else (np.array([]), np.array([]))
    share = pct_from_counts(k, n)
    low_pct, high_pct = round_pct(low), round_pct(high)
    for arr in (share, low_pct, high_pct):
        arr[hide] = np.nan
    frame = pd.DataFrame(
        {
            "figure": figure,
            "item": cells["item"],
            "group": cells["group"],
            "pulje": str(pulje),
            "n": _hide(cells)["n"],
            "share_pct": share,
            "ci_low_pct": low_pct,
            "ci_high_pct": high_pct,
            "suppressed": hide,
        }
    )
    return _finish(frame, notes, min_n)


def _tabell1_table(pulje, min_n: int) -> pd.DataFrame:
    from lmp_helpers.data import load_tabell1

    cb = load_codebook()
    t1 = load_tabell1()
    if pulje != cb.pulje_all:
        t1 = t1[t1["pulje"].astype("Int64") == pulje]
    actors = [a for a in TABELL1_ACTORS if a in t1.columns]
    long = t1.melt(id_vars=["case", "pulje"], value_vars=actors, var_name="item", value_name="n")
    # case-major order as the printed table: Case I row first, actors left to right
    long["_a"] = long["item"].map({a: i for i, a in enumerate(actors)})
    long["_c"] = long["case"].map({c: i for i, c in enumerate(t1["case"])})
    long = long.sort_values(["_c", "_a"], kind="stable")
    frame = pd.DataFrame(
        {
            "figure": "tabell1",
            "item": long["item"].to_numpy(),
            "group": long["case"].astype(str).to_numpy(),
            "pulje": str(pulje),
            "n": long["n"].astype("Int64").to_numpy(),
            "share_pct": np.nan,
            "ci_low_pct": np.nan,
            "ci_high_pct": np.nan,
            "suppressed": False,
        }
    )
    notes = []
    if frame.empty:
        notes.append(f"Ingen casekommuner i pulje {pulje}: casestudien omfattet pulje 2 og 3.")
    return _finish(frame, notes, min_n)


def distribution_table(
    item: str, pulje="alle", data_dir=None, min_n: int = DEFAULT_MIN_N, survey=None, groups=None
) -> pd.DataFrame:
    """Full five-category distribution of any item, per group, suppressed like the figures.

    Columns: item, group, pulje, n, category (code 1–5), label, count, share_pct, suppressed. Share of those
    who answered; a suppressed group shows no count, share or n (n kept only if 0).
    """
    from lmp_helpers.stats import cell_stats, pct_from_counts
    from lmp_helpers.suppression import add_suppression

    cb = load_codebook()
    it = cb.item(item)
    pulje = parse_pulje(pulje)
    min_n = check_min_n(min_n)
    survey = survey_or_load(survey, data_dir)
    gs = [cb.group(g).key for g in (groups or it.groups)]
    it.refuse_bad_groups(gs)
    cells = add_suppression(cell_stats(survey, gs, [item]), min_n)
    cells = cells[cells["pulje"] == str(pulje)].reset_index(drop=True)
    codes = list(cb.scale)
    counts = cells[[f"c{c}" for c in codes]].to_numpy(dtype=np.int64)
    n = cells["n"].to_numpy(dtype=np.int64)
    hide = cells["suppressed"].to_numpy(dtype=bool)
    shares = pct_from_counts(counts, n[:, None])
    shares[hide] = np.nan
    cnt = pd.array(counts.ravel(), dtype="Int64")
    cnt[np.repeat(hide, len(codes))] = pd.NA
    frame = pd.DataFrame(
        {
            "item": item,
            "group": np.repeat(cells["group"].to_numpy(), len(codes)),
            "pulje": str(pulje),
            "n": _repeat(_hide(cells)["n"], len(codes)),
            "category": np.tile(codes, len(cells)),
            "label": np.tile([cb.scale[c] for c in codes], len(cells)),
            "count": cnt,
            "share_pct": shares.ravel(),
            "suppressed": np.repeat(hide, len(codes)),
        }
    )
    notes = [n for n in [missing_group_note(gs, pulje)] if n]
    if hide.any():
        from lmp_helpers.suppression import footnote

        notes.append(footnote(min_n))
    frame.attrs["notes"] = notes
    frame.attrs["min_n"] = min_n
    return frame


def respondent_counts(pulje="alle", data_dir=None, min_n: int = DEFAULT_MIN_N, survey=None, groups=None):
    """Number of respondents per group in a pulje (the report's «PPT: n=28»), suppressed like the cells.

    Columns: group, label, pulje, n (Int64, empty when suppressed unless 0), suppressed. Groups not asked
    in the pulje are left out (see attrs["notes"]). Suppression uses the family {alle, 1, 2, 3} of the
    respondent counts, so a small pulje's size cannot be recovered by subtraction either.
    """
    from lmp_helpers.suppression import n_shown, suppress_family

    cb = load_codebook()
    pulje = parse_pulje(pulje)
    min_n = check_min_n(min_n)
    survey = survey_or_load(survey, data_dir)
    gs = list(groups or cb.groups)
    rows = []
    for g in gs:
        grp = cb.group(g)
        if pulje != cb.pulje_all and pulje not in grp.pulje:
            continue
        df = survey.get(g)
        if df is None or len(df) == 0:
            per = np.zeros(len(grp.pulje), dtype=np.int64)
        else:
            vc = df[cb.pulje_column].value_counts()
            per = np.array([int(vc.get(p, 0)) for p in grp.pulje], dtype=np.int64)
        parts = np.full(len(cb.pulje_values), -1, dtype=np.int64)
        for p, n in zip(grp.pulje, per, strict=True):
            parts[cb.pulje_values.index(p)] = n
        hidden_parts, hidden_total = suppress_family(parts[None, :], min_n)
        if pulje == cb.pulje_all:
            n, hidden = int(per.sum()), bool(hidden_total[0])
        else:
            i = cb.pulje_values.index(pulje)
            n, hidden = int(parts[i]), bool(hidden_parts[0, i])
        rows.append((g, grp.label, str(pulje), n_shown(n, hidden), hidden))
    out = pd.DataFrame(rows, columns=["group", "label", "pulje", "n", "suppressed"])
    out["n"] = out["n"].astype("Int64")
    out["suppressed"] = out["suppressed"].astype(bool)
    notes = [n for n in [missing_group_note(gs, pulje)] if n]
    if out["suppressed"].any():
        from lmp_helpers.suppression import footnote

        notes.append(footnote(min_n))
    out.attrs["notes"] = notes
    return out


# -- formatting for the book ---------------------------------------------------------------------
def format_pct(x, decimals: int = 1) -> str:
    """A percentage with Norwegian decimal comma («34,6»); missing/suppressed → «:»."""
    if x is None or (isinstance(x, float) and np.isnan(x)) or x is pd.NA:
        return SYMBOL
    return f"{float(x):.{decimals}f}".replace(".", ",").replace("-", "−")


def format_n(n) -> str:
    if n is None or n is pd.NA or (isinstance(n, float) and np.isnan(n)):
        return SYMBOL
    return str(int(n))


def display_table(
    figure: str, pulje="alle", data_dir=None, min_n: int = DEFAULT_MIN_N, survey=None, table=None
) -> pd.DataFrame:
    """A display-ready version of `figure_table`: Norwegian labels from the codebook, decimal comma,
    «:» for suppressed cells. Notes carried in attrs["notes"]. Pass `table` to reuse a computed table."""
    cb = load_codebook()
    t = table if table is not None else figure_table(figure, pulje, data_dir, min_n, survey)
    notes = list(t.attrs.get("notes", []))
    if figure == "tabell1":
        return tabell1_frame(pulje)
    group_label = {k: g.label for k, g in cb.groups.items()}
    if cb.figure(figure).kind == "distribution":
        out = pd.DataFrame(
            {
                "Svar": t["item"],
                "Gruppe": t["group"].map(group_label),
                "n": t["n"].map(format_n),
                "Andel (%)": t["share_pct"].map(format_pct),
            }
        )
    else:
        out = pd.DataFrame(
            {
                "Område/påstand": t["item"].map(lambda k: cb.item(k).label),
                "Gruppe": t["group"].map(group_label),
                "n": t["n"].map(format_n),
                "Andel i stor/svært stor grad (%)": t["share_pct"].map(format_pct),
                "95 % KI (Wilson)": [
                    SYMBOL if s else f"{format_pct(lo)}–{format_pct(hi)}"
                    for s, lo, hi in zip(t["suppressed"], t["ci_low_pct"], t["ci_high_pct"], strict=True)
                ],
            }
        )
    out.attrs["notes"] = notes
    return out


def tabell1_frame(pulje="alle") -> pd.DataFrame:
    """Tabell 1 as printed: one row per case («Case I - pulje 2»), actor columns, a Sum column and a SUM
    row (totals computed here, not stored)."""
    from lmp_helpers.data import load_tabell1

    cb = load_codebook()
    pulje = parse_pulje(pulje)
    t1 = load_tabell1()
    if pulje != cb.pulje_all:
        t1 = t1[t1["pulje"].astype("Int64") == pulje]
    headers = {
        "fylkesmann": "Fylkesmann",
        "skoleeier": "Skoleeier",
        "ppt": "PPT",
        "rektor": "Rektor",
        "laerere": "Lærere",
        "elever": "Elever",
        "foreldre": "Foreldre",
    }
    actors = [a for a in TABELL1_ACTORS if a in t1.columns]
    body = t1[actors].astype("int64").rename(columns=headers)
    body.index = [f"Case {c} - pulje {p}" for c, p in zip(t1["case"], t1["pulje"], strict=True)]
    body["Sum"] = body.sum(axis=1)
    body.loc["SUM"] = body.sum(axis=0)
    # The label in the corner cell, as in the report (an index name would get a header row of its own).
    body.columns.name = "Casekommuner"
    return body


# -- export ----------------------------------------------------------------------------------------
EXCEL_DIR = "excel"  # `lmp tables` writes the Excel-friendly variants (and the zip) into this subfolder
EXCEL_COLUMNS = ["Figur", "Id", "Tekst", "Gruppe", "Pulje", "n", "Andel (%)", "KI nedre (%)", "KI øvre (%)",
                 "Prikket"]
TABELL1_LABELS = {"fylkesmann": "Fylkesmann", "skoleeier": "Skoleeier", "ppt": "PPT", "rektor": "Rektor",
                  "laerere": "Lærere", "elever": "Elever", "foreldre": "Foreldre"}
# Fixed time stamp inside XLSX and zip files, so the same tables give the same bytes (the build and the
# privacy scan see unchanged files as unchanged; no build date leaks into the downloads).
_ZIP_TIME = (2017, 1, 1, 0, 0, 0)


def _csv_text(frame: pd.DataFrame) -> str:
    return frame.to_csv(index=False, float_format="%.1f", lineterminator="\n")


def figure_name(figure: str) -> str:
    """«Figur 2.1» / «Tabell 1», as the report numbers them."""
    if figure == "tabell1":
        return "Tabell 1"
    return f"Figur {load_codebook().figure(figure).number}"


def download_stem(figure: str, pulje) -> str:
    """File name (without suffix) of a figure's download: «figur-2-1_pulje-alle», «tabell-1_pulje-2»."""
    name = figure_name(figure).lower().replace(" ", "-").replace(".", "-")
    return f"{name}_pulje-{parse_pulje(pulje)}"


def zip_name(pulje) -> str:
    return f"alle-tabeller_pulje-{parse_pulje(pulje)}.zip"


def excel_rows(frame: pd.DataFrame) -> list[list]:
    """The rows of a `figure_table` as the reader sees them, in `EXCEL_COLUMNS` order: codebook labels,
    numbers as numbers (share rounded to one decimal), `:` where a number is suppressed (n too, unless 0),
    empty where the table has no such number (no interval in figure 4.2, no share in tabell 1)."""
    cb = load_codebook()
    rows = []
    for r in frame.itertuples(index=False):
        hidden = bool(r.suppressed)
        if r.figure == "tabell1":
            text, group = TABELL1_LABELS.get(r.item, r.item), f"Case {r.group}"
        else:
            text = cb.item(r.item).label if r.item in cb.items else r.item
            group = cb.group(r.group).label

        def number(x, hidden=hidden, decimals=1):
            if pd.isna(x):
                return SYMBOL if hidden else None
            return round(float(x), decimals)

        n = SYMBOL if pd.isna(r.n) and hidden else (None if pd.isna(r.n) else int(r.n))
        rows.append([figure_name(r.figure), r.item, text, group, str(r.pulje), n, number(r.share_pct),
                     number(r.ci_low_pct), number(r.ci_high_pct), "ja" if hidden else "nei"])
    return rows


def _excel_cell_text(value) -> str:
    if value is None:
        return ""
    if isinstance(value, float):
        return f"{value:.1f}".replace(".", ",")
    return str(value)


def excel_csv_bytes(frame: pd.DataFrame, rows: list[list] | None = None) -> bytes:
    """A figure table as CSV for Norwegian Excel: UTF-8 with BOM, `;` between cells, decimal comma, CRLF.
    `rows`: its `excel_rows`, if already computed."""
    import csv
    import io

    buf = io.StringIO()
    writer = csv.writer(buf, delimiter=";", lineterminator="\r\n")
    writer.writerow(EXCEL_COLUMNS)
    for row in excel_rows(frame) if rows is None else rows:
        writer.writerow([_excel_cell_text(v) for v in row])
    return ("\ufeff" + buf.getvalue()).encode("utf-8")


def _fixed_zip(files: dict[str, bytes]) -> bytes:
    import io
    import zipfile

    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as zf:
        for name, data in files.items():
            info = zipfile.ZipInfo(name, date_time=_ZIP_TIME)
            info.compress_type = zipfile.ZIP_DEFLATED
            info.external_attr = 0o644 << 16
            zf.writestr(info, data)
    return buf.getvalue()


def xlsx_bytes(headers: list[str], rows: list[list], sheet: str, notes: list[str] = ()) -> bytes:
    """One sheet (`sheet`) with a header row and `rows`; notes, if any, on a second sheet «Merknader».
    Shares get the number format 0.0 (Excel shows it with the reader's decimal comma). Same input, same bytes."""
    import datetime as dt
    import io
    import zipfile

    from openpyxl import Workbook
    from openpyxl.styles import Font

    wb = Workbook()
    ws = wb.active
    ws.title = sheet[:31]
    ws.append(headers)
    for cell in ws[1]:
        cell.font = Font(bold=True)
    for row in rows:
        ws.append(row)
    for col in ws.iter_cols(min_row=2):
        for cell in col:
            if isinstance(cell.value, float):
                cell.number_format = "0.0"
    for i, header in enumerate(headers, start=1):
        width = max([len(str(header))] + [len(str(r[i - 1])) for r in rows if r[i - 1] is not None])
        ws.column_dimensions[ws.cell(row=1, column=i).column_letter].width = min(60, width + 2)
    ws.freeze_panes = "A2"
    if notes:
        info = wb.create_sheet("Merknader")
        for note in notes:
            info.append([note])
    stamp = dt.datetime(*_ZIP_TIME)
    wb.properties.created = wb.properties.modified = stamp
    wb.properties.creator = "lmp"
    buf = io.BytesIO()
    wb.save(buf)
    # openpyxl stamps the zip members and docProps/core.xml's «modified» with the time of saving
    with zipfile.ZipFile(io.BytesIO(buf.getvalue())) as zf:
        members = {info.filename: zf.read(info) for info in zf.infolist()}
    fixed = f"{stamp:%Y-%m-%dT%H:%M:%S}Z".encode()
    members["docProps/core.xml"] = re.sub(rb"(<dcterms:modified[^>]*>)[^<]*(</dcterms:modified>)",
                                          rb"\g<1>" + fixed + rb"\g<2>", members["docProps/core.xml"])
    return _fixed_zip(members)


def figure_xlsx_bytes(frame: pd.DataFrame, figure: str, rows: list[list] | None = None) -> bytes:
    rows = excel_rows(frame) if rows is None else rows
    return xlsx_bytes(EXCEL_COLUMNS, rows, figure_name(figure), list(frame.attrs.get("notes", [])))


def table_files(pulje="alle", data_dir=None, min_n: int = DEFAULT_MIN_N, survey=None) -> dict[str, bytes]:
    """Every file `lmp tables` writes, by path relative to its output folder: `<figure>.csv` for every
    figure/table, and in `excel/` the same tables for readers – `<figur-2-1_pulje-P>.csv` (Norwegian Excel)
    and `.xlsx` – and `alle-tabeller_pulje-P.zip` holding both of every table. The book's downloads are
    these bytes (`lmp_helpers.downloads`)."""
    pulje = parse_pulje(pulje)
    min_n = check_min_n(min_n)
    survey = survey_or_load(survey, data_dir)
    frames = {fig: figure_table(fig, pulje, data_dir, min_n, survey) for fig in FIGURES}
    files = {f"{fig}.csv": _csv_text(frame).encode("utf-8") for fig, frame in frames.items()}
    excel: dict[str, bytes] = {}
    for fig, frame in frames.items():
        stem = download_stem(fig, pulje)
        rows = excel_rows(frame)
        excel[f"{stem}.csv"] = excel_csv_bytes(frame, rows)
        excel[f"{stem}.xlsx"] = figure_xlsx_bytes(frame, fig, rows)
    excel[zip_name(pulje)] = _fixed_zip(dict(excel))
    files.update({f"{EXCEL_DIR}/{name}": data for name, data in excel.items()})
    return files


def write_changed(folder: Path, files: dict[str, bytes], own: str | None = None) -> None:
    """Write `files` (relative path -> bytes) under `folder`, each atomically; a file that already holds
    the same bytes is left alone (keeps its mtime, so the book build sees nothing new). In the subfolder
    `own` (written only by us) files not in `files` are removed: another pulje's tables must not stay."""
    from lmp_helpers.staging import write_atomic

    if own is not None and (folder / own).is_dir():
        for old in (folder / own).iterdir():
            if old.is_file() and f"{own}/{old.name}" not in files:
                old.unlink()
    for name, data in files.items():
        target = folder / name
        target.parent.mkdir(parents=True, exist_ok=True)
        if not (target.is_file() and target.read_bytes() == data):
            write_atomic(target, data)


def write_tables(out_dir, pulje="alle", data_dir=None, min_n: int = DEFAULT_MIN_N, survey=None) -> list[Path]:
    """Write `table_files` into out_dir (created if needed).

    Everything is computed first, then written into a staging copy of out_dir that replaces it in one step
    (`lmp_helpers.staging`): a failure or a kill leaves the old tables, never a mix of old and new.
    """
    from lmp_helpers.staging import check_out_dir, staged_output

    out = check_out_dir(out_dir)
    files = table_files(pulje, data_dir, min_n, survey)
    with staged_output(out, "lmp tables") as stage:
        write_changed(stage, files, own=EXCEL_DIR)
    return [out / name for name in files]


def cli_tables(args) -> int:
    """`lmp tables --pulje P [--data DIR] [--min-n N] --out DIR`."""
    paths = write_tables(args.out, pulje=args.pulje, data_dir=args.data, min_n=args.min_n)
    for p in paths:
        print(p)
    return 0
