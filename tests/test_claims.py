"""Every quantitative statement of the report holds on the synthetic data, computed by the package.

`evaluate_claims` computes through `tables.figure_table` (the numbers the book shows); the expected values
are the ones typed from the report into data/report_claims.csv, and the key published numbers are typed
here a second time so a wrong claims file cannot pass unnoticed.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import pandas as pd
import pytest

from lmp_helpers.audit import RESULT_COLUMNS, evaluate_claims
from lmp_helpers.data import load_claims
from lmp_helpers.paths import SYNTHETIC_DIR
from lmp_helpers.tables import figure_table

CLAIM_IDS = load_claims()["id"].tolist()


@pytest.fixture(scope="module")
def audit() -> pd.DataFrame:
    return evaluate_claims().set_index("id")


@pytest.mark.parametrize("claim_id", CLAIM_IDS)
def test_claim_holds(audit: pd.DataFrame, claim_id: str):
    row = audit.loc[claim_id]
    assert row["holds"], f"{claim_id}: {row['claim']} — forventet {row['expected']}, beregnet {row['computed']}"


def test_result_columns(audit: pd.DataFrame):
    assert list(audit.reset_index().columns) == RESULT_COLUMNS
    assert audit["holds"].dtype == bool
    assert len(audit) == len(CLAIM_IDS) >= 75


# Published shares (figure, group, item) -> value as printed in the report, typed from the report.
PUBLISHED = {
    ("fig4_1", "skoleeier", "rolle_uklar"): 55.6,
    ("fig4_1", "skoleleder", "rolle_uklar"): 28.6,
    ("fig4_1", "ppt", "rolle_uklar"): 34.6,
    ("fig4_1", "skoleeier", "rolle_maloppnaelse"): 60.0,
    ("fig4_1", "skoleleder", "rolle_maloppnaelse"): 30.6,
    ("fig4_1", "ppt", "rolle_maloppnaelse"): 46.2,
    ("fig4_1", "ppt", "rolle_kompetanse"): 61.5,
}
PUBLISHED_WHOLE_PCT = {  # printed as whole percentages
    ("fig3_1", "ppt", "praksis_mobbing"): 41,
    ("fig3_1", "ppt", "praksis_laeringsmiljo"): 44,
}


@pytest.mark.parametrize("key", list(PUBLISHED), ids=lambda k: f"{k[1]}-{k[2]}")
def test_published_one_decimal_shares(key):
    figure, group, item = key
    t = figure_table(figure)
    share = t.loc[(t["group"] == group) & (t["item"] == item), "share_pct"].item()
    assert share == pytest.approx(PUBLISHED[key], abs=1e-9)
    claims = load_claims()
    mine = claims[(claims["group"] == group) & (claims["item"] == item) & (claims["statistic"] == "share_pct")
                  & (claims["basis"] == "published")]  # not the readings of the number («under halvparten»)
    assert float(mine["expected"].item()) == PUBLISHED[key]


@pytest.mark.parametrize("key", list(PUBLISHED_WHOLE_PCT), ids=lambda k: k[2])
def test_published_whole_percentages(key):
    figure, group, item = key
    t = figure_table(figure)
    share = t.loc[(t["group"] == group) & (t["item"] == item), "share_pct"].item()
    assert int(share + 0.5) == PUBLISHED_WHOLE_PCT[key]


def test_figure_4_2_published_split():
    t = figure_table("fig4_2").set_index("item")
    top_two = t.loc[["I stor grad", "I svært stor grad"], "share_pct"].sum()
    middle_low = t.loc[["Verken eller", "I liten grad"], "share_pct"].sum()
    assert round(top_two) == 72 and round(middle_low) == 28


# -- the audit can fail: break the data, watch the right claims fail --------------------------------------
def _set(path: Path, rid: str, column: str, value: str) -> None:
    df = pd.read_csv(path, dtype=str, keep_default_na=False)
    df.loc[df["respondent_id"] == rid, column] = value
    df.to_csv(path, index=False, lineterminator="\n")


def test_audit_detects_a_changed_answer(tmp_path: Path):
    data = tmp_path / "data"
    shutil.copytree(SYNTHETIC_DIR, data)
    owners = pd.read_csv(data / "skoleeier.csv", dtype=str, keep_default_na=False)
    yes = owners.loc[owners["rolle_uklar"].isin(["4", "5"]), "respondent_id"].iloc[0]
    _set(data / "skoleeier.csv", yes, "rolle_uklar", "2")  # 5/9 -> 4/9 = 44.4
    result = evaluate_claims(data).set_index("id")
    assert not result.loc["fig41_uklar_skoleeier", "holds"]
    assert result.loc["fig41_uklar_skoleeier", "computed"] == "44.4"
    assert result.drop(index="fig41_uklar_skoleeier")["holds"].all()


def test_audit_detects_a_broken_ordering_and_a_changed_denominator(tmp_path: Path):
    data = tmp_path / "data"
    shutil.copytree(SYNTHETIC_DIR, data)
    ppt = pd.read_csv(data / "ppt.csv", dtype=str, keep_default_na=False)
    # a missing ressurs answer filled in: denominator 26, 72 % and 28 % no longer fit
    blank = ppt.loc[ppt["ressurs"] == "", "respondent_id"].iloc[0]
    _set(data / "ppt.csv", blank, "ressurs", "3")
    # skoleledere: lift læringsmiljø in Figur 3.1 above klasseledelse (breaks their stated order)
    lead = pd.read_csv(data / "skoleleder.csv", dtype=str, keep_default_na=False)
    for rid in lead.loc[lead["praksis_laeringsmiljo"].isin(["1", "2", "3"]), "respondent_id"].iloc[:8]:
        _set(data / "skoleleder.csv", rid, "praksis_laeringsmiljo", "5")
    result = evaluate_claims(data).set_index("id")
    failed = set(result.index[~result["holds"]])
    assert {"fig42_n", "fig42_top_two", "fig42_middle_low", "fig31_skoleleder_order"} <= failed


def test_report_inconsistencies_are_recorded():
    claims = load_claims().set_index("id")
    kinds = claims.loc[["rc_svar_27_vs_28", "rc_svarprosent_27", "rc_svarprosent_28"], "kind"]
    assert set(kinds) == {"report_consistency"}
    assert claims.loc["rc_svarprosent_27", "spec"] == "27/41"
