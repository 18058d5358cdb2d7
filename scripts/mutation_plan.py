"""Which mutants a `make mutate` run tests (used by scripts/mutate.sh), and the fingerprints of recorded survivors.

Usage:
  python scripts/mutation_plan.py [--sample N] [--seed S] [--untested-only] [--rerun-recorded]
      Prints the names of the mutants to test, one per line: every generated mutant (mutants/**/*.py.meta), or a
      seeded sample of N per module; with --untested-only only those without a result (a resumed run). Left out
      are the survivors recorded in tests/mutation/survivors.tsv (`equivalent` or `left`) whose recorded
      fingerprint is still theirs: the same mutation (mutmut's diff) of the same function source (mutmut's hash
      of it). No test can kill an equivalent mutant, a `left` one survived every test when its reason was
      written, and a survivor is the costliest kind of mutant (it runs every test mapped to its function), so
      they are not run again while neither changes. They are written to mutants/not-rerun.tsv;
      scripts/mutation_summary.py counts them as survivors of their recorded kind, marked «not re-run».
      --rerun-recorded (MUTATE_RERUN_RECORDED=1) tests them too: the check that each recorded reason still holds,
      and the way to see a `left` mutant killed by a new test (or delete its row when the test is written).
      A recorded fingerprint found under another number of the same function (mutmut numbers a function's
      mutants in the order of its covered lines, so a test covering a new line shifts them) moves its row to
      that number in survivors.tsv before the plan is made.
  python scripts/mutation_plan.py --write-fingerprints
      After a run: every recorded row whose mutant survived in mutants/ gets its current fingerprint as a fourth
      column; rows of mutants that were killed lose theirs; untested ones keep theirs. A row that has a
      fingerprint and whose mutant survived as another mutation keeps it and is named for re-reading.

A fingerprint covers the function and the mutation, not the callers: a reason that rests on how other code
calls the function («the only caller passes …») is not re-checked when only the caller changes. That is what
a run with MUTATE_RERUN_RECORDED=1 is for (tests/MUTATION.md).
"""

from __future__ import annotations

import argparse
import hashlib
import json
import random
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
REASONS = ROOT / "tests" / "mutation" / "survivors.tsv"
MUTANTS = ROOT / "mutants"
NOT_RERUN = MUTANTS / "not-rerun.tsv"


def read_metas() -> dict[str, dict]:
    """Source path (lmp_helpers/x.py) → mutmut's meta of that file."""
    return {
        str(meta.relative_to(MUTANTS))[: -len(".meta")]: json.loads(meta.read_text(encoding="utf-8"))
        for meta in sorted(MUTANTS.rglob("*.py.meta"))
    }


def mutant_files(metas: dict[str, dict]) -> dict[str, str]:
    """Mutant name → its source path (lmp_helpers/x.py)."""
    return {name: path for path, meta in metas.items() for name in meta.get("exit_code_by_key", {})}


def fingerprint(name: str, path: str, meta: dict) -> str:
    """12 hex digits over mutmut's hash of the function's source and the mutant's diff (its hunk, no header)."""
    from mutmut.mutation.diff_apply import get_diff_for_mutant

    function = name.rsplit("__mutmut_", 1)[0].split(".")[-1]
    function_hash = meta.get("hash_by_function_name", {}).get(function)
    if function_hash is None:
        raise SystemExit(f"mutation_plan: ingen hash for funksjonen {function} i {path}.meta")
    diff = get_diff_for_mutant(name, path=path).splitlines()[2:]  # drop the ---/+++ lines naming the file
    return hashlib.sha256("\n".join([function_hash, *diff]).encode("utf-8")).hexdigest()[:12]


def read_rows() -> list[list[str]]:
    """survivors.tsv as rows: comment lines as [line], entries as [name, kind, reason] or [..., fingerprint]."""
    rows: list[list[str]] = []
    if not REASONS.is_file():
        return rows
    for number, line in enumerate(REASONS.read_text(encoding="utf-8").splitlines(), start=1):
        if not line.strip() or line.startswith("#"):
            rows.append([line])
            continue
        cells = line.split("\t")
        if len(cells) not in (3, 4) or cells[1] not in ("equivalent", "left"):
            raise SystemExit(
                f"{REASONS}:{number}: en rad er «mutant<TAB>equivalent|left<TAB>begrunnelse[<TAB>fingeravtrykk]»"
            )
        rows.append(cells)
    return rows


def recorded_survivors() -> dict[str, str]:
    """Mutant name → recorded fingerprint, for rows (equivalent or left) that have one."""
    return {r[0]: r[3] for r in read_rows() if len(r) == 4}


def write_rows(rows: list[list[str]]) -> None:
    tmp = REASONS.with_suffix(".tsv.tmp")
    tmp.write_text("".join("\t".join(row) + "\n" for row in rows), encoding="utf-8")
    tmp.replace(REASONS)


def function_of(name: str) -> str:
    """`lmp_helpers.stats.x_f__mutmut_12` → `lmp_helpers.stats.x_f`."""
    return name.rsplit("__mutmut_", 1)[0]


def follow_moved(source: dict[str, str], recorded: dict[str, str], current) -> dict[str, str]:
    """Old name → new name for recorded rows whose fingerprint is no longer their own mutant's but exactly one
    other mutant's of the same function (its number moved). `current(name)` is the mutant's fingerprint now;
    only functions with such a row are fingerprinted whole."""
    lost = {name: p for name, p in recorded.items() if name not in source or current(name) != p}
    if not lost:
        return {}
    functions = {function_of(n) for n in lost}
    by_function: dict[str, dict[str, str]] = {f: {} for f in functions}
    for name in source:
        if function_of(name) in functions:
            by_function[function_of(name)][name] = current(name)
    moved = {}
    for name, recorded_print in lost.items():
        hits = [n for n, p in by_function[function_of(name)].items() if p == recorded_print]
        if len(hits) == 1 and hits[0] != name:
            moved[name] = hits[0]
    return moved


def move_rows(moved: dict[str, str]) -> None:
    """Rename rows all at once (two rows may swap numbers); a row whose mutant moved onto another row's number
    replaces that row only if that row moved away too, otherwise the move is refused."""
    rows = read_rows()
    names = {r[0] for r in rows if len(r) > 1}
    staying = names - set(moved)
    clash = sorted(new for new in moved.values() if new in staying)
    if clash:
        raise SystemExit(f"mutation_plan: flyttede rader ville overskrive rader som står: {clash}")
    write_rows([[moved.get(r[0], r[0]), *r[1:]] if len(r) > 1 else r for r in rows])


def plan(sample: str, seed: int, untested_only: bool, rerun_recorded: bool) -> tuple[list[str], list[str]]:
    """(names to test, recorded survivors left out with their fingerprint as «name<TAB>fingerprint»)."""
    metas = read_metas()
    source = mutant_files(metas)
    prints: dict[str, str] = {}  # each mutant fingerprinted once (a diff costs ~0.1 s), moves and plan alike

    def current(name: str) -> str:
        if name not in prints:
            prints[name] = fingerprint(name, source[name], metas[source[name]])
        return prints[name]

    recorded = {} if rerun_recorded else recorded_survivors()
    moved = follow_moved(source, recorded, current)
    if moved:
        move_rows(moved)
        for old, new in sorted(moved.items()):
            print(f"mutation_plan: {old} heter nå {new} (samme mutasjon og funksjon)", file=sys.stderr)
        recorded = recorded_survivors()
    run, left_out = [], []
    for path, meta in metas.items():
        codes = meta.get("exit_code_by_key", {})
        names = sorted(codes)
        if sample != "all" and len(names) > int(sample):
            names = sorted(random.Random(f"{seed}:{Path(path).name}.meta").sample(names, int(sample)))
        for name in names:
            if untested_only and codes[name] is not None:
                continue
            known = recorded.get(name)
            if known is not None and known == current(name):
                left_out.append(f"{name}\t{known}")
            else:
                run.append(name)
    return run, left_out


def write_fingerprints() -> tuple[int, int, list[str]]:
    """(recorded rows fingerprinted, rows whose fingerprint was dropped, rows to re-read). A row whose mutant
    survived under a fingerprint other than its recorded one (the function or the mutation under that number
    changed, and no move found it) keeps its old fingerprint and is named: its reason may now describe another
    mutation. After re-reading the reason against `mutmut show <name>`, delete the fingerprint (or the row)."""
    metas = read_metas()
    source = mutant_files(metas)
    status = {name: metas[path]["exit_code_by_key"][name] for name, path in source.items()}
    not_rerun = set()
    if NOT_RERUN.is_file():  # left out of this run as unchanged: their fingerprint still holds
        not_rerun = {line.split("\t")[0] for line in NOT_RERUN.read_text(encoding="utf-8").splitlines() if line}
    out, marked, dropped, review = [], 0, 0, []
    for row in read_rows():
        if len(row) >= 3 and row[0] not in not_rerun:
            name = row[0]
            if status.get(name) == 0:
                current = fingerprint(name, source[name], metas[source[name]])
                if len(row) == 4 and row[3] != current:
                    review.append(name)
                else:
                    row = row[:3] + [current]
                    marked += 1
            elif len(row) == 4 and status.get(name) is not None:  # killed now: the reason no longer holds
                row, dropped = row[:3], dropped + 1
        elif len(row) == 4 and row[0] in not_rerun:
            marked += 1
        out.append(row)
    write_rows(out)
    return marked, dropped, review


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--sample", default="all", help="N mutants per module, or all")
    ap.add_argument("--seed", type=int, default=16)
    ap.add_argument("--untested-only", action="store_true")
    ap.add_argument("--rerun-recorded", action="store_true")
    ap.add_argument("--write-fingerprints", action="store_true")
    args = ap.parse_args(argv)
    if args.sample != "all" and not (args.sample.isdigit() and int(args.sample) > 0):
        raise SystemExit(f"mutation_plan: --sample er et positivt heltall eller «all», ikke {args.sample!r}")
    if args.write_fingerprints:
        marked, dropped, review = write_fingerprints()
        print(f"mutation_plan: {marked} registrerte overlevende med fingeravtrykk, {dropped} fjernet", file=sys.stderr)
        for name in review:
            print(f"mutation_plan: {name} overlevde som en annen mutasjon enn begrunnelsen ble skrevet for; les "
                  "begrunnelsen mot `mutmut show` og slett fingeravtrykket (eller raden)", file=sys.stderr)
        return 0
    run, left_out = plan(args.sample, args.seed, args.untested_only, args.rerun_recorded)
    tmp = NOT_RERUN.with_suffix(".tsv.tmp")
    tmp.write_text("".join(f"{line}\n" for line in left_out), encoding="utf-8")
    tmp.replace(NOT_RERUN)
    print("\n".join(run))
    print(f"mutation_plan: {len(run)} mutanter testes, {len(left_out)} registrerte overlevende ikke kjørt på nytt",
          file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
