"""The site checkers must catch what they claim to: each check is run on a small fixture site, once clean
and once with the defect planted (a CDN script, a broken link or anchor, a respondent id, a raw CSV,
a small cell shown or recoverable by subtraction)."""

from __future__ import annotations

from pathlib import Path

import pytest

from lmp_helpers import sitecheck
from lmp_helpers.codebook import load_codebook

PAGE = """<!doctype html><html><head><title>{title}</title>
<link rel="stylesheet" href="{up}_static/style.css">
<link rel="canonical" href="https://example.org/{title}.html">
{head}</head><body>
<h1 id="top">{title}</h1>
<p><a href="https://www.udir.no/rapport.pdf">rapporten</a> <a href="mailto:x@example.org">e-post</a></p>
{body}
</body></html>
"""


def write_site(root: Path, pages: dict[str, str], head: dict[str, str] | None = None) -> Path:
    (root / "_static").mkdir(parents=True, exist_ok=True)
    (root / "_static" / "style.css").write_text("body { background: url('bg.png'); }\n")
    (root / "_static" / "bg.png").write_bytes(b"\x89PNG\r\n")
    for name, body in pages.items():
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        up = "../" * (len(Path(name).parts) - 1)
        path.write_text(PAGE.format(title=Path(name).stem, up=up, head=(head or {}).get(name, ""), body=body))
    return root


@pytest.fixture
def clean_site(tmp_path: Path) -> Path:
    return write_site(
        tmp_path / "html",
        {
            "index.html": '<a href="kap/a.html#resultater">A</a> <a href="kap/">kap</a> <a href="#top">opp</a>',
            "kap/index.html": '<a href="../index.html">hjem</a>',
            "kap/a.html": '<h2 id="resultater">R</h2><img src="../_static/bg.png"><a href="/index.html#top">x</a>',
        },
    )


def test_clean_site_has_no_findings(clean_site: Path):
    assert sitecheck.broken_links(clean_site) == []
    assert sitecheck.external_resources(clean_site) == []


@pytest.mark.parametrize(
    "head, body",
    [
        ('<script src="https://cdn.jsdelivr.net/npm/require.js"></script>', ""),
        ('<script src="//cdn.example.com/x.js"></script>', ""),
        ('<link rel="stylesheet" href="https://fonts.googleapis.com/css?family=Lato">', ""),
        ('<link rel="preload" as="font" href="http://fonts.example.com/a.woff2">', ""),
        ("<style>@import 'https://cdn.example.com/a.css';</style>", ""),
        ("", '<div style="background-image: url(https://img.example.com/a.png)"></div>'),
        ("", '<img src="data:image/png;base64,AAAA" srcset="a.png 1x, https://img.example.com/b.png 2x">'),
        ("", '<iframe src="https://www.youtube.com/embed/x"></iframe>'),
    ],
)
def test_external_resource_is_found(tmp_path: Path, head: str, body: str):
    site = write_site(tmp_path / "html", {"index.html": body}, head={"index.html": head})
    findings = sitecheck.external_resources(site)
    assert len(findings) == 1, findings
    assert findings[0].file == "index.html"


def test_external_url_in_css_file_is_found(clean_site: Path):
    (clean_site / "_static" / "style.css").write_text("@font-face { src: url(https://fonts.gstatic.com/a.woff2); }")
    findings = sitecheck.external_resources(clean_site)
    assert [f.file for f in findings] == ["_static/style.css"]


def test_plain_hyperlink_to_the_web_is_not_a_resource(clean_site: Path):
    # the fixture pages link to udir.no and a mailto: address; only loads count, not navigations
    assert sitecheck.external_resources(clean_site) == []
    assert sitecheck.broken_links(clean_site) == []


@pytest.mark.parametrize(
    "href, kind",
    [
        ("kap/b.html", "broken link"),
        ("kap/a.html#finnes-ikke", "missing anchor"),
        ("#finnes-ikke", "missing anchor"),
        ("../utenfor.html", "link outside the site"),
        ("kap/bilde%20mangler.png", "broken link"),
    ],
)
def test_broken_internal_link_is_found(clean_site: Path, href: str, kind: str):
    index = clean_site / "index.html"
    index.write_text(index.read_text().replace("</body>", f'<a href="{href}">x</a></body>'))
    findings = sitecheck.broken_links(clean_site)
    assert len(findings) == 1, findings
    assert findings[0].file == "index.html"
    assert findings[0].kind.startswith(kind)
    assert findings[0].detail == href


def test_missing_image_is_a_broken_link(clean_site: Path):
    (clean_site / "_static" / "bg.png").unlink()
    files = sorted({f.file for f in sitecheck.broken_links(clean_site)})
    assert files == ["kap/a.html"]  # the <img>; the CSS url() is checked by the browser test


def test_respondent_ids_are_found_by_shape(clean_site: Path):
    assert sitecheck.respondent_ids_in(clean_site, ["ppt-001", "skoleleder-0042"]) == []
    (clean_site / "kap" / "b.html").write_text("<td>ppt-017</td><td>PPT-1</td><td>xppt-3</td>")
    (clean_site / "searchindex.js").write_text('Search.setIndex({"terms": {"skoleleder-7": [1]}})')
    findings = sitecheck.respondent_ids_in(clean_site, ["ppt-001", "skoleleder-0042"])
    assert [(f.file, f.detail) for f in findings] == [
        ("kap/b.html", "PPT-1, ppt-017"),
        ("searchindex.js", "skoleleder-7"),
    ]


def test_raw_csv_copies_and_rows_are_found(clean_site: Path, tmp_path: Path):
    data = tmp_path / "data"
    data.mkdir()
    csv_path = data / "ppt.csv"
    csv_path.write_text("respondent_id,pulje,kunnskap_mobbing\nppt-001,1,4\nppt-002,3,\n")
    assert sitecheck.raw_data_in(clean_site, [csv_path]) == []

    (clean_site / "_downloads" / "abc").mkdir(parents=True)
    (clean_site / "_downloads" / "abc" / "svar.csv").write_bytes(csv_path.read_bytes())
    (clean_site / "_sources").mkdir()
    (clean_site / "_sources" / "kap.ipynb").write_text('{"text": "ppt-002,3,\\n"}\nppt-002,3,\n')
    found = {(f.file, f.kind) for f in sitecheck.raw_data_in(clean_site, [csv_path])}
    assert found == {("_downloads/abc/svar.csv", "raw data file copy"), ("_sources/kap.ipynb", "raw data content")}


def _cells(ns: dict[str, int], ks: dict[str, int] | None = None) -> dict:
    ks = ks or {p: 0 for p in ns}
    return {
        ("fig2_1", "kunnskap_mobbing", "ppt", p): sitecheck.Cell("fig2_1", "kunnskap_mobbing", "ppt", p, n, ks[p])
        for p, n in ns.items()
    }


def _keys(*puljer: str) -> set:
    return {("fig2_1", "kunnskap_mobbing", "ppt", p) for p in puljer}


def test_small_cell_shown_is_a_problem():
    cells = _cells({"alle": 20, "1": 10, "2": 7, "3": 3})
    problems = sitecheck.disclosure_problems(cells, _keys("alle", "1", "2", "3"))
    assert any("n=3 < 5" in p for p in problems), problems


def test_small_cell_recoverable_by_subtraction_is_a_problem():
    cells = _cells({"alle": 20, "1": 10, "2": 7, "3": 3})
    problems = sitecheck.disclosure_problems(cells, _keys("alle", "1", "2"))
    assert len(problems) == 1 and "recoverable by subtraction" in problems[0], problems
    # secondary suppression of pulje 2 protects pulje 3
    assert sitecheck.disclosure_problems(cells, _keys("alle", "1")) == []


def test_empty_pulje_does_not_protect_a_small_one():
    # pulje 3 was not surveyed (n = 0): known to be zero, so hiding it hides nothing
    cells = _cells({"alle": 13, "1": 10, "2": 3, "3": 0})
    assert sitecheck.disclosure_problems(cells, _keys("alle", "1"))
    assert sitecheck.disclosure_problems(cells, {k for k in _keys("1")}) == []


def test_export_rows_shown_and_flag_consistency():
    cb = load_codebook()
    rows = [
        {"figure": "fig2_1", "item": "Å forebygge og stoppe mobbing", "group": "ppt", "pulje": "3", "n": "3",
         "share_pct": "", "ci_low_pct": "", "ci_high_pct": "", "suppressed": "True"},
        {"figure": "fig2_1", "item": "kunnskap_mobbing", "group": "ppt", "pulje": "1", "n": "10",
         "share_pct": "40.0", "ci_low_pct": "16.8", "ci_high_pct": "68.7", "suppressed": "False"},
        {"figure": "fig4_2", "item": "I stor grad", "group": "ppt", "pulje": "alle", "n": "4",
         "share_pct": "25.0", "ci_low_pct": "", "ci_high_pct": "", "suppressed": "True"},
    ]
    shown, problems = sitecheck.shown_in_export(rows, cb)
    assert shown == {("fig2_1", "kunnskap_mobbing", "ppt", "1"), ("fig4_2", "I stor grad", "ppt", "alle")}
    assert len(problems) == 1 and "marked suppressed" in problems[0]


def test_true_cells_count_by_hand(tmp_path: Path):
    cb = load_codebook()
    for group in cb.groups:
        cols = cb.columns_for_group(group)
        (tmp_path / cb.groups[group].file).write_text(",".join(cols) + "\n")
    ppt_cols = cb.columns_for_group("ppt")
    rows = [
        ("ppt-001", "1", {"kunnskap_mobbing": "5", "ressurs": "4"}),
        ("ppt-002", "1", {"kunnskap_mobbing": "3", "ressurs": "4"}),
        ("ppt-003", "2", {"kunnskap_mobbing": "4", "ressurs": ""}),
        ("ppt-004", "3", {"kunnskap_mobbing": "", "ressurs": "1"}),
    ]
    lines = [",".join(ppt_cols)]
    for rid, pulje, values in rows:
        lines.append(",".join([rid, pulje] + [values.get(c, "") for c in ppt_cols[2:]]))
    (tmp_path / "ppt.csv").write_text("\n".join(lines) + "\n")
    cells = sitecheck.true_cells(tmp_path, cb)
    mob = {p: (cells[("fig2_1", "kunnskap_mobbing", "ppt", p)].n, cells[("fig2_1", "kunnskap_mobbing", "ppt", p)].k)
           for p in ("1", "2", "3", "alle")}
    assert mob == {"1": (2, 1), "2": (1, 1), "3": (0, 0), "alle": (3, 2)}
    assert cells[("fig4_2", "I stor grad", "ppt", "alle")].k == 2
    assert cells[("fig4_2", "I svært liten grad", "ppt", "3")].k == 1
    assert cells[("fig2_1", "kunnskap_mobbing", "skoleleder", "alle")].n == 0


def test_toc_files_walks_parts_chapters_sections(tmp_path: Path):
    toc = tmp_path / "_toc.yml"
    toc.write_text(
        "format: jb-book\nroot: book/index\nparts:\n  - caption: A\n    chapters:\n      - file: gen/a.ipynb\n"
        "      - file: book/p1\n        sections:\n          - file: gen/p1/a\n  - caption: B\n"
        "    chapters:\n      - file: book/ref.md\n      - url: https://example.org\n        title: x\n"
    )
    assert sitecheck.toc_files(toc) == ["book/index", "gen/a", "book/p1", "gen/p1/a", "book/ref"]


def test_theme_template_fragments_in_static_are_not_pages(clean_site: Path):
    (clean_site / "_static" / "webpack-macros.html").write_text("<script src=\"{{ pathto('x.js', 1) }}\"></script>")
    assert sitecheck.broken_links(clean_site) == []
    pages = [str(p.relative_to(clean_site)) for p in sitecheck.html_files(clean_site)]
    assert "_static/webpack-macros.html" not in pages


# -- shares read off site tables and glued prose ------------------------------------------------------

TABLE_A = """<table class="dataframe"><thead>
<tr><th></th><th>Gruppe</th><th>n</th><th>Andel i stor/svært stor grad (%)</th><th>95 % KI (Wilson)</th></tr>
<tr><th>Område/påstand</th><th></th><th></th><th></th><th></th></tr></thead><tbody>
<tr><th>Skoleutvikling</th><td>PPT</td><td>6</td><td>33,3</td><td>9,7–70,0</td></tr>
<tr><th>Skoleutvikling</th><td>Skoleeiere</td><td>:</td><td>{eier}</td><td>:</td></tr>
</tbody></table>"""

TABLE_B = """<table class="dataframe"><thead>
<tr><th></th><th></th><th>Alle puljer</th><th>Pulje 1</th><th>Pulje 2</th><th>Pulje 3</th></tr>
<tr><th>Figur</th><th>Spørsmål/svar</th><th></th><th></th><th></th><th></th></tr></thead><tbody>
<tr><th rowspan="2">2.1</th><th>Skoleutvikling</th><td>30,8</td><td>33,3</td><td>{p2}</td><td>:</td></tr>
<tr><th>Klasseledelse</th><td>46,2</td><td>50,0</td><td>:</td><td>:</td></tr>
</tbody></table>"""


def _site_cells() -> dict:
    C = sitecheck.Cell
    spec = {  # (item, group, pulje): (n, k)
        ("kunnskap_skoleutvikling", "ppt", "1"): (6, 2), ("kunnskap_skoleutvikling", "ppt", "2"): (4, 1),
        ("kunnskap_skoleutvikling", "ppt", "3"): (3, 1), ("kunnskap_skoleutvikling", "ppt", "alle"): (13, 4),
        ("kunnskap_klasseledelse", "ppt", "1"): (6, 3), ("kunnskap_klasseledelse", "ppt", "2"): (4, 2),
        ("kunnskap_klasseledelse", "ppt", "3"): (3, 1), ("kunnskap_klasseledelse", "ppt", "alle"): (13, 6),
        ("kunnskap_skoleutvikling", "skoleeier", "1"): (4, 2), ("kunnskap_skoleutvikling", "skoleeier", "2"): (6, 3),
        ("kunnskap_skoleutvikling", "skoleeier", "alle"): (10, 5),
    }
    return {("fig2_1", i, g, p): C("fig2_1", i, g, p, n, k) for (i, g, p), (n, k) in spec.items()}


def _write_page(root: Path, rel: str, table: str) -> None:
    path = root / rel
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(f"<html><head><title>x</title></head><body><h1>x</h1>{table}</body></html>")


def test_site_values_row_per_group_table(tmp_path: Path):
    cb = load_codebook()
    _write_page(tmp_path, "generated/pulje-1/kunnskapstilforsel.html", TABLE_A.format(eier=":"))
    values = sitecheck.site_values(tmp_path, cb)
    assert {(v.item, v.group, v.pulje, v.text) for v in values} == {
        ("kunnskap_skoleutvikling", "ppt", "1", "33,3"), ("kunnskap_skoleutvikling", "ppt", "1", "9,7–70,0")}
    cells = _site_cells()
    shown, unmatched = sitecheck.site_shown_cells(values, cells)
    assert unmatched == [] and shown == {("fig2_1", "kunnskap_skoleutvikling", "ppt", "1")}
    assert sitecheck.disclosure_problems(cells, shown) == []


def test_site_showing_a_hidden_cell_is_caught(tmp_path: Path):
    cb = load_codebook()
    _write_page(tmp_path, "generated/pulje-1/kunnskapstilforsel.html", TABLE_A.format(eier="50,0"))
    cells = _site_cells()
    shown, unmatched = sitecheck.site_shown_cells(sitecheck.site_values(tmp_path, cb), cells)
    assert unmatched == []
    problems = sitecheck.disclosure_problems(cells, shown)
    assert any("skoleeier" in p and "n=4 < 5" in p for p in problems), problems


def test_site_values_pulje_column_table_infers_the_group(tmp_path: Path):
    cb = load_codebook()
    _write_page(tmp_path, "generated/vedlegg/pulje_sammenligning.html", TABLE_B.format(p2=":"))
    values = sitecheck.site_values(tmp_path, cb)
    assert len(values) == 4 and {v.group for v in values} == {None}
    cells = _site_cells()
    shown, unmatched = sitecheck.site_shown_cells(values, cells)
    assert unmatched == []
    assert {k[2] for k in shown} == {"ppt"}  # 33,3 in pulje 1 fits PPT (2/6), not the school owners (2/4)
    assert sitecheck.disclosure_problems(cells, shown) == []
    # showing PPT pulje 2 (n = 4) in the comparison table is caught
    _write_page(tmp_path, "generated/vedlegg/pulje_sammenligning.html", TABLE_B.format(p2="25,0"))
    shown, unmatched = sitecheck.site_shown_cells(sitecheck.site_values(tmp_path, cb), cells)
    assert any("n=4 < 5" in p for p in sitecheck.disclosure_problems(cells, shown))


def test_site_value_that_matches_no_data_is_reported(tmp_path: Path):
    cb = load_codebook()
    _write_page(tmp_path, "generated/pulje-1/kunnskapstilforsel.html", TABLE_A.format(eier=":").replace("33,3", "35,0"))
    _, unmatched = sitecheck.site_shown_cells(sitecheck.site_values(tmp_path, cb), _site_cells())
    assert [v.text for v in unmatched] == ["35,0"]


def test_glued_values_read_shares_and_skip_hidden(tmp_path: Path):
    import json

    cb = load_codebook()

    def out(name, text):
        return {"output_type": "display_data", "metadata": {"scrapbook": {"name": name, "mime_prefix": ""}},
                "data": {sitecheck.GLUE_MIME: text}}

    nb = {"cells": [{"cell_type": "code", "outputs": [
        out("fig2_1_kunnskap_skoleutvikling_ppt", "33,3"),
        out("fig2_1_kunnskap_skoleutvikling_ppt_pst", "33,3 prosent"),
        out("fig2_1_kunnskap_skoleutvikling_skoleeier", ":"),
        out("fig2_1_kunnskap_skoleutvikling_skoleeier_pst", "et skjult tall (færre enn 5 svar)"),
        out("fig4_2_i_stor_grad", "50,0"),
        out("min_n", "5"),
    ]}]}
    (tmp_path / "pulje-1").mkdir()
    (tmp_path / "pulje-1" / "kunnskapstilforsel.ipynb").write_text(json.dumps(nb))
    values = sitecheck.glued_values(tmp_path, cb)
    assert [(v.figures, v.item, v.group, v.pulje, v.value) for v in values] == [
        (("fig2_1",), "kunnskap_skoleutvikling", "ppt", "1", 33.3),
        (("fig2_1",), "kunnskap_skoleutvikling", "ppt", "1", 33.3),
        (("fig4_2",), "I stor grad", "ppt", "1", 50.0),
    ]


def test_duplicate_scripts_are_found(clean_site: Path):
    assert sitecheck.duplicate_scripts(clean_site) == []
    index = clean_site / "index.html"
    script = '<script>const THEBE_JS_URL = "x";</script><script src="_static/a.js"></script><script>var t = 1;</script>'
    index.write_text(index.read_text().replace("</head>", script + script + "</head>"))
    found = sorted((f.kind, f.detail) for f in sitecheck.duplicate_scripts(clean_site))
    assert found == [("script included 2 times", 'inline=const THEBE_JS_URL = "x";'),
                     ("script included 2 times", "src=_static/a.js")]
