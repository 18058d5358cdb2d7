"""Summarise a finished `mutmut run` (the mutants/ folder): killed / survived / timeout / no tests per module,
the kill rate with the equivalent mutants set aside, every survivor with its recorded reason, run time and load.

Usage: python scripts/mutation_summary.py [--kind full|recheck] [--seconds S] [--cpu S] [--load START END]
           [--load-log FILE] [--phases FILE...] [--timing FILE] [--survivors FILE] [--update tests/MUTATION.md]
       python scripts/mutation_summary.py --names   (survivors and «no tests», for MUTATE_NAMES)
Reasons for survivors live in tests/mutation/survivors.tsv (mutant name, `equivalent` or `left`, reason). With
--update, the part of MUTATION.md between the `mutate:results` markers is replaced by this summary.
"""

from __future__ import annotations

import argparse
import json
import re
import sys
from collections import Counter, defaultdict
from pathlib import Path

from mutation_plan import REASONS, ROOT, read_rows  # scripts/ is on sys.path when a script there runs
from mutmut.stats import status_by_exit_code

BEGIN, END = "<!-- mutate:results:begin -->", "<!-- mutate:results:end -->"
NOT_KILLED = ("survived", "no tests", "suspicious", "skipped", "check was interrupted by user")


def reasons() -> dict[str, tuple[str, str]]:
    """Mutant name → (kind, reason) from survivors.tsv (a fourth column, the fingerprint, is mutation_plan's)."""
    return {row[0].strip(): (row[1], row[2].strip()) for row in read_rows() if len(row) > 1}


def _not_rerun() -> set[str]:
    """Recorded survivors this run left out (scripts/mutation_plan.py writes them)."""
    path = Path("mutants") / "not-rerun.tsv"
    if not path.is_file():
        return set()
    return {line.split("\t")[0] for line in path.read_text(encoding="utf-8").splitlines() if line.strip()}


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--kind", choices=["full", "recheck", "resume"], default="full")
    ap.add_argument("--timing", type=Path, help="JSON of the run times (a recheck adds its own to the full run's)")
    ap.add_argument("--names", action="store_true", help="only print the names of survivors and «no tests»")
    ap.add_argument("--seconds", type=int)
    ap.add_argument("--cpu", type=int)
    ap.add_argument("--load", nargs=2, metavar=("START", "END"))
    ap.add_argument("--load-log", type=Path)
    ap.add_argument("--phases", type=Path, nargs="+", default=[], help="phase files of the steps, in order")
    ap.add_argument("--survivors", type=Path)
    ap.add_argument("--update", type=Path)
    args = ap.parse_args()
    why = reasons()
    by_module: dict[str, Counter] = defaultdict(Counter)
    survivors: list[tuple[str, str, str]] = []
    source_of: dict[str, str] = {}
    not_tested = 0
    not_rerun = _not_rerun()
    for meta in sorted(Path("mutants").rglob("*.py.meta")):
        module = Path(str(meta.relative_to("mutants"))[: -len(".meta")]).name
        codes = json.loads(meta.read_text(encoding="utf-8")).get("exit_code_by_key", {})
        for name, code in sorted(codes.items()):
            if code is None and name in not_rerun:  # a recorded survivor, unchanged: counted as it was found
                kind, reason = why[name]
                by_module[module]["survived"] += 1
                by_module[module]["equivalent"] += kind == "equivalent"
                source_of[name] = str(meta.relative_to("mutants"))[: -len(".meta")]
                survivors.append((name, "survived (not re-run)", f"{kind}: {reason}"))
                continue
            if code is None:  # not in the sample (scripts/mutation_plan.py) or the run was stopped
                not_tested += 1
                continue
            status = status_by_exit_code[code]
            by_module[module][status] += 1
            if status in NOT_KILLED:
                source_of[name] = str(meta.relative_to("mutants"))[: -len(".meta")]
                kind, reason = why.get(name, ("", ""))
                if kind == "equivalent":
                    by_module[module]["equivalent"] += 1
                survivors.append((name, status, f"{kind}: {reason}" if kind else "no reason recorded yet"))
    lines = ["| module | mutants | killed | timeout | survived | no tests | other | equivalent | kill rate "
             "(raw) | kill rate (equivalents set aside) |", "|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|"]
    total: Counter = Counter()
    for module, c in sorted(by_module.items()):
        n = sum(v for k, v in c.items() if k != "equivalent")
        row = {k: c.get(k, 0) for k in ("killed", "timeout", "survived", "no tests", "equivalent")}
        row["other"] = n - sum(row[k] for k in ("killed", "timeout", "survived", "no tests"))
        total.update(row)
        total["n"] += n
        lines.append(_row(module, n, row))
    lines.append(_row("**all**", total["n"], total))
    lines.append("")
    lines.append("Kill rate = (killed + timeout) / mutants; «equivalents set aside» divides by mutants − equivalent. "
                 "A timeout is a mutant that made the tests hang or run far longer than without it: detected.")
    if not_rerun:
        lines.append(f"\n{len(not_rerun)} of the survivors are mutants recorded in tests/mutation/survivors.tsv "
                     "(equivalent or left) whose function and mutation are unchanged since (their fingerprint "
                     "matches): not run again (`MUTATE_RERUN_RECORDED=1 make mutate` runs them too).")
    if not_tested:
        lines.append(f"\n{not_tested} generated mutants were not tested (sample, or the run was stopped).")
    timing = _timing(args)
    for kind, t in timing.items():
        lines.append(f"\n{_timing_text(kind, t)}")
    where = REASONS.relative_to(ROOT)
    lines.append(f"\n### Survivors and «no tests» ({len(survivors)}), with the reason recorded in {where}\n")
    lines.append("| mutant | status | reason |")
    lines.append("|---|---|---|")
    for name, status, reason in survivors:
        lines.append(f"| `{name}` | {status} | {reason} |")
    stale = sorted(set(why) - {s[0] for s in survivors})
    if stale:
        lines.append(f"\nReasons recorded for mutants that did not survive this run (stale or now killed): "
                     f"{', '.join(stale)}")
    text = "\n".join(lines) + "\n"
    if args.names:
        print(" ".join(name for name, _, _ in survivors))
        return 0
    print(text)
    if args.survivors:
        from mutmut.mutation.diff_apply import get_diff_for_mutant

        with open(args.survivors, "w", encoding="utf-8") as fh:
            for name, status, reason in survivors:
                fh.write(f"## {name} ({status}; {reason})\n{get_diff_for_mutant(name, path=source_of[name])}\n")
    if args.update:
        doc = args.update.read_text(encoding="utf-8")
        doc = re.sub(re.escape(BEGIN) + ".*?" + re.escape(END), lambda _: f"{BEGIN}\n{text}{END}", doc, flags=re.S)
        args.update.write_text(doc, encoding="utf-8")
    return 0


def _timing(args) -> dict:
    """This run's times (and, for a recheck, the full run's from --timing); saved back to --timing."""
    saved = json.loads(args.timing.read_text(encoding="utf-8")) if args.timing and args.timing.is_file() else {}
    if args.seconds is None:
        return saved
    this = {"seconds": args.seconds, "cpu": args.cpu, "load": args.load}
    this["phases"] = []
    for path in args.phases:  # each step's phases, timed from the step's start, ending in ["end", t]
        if path.is_file():
            phases = json.loads(path.read_text(encoding="utf-8"))
            this["phases"] += [[name, round(t1 - t0)] for (name, t0), (_, t1) in zip(phases, phases[1:], strict=False)]
    if args.load_log and args.load_log.is_file():
        loads = [float(x.split()[1]) for x in args.load_log.read_text().splitlines() if len(x.split()) == 2]
        if loads:
            this["load_mean"], this["load_max"] = round(sum(loads) / len(loads), 1), max(loads)
    timing = {k: v for k, v in saved.items() if k != args.kind} if args.kind != "full" else {}
    timing[args.kind] = this
    if args.timing:
        args.timing.write_text(json.dumps(timing, indent=1), encoding="utf-8")
    return timing


def _timing_text(kind: str, t: dict) -> str:
    what = {"full": "Full run (`make mutate`)", "recheck": "Recheck of the named mutants (mutants/ kept)",
            "resume": "Resumed run (the mutants without a result; mutants/ kept)"}.get(kind, kind)
    out = f"{what}: {t['seconds']} s wall ({t['seconds'] / 60:.1f} min)"
    if t.get("cpu") is not None:
        out += f", CPU {t['cpu']} s ({t['cpu'] / 60:.1f} min; user + system of mutmut and its workers)"
    out += "."
    if t.get("phases"):
        out += " Phases (wall): " + "; ".join(f"{name} {s} s" for name, s in t["phases"]) + "."
    if t.get("load"):
        out += f" Load average (1/5/15 min) at start {t['load'][0]}, at end {t['load'][1]}"
        if t.get("load_mean") is not None:
            out += f"; 1-min load every 30 s: mean {t['load_mean']}, max {t['load_max']}"
        out += "; 2 cores."
    return out


def _row(module: str, n: int, row) -> str:
    detected = row["killed"] + row["timeout"]
    raw = detected / n if n else float("nan")
    rest = n - row["equivalent"]
    adj = detected / rest if rest else float("nan")
    cells = [row[k] for k in ("killed", "timeout", "survived", "no tests", "other", "equivalent")]
    return f"| {module} | {n} | " + " | ".join(map(str, cells)) + f" | {raw:.1%} | {adj:.1%} |"


if __name__ == "__main__":
    sys.exit(main())
