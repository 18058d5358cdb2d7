"""Which mutants a `make mutate` run tests (used by scripts/mutate.sh), and the fingerprints of equivalent ones.

Usage:
  python scripts/mutation_plan.py [--sample N] [--seed S] [--untested-only] [--rerun-equivalents]
      Prints the names of the mutants to test, one per line: every generated mutant (mutants/**/*.py.meta), or a
      seeded sample of N per module; with --untested-only only those without a result (a resumed run). Left out
      are the mutants recorded as `equivalent` in tests/mutation/survivors.tsv whose recorded fingerprint is
      still theirs: the same mutation (mutmut's diff) of the same function source (mutmut's hash of it). No
      test can kill an equivalent mutant, and a survivor is the costliest kind of mutant (it runs every test
      mapped to its function), so they are not run again while neither changes. They are written to
      mutants/not-rerun.tsv; scripts/mutation_summary.py counts them as equivalent survivors, marked «not re-run».
      --rerun-equivalents (MUTATE_EQUIVALENTS=1) tests them too: the check that each recorded reason still holds.
  python scripts/mutation_plan.py --write-fingerprints
      After a run: every `equivalent` row of survivors.tsv whose mutant survived in mutants/ gets its current
      fingerprint as a fourth column; rows of mutants that were killed lose theirs; untested ones keep theirs.

A fingerprint covers the function and the mutation, not the callers: a reason that rests on how other code
calls the function («the only caller passes …») is not re-checked when only the caller changes. That is what
a run with MUTATE_EQUIVALENTS=1 is for (tests/MUTATION.md).
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


def recorded_equivalents() -> dict[str, str]:
    """Mutant name → recorded fingerprint, for equivalent rows that have one."""
    return {r[0]: r[3] for r in read_rows() if len(r) == 4 and r[1] == "equivalent"}


def plan(sample: str, seed: int, untested_only: bool, rerun_equivalents: bool) -> tuple[list[str], list[str]]:
    """(names to test, recorded equivalents left out with their fingerprint as «name<TAB>fingerprint»)."""
    metas = read_metas()
    equivalents = {} if rerun_equivalents else recorded_equivalents()
    run, left_out = [], []
    for path, meta in metas.items():
        codes = meta.get("exit_code_by_key", {})
        names = sorted(codes)
        if sample != "all" and len(names) > int(sample):
            names = sorted(random.Random(f"{seed}:{Path(path).name}.meta").sample(names, int(sample)))
        for name in names:
            if untested_only and codes[name] is not None:
                continue
            recorded = equivalents.get(name)
            if recorded is not None and recorded == fingerprint(name, path, meta):
                left_out.append(f"{name}\t{recorded}")
            else:
                run.append(name)
    return run, left_out


def write_fingerprints() -> tuple[int, int]:
    """(equivalent rows fingerprinted, rows whose fingerprint was dropped)."""
    metas = read_metas()
    source = {name: path for path, meta in metas.items() for name in meta.get("exit_code_by_key", {})}
    status = {name: metas[path]["exit_code_by_key"][name] for name, path in source.items()}
    not_rerun = set()
    if NOT_RERUN.is_file():  # left out of this run as unchanged: their fingerprint still holds
        not_rerun = {line.split("\t")[0] for line in NOT_RERUN.read_text(encoding="utf-8").splitlines() if line}
    out, marked, dropped = [], 0, 0
    for row in read_rows():
        if len(row) >= 3 and row[1] == "equivalent" and row[0] not in not_rerun:
            name = row[0]
            if status.get(name) == 0:
                row = row[:3] + [fingerprint(name, source[name], metas[source[name]])]
                marked += 1
            elif len(row) == 4 and status.get(name) is not None:  # killed now: not equivalent after all
                row, dropped = row[:3], dropped + 1
        elif len(row) == 4 and row[0] in not_rerun:
            marked += 1
        out.append("\t".join(row))
    tmp = REASONS.with_suffix(".tsv.tmp")
    tmp.write_text("\n".join(out) + "\n", encoding="utf-8")
    tmp.replace(REASONS)
    return marked, dropped


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--sample", default="all", help="N mutants per module, or all")
    ap.add_argument("--seed", type=int, default=16)
    ap.add_argument("--untested-only", action="store_true")
    ap.add_argument("--rerun-equivalents", action="store_true")
    ap.add_argument("--write-fingerprints", action="store_true")
    args = ap.parse_args(argv)
    if args.sample != "all" and not (args.sample.isdigit() and int(args.sample) > 0):
        raise SystemExit(f"mutation_plan: --sample er et positivt heltall eller «all», ikke {args.sample!r}")
    if args.write_fingerprints:
        marked, dropped = write_fingerprints()
        print(f"mutation_plan: {marked} ekvivalente mutanter med fingeravtrykk, {dropped} fjernet", file=sys.stderr)
        return 0
    run, left_out = plan(args.sample, args.seed, args.untested_only, args.rerun_equivalents)
    tmp = NOT_RERUN.with_suffix(".tsv.tmp")
    tmp.write_text("".join(f"{line}\n" for line in left_out), encoding="utf-8")
    tmp.replace(NOT_RERUN)
    print("\n".join(run))
    print(f"mutation_plan: {len(run)} mutanter testes, {len(left_out)} registrerte ekvivalente ikke kjørt på nytt",
          file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
