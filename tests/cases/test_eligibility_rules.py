"""The programme rules at their edges (issue 6): thresholds, household sizes, couples, gaps."""

from datetime import date

import numpy as np
import pandas as pd
import pytest

from cases.eligibility import ELIGIBLE, UNKNOWN, blind_spots, load_toml, rules_on, screen

ON = date(2026, 6, 1)
MEDIAN_2026 = [2_564_238, 4_199_292, 5_359_036, 6_494_738, 7_556_719, 8_555_952, 9_515_150]
# DOMAIN.md §1: livelihood (32 %) lines for 1..6 persons as MOHW publishes them.
LIVELIHOOD_2026 = [820_556, 1_343_773, 1_714_892, 2_078_316, 2_418_150, 2_737_905]


@pytest.fixture(scope="module")
def rules():
    return rules_on(ON, *load_toml())


def person(**overrides):
    row = {
        "resident_id": 1,
        "birth_date": pd.Timestamp("1980-05-05"),
        "household_size": 1,
        "recognised_income": 0,
        "disability": "none",
        "couple": False,
        "crisis": False,
    }
    row.update(overrides)
    return row


def frame(*rows):
    return pd.DataFrame(list(rows)).astype(
        {
            "household_size": "Int64",
            "recognised_income": "Int64",
            "disability": "string",
            "couple": "boolean",
        }
    )


def status(rules, programme, **overrides):
    out = screen(frame(person(**overrides)), rules)
    got = out[out["programme"] == programme]
    return got["status"].iloc[0] if len(got) else "not_eligible"


def test_the_2026_tables_are_the_published_ones(rules):
    assert rules.year == 2026
    assert list(rules.median) == MEDIAN_2026
    assert list(rules.line(np.arange(1, 7), 32)) == LIVELIHOOD_2026
    assert rules.line(np.array([2]), 40)[0] == 1_679_717  # medical, 2 persons
    assert rules.line(np.array([4]), 48)[0] == 3_117_474  # housing, 4 persons
    assert rules.line(np.array([1]), 50)[0] == 1_282_119  # education, 1 person


def test_eight_or_more_add_seven_minus_six_per_person(rules):
    step = MEDIAN_2026[6] - MEDIAN_2026[5]
    assert step == 959_198
    assert list(rules.median_for(np.array([8, 9]))) == [
        MEDIAN_2026[6] + step,
        MEDIAN_2026[6] + 2 * step,
    ]


@pytest.mark.parametrize("size", range(1, 9))
def test_livelihood_at_the_line_is_eligible_and_one_won_over_is_not(rules, size):
    line = int(rules.line(np.array([size]), 32)[0])
    assert status(rules, "B01", household_size=size, recognised_income=line) == ELIGIBLE
    assert status(rules, "B01", household_size=size, recognised_income=line + 1) == "not_eligible"


def test_basic_pension_single_and_couple_lines(rules):
    old = pd.Timestamp("1955-01-01")
    assert status(rules, "P01", birth_date=old, recognised_income=2_470_000) == ELIGIBLE
    assert status(rules, "P01", birth_date=old, recognised_income=2_470_001) == "not_eligible"
    assert (
        status(rules, "P01", birth_date=old, recognised_income=3_952_000, couple=True) == ELIGIBLE
    )
    assert (
        status(rules, "P01", birth_date=old, recognised_income=3_952_001, couple=True)
        == "not_eligible"
    )
    # Between the two lines an unknown marriage decides it: unknown, not a guess.
    assert (
        status(rules, "P01", birth_date=old, recognised_income=3_000_000, couple=pd.NA) == UNKNOWN
    )


def test_basic_pension_starts_on_the_65th_birthday(rules):
    assert status(rules, "P01", birth_date=pd.Timestamp("1961-06-01")) == ELIGIBLE
    assert status(rules, "P01", birth_date=pd.Timestamp("1961-06-02")) == "not_eligible"


def test_a_missing_income_is_unknown_and_says_what_is_missing(rules):
    out = screen(frame(person(recognised_income=pd.NA, household_size=pd.NA)), rules)
    b01 = out[out["programme"] == "B01"].iloc[0]
    assert b01["status"] == UNKNOWN
    assert b01["missing"] == "household_size,recognised_income"
    # Child benefit needs no income: a 40-year-old is simply not a candidate.
    assert "C01" not in set(out["programme"])


def test_child_benefit_under_nine_without_an_income_test(rules):
    assert (
        status(rules, "C01", birth_date=pd.Timestamp("2017-06-02"), recognised_income=50_000_000)
        == ELIGIBLE
    )  # 107 months old
    assert status(rules, "C01", birth_date=pd.Timestamp("2017-06-01")) == "not_eligible"


def test_education_benefit_is_for_school_age_children(rules):
    assert (
        status(
            rules,
            "B04",
            birth_date=pd.Timestamp("2012-03-03"),
            household_size=3,
            recognised_income=2_000_000,
        )
        == ELIGIBLE
    )
    assert status(rules, "B04", household_size=3, recognised_income=2_000_000) == "not_eligible"


def test_disability_pension_needs_a_severe_disability(rules):
    assert status(rules, "P02", disability="severe") == ELIGIBLE
    assert status(rules, "P02", disability="mild") == "not_eligible"
    assert status(rules, "P02", disability=pd.NA) == UNKNOWN


def test_emergency_welfare_needs_a_crisis(rules):
    assert status(rules, "EMERGENCY", recognised_income=1_900_000) == "not_eligible"
    assert status(rules, "EMERGENCY", recognised_income=1_900_000, crisis=True) == ELIGIBLE


def test_a_blind_spot_is_eligible_and_receives_it_from_no_source(rules):
    people = frame(
        person(resident_id=1),
        person(resident_id=2),
        person(resident_id=3, recognised_income=9_000_000),
    )
    screened = screen(people, rules)
    receives = pd.DataFrame({"resident_id": [2], "programme": ["B01"]})
    spots = blind_spots(screened, receives, crisis_ids=np.array([1]))
    b01 = spots[spots["programme"] == "B01"]
    assert list(b01["resident_id"]) == [1]
    assert list(b01["priority"]) == [2]


def test_next_years_table_is_a_data_change(tmp_path):
    text = (load_toml.__defaults__[0]).read_text(encoding="utf-8")
    text += (
        "\n[[median_income]]\nyear = 2027\namounts = [2736042, 4480000, 5700000, "
        "6929885, 8000000, 9000000, 10000000]\n"
    )
    path = tmp_path / "rules.toml"
    path.write_text(text, encoding="utf-8")
    rules = rules_on(date(2027, 3, 1), *load_toml(path))
    assert rules.year == 2027 and rules.median[0] == 2_736_042
