"""Narrow mutmut's test map by module, as tests/mutation/selection.toml says (used by scripts/mutate.sh).

mutmut records, in its stats pass, which tests call each mutated function
(`tests_by_mangled_function_name` in mutants/mutmut-stats.json) and runs exactly those for the function's mutants.
This rewrites that map in place between the stats pass and the mutant runs (narrowing an already narrowed map
changes nothing), and prints per module how many (function, test) pairs and test seconds the rules removed.
"""

from __future__ import annotations

import argparse
import json
import sys
import tomllib
from collections import defaultdict
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
RULES = ROOT / "tests" / "mutation" / "selection.toml"


def module_of(mangled_function: str) -> str:
    """`lmp_helpers.tables.x_figure_table` and `lmp_helpers.book.xǁChapterǁstart` → the module's short name."""
    parts = mangled_function.split(".")
    if len(parts) < 3 or parts[0] != "lmp_helpers":
        raise ValueError(f"mutmut-stats.json: uventet funksjonsnavn {mangled_function!r}")
    return parts[1]


def test_file(test_id: str) -> str:
    return test_id.split("::", 1)[0]


def load_rules(path: Path = RULES) -> dict[str, set[str]]:
    """Test file → the modules whose mutants it may run for."""
    try:
        rules = tomllib.loads(path.read_text(encoding="utf-8"))
    except tomllib.TOMLDecodeError as error:
        raise SystemExit(f"{path}: ugyldig TOML ({error})") from None
    unknown = set(rules) - {"only_for"}
    if unknown:
        raise SystemExit(f"{path}: ukjent tabell {sorted(unknown)}; tillatt er [only_for]")
    only_for = rules.get("only_for", {})
    for file, modules in only_for.items():
        if not (ROOT / file).is_file():
            raise SystemExit(f"{path}: [only_for] nevner {file}, som ikke finnes")
        if not isinstance(modules, list) or not modules or not all(isinstance(m, str) for m in modules):
            raise SystemExit(f"{path}: [only_for] {file} må være en ikke-tom liste av modulnavn")
        missing = [m for m in modules if not (ROOT / "lmp_helpers" / f"{m}.py").is_file()]
        if missing:
            raise SystemExit(f"{path}: [only_for] {file} nevner moduler som ikke finnes: {missing}")
    return {file: set(modules) for file, modules in only_for.items()}


def select(stats: dict, only_for: dict[str, set[str]]) -> tuple[dict, dict[str, tuple[int, float]]]:
    """The stats with the test map narrowed, and per module (tests removed from its functions' maps, seconds)."""
    durations = stats["duration_by_test"]
    removed: dict[str, list] = defaultdict(lambda: [0, 0.0])
    narrowed = {}
    for function, tests in stats["tests_by_mangled_function_name"].items():
        module = module_of(function)
        keep = []
        for test in tests:
            allowed = only_for.get(test_file(test))
            if allowed is None or module in allowed:
                keep.append(test)
            else:
                removed[module][0] += 1
                removed[module][1] += durations.get(test, 0.0)
        narrowed[function] = sorted(keep)
    return {**stats, "tests_by_mangled_function_name": narrowed}, {m: (n, s) for m, (n, s) in removed.items()}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("stats", type=Path, nargs="?", default=ROOT / "mutants" / "mutmut-stats.json")
    args = parser.parse_args(argv)
    stats = json.loads(args.stats.read_text(encoding="utf-8"))
    narrowed, removed = select(stats, load_rules())
    tmp = args.stats.with_suffix(".json.tmp")
    tmp.write_text(json.dumps(narrowed), encoding="utf-8")
    tmp.replace(args.stats)
    for module, (count, seconds) in sorted(removed.items()):
        print(f"mutation_select: {module}: {count} test-funksjon-par fjernet ({seconds:.1f} s)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
