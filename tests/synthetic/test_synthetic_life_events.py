"""Household numbers, deaths, moves out and the city's next full extract, with their truth."""

from __future__ import annotations

import pandas as pd

from seoulgen import lifeevents


def _owners(world, source: str, key_column: str, frame: pd.DataFrame) -> pd.Series:
    truth = world.truth("records")
    truth = truth[truth["source"] == source].drop_duplicates("source_record_id")
    return frame[key_column].map(truth.set_index("source_record_id")["resident_id"])


def test_household_numbers_are_the_true_households_in_each_agencys_numbering(small_world):
    residents = small_world.truth("residents").set_index("resident_id")
    for frame, key, prefix in (
        (small_world.city(), "관리번호", "SH"),
        (small_world.ministry(), "수급자번호", "MH"),
    ):
        numbered = frame[frame["가구번호"] != ""]
        assert numbered["가구번호"].str.startswith(prefix).all()
        true = _owners(small_world, "city" if prefix == "SH" else "ministry", key, numbered).map(
            residents["household_id"]
        )
        # One agency number ↔ one true household.
        pairs = pd.DataFrame({"number": numbered["가구번호"], "true": true}).drop_duplicates()
        assert not pairs["number"].duplicated().any() and not pairs["true"].duplicated().any()
    blank = (small_world.city()["가구번호"] == "").mean()
    assert abs(blank - lifeevents.CITY_HOUSEHOLD_BLANK) < 0.04


def test_deaths_and_moves_out_appear_in_the_source_that_learns_them(small_world):
    residents = small_world.truth("residents").set_index("resident_id")
    city, ministry = small_world.city(), small_world.ministry()
    moved = city[city["전출일자"] != ""]
    dead = ministry[ministry["사망일자"] != ""]
    assert len(moved) and len(dead)
    assert set(_owners(small_world, "city", "관리번호", moved).map(residents["life_event"])) == {
        "moved_out"
    }
    assert set(
        _owners(small_world, "ministry", "수급자번호", dead).map(residents["life_event"])
    ) == {"deceased"}
    counts = residents["life_event"].value_counts()
    assert counts["deceased"] + counts["moved_out"] == sum(
        small_world.manifest["life_events"].values()
    )


def test_the_next_city_extract_drops_exactly_who_the_truth_says(small_world):
    city = small_world.city()
    nxt = pd.read_csv(
        small_world.out / "city_welfare_next.csv",
        encoding="cp949",
        dtype=str,
        keep_default_na=False,
    )
    gone = small_world.truth("disappeared")
    assert set(gone["why"]) <= {"deceased", "moved_out", "ended"} and len(gone)
    assert set(city["관리번호"]) - set(nxt["관리번호"]) == set(gone["source_record_id"])
    assert set(nxt["관리번호"]) <= set(city["관리번호"])
    residents = small_world.truth("residents").set_index("resident_id")
    events = gone[gone["why"] != "ended"]
    assert (events["resident_id"].map(residents["life_event"]) == events["why"]).all()


def test_the_dead_and_moved_out_are_nobodys_blind_spot(small_world):
    residents = small_world.truth("residents").set_index("resident_id")
    blind = small_world.truth("blind_spots")
    assert (blind["resident_id"].map(residents["life_event"]) == "").all()
