"""The book's downloads («Last ned tallene»): the same tables as `lmp tables`, cell for cell, in the formats a
Norwegian reader opens (CSV for Excel with BOM, `;` and decimal comma; XLSX), with `:` where a number is
suppressed – and the privacy scan of downloadable files, shown to catch a planted leak (the scan of the
built site's downloads is in test_privacy.py).

The expected values are read from `lmp tables`' own CSV (parsed with the csv module) and mapped through the
codebook, not produced by the Excel writer under test.
"""

from __future__ import annotations

import csv
import io
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

from lmp_helpers import sitecheck
from lmp_helpers.codebook import load_codebook
from lmp_helpers.paths import PROJECT_ROOT, SYNTHETIC_DIR

LMP = Path(sys.executable).with_name("lmp")
BOM = b"\xef\xbb\xbf"


def lmp_tables(out: Path, pulje: str, min_n: int, data: Path = SYNTHETIC_DIR) -> Path:
    proc = subprocess.run([str(LMP), "tables", "--pulje", pulje, "--min-n", str(min_n), "--data", str(data),
                           "--out", str(out)], capture_output=True, text=True)
    assert proc.returncode == 0, proc.stderr
    return out


def machine_rows(path: Path) -> list[dict[str, str]]:
    with open(path, encoding="utf-8", newline="") as fh:
        return list(csv.DictReader(fh))


def excel_csv_rows(data: bytes) -> list[dict[str, str]]:
    assert data.startswith(BOM), "the CSV for Excel starts with a UTF-8 BOM"
    text = data[len(BOM):].decode("utf-8")
    assert "\r\n" in text
    return list(csv.DictReader(io.StringIO(text), delimiter=";"))


def xlsx_rows(data: bytes) -> list[dict[str, object]]:
    from openpyxl import load_workbook

    ws = load_workbook(io.BytesIO(data)).worksheets[0]
    values = list(ws.iter_rows(values_only=True))
    return [dict(zip(values[0], row, strict=True)) for row in values[1:]]


def figure_name(figure: str) -> str:
    return "Tabell 1" if figure == "tabell1" else f"Figur {load_codebook().figures[figure].number}"


def group_label(figure: str, group: str) -> str:
    return f"Case {group}" if figure == "tabell1" else load_codebook().groups[group].label


NUMBER_COLUMNS = {"share_pct": "Andel (%)", "ci_low_pct": "KI nedre (%)", "ci_high_pct": "KI øvre (%)"}


def assert_same_table(expected: list[dict[str, str]], got: list[dict], kind: str) -> int:
    """`got` (an Excel CSV or XLSX) holds `expected` (lmp tables' CSV) cell for cell; returns the number of
    suppressed rows seen."""
    assert len(got) == len(expected), (kind, len(got), len(expected))
    hidden_rows = 0
    for want, row in zip(expected, got, strict=True):
        where = f"{kind} {want['figure']}/{want['item']}/{want['group']}"
        hidden = want["suppressed"] == "True"
        hidden_rows += hidden
        assert row["Figur"] == figure_name(want["figure"]), where
        assert row["Id"] == want["item"], where
        assert row["Gruppe"] == group_label(want["figure"], want["group"]), where
        assert str(row["Pulje"]) == want["pulje"], where
        assert row["Prikket"] == ("ja" if hidden else "nei"), where
        # n: withheld as on the page (`:`), except an n of 0
        if want["n"] == "":
            assert hidden and row["n"] == ":", (where, row["n"])
        elif kind == "xlsx":
            assert row["n"] == int(want["n"]), where
        else:
            assert row["n"] == want["n"], where
        for col, head in NUMBER_COLUMNS.items():
            value = row[head]
            if want[col] == "":
                assert value == (":" if hidden else ("" if kind == "csv" else None)), (where, head, value)
            elif kind == "xlsx":
                assert isinstance(value, int | float) and value == pytest.approx(float(want[col]), abs=1e-9), \
                    (where, head)
            else:
                assert "." not in value and value.replace(",", ".") == want[col], (where, head, value)
    return hidden_rows


@pytest.fixture(scope="module")
def exports(tmp_path_factory) -> dict[tuple[str, int], Path]:
    """`lmp tables` for pulje alle at min_n 5 and pulje 2 at min_n 8 (where cells are hidden)."""
    root = tmp_path_factory.mktemp("tabeller")
    return {(p, m): lmp_tables(root / f"{p}-{m}", p, m) for p, m in [("alle", 5), ("2", 8)]}


@pytest.mark.parametrize("pulje, min_n", [("alle", 5), ("2", 8)])
def test_excel_variants_equal_the_tables_cell_for_cell(exports, pulje, min_n):
    from lmp_helpers.tables import FIGURES

    out = exports[(pulje, min_n)]
    hidden = 0
    members = {}
    with zipfile.ZipFile(out / "excel" / f"alle-tabeller_pulje-{pulje}.zip") as zf:
        members = {name: zf.read(name) for name in zf.namelist()}
    for figure in FIGURES:
        stem = figure_name(figure).lower().replace(" ", "-").replace(".", "-") + f"_pulje-{pulje}"
        expected = machine_rows(out / f"{figure}.csv")
        csv_bytes = (out / "excel" / f"{stem}.csv").read_bytes()
        xlsx_bytes = (out / "excel" / f"{stem}.xlsx").read_bytes()
        hidden += assert_same_table(expected, excel_csv_rows(csv_bytes), "csv")
        assert_same_table(expected, xlsx_rows(xlsx_bytes), "xlsx")
        # the zip holds the same files
        assert members.pop(f"{stem}.csv") == csv_bytes and members.pop(f"{stem}.xlsx") == xlsx_bytes
    assert members == {}
    if min_n == 8:
        assert hidden > 0, "min_n 8 hides cells in pulje 2: the test must see suppressed rows"


def test_excel_csv_shows_what_the_page_shows(exports):
    """n and share in the CSV are the page's text (display_table): `:` and decimal comma alike."""
    from lmp_helpers.tables import display_table

    out = exports[("2", 8)]
    page = display_table("fig2_1", pulje=2, min_n=8)
    rows = excel_csv_rows((out / "excel" / "figur-2-1_pulje-2.csv").read_bytes())
    assert list(page["n"]) == [r["n"] for r in rows]
    assert list(page["Andel i stor/svært stor grad (%)"]) == [r["Andel (%)"] for r in rows]
    assert ":" in list(page["n"])


def test_downloads_are_the_bytes_lmp_tables_writes(exports, tmp_path):
    """What `lmp run` publishes (downloads.write_downloads) is byte for byte `lmp tables`' output."""
    from lmp_helpers.downloads import write_downloads

    write_downloads(tmp_path, ["alle", "2"], min_n=5)
    write_downloads(tmp_path / "m8", ["2"], min_n=8)
    for (pulje, min_n), out in exports.items():
        site = (tmp_path if min_n == 5 else tmp_path / "m8") / "nedlastinger" / f"pulje-{pulje}"
        theirs = {p.relative_to(out): p.read_bytes() for p in out.rglob("*") if p.is_file()}
        ours = {p.relative_to(site): p.read_bytes() for p in site.rglob("*") if p.is_file()}
        assert ours == theirs
    # same input, same bytes (no time stamp in the XLSX or zip)
    again = tmp_path / "igjen"
    write_downloads(again, ["2"], min_n=8)
    first = tmp_path / "m8" / "nedlastinger"
    assert {p.relative_to(first): p.read_bytes() for p in first.rglob("*") if p.is_file()} == \
        {p.relative_to(again / "nedlastinger"): p.read_bytes() for p in (again / "nedlastinger").rglob("*")
         if p.is_file()}


def test_codebook_download_lists_every_item(tmp_path):
    from lmp_helpers.downloads import write_downloads

    write_downloads(tmp_path, [], min_n=5)
    folder = tmp_path / "nedlastinger" / "kodebok"
    cb = load_codebook()
    rows = excel_csv_rows((folder / "kodebok.csv").read_bytes())
    assert [r["Id"] for r in rows] == list(cb.items)
    assert [r["Spørsmålstekst (PPT)"] for r in rows] == [it.text for it in cb.items.values()]
    assert [r["Id"] for r in xlsx_rows((folder / "kodebok.xlsx").read_bytes())] == list(cb.items)
    assert (folder / "kodebok.yml").read_bytes() == (PROJECT_ROOT / "data" / "codebook.yml").read_bytes()


def test_figure_links_name_files_that_lmp_run_writes(tmp_path):
    """Every path a page links (figure, table, zip, codebook) is a file write_downloads writes."""
    import re

    from lmp_helpers import downloads
    from lmp_helpers.tables import FIGURES

    written = {"/generated/" + str(p.relative_to(tmp_path)) for p in downloads.write_downloads(tmp_path, ["3"])}
    text = " ".join([*(downloads.figure_links(f, 3) for f in FIGURES), downloads.zip_link(3),
                     downloads.codebook_links()])
    linked = set(re.findall(r"<(/generated/[^>]+)>", text))
    assert len(linked) == 2 * len(FIGURES) + 4
    assert linked <= written, sorted(linked - written)
    assert "Last ned tallene" in downloads.figure_links("fig2_1", 3)


# -- the privacy scan of downloadable files -----------------------------------------------------------


def _site_with(tmp_path: Path, files: dict[str, bytes]) -> Path:
    site = tmp_path / "site"
    for name, data in files.items():
        (site / name).parent.mkdir(parents=True, exist_ok=True)
        (site / name).write_bytes(data)
    return site


def _leak(data: bytes) -> tuple[bytes, str]:
    """An Excel CSV with its first suppressed row's share and n filled in with the true values."""
    cb = load_codebook()
    cells = sitecheck.true_cells(SYNTHETIC_DIR, cb)
    rows = excel_csv_rows(data)
    target = next(r for r in rows if r["Prikket"] == "ja" and r["Andel (%)"] == ":")
    group = {g.label: k for k, g in cb.groups.items()}[target["Gruppe"]]
    cell = cells[("fig2_1", target["Id"], group, target["Pulje"])]
    target["n"] = str(cell.n)
    target["Andel (%)"] = f"{100 * cell.k / cell.n:.1f}".replace(".", ",") if cell.n else "0,0"
    buf = io.StringIO()
    writer = csv.DictWriter(buf, fieldnames=list(rows[0]), delimiter=";", lineterminator="\r\n")
    writer.writeheader()
    writer.writerows(rows)
    return BOM + buf.getvalue().encode("utf-8"), target["Id"]


def test_scan_passes_the_real_downloads_and_catches_a_planted_leak(exports, tmp_path):
    cb = load_codebook()
    cells = sitecheck.true_cells(SYNTHETIC_DIR, cb)
    out = exports[("2", 8)]
    real = {f"_downloads/a/{p.name}": p.read_bytes() for p in (out / "excel").iterdir()}
    findings, shown = sitecheck.download_problems(_site_with(tmp_path / "ren", real), cells, cb, 8)
    assert findings == []
    assert len(shown) > 10, "the scan reads the downloads' shown cells"

    leaked, item = _leak(real["_downloads/a/figur-2-1_pulje-2.csv"])
    # the leak as a loose CSV, inside a zip, and as an XLSX inside a zip
    from lmp_helpers.tables import _fixed_zip, xlsx_bytes

    rows = list(csv.reader(io.StringIO(leaked[len(BOM):].decode("utf-8")), delimiter=";"))
    leaked_xlsx = xlsx_bytes(rows[0], rows[1:], "Figur 2.1")
    for name, data in {
        "_downloads/b/figur-2-1_pulje-2.csv": leaked,
        "_downloads/c/alle-tabeller_pulje-2.zip": _fixed_zip({"figur-2-1_pulje-2.csv": leaked}),
        "_downloads/d/alle-tabeller_pulje-2.zip": _fixed_zip({"figur-2-1_pulje-2.xlsx": leaked_xlsx}),
    }.items():
        site = _site_with(tmp_path / name.split("/")[1], {name: data})
        findings, _ = sitecheck.download_problems(site, cells, cb, 8)
        kinds = {f.kind for f in findings}
        assert {"n shown next to a suppressed cell", "suppressed cell shown"} <= kinds, (name, findings)
        assert any(item in f.detail for f in findings), findings


def test_scan_catches_an_unsuppressed_small_cell(exports, tmp_path):
    """A download written at too low a min_n (min_n 1: nothing suppressed) shows small cells: caught."""
    cb = load_codebook()
    cells = sitecheck.true_cells(SYNTHETIC_DIR, cb)
    out = lmp_tables(tmp_path / "m1", "2", 1)
    xlsx = (out / "excel" / "figur-2-1_pulje-2.xlsx").read_bytes()
    site = _site_with(tmp_path, {"_downloads/x/figur-2-1.xlsx": xlsx})
    findings, _ = sitecheck.download_problems(site, cells, cb, 8)
    assert any(f.kind == "small cell shown" for f in findings), findings


def test_id_scan_reads_xlsx_and_zip_members(tmp_path):
    """A respondent id inside an XLSX inside a zip is found (the page text scan alone would miss it)."""
    from lmp_helpers.tables import _fixed_zip, xlsx_bytes

    cb = load_codebook()
    ids = [r[cb.id_column] for r in sitecheck.csv_rows(SYNTHETIC_DIR / cb.groups["ppt"].file)]
    clean = xlsx_bytes(["Id", "n"], [["fig2_1", 12]], "Figur 2.1")
    leaking = xlsx_bytes(["Id", "n"], [[ids[3], 12]], "Figur 2.1")
    site = _site_with(tmp_path, {"_downloads/a/ren.zip": _fixed_zip({"t.xlsx": clean}),
                                 "_downloads/b/lekk.zip": _fixed_zip({"t.xlsx": leaking})})
    found = sitecheck.respondent_ids_in(site, ids)
    assert [(f.file, f.kind) for f in found] == [("_downloads/b/lekk.zip!t.xlsx", "respondent id")]


def test_download_links_get_plain_text():
    """book/_ext/lmp_downloads.py: the role's inline code becomes plain text (a link name, not code)."""
    from docutils import nodes
    from sphinx import addnodes

    sys.path.insert(0, str(PROJECT_ROOT / "book" / "_ext"))
    import lmp_downloads

    ref = addnodes.download_reference("", "", nodes.literal("figur 2.1 som CSV", "figur 2.1 som CSV"),
                                      reftarget="/generated/x.csv")
    other = nodes.reference("", "", nodes.literal("kode", "kode"))
    doc = nodes.paragraph("", "", ref, other)
    assert lmp_downloads.plain_download_text(doc) == 1
    assert not list(ref.findall(nodes.literal)) and ref.astext() == "figur 2.1 som CSV"
    assert list(other.findall(nodes.literal))  # other links keep their code


def test_downloads_are_not_recomputed_for_unchanged_inputs(tmp_path):
    from lmp_helpers.downloads import write_downloads

    first = write_downloads(tmp_path, ["3"], min_n=5)
    assert first and write_downloads(tmp_path, ["3"], min_n=5) == []
    zip_path = tmp_path / "nedlastinger" / "pulje-3" / "excel" / "alle-tabeller_pulje-3.zip"
    before = zip_path.read_bytes()
    zip_path.unlink()  # deleted by hand: written again
    assert write_downloads(tmp_path, ["3"], min_n=5) and zip_path.read_bytes() == before
    assert write_downloads(tmp_path, ["3"], min_n=8)  # another min_n: written again
    assert zip_path.read_bytes() != before
