"""The one-stop resident page: everything in a fixed number of queries, the RRN masked."""

import re

import pytest
from django.urls import reverse

from bigcare.models import AccessLog
from tests.cases.conftest import INSIDE_RRN
from tests.cases.factories import ResidentFactory, link_records

FULL_RRN = re.compile(r"\d{6}-?[1-8]\d{6}")


def _page(client, user, resident):
    client.force_login(user)
    # Warm up: the session's first write and the content-type cache are not the page's cost.
    client.get(reverse("cases:resident", args=[resident.pk]))
    return client


def _count(client, django_assert_num_queries, resident, n):
    with django_assert_num_queries(n):
        response = client.get(reverse("cases:resident", args=[resident.pk]))
    assert response.status_code == 200
    return response


# Session, user, the user's scope (centre ids, granted cases, case residents elsewhere: once per
# request), resident, links + 2 prefetches, household, visits, roles (nurse check and menu),
# cases, referrals, the access log (one statement on PostgreSQL; two INSERTs in a savepoint
# elsewhere) and 2 permission reads. The rules in force are kept per process, and viewing writes
# nothing to the session.
def page_queries() -> int:
    from django.db import connection

    # One of them is the header's unread-alert count (cases.alerts.unread_count).
    return 18 if connection.vendor == "postgresql" else 21


@pytest.mark.parametrize("records", [1, 30])
def test_the_page_costs_the_same_whatever_the_history(
    client, personas, django_assert_num_queries, records
):
    from cases.rules import load_rules
    from tests.cases.factories import CaseFactory, VisitFactory

    load_rules()  # the screening's cost is part of the page's
    resident = ResidentFactory(home_centre=personas.centre_a)
    link_records(resident, records)
    for _ in range(records):
        VisitFactory(
            resident=resident, caseworker=personas.caseworker_a, created_by=personas.caseworker_a
        )
        CaseFactory(resident=resident, owner=personas.caseworker_a)
    _page(client, personas.caseworker_a, resident)
    response = _count(client, django_assert_num_queries, resident, page_queries())
    assert response.content.decode().count("기초연금") >= records


def test_the_page_shows_records_by_agency_with_provenance(client, personas, world):
    _page(client, personas.caseworker_a, world.inside)
    html = client.get(reverse("cases:resident", args=[world.inside.pk])).content.decode()
    assert "Seoul city" in html or "서울시" in html
    assert "extract-2025-01.csv" in html
    assert "단전" in html  # the crisis signal
    assert "박철수" in html  # the household member at the same address


def test_the_rrn_is_masked_and_never_in_clear(client, personas, world):
    _page(client, personas.caseworker_a, world.inside)
    html = client.get(reverse("cases:resident", args=[world.inside.pk])).content.decode()
    assert "500301-2******" in html
    assert not FULL_RRN.search(html)
    assert INSIDE_RRN.replace("-", "") not in html


def test_viewing_is_logged(client, personas, world):
    client.force_login(personas.caseworker_a)
    client.get(reverse("cases:resident", args=[world.inside.pk]))
    entry = AccessLog.objects.filter(action="view_profile").get()
    assert entry.username == "caseworker_a"
    assert list(entry.subjects.values_list("resident_id", flat=True)) == [world.inside.pk]


def test_a_caseworker_of_another_centre_gets_a_404(client, personas, world):
    client.force_login(personas.caseworker_b)
    assert client.get(reverse("cases:resident", args=[world.inside.pk])).status_code == 404
    assert not AccessLog.objects.filter(action="view_profile").exists()


def test_health_notes_are_hidden_from_a_caseworker_who_does_not_own_the_case(
    client, personas, world
):
    _page(client, personas.caseworker_a, world.inside)
    html = client.get(reverse("cases:visit", args=[world.visit_in.pk])).content.decode()
    assert "혈압" not in html
    client.force_login(personas.nurse_a)
    html = client.get(reverse("cases:visit", args=[world.visit_in.pk])).content.decode()
    assert "혈압" in html


def test_the_case_owner_reads_health_notes(client, personas, world):
    world.visit_in.case = world.case_in
    world.visit_in.save(update_fields=["case"])
    client.force_login(personas.caseworker_a)
    html = client.get(reverse("cases:visit", args=[world.visit_in.pk])).content.decode()
    assert "혈압" in html


class TestUnmask:
    def url(self, world):
        return reverse("cases:unmask", args=[world.inside.pk])

    def test_a_caseworker_unmasks_with_a_reason_and_it_is_logged(self, client, personas, world):
        client.force_login(personas.caseworker_a)
        response = client.post(self.url(world), {"reason": "benefit application check"})
        assert INSIDE_RRN in response.content.decode()
        assert response["Cache-Control"] == "no-store"
        entry = AccessLog.objects.get(action="unmask")
        assert entry.reason == "benefit application check"

    def test_it_needs_a_reason(self, client, personas, world):
        client.force_login(personas.caseworker_a)
        response = client.post(self.url(world), {"reason": ""})
        assert INSIDE_RRN not in response.content.decode()
        assert not AccessLog.objects.filter(action="unmask").exists()

    def test_a_nurse_may_not_unmask(self, client, personas, world):
        client.force_login(personas.nurse_a)
        assert client.post(self.url(world), {"reason": "curious about it"}).status_code == 403

    def test_it_needs_post(self, client, personas, world):
        client.force_login(personas.caseworker_a)
        assert client.get(self.url(world)).status_code == 405

    def test_another_centre_gets_a_404(self, client, personas, world):
        client.force_login(personas.caseworker_b)
        assert client.post(self.url(world), {"reason": "benefit check"}).status_code == 404


def test_supervisors_find_merge_split_and_history_on_the_page(client, personas, world):
    url = reverse("cases:resident", args=[world.inside.pk])
    merge = reverse("matching:merge", args=[world.inside.pk])
    client.force_login(personas.supervisor_district_a)
    assert merge in client.get(url).content.decode()
    client.force_login(personas.caseworker_a)
    assert merge not in client.get(url).content.decode()


def test_signed_in_pages_are_never_stored_by_a_cache(client, personas, world):
    client.force_login(personas.caseworker_a)
    for url in (
        reverse("cases:resident", args=[world.inside.pk]),
        reverse("cases:visit", args=[world.visit_in.pk]),
        reverse("cases:worklist"),
    ):
        cache_control = client.get(url)["Cache-Control"]
        assert "no-store" in cache_control and "private" in cache_control, url
