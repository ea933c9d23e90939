"""A case through its stages, with due dates, the overdue list and supervisor approval."""

from datetime import timedelta

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse
from django.utils import timezone

from cases import actions
from cases.models import Case, PlannedService, Stage
from tests.cases.factories import CaseFactory, ProgrammeFactory
from tests.cases.stages import advance_to, fill


def _advance_to(case, user, stage, supervisor=None):
    return advance_to(case, user, stage, supervisor)


def test_due_dates_follow_the_stages(personas, world):
    case, cw = world.case_in, personas.caseworker_a
    opened = case.opened_on
    assert case.stage_due == opened + timedelta(days=10)
    case = actions.advance_case(cw, fill(case, cw))  # assessment: still 10 days from intake
    assert case.stage == Stage.ASSESSMENT and case.stage_due == opened + timedelta(days=10)
    later = opened + timedelta(days=12)
    case = actions.advance_case(cw, fill(case, cw), on=later)  # conference: 5 days
    assert case.stage_due == later + timedelta(days=5)
    case = actions.advance_case(cw, fill(case, cw), on=later + timedelta(days=4))  # plan: max 30
    assert case.stage == Stage.SERVICE_PLAN
    assert case.stage_due == opened + timedelta(days=30)


def test_the_plan_and_the_closure_need_a_supervisor(personas, world):
    cw, sup = personas.caseworker_a, personas.supervisor_district_a
    actions.end_referral(cw, world.referral_in)  # no referral pending at closure
    for r in world.case_in.referrals.filter(status="pending"):
        actions.end_referral(cw, r)
    case = _advance_to(world.case_in, cw, Stage.SERVICE_PLAN)
    case = fill(case, cw)  # submitted, not approved
    with pytest.raises(ValidationError):
        actions.advance_case(cw, case)
    with pytest.raises(PermissionDenied):
        actions.approve_case(cw, case)
    case = actions.approve_case(sup, case)
    case = _advance_to(case, cw, Stage.CLOSURE)
    case = fill(case, cw)
    with pytest.raises(ValidationError):
        actions.advance_case(cw, case)
    case = actions.approve_case(sup, case)
    case = actions.advance_case(cw, case)
    assert case.stage == Stage.FOLLOW_UP and case.closed_on == timezone.localdate()
    assert list(case.events.values_list("what", flat=True))[-1]


def test_the_approve_button_works_for_the_supervisor_only(client, personas, world):
    case = _advance_to(world.case_in, personas.caseworker_a, Stage.SERVICE_PLAN)
    case = fill(case, personas.caseworker_a)
    url = reverse("cases:case_approve", args=[case.pk])
    client.force_login(personas.caseworker_a)
    assert client.post(url).status_code == 403
    client.force_login(personas.caseworker_b)
    assert client.post(url).status_code == 404
    client.force_login(personas.supervisor_district_a)
    assert client.post(url).status_code == 302
    assert Case.objects.get(pk=case.pk).plan_approved_by == personas.supervisor_district_a


@pytest.mark.parametrize("persona", ["caseworker_b", "data_admin", "auditor", "outsider"])
def test_others_cannot_advance_assign_or_plan(client, personas, world, persona):
    client.force_login(getattr(personas, persona))
    pk = world.case_in.pk
    assert client.post(reverse("cases:case_advance", args=[pk])).status_code == 404
    assert (
        client.post(
            reverse("cases:case_assign", args=[pk]), {"owner": personas.caseworker_b.pk}
        ).status_code
        == 404
    )
    assert (
        client.post(reverse("cases:service_add", args=[pk]), {"facility_name": "x"}).status_code
        == 404
    )
    case = Case.objects.get(pk=pk)
    assert case.stage == Stage.INTAKE and case.owner == personas.caseworker_a
    assert not case.services.exists()


def test_planned_services_link_to_a_programme_or_a_facility(client, personas, world):
    programme = ProgrammeFactory()
    client.force_login(personas.caseworker_a)
    url = reverse("cases:service_add", args=[world.case_in.pk])
    response = client.post(
        url, {"programme": programme.pk, "description": "apply"}, HTTP_HX_REQUEST="true"
    )
    assert "<html" not in response.content.decode() and "기초연금" in response.content.decode()
    client.post(url, {"facility_name": "종로노인복지관", "description": "meals"})
    client.post(url, {"description": "neither"})
    assert PlannedService.objects.filter(case=world.case_in).count() == 2


def test_assigning_to_someone_of_another_centre_is_refused(personas, world):
    with pytest.raises(ValidationError):
        actions.assign_case(personas.caseworker_a, world.case_in, personas.caseworker_b)


def test_the_overdue_list(client, personas, world, django_assert_max_num_queries):
    late = CaseFactory(
        resident=world.inside,
        owner=personas.caseworker_a,
        opened_on=timezone.localdate() - timedelta(days=20),
        stage_due=timezone.localdate() - timedelta(days=10),
    )
    client.force_login(personas.caseworker_a)
    client.get(reverse("cases:overdue"))
    with django_assert_max_num_queries(10):
        html = client.get(reverse("cases:overdue")).content.decode()
    assert reverse("cases:case", args=[late.pk]) in html
    assert reverse("cases:case", args=[world.case_in.pk]) not in html
    client.force_login(personas.caseworker_b)
    assert (
        reverse("cases:case", args=[late.pk])
        not in client.get(reverse("cases:overdue")).content.decode()
    )


def test_the_supervisor_page(client, personas, world, django_assert_max_num_queries):
    case = _advance_to(world.case_in, personas.caseworker_a, Stage.SERVICE_PLAN)
    case = fill(case, personas.caseworker_a)
    client.force_login(personas.supervisor_district_a)
    client.get(reverse("cases:supervisor"))
    with django_assert_max_num_queries(14):
        html = client.get(reverse("cases:supervisor")).content.decode()
    assert reverse("cases:case", args=[case.pk]) in html


def test_the_case_page_has_bounded_queries(client, personas, world, django_assert_max_num_queries):
    client.force_login(personas.caseworker_a)
    url = reverse("cases:case", args=[world.case_in.pk])
    client.get(url)
    # One query per section (assessment, conference, contacts, services, …) and the header's
    # unread count: more content must not mean more queries.
    with django_assert_max_num_queries(24):
        assert client.get(url).status_code == 200
    fill(world.case_in, personas.caseworker_a)
    case = actions.advance_case(personas.caseworker_a, world.case_in)
    fill(case, personas.caseworker_a)
    with django_assert_max_num_queries(24):
        assert client.get(url).status_code == 200


def test_reading_a_case_writes_an_access_row_naming_its_resident(client, personas, world):
    from bigcare.models import AccessLog

    client.force_login(personas.caseworker_a)
    assert client.get(reverse("cases:case", args=[world.case_in.pk])).status_code == 200
    entry = AccessLog.objects.get(action="view_case")
    assert entry.username == "caseworker_a" and entry.detail == f"case {world.case_in.pk}"
    assert list(entry.subjects.values_list("resident_id", flat=True)) == [world.inside.pk]
