"""The book's downloads: every figure's numbers as CSV (Norwegian Excel) and XLSX, a zip per pulje, and the
codebook – and the «Last ned tallene» links the pages show.

The table files are the bytes `lmp tables` writes (`tables.table_files`, the one writer); `lmp run` puts them
for each pulje under `generated/nedlastinger/pulje-P/` (`write_downloads`, inside the run's staging folder,
so pages and files always come from the same run). The pages link them with Sphinx's `{download}` role: Sphinx
copies each file into `_build/html/_downloads/<hash>/<name>`, keeping the readable name
(`figur-2-1_pulje-alle.csv`), and fails the build (-W) if a linked file is missing.
"""

from __future__ import annotations

from pathlib import Path

from lmp_helpers.pulje import parse_pulje, pulje_label, pulje_slug

DOWNLOAD_DIR = "nedlastinger"  # under the `lmp run` output folder (generated/)
CODEBOOK_DIR = "kodebok"
CODEBOOK_STEM = "kodebok"
SITE_ROOT = "/generated"  # where `lmp run` writes, as the book's source paths name it (_toc.yml)


def _site_path(*parts: str) -> str:
    return "/".join([SITE_ROOT, DOWNLOAD_DIR, *parts])


def table_path(figure: str, pulje, suffix: str) -> str:
    """Source path (for `{download}`) of one figure's download for a pulje."""
    from lmp_helpers.tables import EXCEL_DIR, download_stem

    return _site_path(pulje_slug(parse_pulje(pulje)), EXCEL_DIR, f"{download_stem(figure, pulje)}.{suffix}")


def zip_path(pulje) -> str:
    from lmp_helpers.tables import EXCEL_DIR, zip_name

    return _site_path(pulje_slug(parse_pulje(pulje)), EXCEL_DIR, zip_name(pulje))


def _link(text: str, path: str) -> str:
    return f"{{download}}`{text} <{path}>`"


def figure_links(figure: str, pulje) -> str:
    """«Last ned tallene: figur 2.1 som CSV · som Excel-fil (XLSX)» (Markdown for a page)."""
    from lmp_helpers.tables import figure_name

    name = figure_name(figure).lower()
    return (f"**Last ned tallene:** {_link(f'{name} som CSV', table_path(figure, pulje, 'csv'))} · "
            f"{_link(f'{name} som Excel-fil (XLSX)', table_path(figure, pulje, 'xlsx'))}")


def zip_link(pulje, text: str | None = None) -> str:
    p = parse_pulje(pulje)
    return _link(text or f"alle tabellene for {pulje_label(p).lower()} (zip)", zip_path(p))


def all_zip_links() -> str:
    """One zip link per pulje («alle puljer», pulje 1, 2, 3), for pages that show every pulje."""
    from lmp_helpers.pulje import allowed_pulje

    puljer = sorted(allowed_pulje(), key=lambda p: (p.isdigit(), p))  # «alle» first, as the book orders them
    return "**Last ned tallene:** " + " · ".join(zip_link(p) for p in puljer)


def codebook_links() -> str:
    base = _site_path(CODEBOOK_DIR, CODEBOOK_STEM)
    return (f"**Last ned kodeboka:** {_link('spørsmålene som CSV', base + '.csv')} · "
            f"{_link('som Excel-fil (XLSX)', base + '.xlsx')} · {_link('hele kodeboka (YAML)', base + '.yml')}")


# -- the files ------------------------------------------------------------------------------------------
def codebook_frame():
    """The codebook's items as the kodebok appendix shows them (one row per item)."""
    import pandas as pd

    from lmp_helpers.codebook import load_codebook

    cb = load_codebook()
    rows = [{"Id": k, "Figur": cb.figure(it.figure).number, "Kort navn": it.label,
             "Grupper": ", ".join(cb.groups[g].label for g in it.groups), "Spørsmålstekst (PPT)": it.text}
            for k, it in cb.items.items()]
    return pd.DataFrame(rows)


def codebook_files() -> dict[str, bytes]:
    """kodebok.csv (Norwegian Excel), kodebok.xlsx and the YAML itself."""
    import csv
    import io

    from lmp_helpers.paths import CODEBOOK_PATH
    from lmp_helpers.tables import xlsx_bytes

    frame = codebook_frame()
    headers, rows = list(frame.columns), frame.astype(str).values.tolist()
    buf = io.StringIO()
    writer = csv.writer(buf, delimiter=";", lineterminator="\r\n")
    writer.writerow(headers)
    writer.writerows(rows)
    return {
        f"{CODEBOOK_STEM}.csv": ("\ufeff" + buf.getvalue()).encode("utf-8"),
        f"{CODEBOOK_STEM}.xlsx": xlsx_bytes(headers, rows, "Kodebok"),
        f"{CODEBOOK_STEM}.yml": Path(CODEBOOK_PATH).read_bytes(),
    }


CACHE_FILE = ".lmp-cache-key"


def _cache_key(puljer, data_dir, min_n: int) -> str:
    import hashlib
    import json

    from lmp_helpers.runner import shared_inputs_digest  # data files, data/*.yml|csv and the helper code

    key = json.dumps([shared_inputs_digest(Path(data_dir) if data_dir else None), [str(p) for p in puljer], min_n])
    return hashlib.sha256(key.encode()).hexdigest()


def write_downloads(out_dir: Path, puljer, data_dir=None, min_n: int = 5, survey=None) -> list[Path]:
    """Write every download of a book build into `out_dir/nedlastinger/` (`lmp run` passes its staging
    folder): `table_files` per pulje under `pulje-P/`, and the codebook under `kodebok/`. Files whose bytes
    are unchanged are not rewritten, and nothing is computed when the inputs are those of the last call
    (the key of `lmp run`'s cache, in `nedlastinger/.lmp-cache-key`). Returns the files written."""
    from lmp_helpers.data import survey_or_load
    from lmp_helpers.staging import write_atomic
    from lmp_helpers.tables import EXCEL_DIR, table_files, write_changed, zip_name

    root = Path(out_dir) / DOWNLOAD_DIR
    key = _cache_key(puljer, data_dir, min_n)
    # (a hand-deleted download is written again even when the inputs are unchanged)
    expected = [root / pulje_slug(parse_pulje(p)) / EXCEL_DIR / zip_name(p) for p in puljer]
    expected.append(root / CODEBOOK_DIR / f"{CODEBOOK_STEM}.xlsx")
    if ((root / CACHE_FILE).is_file() and (root / CACHE_FILE).read_text(encoding="ascii") == key
            and all(p.is_file() for p in expected)):
        return []
    survey = survey_or_load(survey, data_dir)
    written = []
    for p in puljer:
        folder = root / pulje_slug(parse_pulje(p))
        files = table_files(p, data_dir, min_n, survey)
        write_changed(folder, files, own=EXCEL_DIR)
        written += [folder / name for name in files]
    files = codebook_files()
    write_changed(root / CODEBOOK_DIR, files)
    written += [root / CODEBOOK_DIR / name for name in files]
    write_atomic(root / CACHE_FILE, key)
    return written
