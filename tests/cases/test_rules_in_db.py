"""Programme rules as versioned rows: loading is idempotent, an edit is a new version."""

from datetime import date

import numpy as np
import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from cases.models import MedianIncome, ProgrammeRule
from cases.rules import edit_median, edit_rule, load_rules, rules_from_db

pytestmark = pytest.mark.django_db
ON = date(2026, 6, 1)


def test_loading_twice_adds_nothing_the_second_time():
    medians, rules = load_rules()
    assert (medians, rules) == (7, ProgrammeRule.objects.count())
    assert load_rules() == (0, 0)


def test_the_db_rules_equal_the_toml_ones():
    load_rules()
    r = rules_from_db(ON)
    assert r.year == 2026
    assert r.line(np.array([2]), 32)[0] == 1_343_773
    codes = {x.programme for x in r.rules}
    assert {"B01", "B02", "B03", "B04", "P01", "P02", "C01", "EMERGENCY"} <= codes
    p02 = next(x for x in r.rules if x.programme == "P02")
    assert p02.confidence == "U" and p02.note


def test_an_edit_with_the_same_start_replaces_and_keeps_the_old_version(personas):
    load_rules()
    b01 = ProgrammeRule.objects.get(programme="B01")
    new = edit_rule(
        b01,
        acting_user=personas.data_admin,
        params={"percent": 33},
        valid_from=b01.valid_from,
        note="test",
    )
    b01.refresh_from_db()
    assert b01.replaced_at is not None and b01.params == {"percent": 32}  # not overwritten
    assert new.version == 2 and new.created_by == personas.data_admin
    line = rules_from_db(ON).line(np.array([1]), 33)[0]
    assert next(x for x in rules_from_db(ON).rules if x.programme == "B01").param("percent") == 33
    assert line == 846_199


def test_a_later_start_adds_the_next_period(personas):
    load_rules()
    b01 = ProgrammeRule.objects.get(programme="B01")
    edit_rule(
        b01, acting_user=personas.data_admin, params={"percent": 35}, valid_from=date(2027, 1, 1)
    )
    pct = {
        on: next(x for x in rules_from_db(on).rules if x.programme == "B01").param("percent")
        for on in (date(2026, 12, 31), date(2027, 1, 1))
    }
    assert pct == {date(2026, 12, 31): 32, date(2027, 1, 1): 35}


@pytest.mark.parametrize(
    "params,valid_from",
    [
        ({"percent": -1}, date(2026, 1, 1)),
        ({"percent": "32"}, date(2026, 1, 1)),
        ({}, date(2026, 1, 1)),
        ({"percent": 32, "colour": 1}, date(2026, 1, 1)),
        ({"percent": 32}, date(2025, 1, 1)),  # before the version it follows
    ],
)
def test_invalid_edits_are_refused(personas, params, valid_from):
    load_rules()
    b01 = ProgrammeRule.objects.get(programme="B01")
    with pytest.raises(ValidationError):
        edit_rule(b01, acting_user=personas.data_admin, params=params, valid_from=valid_from)
    assert ProgrammeRule.objects.filter(programme="B01").count() == 1


def test_only_data_administrators_edit(personas):
    load_rules()
    b01 = ProgrammeRule.objects.get(programme="B01")
    for user in (personas.supervisor_district_a, personas.caseworker_a, personas.outsider):
        with pytest.raises(PermissionDenied):
            edit_rule(b01, acting_user=user, params={"percent": 40}, valid_from=b01.valid_from)
        with pytest.raises(PermissionDenied):
            edit_median(2026, 1, 1, acting_user=user)


def test_next_years_median_is_a_data_change(personas):
    load_rules()
    for size, amount in enumerate(
        [2_736_042, 4_480_000, 5_700_000, 6_929_885, 8_000_000, 9_100_000, 10_100_000], start=1
    ):
        edit_median(2027, size, amount, acting_user=personas.data_admin)
    assert rules_from_db(date(2027, 3, 1)).year == 2027
    assert rules_from_db(date(2026, 12, 31)).year == 2026
    edit_median(2027, 1, 2_736_043, acting_user=personas.data_admin)
    assert MedianIncome.objects.filter(year=2027, household_size=1).count() == 2
    assert rules_from_db(date(2027, 3, 1)).median[0] == 2_736_043
    assert load_rules() == (0, 0)  # a reload never undoes an edit


def test_the_pages_kept_rules_follow_an_edit_at_once(personas):
    from cases.rules import rules_in_force

    assert rules_in_force(ON) is None  # no median table yet: nothing to screen against
    load_rules()
    kept = rules_in_force(ON)
    assert rules_in_force(ON) is kept  # kept, not read again
    b01 = ProgrammeRule.objects.get(programme="B01")
    edit_rule(
        b01,
        acting_user=personas.data_admin,
        params={"percent": 33},
        valid_from=b01.valid_from,
        note="test",
    )
    assert next(x for x in rules_in_force(ON).rules if x.programme == "B01").param("percent") == 33
