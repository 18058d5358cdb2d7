"""PDF build time as a ratio to the HTML build, measured in one run on this machine.

In a scratch copy of the project (with the already executed `generated/`; `lmp run` first if it is missing),
each round runs, in alternating order:

- **html**: `jupyter-book build . --all` (a full Sphinx build, no PDF) – what `make book` does after `lmp run`;
- **html+pdf**: the same with `LMP_PDF=1` – what `make pdf` / `make test`'s book step do: the same build plus
  the four PDFs printed by chromium after the pages are written (book/_ext/lmp_pdf.py);
- **pdf only**: `lmp_helpers.pdf.print_books` on the site just built (the print itself, two passes per pulje);
- **lmp run**: `lmp run --force` of every chapter and pulje into the copy, so the PDF can also be put against a
  cold `make book` (lmp run + html).

Ratios are computed within a round. The machine's load average is recorded before and after each round (the
machine is shared; a ratio from one round is more trustworthy than the absolute seconds). Prints a Markdown
table and writes benchmarks/results/pdf.json. Never fails on a time.

    .venv/bin/python benchmarks/bench_pdf.py [--rounds N] [--keep]
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
from datetime import datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
BIN = Path(sys.executable).parent
COPY = ["_config.yml", "_toc.yml", "book", "notebooks", "lmp_helpers", "data", "generated"]
JB = [str(BIN / "jupyter-book"), "build", ".", "--all", "-W", "-n", "--keep-going", "-q"]


def scratch_copy() -> Path:
    """The book's sources and executed notebooks in a temporary folder (the working tree's _build is untouched)."""
    if not (ROOT / "generated" / "pulje-alle").is_dir():
        subprocess.run([str(BIN / "lmp"), "run", "--pulje", "1", "2", "3", "alle"], cwd=ROOT, check=True)
    dest = Path(tempfile.mkdtemp(prefix="lmp-bench-pdf-")) / "bok"

    def skip(folder: str, names: list[str]) -> list[str]:
        top = Path(folder) == ROOT
        return [n for n in names if (top and n not in COPY) or n in {"__pycache__", ".ipynb_checkpoints"}]

    shutil.copytree(ROOT, dest, ignore=skip)
    return dest


def timed(cmd: list[str], cwd: Path, env: dict[str, str]) -> float:
    t0 = time.perf_counter()
    proc = subprocess.run(cmd, cwd=cwd, env=env, capture_output=True, text=True)
    elapsed = time.perf_counter() - t0
    if proc.returncode != 0:
        raise SystemExit(f"{' '.join(cmd)} failed:\n{proc.stdout[-2000:]}\n{proc.stderr[-2000:]}")
    return elapsed


def build(copy: Path, with_pdf: bool) -> float:
    shutil.rmtree(copy / "_build", ignore_errors=True)
    env = dict(os.environ, PYTHONPATH=str(copy), LMP_PDF="1" if with_pdf else "0")
    return timed(JB, copy, env)


def print_only(copy: Path) -> float:
    code = ("import sys, tempfile; from pathlib import Path; from lmp_helpers import pdf; "
            "pdf.print_books(Path('_build/html'), Path(tempfile.mkdtemp()))")
    return timed([sys.executable, "-c", code], copy, dict(os.environ, PYTHONPATH=str(copy)))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=1)
    parser.add_argument("--keep", action="store_true", help="keep the scratch copy")
    args = parser.parse_args(argv)
    copy = scratch_copy()
    rounds = []
    try:
        for r in range(args.rounds):
            load_before = os.getloadavg()
            times: dict[str, float] = {}
            order = [False, True] if r % 2 == 0 else [True, False]
            for with_pdf in order:
                times["html+pdf" if with_pdf else "html"] = build(copy, with_pdf)
            # the print alone, on the site the last build left (html+pdf or html: the pages are the same but for
            # the link, which the PDF leaves out)
            times["pdf only"] = print_only(copy)
            times["lmp run"] = timed([str(BIN / "lmp"), "run", "--pulje", "1", "2", "3", "alle", "--force",
                                      "--out", str(copy / "generated")], copy, dict(os.environ, PYTHONPATH=str(copy)))
            load_after = os.getloadavg()
            rounds.append({
                "round": r + 1, "order": ["html+pdf" if o else "html" for o in order], "seconds": times,
                "ratio_pdf_only_to_html": times["pdf only"] / times["html"],
                "ratio_added_to_html": (times["html+pdf"] - times["html"]) / times["html"],
                "ratio_html_pdf_to_html": times["html+pdf"] / times["html"],
                "ratio_added_to_cold_make_book":
                    (times["html+pdf"] - times["html"]) / (times["lmp run"] + times["html"]),
                "load_before": load_before, "load_after": load_after,
            })
    finally:
        if not args.keep:
            shutil.rmtree(copy.parent, ignore_errors=True)
    print(f"PDF vs HTML build, {datetime.now():%d.%m.%Y %H:%M}, {os.cpu_count()} cores\n")
    print("| round | html (s) | html+pdf (s) | pdf only (s) | lmp run (s) | pdf only / html | (html+pdf − html) / html "
          "| (html+pdf − html) / (lmp run + html) | load avg 1/5/15 min before → after |")
    print("|---|---|---|---|---|---|---|---|---|")
    for r in rounds:
        s = r["seconds"]
        lb = "/".join(f"{x:.1f}" for x in r["load_before"])
        la = "/".join(f"{x:.1f}" for x in r["load_after"])
        print(f"| {r['round']} | {s['html']:.1f} | {s['html+pdf']:.1f} | {s['pdf only']:.1f} | {s['lmp run']:.1f} | "
              f"{r['ratio_pdf_only_to_html']:.2f} | {r['ratio_added_to_html']:.2f} | "
              f"{r['ratio_added_to_cold_make_book']:.2f} | {lb} → {la} |")
    out = ROOT / "benchmarks" / "results"
    out.mkdir(parents=True, exist_ok=True)
    (out / "pdf.json").write_text(json.dumps({"when": datetime.now().isoformat(timespec="seconds"),
                                              "cores": os.cpu_count(), "rounds": rounds}, indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
