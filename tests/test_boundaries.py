"""Values just outside what is allowed, inputs in another Unicode form, and the floor of a permutation p.

Each test here kills a mistake the rest of the suite let through: a loader that takes answer code 6 (the
bad-input cases used 0 and 7), an importer without Unicode normalisation (an export whose «å» is «a» +
combining ring, as some macOS tools write), and a permutation p-value without the +1 that keeps it ≥ 1/(B+1).
"""

from __future__ import annotations

import csv
import unicodedata
from pathlib import Path

import numpy as np
import pytest

from lmp_helpers import stats
from lmp_helpers.codebook import load_codebook
from lmp_helpers.data import load_survey, read_group
from lmp_helpers.errors import LmpInputError
from lmp_helpers.importer import import_export
from lmp_helpers.paths import SYNTHETIC_DIR


def _rows(path: Path) -> list[list[str]]:
    with open(path, encoding="utf-8", newline="") as fh:
        return list(csv.reader(fh))


def _write(path: Path, rows: list[list[str]], encoding: str = "utf-8") -> Path:
    with open(path, "w", encoding=encoding, newline="") as fh:
        csv.writer(fh, lineterminator="\n").writerows(rows)
    return path


def _with_value(tmp_path: Path, group: str, column: str, row: int, value: str) -> Path:
    """A copy of the shipped data directory with one cell of `group`'s CSV replaced (row 0 = first data row)."""
    import shutil

    data = tmp_path / "data"
    shutil.copytree(SYNTHETIC_DIR, data)
    path = data / f"{group}.csv"
    rows = _rows(path)
    rows[row + 1][rows[0].index(column)] = value
    _write(path, rows)
    return data


# -- answer codes and pulje just outside the codebook's scale ---------------------------------------------
def _outside_scale() -> list[int]:
    cb = load_codebook()
    lo, hi = min(cb.scale), max(cb.scale)
    return [lo - 1, hi + 1, lo - 2, hi + 2]


@pytest.mark.parametrize("code", _outside_scale())
def test_loader_refuses_answer_codes_just_outside_the_scale(tmp_path, code):
    data = _with_value(tmp_path, "skoleeier", "rolle_uklar", 3, str(code))
    with pytest.raises(LmpInputError) as err:
        load_survey(data)
    msg = str(err.value)
    assert "skoleeier.csv" in msg and "linje 5" in msg and "rolle_uklar" in msg, msg
    assert f"koden {code}" in msg and "1–5" in msg, msg


@pytest.mark.parametrize("code", sorted(load_codebook().scale))
def test_loader_accepts_every_code_on_the_scale(tmp_path, code):
    data = _with_value(tmp_path, "skoleeier", "rolle_uklar", 3, str(code))
    assert int(load_survey(data)["skoleeier"]["rolle_uklar"].iloc[3]) == code


@pytest.mark.parametrize("value", ["1.5", "5.01", "4,0", "fem"])
def test_loader_refuses_non_integer_codes(tmp_path, value):
    data = _with_value(tmp_path, "skoleeier", "rolle_uklar", 0, value)
    with pytest.raises(LmpInputError, match=r"skoleeier\.csv, linje 2, kolonne rolle_uklar: feil type"):
        load_survey(data)


@pytest.mark.parametrize(
    "group,pulje", [("ppt", "0"), ("ppt", "4"), ("skoleeier", "3"), ("skoleleder", "3"), ("skoleeier", "0")]
)
def test_loader_refuses_pulje_just_outside_the_groups_puljer(tmp_path, group, pulje):
    data = _with_value(tmp_path, group, "pulje", 1, pulje)
    allowed = ", ".join(str(p) for p in load_codebook().group(group).pulje)
    with pytest.raises(LmpInputError) as err:
        load_survey(data)
    msg = str(err.value)
    assert f"{group}.csv, linje 3, kolonne pulje: ugyldig pulje {pulje}" in msg and allowed in msg, msg


def test_loader_lists_the_first_lines_and_counts_the_rest(tmp_path):
    data = _with_value(tmp_path, "ppt", "rolle_uklar", 0, "6")
    path = data / "ppt.csv"
    rows = _rows(path)
    col = rows[0].index("rolle_uklar")
    for r in rows[1:8]:
        r[col] = "6"
    _write(path, rows)
    with pytest.raises(LmpInputError, match=r"linje 2, 3, 4, 5, 6 \(og 2 til\)"):
        read_group(path, "ppt")


def test_stats_refuses_codes_just_outside_the_scale():
    import pandas as pd

    cb = load_codebook()
    # In a loaded frame 0 never occurs (missing is <NA>, counted as code 0), so 6 and −1 are the codes outside.
    for code in (max(cb.scale) + 1, -1):
        df = pd.DataFrame({"respondent_id": ["a", "b"], "pulje": [1, 1], "rolle_uklar": [3, code]})
        with pytest.raises(LmpInputError, match=rf"svarkode (np\.int64\()?{code}\)? i kolonne rolle_uklar, rad 2"):
            stats.answer_counts(df, ["rolle_uklar"], "ppt")
    df = pd.DataFrame({"respondent_id": ["a", "b"], "pulje": [1, 3], "rolle_uklar": [1, 5]})
    assert stats.answer_counts(df, ["rolle_uklar"], "ppt")[0].tolist() == [
        [0, 1, 0, 0, 0, 0], [0, 0, 0, 0, 0, 0], [0, 0, 0, 0, 0, 1]
    ]


# -- the importer and Unicode normalisation ---------------------------------------------------------------
def test_import_of_an_nfd_export_gives_the_canonical_file(tmp_path):
    """Question texts with «å» written as «a» + U+030A (NFD) are the same questions."""
    cb = load_codebook()
    shipped = SYNTHETIC_DIR / "ppt.csv"
    rows = _rows(shipped)
    header = rows[0]
    texts = [cb.item(h).text_for("ppt") if h in cb.items else h for h in header]
    nfd = [unicodedata.normalize("NFD", t) for t in texts]
    changed = [t for t, d in zip(texts, nfd, strict=True) if t != d]
    assert len(changed) >= 4, "the question texts should contain letters that decompose (å in «fått»)"
    assert all(unicodedata.normalize("NFC", d) == t for t, d in zip(texts, nfd, strict=True))
    export = _write(tmp_path / "eksport.csv", [nfd, *rows[1:]])
    target = import_export(export, "ppt", tmp_path / "ekte")
    assert target.read_bytes() == shipped.read_bytes()


@pytest.mark.parametrize("code", ["0", "6"])
def test_importer_refuses_codes_just_outside_the_scale(tmp_path, code):
    rows = _rows(SYNTHETIC_DIR / "skoleeier.csv")
    rows[2][rows[0].index("rolle_uklar")] = code
    export = _write(tmp_path / "eksport.csv", rows)
    with pytest.raises(LmpInputError, match=rf"ukjente svar – kolonne rolle_uklar: '{code}' på linje 3"):
        import_export(export, "skoleeier", tmp_path / "ekte")
    assert not (tmp_path / "ekte" / "skoleeier.csv").exists()


# -- permutation p-values ------------------------------------------------------------------------------
@pytest.mark.parametrize("n_resamples", [9, 99, 999])
def test_permutation_p_is_exactly_the_floor_when_no_resample_reaches_h(n_resamples):
    """Completely separated groups: practically no permutation reaches H_obs, so p = 1/(B+1), not 0."""
    _, p = stats.kruskal_permutation([[1] * 10, [5] * 10], n_resamples=n_resamples, seed=4)
    assert p == 1 / (n_resamples + 1)


@pytest.mark.parametrize("seed", range(5))
def test_permutation_p_is_a_count_over_b_plus_one(seed):
    rng = np.random.default_rng(seed)
    groups = [rng.integers(1, 6, size) for size in (7, 9, 5)]
    b = 199
    _, p = stats.kruskal_permutation(groups, n_resamples=b, seed=seed)
    count = p * (b + 1)
    assert count == pytest.approx(round(count), abs=1e-9) and 1 <= round(count) <= b + 1
