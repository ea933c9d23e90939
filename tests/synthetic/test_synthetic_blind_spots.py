"""Planted blind spots are eligible on their truth data and enrolled nowhere."""

from __future__ import annotations

import numpy as np
import pandas as pd

MEDIAN = [2_564_238, 4_199_292, 5_359_036, 6_494_738, 7_556_719, 8_555_952, 9_515_150]


def _line(size: int, pct: int) -> int:
    median = MEDIAN[min(size, 7) - 1] + max(size - 7, 0) * (MEDIAN[6] - MEDIAN[5])
    return (median * pct * 2 + 100) // 200


def _age(birth: pd.Series) -> pd.Series:
    b = pd.to_datetime(birth)
    before = (b.dt.month > 6) | ((b.dt.month == 6) & (b.dt.day > 1))
    return 2026 - b.dt.year - before.astype(int)


def _people(world) -> pd.DataFrame:
    r = world.truth("residents")
    h = world.truth("households").set_index("household_id")
    people = r.join(h[["size", "recognised_income"]], on="household_id")
    people["size"] = people["size"].astype(int)
    people["income"] = people["recognised_income"].astype(int)
    people["age"] = _age(people["birth_date"])
    return people.set_index("resident_id")


def test_blind_spots_are_eligible_by_the_2026_rules(big_world) -> None:
    people = _people(big_world)
    blind = big_world.truth("blind_spots")
    assert len(blind) > 500
    p = people.loc[blind["resident_id"]].reset_index()
    p["programme"] = blind["programme"].to_numpy()
    pct = {"B01": 32, "B02": 40, "B03": 48, "B04": 50}
    for code, percent in pct.items():
        sel = p[p["programme"] == code]
        lines = np.array([_line(s, percent) for s in sel["size"]])
        assert len(sel) > 0 and (sel["income"].to_numpy() <= lines).all(), code
    edu = p[p["programme"] == "B04"]
    assert edu["age"].between(7, 18).all()
    pension = p[p["programme"] == "P01"]
    assert (pension["age"] >= 65).all() and (pension["income"] <= 3_952_000).all()
    child = p[p["programme"] == "C01"]
    assert (pd.to_datetime(child["birth_date"]) >= "2017-06-02").all()
    disabled = p[p["programme"] == "P02"]
    assert (disabled["disability"] == "severe").all()


def test_blind_spots_receive_the_programme_from_no_source(big_world) -> None:
    blind = big_world.truth("blind_spots")
    records = big_world.truth("records")
    ministry = big_world.ministry()
    mine = records[records["source"] == "ministry"].reset_index(drop=True)
    current = ministry["지급종료일"] == ""
    receiving = set(
        zip(mine.loc[current, "resident_id"], ministry.loc[current, "급여코드"], strict=True)
    )
    planted = set(zip(blind["resident_id"], blind["programme"], strict=True))
    assert not planted & receiving


def test_about_a_fifth_of_the_eligible_are_blind_spots(big_world) -> None:
    blind = big_world.truth("blind_spots")
    records = big_world.truth("records")
    ministry = big_world.ministry()
    mine = records[records["source"] == "ministry"].reset_index(drop=True)
    current = ministry["지급종료일"] == ""
    taking = pd.DataFrame(
        {"r": mine.loc[current, "resident_id"], "c": ministry.loc[current, "급여코드"]}
    ).drop_duplicates()
    for code in ("B02", "P01", "C01"):
        missing = (blind["programme"] == code).sum()
        share = missing / (missing + (taking["c"] == code).sum())
        assert 0.15 < share < 0.25, (code, share)
