"""A manual merge carries the merged-away resident's cases, visits, worklist entries and report
items to the survivor, and its undo carries back exactly those (matching.signals →
cases.receivers)."""

from __future__ import annotations

import pytest
from django.urls import reverse
from django.utils import timezone

from cases.models import Case, ReportItem, Visit, VisitReason, WorklistEntry
from matching.actions import merge_residents, undo_change
from matching.models import ResidentChange
from tests.cases.conftest import eligibility_reports
from tests.cases.factories import CaseFactory, ResidentFactory, VisitFactory, link_records


@pytest.fixture
def pair(personas):
    """Two residents of centre A, one person; the case and visit were recorded on ``gone``."""
    keep = ResidentFactory(name="김영희", home_centre=personas.centre_a)
    gone = ResidentFactory(name="김영희", home_centre=personas.centre_a)
    for r in (keep, gone):
        link_records(r, 1, with_benefits=False)
    case = CaseFactory(resident=gone, owner=personas.caseworker_a)
    visit = VisitFactory(
        resident=gone, caseworker=personas.caseworker_a, created_by=personas.caseworker_a
    )
    return keep, gone, case, visit


def merge(client, personas, keep, gone):
    client.force_login(personas.supervisor_district_a)
    r = client.post(reverse("matching:merge", args=[keep.pk]), {"other": gone.pk})
    assert r.status_code == 302
    return ResidentChange.objects.get(kind="merge")


def test_the_survivors_page_shows_the_case_and_visit_after_a_merge(client, personas, pair):
    keep, gone, case, visit = pair
    merge(client, personas, keep, gone)
    client.force_login(personas.caseworker_a)
    page = client.get(reverse("cases:resident", args=[keep.pk])).content.decode()
    assert reverse("cases:case", args=[case.pk]) in page
    assert reverse("cases:visit", args=[visit.pk]) in page


def test_the_old_case_url_works_and_leads_to_the_survivor(client, personas, pair):
    keep, gone, case, _ = pair
    merge(client, personas, keep, gone)
    client.force_login(personas.caseworker_a)
    page = client.get(reverse("cases:case", args=[case.pk]))
    assert page.status_code == 200
    assert reverse("cases:resident", args=[keep.pk]) in page.content.decode()
    assert client.get(reverse("cases:resident", args=[keep.pk])).status_code == 200


def test_undo_moves_what_the_merge_carried_back(client, personas, pair):
    keep, gone, case, visit = pair
    own_case = CaseFactory(resident=keep, owner=personas.caseworker_a)
    change = merge(client, personas, keep, gone)
    assert change.carried == {"cases.Case": [case.pk], "cases.Visit": [visit.pk]}
    client.post(reverse("matching:undo", args=[keep.pk]), {"change": change.pk})
    assert Case.objects.get(pk=case.pk).resident_id == gone.pk
    assert Visit.objects.get(pk=visit.pk).resident_id == gone.pk
    assert Case.objects.get(pk=own_case.pk).resident_id == keep.pk


def test_worklist_entries_and_report_items_follow_too(personas, pair):
    keep, gone, *_ = pair
    report, _ = eligibility_reports(
        personas, gone, ResidentFactory(home_centre=personas.centre_other_district)
    )
    item = report.items.get()
    entry = WorklistEntry.objects.create(
        resident=gone,
        centre=personas.centre_a,
        reason=VisitReason.CRISIS,
        item=item,
        added_by=personas.supervisor_district_a,
        added_on=timezone.localdate(),
    )
    change = merge_residents(keep, gone, acting_user=personas.supervisor_district_a)
    assert ReportItem.objects.get(pk=item.pk).resident_id == keep.pk
    assert WorklistEntry.objects.get(pk=entry.pk).resident_id == keep.pk
    undo_change(change, acting_user=personas.supervisor_district_a)
    assert ReportItem.objects.get(pk=item.pk).resident_id == gone.pk
    assert WorklistEntry.objects.get(pk=entry.pk).resident_id == gone.pk


def test_undoing_a_split_brings_a_case_opened_meanwhile_back(client, personas):
    person = ResidentFactory(home_centre=personas.centre_a)
    first, second = link_records(person, 2, with_benefits=False)
    client.force_login(personas.supervisor_district_a)
    client.post(reverse("matching:split", args=[person.pk]), {"records": [second.pk]})
    change = ResidentChange.objects.get(kind="split")
    new = change.moves[str(second.pk)][1]
    case = CaseFactory(resident_id=new, owner_centre=personas.centre_a)
    client.post(reverse("matching:undo", args=[person.pk]), {"change": change.pk})
    assert Case.objects.get(pk=case.pk).resident_id == person.pk
