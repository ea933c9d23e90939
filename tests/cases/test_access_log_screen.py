"""The auditor's access-log screen and monthly review; each role's start page."""

import pytest
from django.test import RequestFactory
from django.urls import reverse
from django.utils import timezone

from bigcare.accesslog import log_access
from bigcare.models import Membership


def _log(user, action, ids, **kw):
    request = RequestFactory().get("/x")
    request.user = user
    return log_access(request, action, ids, **kw)


def test_the_auditor_filters_the_log(client, personas, world, django_assert_max_num_queries):
    _log(personas.caseworker_a, "view_profile", [world.inside.pk])
    _log(personas.caseworker_b, "search", [], detail="name=박")
    client.force_login(personas.auditor)
    url = reverse("cases:access_log")
    client.get(url)
    with django_assert_max_num_queries(12):
        response = client.get(url, {"user": "caseworker_a", "resident": world.inside.pk})
    html = response.content.decode()
    assert "caseworker_a" in html and "name=박" not in html


def test_the_monthly_review_counts_and_lists_unmask_reasons(client, personas, world):
    _log(personas.caseworker_a, "unmask", [world.inside.pk], reason="benefit check")
    for _ in range(60):
        _log(personas.nurse_a, "search", [])
    _log(personas.caseworker_b, "search", [])
    client.force_login(personas.auditor)
    html = client.get(
        reverse("cases:access_review"), {"month": timezone.localdate().strftime("%Y-%m")}
    ).content.decode()
    assert "benefit check" in html
    assert 'href="/audit/access-log/?user=nurse_a"' in html  # flagged as unusual


@pytest.mark.parametrize("persona", ["caseworker_a", "supervisor_district_a", "data_admin"])
def test_only_auditors_see_the_log(client, personas, persona):
    client.force_login(getattr(personas, persona))
    assert client.get(reverse("cases:access_log")).status_code == 404


@pytest.mark.parametrize(
    "persona,page",
    [
        ("caseworker_a", "cases:worklist"),
        ("nurse_a", "cases:worklist"),
        ("supervisor_district_a", "cases:supervisor"),
        ("auditor", "cases:access_log"),
    ],
)
def test_each_role_lands_on_its_start_page(client, personas, persona, page):
    response = client.post(
        reverse("login"),
        {"username": getattr(personas, persona).username, "password": "test-password"},
        follow=True,
    )
    assert response.redirect_chain[-1][0] == reverse(page)
    assert response.status_code == 200


def test_an_auditor_whose_membership_ended_reads_no_log(client, personas):
    Membership.objects.filter(user=personas.auditor).update(ended=timezone.localdate())
    client.force_login(personas.auditor)
    assert client.get(reverse("cases:access_log")).status_code == 404
    assert client.get(reverse("cases:access_review")).status_code == 404


def test_the_auditor_sees_who_changed_access_mappings_and_rules(client, personas):
    from bigcare.actions import end_membership

    end_membership(personas.caseworker_b.memberships.get(), acting_user=personas.data_admin)
    client.force_login(personas.auditor)
    html = client.get(reverse("cases:access_log"), {"user": "data_admin"}).content.decode()
    section = html[html.index('id="admin-events"') :]
    assert "data_admin" in section and "caseworker_b" in section
    assert "supervisor_a" not in section
