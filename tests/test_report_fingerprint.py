"""The book against the report's text, through the committed fingerprint (data/report_fingerprint.json).

* every quote in data/quotes.csv stands word for word in the report;
* no run of 15 or more consecutive words is shared by the book's prose and the report;
* the fingerprint is current: regenerated from ../shared/seed/ when this machine has the report, otherwise
  checked for internal consistency (a user's clone has no ../shared, and the tests must pass there).
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from lmp_helpers import fingerprint as fpmod
from lmp_helpers.data import load_quotes
from lmp_helpers.errors import LmpInputError
from lmp_helpers.paths import NOTEBOOKS_DIR, PROJECT_ROOT

FP = fpmod.load()
SCRIPT = PROJECT_ROOT / "scripts" / "report_fingerprint.py"
WINDOWS = fpmod.window_set(FP)

# The report's numbered headings, typed from its table of contents (not read from the fingerprint).
REPORT_HEADINGS = [
    ("1", "Introduksjon"),
    ("1.1", "Pedagogisk psykologisk tjeneste"),
    ("1.2", "Datagrunnlag"),
    ("1.3", "Rapportens oppbygning"),
    ("2", "Kunnskapstilførsel til PPT fra Læringsmiljøprosjektet"),
    ("2.1", "Læringsmiljøsenteret og veiledningsteamene sitt bidrag til kompetanseheving i PPT"),
    ("3", "Praksisendring i PPT som følge av Læringsmiljøprosjektet"),
    ("4", "PPTs rolle i Læringsmiljøprosjektet"),
    ("4.1", "PPT som ressurs for skoler og kommuner"),
    ("4.2", "PPTs rolle i implementering og videreføring"),
    ("5", "Oppsummerende betraktninger"),
]

# Every page of the book with prose of ours: the Markdown pages and the Markdown cells of every notebook.
PROSE_FILES = sorted(PROJECT_ROOT.glob("book/*.md")) + sorted(NOTEBOOKS_DIR.glob("*.ipynb"))


def markdown_texts(path: Path) -> list[str]:
    if path.suffix == ".md":
        return [path.read_text(encoding="utf-8")]
    nb = json.loads(path.read_text(encoding="utf-8"))
    return ["".join(c["source"]) for c in nb["cells"] if c["cell_type"] == "markdown"]


def copied_runs(markdown: str) -> list[str]:
    runs = []
    for seg in fpmod.prose_segments(markdown):
        w = fpmod.words(seg)
        runs += [" ".join(w[a:b]) for a, b in fpmod.shared_runs(w, WINDOWS)]
    return runs


# -- the normalisation and the run finder --------------------------------------------------------------
def test_words_drop_case_punctuation_and_footnote_marks_but_keep_numbers():
    words = fpmod.words("Skolene1 har (LP modellen)3 Det – «tett»!")
    assert words == ["skolene", "har", "lp", "modellen", "det", "tett"]
    assert fpmod.words("pulje 2, 4-5 personer, 2.trinn og SPEKTER2,") == [
        "pulje", "2", "4", "5", "personer", "2", "trinn", "og", "spekter"]


def test_shared_runs_finds_15_words_and_not_14():
    report = [f"w{i}" for i in range(40)]
    windows = {h for _, h in fpmod.windows(report)}
    text15 = ["x", *report[5:20], "y"]
    text14 = ["x", *report[5:19], "y", *report[20:35]]
    assert fpmod.shared_runs(text15, windows) == [(1, 16)]
    assert fpmod.shared_runs(text14, windows) == [(16, 31)]  # the 14-word part is not a run; the 15-word part is
    assert fpmod.shared_runs(["x", *report[5:19], "y"], windows) == []
    assert fpmod.shared_runs(report[:30], windows) == [(0, 30)]  # overlapping windows merge into one run


def test_prose_segments_keep_term_text_and_cut_at_glue_and_citations():
    md = ("Alle {term}`skoleledere <Skoleleder>` og {term}`PPT` svarte: {glue:text}`n_ppt` kontor "
          "{cite}`wendelborg2016`.\n\n:::{note}\n:class: x\nTekst\n:::\n<!-- skjult -->")
    segs = fpmod.prose_segments(md)
    joined = " | ".join(" ".join(fpmod.words(s)) for s in segs)
    assert joined == "alle skoleledere og ppt svarte | kontor | tekst"


def test_a_copied_report_sentence_in_prose_is_found():
    # The test of the test: a sentence of 15+ words from the report, rebuilt from a quote's hashed window, is
    # caught; the same sentence with one word changed every 14 words is not.
    q = load_quotes().set_index("id")
    long_quote = next(t for t in q["text"] if len(fpmod.words(t)) >= 30)
    assert copied_runs(f"Som rapporten sier: {long_quote}")
    w = fpmod.words(long_quote)
    for i in range(13, len(w), 14):
        w[i] = "annerledes"
    assert not copied_runs(" ".join(w))


def test_build_names_every_quote_that_is_not_in_the_report():
    report = "Dette er rapporten. Den har to setninger!"
    with pytest.raises(LmpInputError, match=r"q2, q3"):
        fpmod.build(report, [("q1", "den har TO setninger"), ("q2", "tre setninger"), ("q3", "rapporten har")])
    fp = fpmod.build(report, [("q1", "den har TO setninger")])
    assert fp["quotes"]["q1"] == {"start": 3, "words": 4, "hash": fpmod.digest(["den", "har", "to", "setninger"])}


# -- the committed fingerprint -----------------------------------------------------------------------------
def test_fingerprint_headings_are_the_reports_numbered_headings():
    assert [(h["number"], h["title"]) for h in FP["headings"]] == REPORT_HEADINGS


def test_fingerprint_holds_no_running_text():
    text = fpmod.FINGERPRINT_PATH.read_text(encoding="utf-8")
    blob = FP["windows"]
    assert len(blob) % fpmod.HASH_HEX == 0 and set(blob) <= set("0123456789abcdef")
    # Apart from the headings, no word sequence from the report: not one of the long quotes' words in a row.
    for quote in load_quotes()["text"]:
        w = quote.split()
        if len(w) >= 6:
            assert " ".join(w[:6]) not in text


def check_current(report: Path | None) -> None:
    if report is not None:  # the report is on this machine: the committed file must be what the script writes
        done = subprocess.run([sys.executable, str(SCRIPT), "--check", "--report", str(report)],
                              capture_output=True, text=True, timeout=120)
        assert done.returncode == 0, done.stdout + done.stderr
    # With or without the report: the committed file must agree with itself and with data/quotes.csv.
    n_windows = len(FP["windows"]) // fpmod.HASH_HEX
    assert 0 < n_windows <= FP["report_words"] - fpmod.WINDOW + 1
    assert FP["window"] == fpmod.WINDOW and FP["report"] == fpmod.REPORT_NAME
    assert set(FP["quotes"]) == set(load_quotes()["id"]), "kjør scripts/report_fingerprint.py etter sitatendringer"


def test_fingerprint_is_current():
    check_current(fpmod.report_path())


def test_without_the_report_the_script_changes_nothing_and_the_checks_still_run(tmp_path, monkeypatch):
    monkeypatch.setattr(fpmod, "REPORT_CANDIDATES", [tmp_path / "ingen" / fpmod.REPORT_NAME])
    assert fpmod.report_path() is None
    check_current(None)
    out = tmp_path / "fp.json"
    done = subprocess.run([sys.executable, str(SCRIPT), "--report", str(tmp_path / "mangler.txt"), "--out", str(out)],
                          capture_output=True, text=True, timeout=60)
    assert done.returncode == 2 and "rapportteksten finnes ikke" in done.stderr and not out.exists()


def test_script_refuses_a_report_without_the_quotes_and_writes_nothing(tmp_path):
    report, out = tmp_path / "r.txt", tmp_path / "fp.json"
    report.write_text("1. Introduksjon\nEn rapport uten sitatene.\n", encoding="utf-8")
    done = subprocess.run([sys.executable, str(SCRIPT), "--report", str(report), "--out", str(out)],
                          capture_output=True, text=True, timeout=60)
    assert done.returncode == 1 and "q01" in done.stderr and not out.exists()


# -- the book against the report ------------------------------------------------------------------------------
@pytest.mark.parametrize("qid", list(load_quotes()["id"]))
def test_quote_stands_word_for_word_in_the_report(qid):
    quote = load_quotes().set_index("id").loc[qid, "text"]
    w = fpmod.words(quote)
    entry = FP["quotes"][qid]
    assert entry["words"] == len(w)
    assert entry["hash"] == fpmod.digest(w), f"{qid}: teksten er endret siden fingeravtrykket ble laget"
    # Independently of the per-quote hash: every 15-word window of a long quote is a window of the report.
    missing = [" ".join(w[i:i + fpmod.WINDOW]) for i, h in fpmod.windows(w) if h not in WINDOWS]
    assert not missing, f"{qid}: ikke ord for ord i rapporten: {missing[:2]}"


@pytest.mark.parametrize("path", PROSE_FILES, ids=lambda p: p.name)
def test_prose_shares_no_run_of_15_words_with_the_report(path):
    runs = [r for md in markdown_texts(path) for r in copied_runs(md)]
    assert not runs, f"{path.name}: 15 ord eller flere på rad fra rapporten: {runs}"


def _caption_texts():
    from lmp_helpers.codebook import load_codebook

    cb = load_codebook()
    texts = {f"{k}.title": f.title for k, f in cb.figures.items()}
    texts.update({f"{k}.question_note": f.question_note for k, f in cb.figures.items() if f.question_note})
    return texts


def test_captions_and_question_notes_stand_word_for_word_in_the_report():
    texts = _caption_texts()
    assert set(FP["captions"]) == set(texts), "kjør scripts/report_fingerprint.py etter endringer i figurtitlene"
    assert "fig4_2.question_note" in texts  # the 4.2 wording note is exposed for the chapter
    for key, text in texts.items():
        w = fpmod.words(text)
        assert FP["captions"][key]["hash"] == fpmod.digest(w), f"{key} er ikke rapportens tekst ord for ord"
    # exact spelling, which the normalisation cannot see: the report's hyphenation and wording
    assert "tilført skolene kunnskap" in texts["fig2_1.title"]
    assert texts["fig4_1.title"].startswith("Andel PPT representanter,")
    assert texts["fig4_2.title"] == "PPTs vurdering om de er en ressurs for skole og kommune"


def test_question_note_is_shown_and_a_missing_one_is_an_error(monkeypatch):
    from lmp_helpers import book

    shown = []
    monkeypatch.setattr(book, "_markdown", shown.append)
    ch = book.start("ppts_rolle", banner=False)
    ch.question_note("fig4_2")
    assert len(shown) == 1
    links, note = shown[0].split("\n\n", 1)  # the figure's download links, then the note
    assert links.startswith("**Last ned tallene:**") and "figur-4-2_pulje-alle.xlsx" in links
    assert note.startswith("*Spørsmålsformulering: I Melding til Stortinget nr. 18 (2010")
    assert shown[0].endswith("har en slik rolle i Læringsmiljøprosjektet?*")
    with pytest.raises(LmpInputError, match="figur fig2_1 har ingen spørsmålsformulering"):
        ch.question_note("fig2_1")


# -- the book's numbered headings against the report's ---------------------------------------------------------
# Chapters whose headings follow the report; their own additions («Tallene bak figuren») are unnumbered.
HEADINGS_CHECKED = ("introduksjon", "kunnskapstilforsel", "praksisendring", "ppts_rolle", "oppsummering")
UNNUMBERED = ("sammendrag",)  # the report's Sammendrag has no number


def book_numbered_headings(name: str) -> list[tuple[str, str]]:
    """(number, title) of a chapter notebook's headings as the numbered «Rapporten» part numbers them:
    the chapter's place in runner.CHAPTERS, then one number per «##» heading (deeper headings: x.y.z)."""
    from lmp_helpers import runner

    chapter = [n for n in runner.CHAPTERS if n not in UNNUMBERED].index(name) + 1
    out, section, sub = [], 0, 0
    nb = json.loads((NOTEBOOKS_DIR / f"{name}.ipynb").read_text(encoding="utf-8"))
    for cell in nb["cells"]:
        if cell["cell_type"] != "markdown":
            continue
        for line in "".join(cell["source"]).splitlines():
            level = len(line) - len(line.lstrip("#"))
            title = line[level:].strip()
            if level == 1:
                out.append((str(chapter), title))
            elif level == 2:
                section, sub = section + 1, 0
                out.append((f"{chapter}.{section}", title))
            elif level == 3:
                sub += 1
                out.append((f"{chapter}.{section}.{sub}", title))
    return out


@pytest.mark.parametrize("name", HEADINGS_CHECKED)
def test_chapter_headings_are_the_reports_both_ways(name):
    book = book_numbered_headings(name)
    chapter = book[0][0]
    report = [(n, t) for n, t in REPORT_HEADINGS if n.split(".")[0] == chapter]
    assert book == report


def test_sammendrag_is_unnumbered_and_chapter_1_is_the_first_numbered_chapter():
    # jupyter-book numbers each numbered toctree from 1 (use_multitoc_numbering: false) in _toc.yml order.
    import yaml

    from lmp_helpers import runner

    numbered = [n for n in runner.CHAPTERS if n not in UNNUMBERED]
    assert runner.CHAPTERS[0] == "sammendrag" and numbered[0] == "introduksjon"
    config = yaml.safe_load((PROJECT_ROOT / "_config.yml").read_text(encoding="utf-8"))
    assert config["html"]["use_multitoc_numbering"] is False
    toc = yaml.safe_load((PROJECT_ROOT / "_toc.yml").read_text(encoding="utf-8"))
    summary, chapters = toc["parts"][0], toc["parts"][1]
    assert summary["caption"] == "Rapporten" and not summary.get("numbered")
    assert [c["file"] for c in summary["chapters"]] == ["generated/pulje-alle/sammendrag"]
    assert chapters["numbered"] is True
    assert [c["file"] for c in chapters["chapters"]] == [f"generated/pulje-alle/{n}" for n in numbered]
    per_pulje = next(p for p in toc["parts"] if p.get("caption") == "Per pulje")
    for page in per_pulje["chapters"]:
        slug = page["file"].split("/")[-1]
        first, rest = page["subtrees"]
        assert not first.get("numbered") and [s["file"] for s in first["sections"]] == [f"generated/{slug}/sammendrag"]
        assert rest["numbered"] is True
        assert [s["file"] for s in rest["sections"]] == [f"generated/{slug}/{n}" for n in numbered]


def test_sammendrag_has_one_heading_and_it_is_the_reports():
    nb = json.loads((NOTEBOOKS_DIR / "sammendrag.ipynb").read_text(encoding="utf-8"))
    heads = [line for c in nb["cells"] if c["cell_type"] == "markdown"
             for line in "".join(c["source"]).splitlines() if line.startswith("#")]
    assert heads == ["# Sammendrag"]
