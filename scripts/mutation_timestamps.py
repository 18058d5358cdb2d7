"""Copy mutmut's output to a log, each line prefixed with the seconds since start, and record when each phase
of the run begins (generation incl. the coverage pass, stats, clean run, forced fail, mutants).

Usage: mutmut run ... 2>&1 | python scripts/mutation_timestamps.py LOG PHASES_JSON
mutmut redraws a spinner and its progress line with carriage returns: only phase changes, other lines and every
30th progress line are kept.
"""

from __future__ import annotations

import json
import sys
import time

PHASES = {  # text mutmut prints when a phase starts -> phase name
    "Generating mutants": "generate (coverage pass + mutants)",
    "Running stats": "stats (test <-> function map)",
    "Listing all tests": "stats (test <-> function map)",
    "Running clean tests": "clean run",
    "Running forced fail test": "forced fail",
    "Running mutation testing": "mutants",
}


def main() -> int:
    log_path, phases_path = sys.argv[1], sys.argv[2]
    start = time.monotonic()
    phases: list[list] = []
    seen_progress = 0
    with open(log_path, "w", encoding="utf-8") as log:
        buf = ""
        while chunk := sys.stdin.read(1):
            if chunk not in "\r\n":
                buf += chunk
                continue
            line, buf = buf.strip(), ""
            if not line:
                continue
            t = time.monotonic() - start
            for text, name in PHASES.items():
                if text in line and (not phases or phases[-1][0] != name):
                    phases.append([name, round(t, 1)])
                    log.write(f"[{t:7.1f}s] == phase: {name}\n")
            if "\u2800" <= line[0] <= "\u28ff":  # a spinner redraw («⠋ Generating mutants»)
                if "🎉" not in line:  # keep every 30th progress line (counts of killed 🎉, survived 🙁 …)
                    continue
                seen_progress += 1
                if seen_progress % 30:
                    continue
            log.write(f"[{t:7.1f}s] {line}\n")
            log.flush()
        phases.append(["end", round(time.monotonic() - start, 1)])
    with open(phases_path, "w", encoding="utf-8") as fh:
        json.dump(phases, fh)
    return 0


if __name__ == "__main__":
    sys.exit(main())
