"""Households from dwellings and household numbers (matching.households.household_labels)."""

from __future__ import annotations

import numpy as np

from matching.households import household_labels


def _groups(units, refs=()) -> list[int]:
    """Group numbers in first-seen order, so tests read as partitions."""
    who = np.array([r for r, _ in refs], dtype=np.int64)
    keys = np.array([k for _, k in refs], dtype=object)
    labels = household_labels(np.array(units, dtype=object), who, keys)
    seen: dict[str, int] = {}
    return [-1 if x == "" else seen.setdefault(x, len(seen)) for x in labels]


def test_one_dwelling_is_one_household_and_no_dwelling_is_none():
    assert _groups(["A 101호", "A 101호", "A 102호", ""]) == [0, 0, 1, -1]


def test_a_household_number_joins_members_written_at_two_addresses():
    # The son's record still carries the old flat; the city numbers both the same.
    assert _groups(["A 101호", "B 1호", "B 1호"], [(0, "#1:H7"), (1, "#1:H7")]) == [0, 0, 0]


def test_one_household_known_to_two_agencies_is_one_household():
    refs = [(0, "#1:SH7"), (0, "#2:MH9"), (1, "#2:MH9")]
    assert _groups(["A 101호", "B 1호"], refs) == [0, 0]


def test_two_numbered_households_in_one_house_stay_apart():
    # A 다가구 house written without unit numbers: the numbers tell the households apart;
    # the resident no agency numbers is not put in either.
    units = ["A", "A", "A", "A", "A"]
    refs = [(0, "#1:H1"), (1, "#1:H1"), (2, "#1:H2"), (3, "#2:M2")]
    assert _groups(units, refs) == [0, 0, 1, 2, 3]


def test_an_unnumbered_member_joins_the_one_numbered_household_of_the_dwelling():
    assert _groups(["A 1호", "A 1호", "A 1호"], [(0, "#1:H1"), (1, "#1:H1")]) == [0, 0, 0]
