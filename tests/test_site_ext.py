"""The book's Sphinx extensions in book/_ext (bokmål site, alt text, Norwegian references), without a build."""

from __future__ import annotations

import json
import sys
from types import SimpleNamespace

import pytest

from lmp_helpers.paths import PROJECT_ROOT

sys.path.insert(0, str(PROJECT_ROOT / "book" / "_ext"))

import lmp_alttext  # noqa: E402
import lmp_bibstyle  # noqa: E402
import lmp_site  # noqa: E402


def test_number_words():
    assert [lmp_site.number_word(n) for n in (1, 3, 5, 10, 12)] == ["ett", "tre", "fem", "ti", "tolv"]
    assert lmp_site.number_word(20) == "20"


@pytest.mark.parametrize("bad", ["http://github.com/a/b", "https://example.org/a/b", "github.com/a/b",
                                 "https://github.com/a/b\" onclick=\"x", "https://localhost/a"])
def test_repo_url_rejects_placeholders_and_junk(bad):
    with pytest.raises(ValueError, match="REPO_URL"):
        lmp_site.repo_url(bad)


def test_repo_url_accepts_a_real_address_and_nothing():
    assert lmp_site.repo_url("https://github.com/ntnu/lmp-delrapport2") == "https://github.com/ntnu/lmp-delrapport2"
    assert lmp_site.repo_url("") is None and lmp_site.repo_url(None) is None


def test_summaries_get_a_name_from_their_section():
    html = ('<ul><li class="toctree-l1"><a href="p1.html">Pulje 1</a><details><summary><span>'
            '<i class="fa"></i></span></summary><ul><li><a href="x.html">X</a></li></ul></details></li></ul>')
    out = lmp_site.name_summaries(html)
    assert 'aria-label="Vis eller skjul undersidene til «Pulje 1»"' in out
    named = '<li><a>A</a><details><summary aria-label="Egen">x</summary></details></li>'
    assert 'aria-label="Egen"' in lmp_site.name_summaries(named)


def _nb(path, min_n):
    cells = [{"cell_type": "code", "metadata": {"tags": ["injected-parameters", "remove-cell"]},
              "source": ["# Parameters\n", 'pulje = "alle"\n', "data_dir = None\n", f"min_n = {min_n}\n"]}]
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps({"cells": cells}), encoding="utf-8")


def test_build_min_n_from_the_injected_parameters(tmp_path):
    assert lmp_site.build_min_n(tmp_path) is None
    _nb(tmp_path / "pulje-1" / "a.ipynb", 3)
    _nb(tmp_path / "pulje-2" / "a.ipynb", 3)
    assert lmp_site.build_min_n(tmp_path) == 3
    _nb(tmp_path / "pulje-3" / "a.ipynb", 7)
    with pytest.raises(ValueError, match="ulike min_n"):
        lmp_site.build_min_n(tmp_path)


def test_catalogues_compile_and_translate(tmp_path):
    import gettext
    import shutil

    shutil.copytree(PROJECT_ROOT / "book" / "_locale", tmp_path / "loc", ignore=shutil.ignore_patterns("*.mo"))
    written = lmp_site.compile_catalogues(tmp_path / "loc")
    assert {p.name for p in written} == {"sphinx.mo", "booktheme.mo"}
    assert lmp_site.compile_catalogues(tmp_path / "loc") == []  # up to date: nothing rewritten
    book = gettext.translation("booktheme", tmp_path / "loc", languages=["nb"])
    assert book.gettext("Print to PDF") == "Skriv ut til PDF"
    assert book.gettext("Contents") == "Innhold"
    pst = gettext.translation("sphinx", tmp_path / "loc", languages=["nb"])
    assert pst.gettext("Skip to main content") == "Gå til hovedinnholdet"
    assert pst.gettext("System Settings") == "Systeminnstilling"


def test_alt_from_output_metadata():
    data = SimpleNamespace(mime_type="image/png", output_metadata={"image/png": {"alt": " Liggende\n stolper "}})
    assert lmp_alttext.alt_from_output(data) == "Liggende stolper"
    assert lmp_alttext.alt_from_output(SimpleNamespace(mime_type="image/png", output_metadata={})) is None


def test_myst_nb_image_gets_the_alt():
    from myst_nb.core.render import NbElementRenderer

    lmp_alttext._patch_myst_nb()
    renderer = SimpleNamespace(
        get_cell_level_config=lambda *a, **k: {},
    )
    self = SimpleNamespace(renderer=renderer, logger=None,
                           write_file=lambda names, data, overwrite, exists_ok: "/_images/x.png")
    data = SimpleNamespace(mime_type="image/png", content="iVBORw0KGgo=", cell_metadata={}, line=1,
                           output_metadata={"image/png": {"alt": "Stablet stolpe"}})
    (node,) = NbElementRenderer.render_image(self, data)
    assert node["alt"] == "Stablet stolpe"


def _formatted():
    from pybtex.database import parse_file

    bib = parse_file(str(PROJECT_ROOT / "book" / "references.bib"))
    style = lmp_bibstyle.NorskStyle()
    return [e.text.render_as("text") for e in style.format_entries(bib.entries.values())]


def test_reference_list_is_norwegian_author_year():
    entries = _formatted()
    text = "\n".join(entries)
    assert "Technical Report" not in text and " and " not in text and "et al" not in text
    assert any(e.startswith("Auestad og Roland (2015).") for e in entries)
    assert any(e.startswith("Seeberg, Eriksen og Bakken (2015).") for e in entries)
    assert any(e.startswith("Wendelborg, C. (2016).") for e in entries)
    firsts = [e.split(" (")[0].casefold() for e in entries]
    assert firsts == sorted(firsts)


def test_citations_use_og_and_mfl():
    style = lmp_bibstyle.NorskAuthorYearReferenceStyle()
    assert str(style.person.sep2) == " og " and str(style.person.last_sep) == " og "
    assert "m.fl." in str(style.person.other)
    assert style.bracket_parenthetical.left == "("


def test_norwegian_stem_joins_skoleleder_forms():
    import lmp_search_no

    lang = lmp_search_no.LmpSearchNorwegian({})
    stems = {w: lang.stem(w) for w in ["skoleleder", "skoleledere", "skolelederne", "Skoleledernes"]}
    assert set(stems.values()) == {"skoleled"}, stems
    assert lang.stem("kompetansen") == lang.stem("kompetanse")
    assert lang.stem("mobbingen") == lang.stem("mobbing")
    assert lang.stem("PPT") == "ppt"
    assert "LmpNorwegianStemmer" in lang.js_stemmer_code and "Stemmer = LmpNorwegianStemmer" in lang.js_stemmer_code


def test_citation_roles_become_a_valid_list():
    body = '<div role="list" class="citation-list"><div class="citation" id="a" role="doc-biblioentry">' \
           '<span class="label"><a role="doc-backlink" href="#x">1</a></span></div></div>'
    out = lmp_site.fix_citation_roles(body)
    assert 'role="listitem"' in out and "doc-" not in out
