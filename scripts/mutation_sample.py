"""Print a seeded, stratified sample of the generated mutants (mutants/**/*.py.meta): N per module, or all.

Usage: python scripts/mutation_sample.py N|all [--seed S]
The whole set (about 3,500 mutants over the nine modules) needs hours on a 2-core machine, so `make mutate`
tests a random sample per module by default; the same seed gives the same sample for the same code.
"""

from __future__ import annotations

import json
import random
import sys
from pathlib import Path


def main() -> int:
    size = sys.argv[1] if len(sys.argv) > 1 else "all"
    seed = int(sys.argv[sys.argv.index("--seed") + 1]) if "--seed" in sys.argv else 16
    for meta in sorted(Path("mutants").rglob("*.py.meta")):
        names = sorted(json.loads(meta.read_text(encoding="utf-8")).get("exit_code_by_key", {}))
        if size != "all" and len(names) > int(size):
            names = sorted(random.Random(f"{seed}:{meta.name}").sample(names, int(size)))
        print("\n".join(names))
    return 0


if __name__ == "__main__":
    sys.exit(main())
