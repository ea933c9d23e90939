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
            "params": '{"percent": 33}',
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
        reverse("cases:rule_edit"), {"rule": b01.pk, "params": "{percent: 33"}, follow=True
    ).content.decode()
    assert "JSON" in html
    assert ProgrammeRule.objects.filter(programme="B01").count() == 1


def test_a_supervisor_cannot_see_or_edit_rules(client, personas):
    load_rules()
    client.force_login(personas.supervisor_district_a)
    b01 = ProgrammeRule.objects.get(programme="B01")
    assert client.get(reverse("cases:rules")).status_code == 404
    assert (
        client.post(
            reverse("cases:rule_edit"), {"rule": b01.pk, "params": '{"percent": 90}'}
        ).status_code
        == 404
    )
    assert ProgrammeRule.objects.filter(programme="B01").count() == 1


def test_rule_and_median_edits_record_who_changed_what(client, personas):
    load_rules()
    client.force_login(personas.data_admin)
    b01 = ProgrammeRule.objects.get(programme="B01")
    client.post(
        reverse("cases:rule_edit"),
        {"rule": b01.pk, "params": '{"percent": 33}', "valid_from": "2027-01-01"},
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
