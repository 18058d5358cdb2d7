"""Summarise a finished `mutmut run` (the mutants/ folder): killed / survived / timeout / other per module.

Usage: python scripts/mutation_summary.py [--seconds S] [--load START END] [--survivors FILE]
Writes a Markdown table to stdout and, with --survivors, every surviving mutant's diff (`mutmut show`) to FILE.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
from collections import Counter, defaultdict
from pathlib import Path

from mutmut.stats import status_by_exit_code


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--seconds", type=int)
    ap.add_argument("--load", nargs=2, metavar=("START", "END"))
    ap.add_argument("--survivors", type=Path)
    args = ap.parse_args()
    by_module: dict[str, Counter] = defaultdict(Counter)
    survivors: list[str] = []
    not_sampled = 0
    for meta in sorted(Path("mutants").rglob("*.py.meta")):
        module = str(meta.relative_to("mutants"))[: -len(".meta")]
        codes = json.loads(meta.read_text(encoding="utf-8")).get("exit_code_by_key", {})
        for name, code in sorted(codes.items()):
            if code is None:  # not in the sample (see scripts/mutation_sample.py)
                not_sampled += 1
                continue
            status = status_by_exit_code[code]
            by_module[module][status] += 1
            if status in ("survived", "no tests", "suspicious"):
                survivors.append(name)
    cols = ["killed", "survived", "timeout", "no tests", "other"]
    print("| module | mutants | killed | survived | timeout | no tests | other | kill rate |")
    print("|---|---:|---:|---:|---:|---:|---:|---:|")
    total: Counter = Counter()
    for module, c in sorted(by_module.items()):
        c = Counter({k: v for k, v in c.items()})
        other = sum(v for k, v in c.items() if k not in cols)
        row = {**{k: c.get(k, 0) for k in cols[:-1]}, "other": other}
        n = sum(c.values())
        total.update(row)
        total["n"] += n
        rate = (row["killed"] + row["timeout"]) / n if n else float("nan")
        print(f"| {module} | {n} | " + " | ".join(str(row[k]) for k in cols) + f" | {rate:.1%} |")
    n = total["n"]
    rate = (total["killed"] + total["timeout"]) / n if n else float("nan")
    print(f"| **all** | {n} | " + " | ".join(str(total[k]) for k in cols) + f" | {rate:.1%} |")
    print(f"\n{n} mutants tested, {n + not_sampled} generated ({not_sampled} not in the sample)")
    if args.seconds is not None:
        print(f"\nrun time: {args.seconds} s ({args.seconds / 60:.1f} min)")
    if args.load:
        print(f"load average (1/5/15 min) at start: {args.load[0]}; at end: {args.load[1]}; cores: 2")
    if args.survivors:
        with open(args.survivors, "w", encoding="utf-8") as fh:
            for name in survivors:
                shown = subprocess.run([str(Path(sys.executable).with_name("mutmut")), "show", name],
                                       capture_output=True, text=True)
                fh.write(f"## {name}\n{shown.stdout}\n")
        print(f"\n{len(survivors)} survivors (diffs in {args.survivors})")
    return 0


if __name__ == "__main__":
    sys.exit(main())
