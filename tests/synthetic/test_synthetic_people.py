"""Residents look like Seoul's welfare population: numbers, names, places."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from matching.compare import rrn_slip
from seoulgen.generate import DEFAULT_DONGS_CSV
from seoulgen.names import same_day_name_rate

WEIGHTS = np.array([2, 3, 4, 5, 6, 7, 8, 9, 2, 3, 4, 5])


def _digits(rrns: pd.Series) -> np.ndarray:
    return np.array([[int(c) for c in r.replace("-", "")] for r in rrns])


def test_legacy_numbers_have_a_valid_check_digit(small_world) -> None:
    r = small_world.truth("residents")
    old = r[pd.to_datetime(r["birth_date"]) < "2020-10-01"]
    d = _digits(old["rrn"])
    assert len(d) > 3000
    assert ((11 - (d[:, :12] @ WEIGHTS) % 11) % 10 == d[:, 12]).all()


def test_new_numbers_have_random_trailing_digits(small_world) -> None:
    r = small_world.truth("residents")
    new = r[pd.to_datetime(r["birth_date"]) >= "2020-10-01"]
    d = _digits(new["rrn"])
    valid = (11 - (d[:, :12] @ WEIGHTS) % 11) % 10 == d[:, 12]
    assert len(d) > 50
    assert valid.mean() < 0.3


def test_the_sex_digit_matches_sex_century_and_nationality(small_world) -> None:
    r = small_world.truth("residents")
    s = r["rrn"].str[7].astype(int)
    year = r["birth_date"].str[:4].astype(int)
    foreign = r["is_foreigner"] == "True"
    expected = np.where(year >= 2000, 3, 1) + (r["sex"] == "F") + np.where(foreign, 4, 0)
    assert (s == expected).all()
    assert (
        r["rrn"].str[:6]
        == r["birth_date"].str[2:4] + r["birth_date"].str[5:7] + r["birth_date"].str[8:10]
    ).all()


def test_surname_shares_follow_the_census(big_world) -> None:
    r = big_world.truth("residents")
    korean = r.loc[r["is_foreigner"] == "False", "name"]
    first = korean.str[0].value_counts(normalize=True)
    for surname, share in {"김": 0.215, "이": 0.147, "박": 0.084, "최": 0.047, "정": 0.043}.items():
        assert first[surname] == pytest.approx(share, abs=0.012), surname
    assert korean.str[:2].isin(["남궁", "황보", "제갈", "선우"]).any()


def test_many_people_share_a_full_name_and_birth_date(big_world) -> None:
    r = big_world.truth("residents")
    sizes = r.groupby(["name", "birth_date"]).size()
    pairs = int((sizes * (sizes - 1) // 2).sum())
    # Twins are a handful; strangers named 김영숙 born the same day are the rest.
    assert pairs >= 30
    top = r["name"].value_counts()
    assert top.index[0] in {"김영숙", "김영수", "김영자", "이영숙", "김정숙", "김영호"}


def test_the_population_is_old(big_world) -> None:
    r = big_world.truth("residents")
    age = 2026 - r["birth_date"].str[:4].astype(int)
    assert 0.2 < (age >= 66).mean() < 0.4
    h = big_world.truth("households")
    assert (h["size"].astype(int) == 1).mean() > 0.3


def test_every_dong_code_exists_in_the_reference_file(small_world) -> None:
    dongs = set(pd.read_csv(DEFAULT_DONGS_CSV, dtype=str)["dong_code"])
    assert set(small_world.truth("residents")["dong_code"]) <= dongs
    city_codes = set(small_world.city()["행정동코드"]) - {""}
    assert city_codes <= dongs
    assert set(small_world.crisis()["행정동코드"]) <= dongs
    assert (small_world.city()["행정동코드"] == "").any()


def test_household_members_share_an_address(small_world) -> None:
    r = small_world.truth("residents")
    assert (r.groupby("household_id")["address"].nunique() == 1).all()
    multi = r.groupby("household_id").filter(lambda g: len(g) > 1)
    shared_phone = multi.groupby("household_id")["phone"].apply(
        lambda p: p[p != ""].duplicated().any()
    )
    assert shared_phone.mean() > 0.1


@pytest.mark.slow
def test_namesakes_born_the_same_day_are_about_as_rare_as_in_korea(big_world) -> None:
    r = big_world.truth("residents")
    rate = same_day_name_rate(r["name"].to_numpy(), r["birth_date"].to_numpy())
    # Korea ≈ 1e-4 (DOMAIN.md §7); the era lists alone gave 4.8e-3.
    assert 3e-5 < rate < 3e-4


def test_twins_are_named_as_a_pair(big_world) -> None:
    r = big_world.truth("residents")
    korean = r[r["is_foreigner"] == "False"]
    twins = korean[korean.duplicated(["household_id", "birth_date"], keep=False)]
    pairs = twins.groupby(["household_id", "birth_date"])["name"].agg(list)
    pairs = pairs[pairs.str.len() == 2]
    # Household members born the same day are twins, or a clamped age (0, 20, 99) that the
    # household types produce; the twins share surname and first given syllable, never the name.
    paired = [a[:2] == b[:2] for a, b in pairs]
    assert sum(paired) >= 20
    assert all(a != b for a, b in pairs)
    # Their numbers are not one clerk's slip apart: linkage may not read twins as one person.
    numbers = twins.groupby(["household_id", "birth_date"])["rrn"].agg(list)[pairs.index]
    a = np.array([int(p[0].replace("-", "")) for p in numbers])
    b = np.array([int(p[1].replace("-", "")) for p in numbers])
    assert not rrn_slip(a, b).any()


def test_foreign_residents_carry_a_latin_and_a_hangul_name(big_world) -> None:
    r = big_world.truth("residents")
    foreign = r[r["is_foreigner"] == "True"]
    assert len(foreign) > 100
    assert foreign["latin_name"].str.fullmatch(r"[A-Z]+( [A-Z]+)+").all()
    assert foreign["name"].str.fullmatch(r"[가-힣]+").all()
    assert (r.loc[r["is_foreigner"] == "False", "latin_name"] == "").all()
