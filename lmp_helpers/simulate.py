"""`lmp simulate`: the seeded generator of the synthetic survey data (data/synthetic/).

The real answers are confidential. The synthetic data set reproduces every number the report publishes,
because the answer COUNTS are not drawn at random: `data/calibration.yml` fixes, for every group × item,
how many respondents answered 1, 2, 3, 4, 5 or nothing. The seed only decides which respondent gives
which answer. The algorithm, step by step (all randomness from one `numpy.random.default_rng(seed)`,
drawn in this order):

1. Respondent ids `<group>-001 …`; the published/illustrative pulje sizes are spread over the ids by a
   seeded permutation.
2. Every respondent gets a latent attitude z ~ N(0, 1); each pulje gets a seeded drop-out order.
3. For each item (codebook order):
   a. The item's missing answers are spread over pulje by a fixed, nested proportional sequence
      (`_proportional_sequence`), and inside a pulje they go to the first respondents of its drop-out
      order. So whoever skips few items also skips the items with more missing: a drop-out pattern.
   b. The item's answers, sorted, are dealt to pulje proportionally (`_deal`), so every pulje gets the
      same profile as far as integers allow: no pulje differs by construction (the report found no
      systematic pulje difference; nothing else about pulje is published).
   c. Inside a pulje, answers (sorted) go to respondents ranked by z + noise, so answers correlate
      across items like real attitudes do.

Same seed → byte-identical files (tested). Any seed reproduces every published number.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import yaml

from lmp_helpers.codebook import load_codebook
from lmp_helpers.errors import LmpInputError
from lmp_helpers.paths import DATA_DIR, SYNTHETIC_DIR

CALIBRATION_PATH = DATA_DIR / "calibration.yml"
CODES = (1, 2, 3, 4, 5)
DATASOURCE_FILE = "datasource.yml"


def load_calibration(path: str | Path | None = None) -> dict:
    """Read and check the calibration targets (counts add up to n, every item of the codebook present)."""
    path = Path(path) if path else CALIBRATION_PATH
    with open(path, encoding="utf-8") as fh:
        cal = yaml.safe_load(fh)
    cb = load_codebook()
    for group, spec in cal["groups"].items():
        g = cb.group(group)
        n = int(spec["n"])
        puljer = {int(k): int(v) for k, v in spec["pulje"].items()}
        if sum(puljer.values()) != n or not set(puljer) <= set(g.pulje):
            raise LmpInputError(
                f"{path}: gruppe {group}: pulje-størrelsene {puljer} må summere til n={n} "
                f"og bare bruke pulje {list(g.pulje)}"
            )
        expected_items = cb.items_for_group(group)
        if set(spec["items"]) != set(expected_items):
            raise LmpInputError(
                f"{path}: gruppe {group}: spørsmålene må være {', '.join(expected_items)}; "
                f"mangler {sorted(set(expected_items) - set(spec['items']))}, "
                f"ukjente {sorted(set(spec['items']) - set(expected_items))}"
            )
        for item, it in spec["items"].items():
            counts = it["counts"]
            if len(counts) != 6 or sum(counts) != n or min(counts) < 0:
                raise LmpInputError(
                    f"{path}: {group}.{item}: counts {counts} må være seks ikke-negative tall [1..5, mangler] "
                    f"som summerer til n={n}"
                )
    return cal


def _proportional_sequence(sizes: dict[int, int], length: int) -> list[int]:
    """A fixed order of pulje picks, proportional to `sizes` (largest deficit first, ties to lower pulje).

    The first k picks are a prefix of the first k+1 picks, so missing answers nest across items.
    """
    total = sum(sizes.values())
    picked = dict.fromkeys(sizes, 0)
    seq = []
    for j in range(length):
        open_ = [p for p in sizes if picked[p] < sizes[p]]
        best = max(open_, key=lambda p: (sizes[p] * (j + 1) / total - picked[p], -p))
        picked[best] += 1
        seq.append(best)
    return seq


def _deal(sorted_answers: list[int], quotas: dict[int, int]) -> dict[int, list[int]]:
    """Deal sorted answers to pulje so each pulje gets a proportional slice of the whole distribution."""
    seq = _proportional_sequence(quotas, len(sorted_answers))
    dealt: dict[int, list[int]] = {p: [] for p in quotas}
    for answer, p in zip(sorted_answers, seq, strict=True):
        dealt[p].append(answer)
    return dealt


def simulate_group(group: str, spec: dict, rng: np.random.Generator, noise: float) -> list[list]:
    """Rows (respondent_id, pulje, item codes or None) for one group; see the module docstring."""
    cb = load_codebook()
    n = int(spec["n"])
    puljer = {int(k): int(v) for k, v in spec["pulje"].items()}
    ids = [f"{group}-{i:03d}" for i in range(1, n + 1)]
    pulje_of = rng.permutation(np.repeat(list(puljer), list(puljer.values())))
    z = rng.standard_normal(n)
    members = {p: np.flatnonzero(pulje_of == p) for p in puljer}
    dropout = {p: rng.permutation(members[p]) for p in puljer}
    items = cb.items_for_group(group)
    answers = np.zeros((n, len(items)), dtype=np.int64)  # 0 = missing
    for j, item in enumerate(items):
        counts = spec["items"][item]["counts"]
        n_missing = counts[5]
        miss_seq = _proportional_sequence(puljer, n_missing)
        sorted_answers = [code for code, c in zip(CODES, counts[:5], strict=True) for _ in range(c)]
        quotas = {p: puljer[p] - miss_seq.count(p) for p in puljer}
        dealt = _deal(sorted_answers, quotas)
        noise_draw = rng.standard_normal(n)
        for p in puljer:
            answered = dropout[p][miss_seq.count(p):]
            key = z[answered] + noise * noise_draw[answered]
            ranked = answered[np.argsort(key, kind="stable")]
            answers[ranked, j] = dealt[p]
    rows = []
    for i in range(n):
        rows.append([ids[i], int(pulje_of[i])] + [int(a) if a else None for a in answers[i]])
    return rows


def _csv_text(columns: list[str], rows: list[list]) -> str:
    lines = [",".join(columns)]
    for row in rows:
        lines.append(",".join("" if v is None else str(v) for v in row))
    return "\n".join(lines) + "\n"


def _atomic_write(path: Path, text: str) -> None:
    from lmp_helpers.staging import write_atomic  # temp file + rename, mode from the umask

    write_atomic(path, text)


def _refuse_real_data(out: Path) -> None:
    """Never overwrite a real data set: a dir with survey CSVs but no synthetic datasource.yml is real."""
    cb = load_codebook()
    has_csv = any((out / g.file).exists() for g in cb.groups.values())
    if not has_csv:
        return
    ds = out / DATASOURCE_FILE
    kind = None
    if ds.exists():
        with open(ds, encoding="utf-8") as fh:
            kind = (yaml.safe_load(fh) or {}).get("kind")
    if kind != "synthetic":
        raise LmpInputError(
            f"{out} inneholder surveyfiler uten {DATASOURCE_FILE} med kind: synthetic (altså ekte data); "
            "lmp simulate skriver ikke over dem. Velg en annen --out."
        )


def simulate(out: str | Path | None = None, seed: int | None = None, calibration: str | Path | None = None):
    """Write the synthetic ppt/skoleleder/skoleeier CSVs and datasource.yml to `out`; return the paths."""
    cb = load_codebook()
    cal = load_calibration(calibration)
    seed = int(cal["seed"] if seed is None else seed)
    if seed < 0:
        raise LmpInputError(f"ugyldig seed {seed}; tillatt: et heltall ≥ 0")
    out = Path(out) if out else SYNTHETIC_DIR
    out.mkdir(parents=True, exist_ok=True)
    _refuse_real_data(out)
    rng = np.random.default_rng(seed)
    noise = float(cal.get("latent_noise", 1.0))
    texts = {}
    for group in cb.groups:  # codebook order fixes the order of random draws
        rows = simulate_group(group, cal["groups"][group], rng, noise)
        texts[cb.groups[group].file] = _csv_text(cb.columns_for_group(group), rows)
    datasource = {
        "kind": "synthetic",
        "seed": seed,
        "generator": "lmp simulate (lmp_helpers/simulate.py)",
        "calibration": "data/calibration.yml",
        "note": (
            "Syntetiske data, ikke ekte svar. Antall svar per kategori er kalibrert slik at alle tall "
            "rapporten publiserer blir gjenskapt; alt annet er illustrativt. Se data/README.md."
        ),
    }
    texts[DATASOURCE_FILE] = yaml.safe_dump(datasource, allow_unicode=True, sort_keys=False)
    paths = []
    for name, text in texts.items():  # all built before anything is written: no half data set on error
        path = out / name
        _atomic_write(path, text)
        paths.append(path)
    return paths


def cli_simulate(args) -> int:
    paths = simulate(out=args.out, seed=args.seed)
    for p in paths:
        print(p)
    return 0
