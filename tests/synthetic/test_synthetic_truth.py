"""Every source row is accounted for in the truth, pointing at the right resident."""

from __future__ import annotations

import json

import pandas as pd


def test_every_source_row_has_one_truth_row_with_its_row_number_and_id(small_world) -> None:
    records = small_world.truth("records")
    ids = {
        "city": small_world.city()["관리번호"],
        "ministry": small_world.ministry()["수급자번호"],
        "facility": small_world.facility()["client_id"],
        "crisis": small_world.crisis()["대상자번호"],
    }
    for source, column in ids.items():
        mine = records[records["source"] == source]
        assert len(mine) == len(column) == small_world.manifest["counts"][source] > 0, source
        assert mine["row_number"].astype(int).tolist() == list(range(1, len(column) + 1))
        assert mine["source_record_id"].tolist() == column.tolist(), source


def test_every_truth_resident_exists(small_world) -> None:
    residents = small_world.truth("residents")
    records = small_world.truth("records")
    assert residents["resident_id"].is_unique
    assert len(residents) == small_world.manifest["residents"] == 4000
    assert set(records["resident_id"]) <= set(residents["resident_id"])
    blind = small_world.truth("blind_spots")
    assert set(blind["resident_id"]) <= set(residents["resident_id"])
    households = small_world.truth("households")
    assert set(residents["household_id"]) == set(households["household_id"])


def test_rows_carry_the_identity_number_of_their_true_resident(small_world) -> None:
    residents = small_world.truth("residents").set_index("resident_id")
    records = small_world.truth("records")

    def truth_rrn(source: str) -> pd.Series:
        ids = records.loc[records["source"] == source, "resident_id"]
        return residents.loc[ids, "rrn"].reset_index(drop=True)

    def slipped(source: str) -> pd.Series:
        noise = records.loc[records["source"] == source, "noise"].reset_index(drop=True)
        return noise.str.split(";").apply(lambda kinds: "rrn_slip" in kinds)

    def check(got: pd.Series, want: pd.Series, slip: pd.Series) -> None:
        assert (got[~slip] == want[~slip]).all()
        # A clerk's slip: birth date and sex digit kept, the number itself not.
        assert (got[slip].str[:8] == want[slip].str[:8]).all()
        assert (got[slip] != want[slip]).all()

    crisis = small_world.crisis()["주민등록번호"]
    check(crisis, truth_rrn("crisis"), slipped("crisis"))
    ministry = small_world.ministry()["주민등록번호"]
    want = truth_rrn("ministry").str.replace("-", "")
    slip = slipped("ministry")
    assert (ministry[~slip] == want[~slip]).all()
    assert (ministry[slip].str[:7] == want[slip].str[:7]).all()
    city = small_world.city()["주민등록번호"]
    masked = city.str.endswith("******")
    check(city[~masked], truth_rrn("city")[~masked], slipped("city")[~masked])
    assert (city[masked].str[:8] == truth_rrn("city")[masked].str[:8]).all()
    assert not slipped("city")[masked].any()


def test_the_manifest_records_counts_and_rates(small_world) -> None:
    manifest = json.loads((small_world.out / "truth" / "manifest.json").read_text("utf-8"))
    assert manifest["seed"] == 11
    assert manifest["records_total"] == sum(manifest["counts"].values())
    assert manifest["noise_rates"]["facility"]["romanised"] == 0.30
    assert manifest["files"]["ministry"] == "ministry_benefits.xlsx"
