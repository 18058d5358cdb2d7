"""Write data/report_fingerprint.json from the report's text (../shared/seed/), if this machine has it.

    .venv/bin/python scripts/report_fingerprint.py            # writes the fingerprint, or says why not
    .venv/bin/python scripts/report_fingerprint.py --check    # exit 1 if the committed one is not current

The fingerprint holds the headings and hashes only (see lmp_helpers/fingerprint.py), never running text.
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
from pathlib import Path

from lmp_helpers import fingerprint
from lmp_helpers.codebook import load_codebook
from lmp_helpers.data import load_quotes
from lmp_helpers.errors import LmpInputError


def caption_texts() -> list[tuple[str, str]]:
    """The codebook's figure captions and question notes, which must stand word for word in the report."""
    cb = load_codebook()
    texts = [(f"{key}.title", fig.title) for key, fig in cb.figures.items()]
    return texts + [(f"{key}.question_note", fig.question_note) for key, fig in cb.figures.items() if fig.question_note]


def current_text(report: Path) -> str:
    quotes = load_quotes()
    fp = fingerprint.build(report.read_text(encoding="utf-8"), zip(quotes["id"], quotes["text"], strict=True),
                           caption_texts())
    return fingerprint.dumps(fp)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--report", type=Path, default=None, help="the report's text file (default: ../shared/seed/)")
    ap.add_argument("--out", type=Path, default=fingerprint.FINGERPRINT_PATH)
    ap.add_argument("--check", action="store_true", help="only compare with the committed file")
    args = ap.parse_args(argv)
    report = args.report or fingerprint.report_path()
    if report is None or not report.is_file():
        print(f"rapportteksten finnes ikke ({', '.join(map(str, fingerprint.REPORT_CANDIDATES))}); "
              "fingeravtrykket er ikke endret", file=sys.stderr)
        return 2
    try:
        text = current_text(report)
    except LmpInputError as exc:
        print(f"feil: {exc}", file=sys.stderr)
        return 1
    if args.check:
        same = args.out.is_file() and args.out.read_text(encoding="utf-8") == text
        print("fingeravtrykket er oppdatert" if same else f"{args.out} er ikke oppdatert; kjør uten --check")
        return 0 if same else 1
    fd, tmp = tempfile.mkstemp(prefix=f".{args.out.name}.", dir=args.out.parent)
    with os.fdopen(fd, "w", encoding="utf-8") as fh:
        fh.write(text)
    os.chmod(tmp, 0o644)  # mkstemp makes it private; the fingerprint is a committed file
    os.replace(tmp, args.out)
    print(f"skrev {args.out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
