"""The synthetic data generator (`lmp simulate`): deterministic, calibrated, safe."""

from __future__ import annotations

import shutil
from pathlib import Path

import numpy as np
import pytest
import yaml

from lmp_helpers.audit import evaluate_claims
from lmp_helpers.cli import main
from lmp_helpers.codebook import load_codebook
from lmp_helpers.data import load_survey
from lmp_helpers.errors import LmpInputError
from lmp_helpers.paths import SYNTHETIC_DIR
from lmp_helpers.simulate import CALIBRATION_PATH, _proportional_sequence, load_calibration, simulate

FILES = ["ppt.csv", "skoleleder.csv", "skoleeier.csv", "datasource.yml"]


def _bytes(d: Path) -> dict[str, bytes]:
    return {f: (d / f).read_bytes() for f in FILES}


def test_same_seed_gives_byte_identical_files(tmp_path: Path):
    assert main(["simulate", "--seed", "7", "--out", str(tmp_path / "a")]) == 0
    assert main(["simulate", "--seed", "7", "--out", str(tmp_path / "b")]) == 0
    assert _bytes(tmp_path / "a") == _bytes(tmp_path / "b")


def test_shipped_data_is_exactly_what_the_default_seed_produces(tmp_path: Path):
    simulate(out=tmp_path)
    assert _bytes(tmp_path) == _bytes(SYNTHETIC_DIR)


def test_other_seeds_differ_but_still_reproduce_every_claim(tmp_path: Path):
    simulate(out=tmp_path / "s1", seed=1)
    simulate(out=tmp_path / "s2", seed=2)
    assert _bytes(tmp_path / "s1")["ppt.csv"] != _bytes(tmp_path / "s2")["ppt.csv"]
    for d in ("s1", "s2"):
        result = evaluate_claims(tmp_path / d)
        assert result["holds"].all(), result.loc[~result["holds"], ["id", "expected", "computed"]].to_string()


def test_datasource_records_kind_seed_and_note(tmp_path: Path):
    simulate(out=tmp_path, seed=3)
    meta = yaml.safe_load((tmp_path / "datasource.yml").read_text(encoding="utf-8"))
    assert meta["kind"] == "synthetic" and meta["seed"] == 3 and "ikke ekte svar" in meta["note"]


def test_counts_equal_the_calibration_targets():
    cb = load_codebook()
    cal = load_calibration()
    survey = load_survey()
    for group, spec in cal["groups"].items():
        df = survey[group]
        assert len(df) == spec["n"]
        assert df["pulje"].value_counts().to_dict() == {int(k): v for k, v in spec["pulje"].items()}
        for item in cb.items_for_group(group):
            col = df[item]
            got = [int((col == c).sum()) for c in (1, 2, 3, 4, 5)] + [int(col.isna().sum())]
            assert got == spec["items"][item]["counts"], (group, item)


def test_missing_answers_nest_like_drop_out():
    """Whoever skips an item with few missing answers also skips the items with more missing."""
    cb = load_codebook()
    for group, df in load_survey().items():
        sets = [set(df.index[df[i].isna()]) for i in cb.items_for_group(group)]
        for a in sets:
            for b in sets:
                if len(a) <= len(b):
                    assert a <= b, group


def test_published_pulje_split_and_owner_split():
    survey = load_survey()
    assert survey["ppt"]["pulje"].value_counts().to_dict() == {1: 6, 2: 15, 3: 7}
    assert survey["skoleeier"]["pulje"].value_counts().to_dict() == {1: 4, 2: 6}


def test_answers_correlate_across_items():
    # a latent attitude drives each respondent's answers (mean inter-item correlation clearly positive)
    df = load_survey()["skoleleder"]
    items = df.columns[2:]
    corr = df[items].astype(float).corr().to_numpy()
    assert np.nanmean(corr[np.triu_indices(len(items), 1)]) > 0.2


def test_proportional_sequence_is_nested_and_proportional():
    seq = _proportional_sequence({1: 6, 2: 15, 3: 7}, 28)
    assert [seq.count(p) for p in (1, 2, 3)] == [6, 15, 7]
    assert seq[:3] == [2, 3, 1]


def test_refuses_to_overwrite_real_data(tmp_path: Path):
    real = tmp_path / "real"
    shutil.copytree(SYNTHETIC_DIR, real)
    (real / "datasource.yml").unlink()
    before = {p.name: p.read_bytes() for p in real.iterdir()}
    with pytest.raises(LmpInputError, match=r"ekte data.*skriver ikke over"):
        simulate(out=real, seed=1)
    assert {p.name: p.read_bytes() for p in real.iterdir()} == before


def test_bad_calibration_is_refused(tmp_path: Path):
    cal = yaml.safe_load(CALIBRATION_PATH.read_text(encoding="utf-8"))
    cal["groups"]["skoleeier"]["items"]["rolle_uklar"]["counts"] = [0, 2, 2, 3, 2, 2]  # sums to 11, n = 10
    bad = tmp_path / "cal.yml"
    bad.write_text(yaml.safe_dump(cal, allow_unicode=True), encoding="utf-8")
    with pytest.raises(LmpInputError, match=r"skoleeier\.rolle_uklar.*n=10"):
        simulate(out=tmp_path / "out", calibration=bad)
    assert not (tmp_path / "out" / "skoleeier.csv").exists()


def test_negative_seed_is_refused(tmp_path: Path):
    with pytest.raises(LmpInputError, match=r"seed"):
        simulate(out=tmp_path, seed=-1)
