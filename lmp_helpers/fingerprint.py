"""A fingerprint of the report's text: enough to check the book against it, too little to read it.

The report (`../shared/seed/000_d23d0dccda8b468d.txt`) is not ours to redistribute. `scripts/report_fingerprint.py`
turns it into `data/report_fingerprint.json`, which holds

* the report's numbered headings (number and title: they are the book's structure),
* the hashes of every normalised 15-word window of the report (to find runs of 15+ words the book's prose
  shares with the report),
* per quote in `data/quotes.csv`: where its words start in the normalised report, how many words it has,
  and the hash of that report window (so each quote can be checked word for word),
* the hash of the normalised report (to tell whether the committed fingerprint is current).

Normalisation: lowercase, footnote markers glued to a word removed («skolene1» → «skolene»), every character
that is not a letter or digit becomes a space; words are what is left between spaces.
"""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Iterable, Sequence
from pathlib import Path

from lmp_helpers.errors import LmpInputError
from lmp_helpers.paths import PROJECT_ROOT

FINGERPRINT_PATH = PROJECT_ROOT / "data" / "report_fingerprint.json"
REPORT_NAME = "000_d23d0dccda8b468d.txt"
# `../shared/seed/` next to the clone; a git worktree one level deeper (`wt/issue-N`) looks one more up.
REPORT_CANDIDATES = [PROJECT_ROOT.parent / "shared" / "seed" / REPORT_NAME,
                     PROJECT_ROOT.parent.parent / "shared" / "seed" / REPORT_NAME]
WINDOW = 15  # «no run of 15 or more consecutive words» (issue 10)
HASH_HEX = 12  # 48 bits per window: ~10 000 windows, so a chance match is ~1 in 10^10 per lookup
VERSION = 1

# A footnote marker: one digit right after a letter, «)» or «»», before a space or punctuation
# («skolene1 har», «(LP modellen)3 Det», «SPEKTER2,»). Numbers such as «pulje 2» or «4-5» are not touched.
_FOOTNOTE_MARK = re.compile(r"(?<=[^\W\d_]|[)»])\d(?=[\s.,;:]|$)")
_NON_WORD = re.compile(r"[\W_]+")
_CHAPTER_HEADING = re.compile(r"^\s*(\d)\.\s+(\S.*?)\s*$")
WRAPPED_TITLE_MAX = 45  # characters of a heading's second line
_SECTION_HEADING = re.compile(r"^\s*(\d\.\d)\s+(\S.*?)\s*$")


def report_path() -> Path | None:
    """The report's text if this machine has it (a user's clone does not)."""
    return next((p for p in REPORT_CANDIDATES if p.is_file()), None)


def strip_footnote_marks(text: str) -> str:
    return _FOOTNOTE_MARK.sub("", text)


def words(text: str) -> list[str]:
    """Normalised words: lowercase, footnote markers and punctuation gone."""
    return _NON_WORD.sub(" ", strip_footnote_marks(text).lower()).split()


def digest(seq: Sequence[str]) -> str:
    return hashlib.sha256(" ".join(seq).encode("utf-8")).hexdigest()[:HASH_HEX]


def windows(seq: Sequence[str], n: int = WINDOW) -> Iterable[tuple[int, str]]:
    """(start, hash) of every n-word window of `seq`."""
    for i in range(len(seq) - n + 1):
        yield i, digest(seq[i:i + n])


_COMMENT = re.compile(r"<!--.*?-->", re.S)
_LABELLED_ROLE = re.compile(r"\{(?:term|doc|ref)\}`([^`<]*?)\s*<[^`>]*>`")
_PLAIN_TERM = re.compile(r"\{term\}`([^`]*)`")
_OTHER_ROLE = re.compile(r"\{[\w:-]+\}`[^`]*`|`[^`]*`")  # glue, cite, numref, code: not words of ours
_LINK = re.compile(r"\[([^\]]*)\]\([^)]*\)")
BREAK = "\n\u00a7\u00a7\n"


def prose_segments(markdown: str) -> list[str]:
    """The reader-visible words of a MyST Markdown text, cut where a glued value, citation or code stands.

    A run is only counted inside one segment: a number glued from the data is not text we wrote.
    """
    text = _COMMENT.sub(" ", markdown)
    text = re.sub(r"^```.*?^```\s*$", BREAK, text, flags=re.S | re.M)
    text = _LABELLED_ROLE.sub(r"\1", text)
    text = _PLAIN_TERM.sub(r"\1", text)
    text = _OTHER_ROLE.sub(BREAK, text)
    text = _LINK.sub(r"\1", text)
    text = re.sub(r"^\s*(:::.*|[:]\w+:.*)$", BREAK, text, flags=re.M)  # directive fences and options
    return [seg for seg in text.split("\u00a7\u00a7") if words(seg)]


def headings(lines: Sequence[str]) -> list[dict]:
    """The report's numbered headings: «1. Introduksjon», «1.1 Pedagogisk …», a title may wrap onto one line.

    Footnote bodies also start with a digit («1 Spørsmålene til PPT …») but have no dot after it, and a
    numbered chapter heading is followed by its title only; a section number is «d.d».
    """
    found = []
    for i, line in enumerate(lines):
        m = _SECTION_HEADING.match(line) or _CHAPTER_HEADING.match(line)
        if not m:
            continue
        title = " ".join(m.group(2).split())
        nxt = lines[i + 1].strip() if i + 1 < len(lines) else ""
        # A wrapped title («2. Kunnskapstilførsel til PPT fra» / «Læringsmiljøprosjektet», «2.1 … veiledningsteamene»
        # / «sitt bidrag til kompetanseheving i PPT»): a short line without closing punctuation, where body text
        # runs to the full width (about 85 characters)
        if nxt and len(nxt) <= WRAPPED_TITLE_MAX and not nxt.endswith((".", ":", "?", "!")):
            title = f"{title} {nxt}"
        found.append({"number": m.group(1), "title": title, "line": i + 1})
    return found


def build(report_text: str, quotes: Iterable[tuple[str, str]], captions: Iterable[tuple[str, str]] = ()) -> dict:
    """The fingerprint of `report_text`; `quotes` and `captions` are (id, text) pairs that must each occur
    word for word (captions: figure titles and question notes from the codebook).

    Raises LmpInputError naming every text that does not occur in the report, and writes nothing then.
    """
    lines = report_text.splitlines()
    report_words = words(report_text)
    grams = sorted({h for _, h in windows(report_words)})
    first_word_at: dict[str, list[int]] = {}
    for i, w in enumerate(report_words):
        first_word_at.setdefault(w, []).append(i)
    located, missing = {}, []
    quotes, captions = list(quotes), list(captions)
    for qid, text in quotes + captions:
        q = words(text)
        starts = [i for i in first_word_at.get(q[0], []) if report_words[i:i + len(q)] == q] if q else []
        if not starts:
            missing.append(qid)
            continue
        start = starts[0]
        located[qid] = {"start": start, "words": len(q), "hash": digest(report_words[start:start + len(q)])}
    if missing:
        raise LmpInputError(
            "sitater som ikke står ord for ord i rapporten (etter normalisering: små bokstaver, uten tegnsetting "
            f"og fotnotetall): {', '.join(missing)}; rett teksten i data/quotes.csv"
        )
    return {
        "version": VERSION,
        "report": REPORT_NAME,
        "report_hash": digest(report_words),
        "report_words": len(report_words),
        "normalisation": "lowercase; footnote digits glued to a word removed; non-letters/digits -> space",
        "hash": f"sha256 of the words joined by one space, first {HASH_HEX} hex digits",
        "window": WINDOW,
        "headings": headings(lines),
        "quotes": {k: v for k, v in located.items() if k in dict(quotes)},
        "captions": {k: v for k, v in located.items() if k in dict(captions)},
        "windows": "".join(grams),
    }


def dumps(fingerprint: dict) -> str:
    return json.dumps(fingerprint, ensure_ascii=False, indent=1, sort_keys=False) + "\n"


def load(path: Path = FINGERPRINT_PATH) -> dict:
    try:
        fp = json.loads(Path(path).read_text(encoding="utf-8"))
    except FileNotFoundError as exc:
        raise LmpInputError(f"fingeravtrykket av rapporten mangler: {path}; lag det med "
                            "`python scripts/report_fingerprint.py`") from exc
    if fp.get("version") != VERSION:
        raise LmpInputError(f"{path}: versjon {fp.get('version')!r}, forventet {VERSION}")
    return fp


def window_set(fingerprint: dict) -> set[str]:
    blob = fingerprint["windows"]
    return {blob[i:i + HASH_HEX] for i in range(0, len(blob), HASH_HEX)}


def shared_runs(text_words: Sequence[str], report_windows: set[str], n: int = WINDOW) -> list[tuple[int, int]]:
    """(start, end) word spans of `text_words` where n or more consecutive words also stand in the report."""
    runs: list[tuple[int, int]] = []
    for i, h in windows(text_words, n):
        if h not in report_windows:
            continue
        if runs and i <= runs[-1][1]:
            runs[-1] = (runs[-1][0], i + n)
        else:
            runs.append((i, i + n))
    return runs
