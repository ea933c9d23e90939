"""The data administrator's rules screen: edit a threshold with an effective date."""

import pytest
from django.urls import reverse

from bigcare.models import AdminAction, AdminEvent
from cases.models import ProgrammeRule
from cases.rules import load_rules

pytestmark = pytest.mark.django_db


def test_a_data_administrator_adds_next_years_threshold(
    client, personas, django_assert_max_num_queries
):
    load_rules()
    client.force_login(personas.data_admin)
    with django_assert_max_num_queries(12):
        html = client.get(reverse("cases:rules")).content.decode()
    assert "flag-u" in html and "SEOUL_BASIC" in html
    b01 = ProgrammeRule.objects.get(programme="B01")
    response = client.post(
        reverse("cases:rule_edit"),
        {
            "rule": b01.pk,
            "p_percent": "33",
            "valid_from": "2027-01-01",
            "confidence": "S",
            "note": "announced 2026-07",
        },
        follow=True,
    )
    assert response.status_code == 200
    new = ProgrammeRule.objects.get(programme="B01", valid_from="2027-01-01")
    assert new.params == {"percent": 33} and new.confidence == "S"
    assert ProgrammeRule.objects.get(pk=b01.pk).replaced_at is None  # 2026 stays in force


def test_a_bad_edit_is_refused_with_a_message(client, personas):
    load_rules()
    client.force_login(personas.data_admin)
    b01 = ProgrammeRule.objects.get(programme="B01")
    html = client.post(
        reverse("cases:rule_edit"), {"rule": b01.pk, "p_percent": "서른셋"}, follow=True
    ).content.decode()
    assert "숫자여야 합니다" in html
    html = client.post(
        reverse("cases:rule_edit"), {"rule": b01.pk, "p_percent": "250"}, follow=True
    ).content.decode()
    assert "200 % 이하" in html
    assert ProgrammeRule.objects.filter(programme="B01").count() == 1


def test_the_parameters_are_labelled_fields_not_json(client, personas):
    """Each parameter is an input with a Korean label; an age bound is added by filling a
    field; a switch the rule did not have is left out unless it is changed."""
    load_rules()
    client.force_login(personas.data_admin)
    html = client.get(reverse("cases:rules")).content.decode()
    assert '{"percent"' not in html and 'name="params"' not in html
    assert "기준 중위소득 대비 비율 (%)" in html and 'name="p_percent" value="32"' in html
    b01 = ProgrammeRule.objects.get(programme="B01")
    client.post(
        reverse("cases:rule_edit"),
        {
            "rule": b01.pk,
            "p_percent": "32",
            "p_min_age": "19",
            "switches": ["blind_spot", "requires_crisis"],
            "p_blind_spot": "on",
        },
    )
    live = ProgrammeRule.objects.live().get(programme="B01", valid_from=b01.valid_from)
    assert live.params == {"percent": 32, "min_age": 19}  # both switches at their defaults
    client.post(
        reverse("cases:rule_edit"),
        {"rule": live.pk, "p_percent": "32", "switches": ["blind_spot"]},  # box unticked
    )
    live = ProgrammeRule.objects.live().get(programme="B01", valid_from=b01.valid_from)
    assert live.params == {"percent": 32, "blind_spot": False}


def test_a_supervisor_cannot_see_or_edit_rules(client, personas):
    load_rules()
    client.force_login(personas.supervisor_district_a)
    b01 = ProgrammeRule.objects.get(programme="B01")
    assert client.get(reverse("cases:rules")).status_code == 404
    assert (
        client.post(reverse("cases:rule_edit"), {"rule": b01.pk, "p_percent": "90"}).status_code
        == 404
    )
    assert ProgrammeRule.objects.filter(programme="B01").count() == 1


def test_rule_and_median_edits_record_who_changed_what(client, personas):
    load_rules()
    client.force_login(personas.data_admin)
    b01 = ProgrammeRule.objects.get(programme="B01")
    client.post(
        reverse("cases:rule_edit"),
        {"rule": b01.pk, "p_percent": "33", "valid_from": "2027-01-01"},
    )
    client.post(
        reverse("cases:median_edit"), {"year": "2026", "household_size": "1", "amount": "2600000"}
    )
    rule, median = AdminEvent.objects.filter(
        action__in=[AdminAction.EDIT_RULE, AdminAction.EDIT_MEDIAN]
    ).order_by("pk")
    assert (rule.action, rule.user, rule.object_type) == (
        AdminAction.EDIT_RULE,
        personas.data_admin,
        "cases.programmerule",
    )
    assert rule.before["params"] == {"percent": 32} and rule.after["params"] == {"percent": 33}
    assert rule.after["valid_from"] == "2027-01-01"
    assert (median.action, median.user) == (AdminAction.EDIT_MEDIAN, personas.data_admin)
    assert median.before["amount"] != 2_600_000 and median.after["amount"] == 2_600_000
