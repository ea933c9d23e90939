"""Worklists and visits: record a visit, health notes for nurses, open a case from a visit."""

from datetime import date

import pytest
from django.urls import reverse
from django.utils import timezone

from cases.models import Case, Visit, VisitReason
from tests.cases.factories import ResidentFactory, VisitFactory, link_records


def _visit_data(personas, **extra):
    return {
        "visited_on": "2025-03-02",
        "reason": VisitReason.TURNING_65,
        "caseworker": personas.caseworker_a.pk,
        "nurse": personas.nurse_a.pk,
        "risk": "high",
        "notes": "lives alone",
        "finding_income": "pension only",
        "finding_housing": "",
        **extra,
    }


def test_a_caseworker_records_a_visit(client, personas, world):
    client.force_login(personas.caseworker_a)
    response = client.post(
        reverse("cases:visit_new", args=[world.inside.pk]),
        _visit_data(personas, health_notes="ignored: not a nurse"),
    )
    visit = Visit.objects.latest("pk")
    assert response.status_code == 302 and response["Location"] == reverse(
        "cases:visit", args=[visit.pk]
    )
    assert visit.centre == personas.centre_a and visit.created_by == personas.caseworker_a
    assert visit.findings == {"income": "pension only"}
    assert visit.health_notes == ""


def test_a_nurse_writes_health_notes(client, personas, world):
    client.force_login(personas.nurse_a)
    client.post(
        reverse("cases:visit_new", args=[world.inside.pk]),
        _visit_data(personas, health_notes="당뇨"),
    )
    assert Visit.objects.latest("pk").health_notes == "당뇨"


@pytest.mark.parametrize("persona", ["caseworker_b", "data_admin", "auditor", "outsider"])
def test_others_cannot_record_a_visit(client, personas, world, persona):
    client.force_login(getattr(personas, persona))
    response = client.post(
        reverse("cases:visit_new", args=[world.inside.pk]), _visit_data(personas)
    )
    assert response.status_code == 404
    assert Visit.objects.count() == 2


def test_the_caseworker_choices_are_staff_of_the_residents_centre(client, personas, world):
    client.force_login(personas.caseworker_a)
    response = client.post(
        reverse("cases:visit_new", args=[world.inside.pk]),
        _visit_data(personas, caseworker=personas.caseworker_b.pk),
    )
    assert response.status_code == 200  # the form again, with an error
    assert Visit.objects.count() == 2


def test_a_visit_opens_a_case_once(client, personas, world):
    client.force_login(personas.caseworker_a)
    url = reverse("cases:visit_open_case", args=[world.visit_in.pk])
    # world.case_in is open already: another case needs a reason.
    client.post(url, {"summary": "income crisis"})
    assert not Case.objects.filter(visits=world.visit_in).exists()
    client.post(url, {"summary": "income crisis", "second_case_reason": "다른 가구원 문제"})
    client.post(url)
    case = Case.objects.get(visits=world.visit_in)
    assert case.owner == personas.caseworker_a and case.summary == "income crisis"
    assert case.stage_due == timezone.localdate() + timezone.timedelta(days=10)


def test_another_centre_cannot_open_a_case_from_my_visit(client, personas, world):
    client.force_login(personas.caseworker_b)
    url = reverse("cases:visit_open_case", args=[world.visit_in.pk])
    assert client.post(url).status_code == 404


def test_the_worklist_lists_who_turns_65_and_70_newborns_and_crisis_signals(
    client, personas, world, django_assert_max_num_queries
):
    year = timezone.localdate().year
    turning65 = ResidentFactory(
        name="이육오", birth_date=date(year - 65, 6, 1), home_centre=personas.centre_a
    )
    turning70 = ResidentFactory(
        name="이칠공", birth_date=date(year - 70, 6, 1), home_centre=personas.centre_a
    )
    baby = ResidentFactory(
        name="아기", birth_date=timezone.localdate(), home_centre=personas.centre_a
    )
    visited = ResidentFactory(
        name="방문됨", birth_date=date(year - 65, 1, 2), home_centre=personas.centre_a
    )
    VisitFactory(
        resident=visited,
        reason=VisitReason.TURNING_65,
        caseworker=personas.caseworker_a,
        created_by=personas.caseworker_a,
    )
    signalled = ResidentFactory(name="위기", home_centre=personas.centre_a)
    link_records(signalled, 1)
    elsewhere = ResidentFactory(
        name="남의동", birth_date=date(year - 65, 6, 1), home_centre=personas.centre_b
    )
    client.force_login(personas.caseworker_a)
    client.get(reverse("cases:worklist"))
    # Five lists, each a count and a page of rows, plus the header's unread count.
    with django_assert_max_num_queries(23):
        html = client.get(reverse("cases:worklist")).content.decode()
    for r in (turning65, turning70, baby, signalled):
        assert reverse("cases:resident", args=[r.pk]) in html
    # world.inside has a crisis signal too, but was visited for it already.
    for r in (visited, elsewhere, world.inside):
        assert reverse("cases:resident", args=[r.pk]) not in html


def test_the_worklist_of_a_centre_out_of_scope_is_a_404(client, personas, world):
    client.force_login(personas.caseworker_a)
    response = client.get(reverse("cases:worklist"), {"centre": personas.centre_b.pk})
    assert response.status_code == 404


def test_reading_a_visit_writes_an_access_row_naming_its_resident(client, personas, world):
    from bigcare.models import AccessLog

    client.force_login(personas.nurse_a)
    assert client.get(reverse("cases:visit", args=[world.visit_in.pk])).status_code == 200
    entry = AccessLog.objects.get(action="view_visit")
    assert entry.username == "nurse_a" and entry.path == f"/visits/{world.visit_in.pk}/"
    assert list(entry.subjects.values_list("resident_id", flat=True)) == [world.inside.pk]
    assert "health notes" in entry.detail
