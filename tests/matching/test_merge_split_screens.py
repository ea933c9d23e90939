"""Manual merge, split and undo of residents: scope on every request, the moves, the audit."""

from __future__ import annotations

import pytest
from django.urls import reverse

from bigcare.models import AccessAction, AccessLog
from intake.models import SourceRecord
from matching.models import LinkDecision, RecordLink, Resident, ResidentChange, ReviewItem
from tests.cases.factories import ResidentFactory, SourceRecordFactory, link_records, rrn_fields


@pytest.fixture
def two(personas):
    """Two residents of centre A with two records each, and one of another district."""
    a = ResidentFactory(name="김영희", home_centre=personas.centre_a)
    b = ResidentFactory(name="김영희", home_centre=personas.centre_b)
    far = ResidentFactory(name="김영희", home_centre=personas.centre_other_district)
    for r in (a, b, far):
        link_records(r, 2, with_benefits=False)
    return a, b, far


def records_of(resident) -> set[int]:
    return set(RecordLink.objects.filter(resident=resident).values_list("record_id", flat=True))


def test_a_supervisor_previews_and_merges_two_residents(
    client, personas, two, django_assert_max_num_queries
):
    a, b, _ = two
    moved = records_of(b)
    client.force_login(personas.supervisor_district_a)
    url = reverse("matching:merge", args=[a.pk])
    with django_assert_max_num_queries(14):
        page = client.get(url, {"other": b.pk})
    assert page.status_code == 200 and f"#{b.pk}" in page.content.decode()
    with django_assert_max_num_queries(24):
        r = client.post(url, {"other": b.pk, "reason": "same RRN on paper"})
    assert r.status_code == 302 and r["Location"] == reverse("matching:changes", args=[a.pk])
    assert records_of(a) >= moved and not records_of(b)
    assert not Resident.objects.get(pk=b.pk).active
    change = ResidentChange.objects.get(kind="merge")
    assert set(change.residents.values_list("pk", flat=True)) == {a.pk, b.pk}
    assert LinkDecision.objects.get().same
    entry = AccessLog.objects.filter(action=AccessAction.REVIEW_LINK).latest("pk")
    assert set(entry.subjects.values_list("resident_id", flat=True)) == {a.pk, b.pk}


def test_a_merge_with_a_resident_outside_scope_is_not_found_and_changes_nothing(
    client, personas, two
):
    a, _, far = two
    client.force_login(personas.supervisor_district_a)
    url = reverse("matching:merge", args=[a.pk])
    assert client.get(url, {"other": far.pk}).status_code == 404
    assert client.post(url, {"other": far.pk}).status_code == 404
    assert client.post(reverse("matching:merge", args=[far.pk]), {"other": a.pk}).status_code == 404
    assert len(records_of(far)) == 2 and not ResidentChange.objects.exists()


@pytest.mark.parametrize("persona", ["caseworker_a", "nurse_a", "data_admin", "outsider"])
def test_only_supervisors_reach_the_screens(client, personas, two, persona):
    a, b, _ = two
    client.force_login(getattr(personas, persona))
    for name in ("merge", "split", "changes"):
        assert client.get(reverse(f"matching:{name}", args=[a.pk])).status_code == 404
    assert client.post(reverse("matching:merge", args=[a.pk]), {"other": b.pk}).status_code == 404
    assert not ResidentChange.objects.exists()


def test_two_different_rrns_are_never_merged(client, personas, two):
    a, b, _ = two
    SourceRecordFactory.reset_sequence(900)
    for resident, number in ((a, "500301-2345678"), (b, "500301-2999999")):
        record = SourceRecordFactory(rrn_index=rrn_fields(number)["rrn_index"])
        RecordLink.objects.create(record=record, resident=resident)
    client.force_login(personas.supervisor_district_a)
    r = client.post(reverse("matching:merge", args=[a.pk]), {"other": b.pk})
    assert r.status_code == 200 and 'class="error"' in r.content.decode()
    assert len(records_of(b)) == 3 and not ResidentChange.objects.exists()


def test_a_resident_cannot_be_merged_with_itself(client, personas, two):
    a, *_ = two
    client.force_login(personas.supervisor_district_a)
    r = client.post(reverse("matching:merge", args=[a.pk]), {"other": a.pk})
    assert r.status_code == 200 and not ResidentChange.objects.exists()


def test_the_split_form_lists_records_and_moves_the_ticked_ones(
    client, personas, two, django_assert_max_num_queries
):
    a, *_ = two
    first, second = sorted(records_of(a))
    client.force_login(personas.supervisor_district_a)
    url = reverse("matching:split", args=[a.pk])
    with django_assert_max_num_queries(12):
        page = client.get(url).content.decode()
    assert f'name="records" value="{first}"' in page and f'value="{second}"' in page
    with django_assert_max_num_queries(24):
        r = client.post(url, {"records": [second], "reason": "twin sister"})
    assert r.status_code == 302
    assert records_of(a) == {first}
    new = RecordLink.objects.get(record_id=second).resident
    assert new.pk != a.pk and new.home_centre_id == a.home_centre_id
    assert LinkDecision.objects.get(record_a_id=first, record_b_id=second).same is False


@pytest.mark.parametrize("chosen", ["none", "all", "foreign"])
def test_a_split_needs_some_but_not_all_of_the_residents_own_records(client, personas, two, chosen):
    a, b, _ = two
    records = {"none": [], "all": sorted(records_of(a)), "foreign": sorted(records_of(b))[:1]}[
        chosen
    ]
    client.force_login(personas.supervisor_district_a)
    r = client.post(reverse("matching:split", args=[a.pk]), {"records": records})
    assert r.status_code == 200 and 'class="error"' in r.content.decode()
    assert not ResidentChange.objects.exists() and len(records_of(b)) == 2


def test_the_history_undoes_a_merge_once(client, personas, two, django_assert_max_num_queries):
    a, b, _ = two
    before_a, before_b = records_of(a), records_of(b)
    client.force_login(personas.supervisor_district_a)
    client.post(reverse("matching:merge", args=[a.pk]), {"other": b.pk})
    change = ResidentChange.objects.get()
    with django_assert_max_num_queries(12):
        page = client.get(reverse("matching:changes", args=[a.pk])).content.decode()
    assert f'name="change" value="{change.pk}"' in page
    # 25: the undo recomputes both residents' golden fields (their links, records and the
    # centres of their dongs: 3 queries; it no longer reads the change's residents twice).
    with django_assert_max_num_queries(25):
        r = client.post(reverse("matching:undo", args=[a.pk]), {"change": change.pk})
    assert r.status_code == 302
    assert records_of(a) == before_a and records_of(b) == before_b
    assert Resident.objects.get(pk=b.pk).active
    assert not LinkDecision.objects.filter(active=True).exists()
    client.post(reverse("matching:undo", args=[a.pk]), {"change": change.pk})
    assert ResidentChange.objects.filter(kind="undo").count() == 1
    assert records_of(a) == before_a


def test_undoing_a_split_empties_and_retires_the_new_resident(client, personas, two):
    a, *_ = two
    first, second = sorted(records_of(a))
    client.force_login(personas.supervisor_district_a)
    client.post(reverse("matching:split", args=[a.pk]), {"records": [second]})
    new = RecordLink.objects.get(record_id=second).resident_id
    client.post(reverse("matching:undo", args=[a.pk]), {"change": ResidentChange.objects.get().pk})
    assert records_of(a) == {first, second}
    assert not Resident.objects.get(pk=new).active


def test_a_change_touching_a_resident_outside_scope_cannot_be_undone(client, personas, two):
    a, _, far = two
    change = ResidentChange.objects.create(kind="merge", moves={})
    change.residents.add(a, far)
    client.force_login(personas.supervisor_district_a)
    page = client.get(reverse("matching:changes", args=[a.pk])).content.decode()
    assert f'name="change" value="{change.pk}"' not in page
    r = client.post(reverse("matching:undo", args=[a.pk]), {"change": change.pk})
    assert r.status_code == 404 and not ResidentChange.objects.get(pk=change.pk).undone


def test_the_review_queue_offers_the_merge_of_the_two_residents(client, personas, two):
    a, b, _ = two
    ReviewItem.objects.create(
        record_a_id=min(records_of(a)), record_b_id=min(records_of(b)), total=1.0
    )
    client.force_login(personas.supervisor_district_a)
    page = client.get(reverse("matching:queue")).content.decode()
    assert f"{reverse('matching:merge', args=[a.pk])}?other={b.pk}" in page


def test_the_screens_speak_korean_by_default(client, personas, two):
    a, *_ = two
    client.force_login(personas.supervisor_district_a)
    assert "주민 분리" in client.get(reverse("matching:split", args=[a.pk])).content.decode()
    assert "주민 병합" in client.get(reverse("matching:merge", args=[a.pk])).content.decode()


def test_golden_fields_are_recomputed_after_merge_undo_and_split(client, personas):
    """The profile shows what its records say, by linkage's rules (the newest address wins)."""
    a = ResidentFactory(name="김영희", home_centre=personas.centre_a)
    b = ResidentFactory(name="김영희", home_centre=personas.centre_a)
    (own,), (moved,) = (
        link_records(a, 1, with_benefits=False),
        link_records(b, 1, with_benefits=False),
    )
    SourceRecord.objects.filter(pk=own.pk).update(address="서울특별시 종로구 자하문로 1")
    SourceRecord.objects.filter(pk=moved.pk).update(
        address="서울특별시 종로구 북촌로 99", phone="010-2345-6789"
    )
    client.force_login(personas.supervisor_district_a)

    client.post(reverse("matching:merge", args=[a.pk]), {"other": b.pk})
    a.refresh_from_db()
    assert a.address == "서울특별시 종로구 북촌로 99" and "23456789" in a.phone
    client.post(
        reverse("matching:undo", args=[a.pk]),
        {"change": ResidentChange.objects.get(kind="merge").pk},
    )
    a.refresh_from_db()
    assert a.address == "서울특별시 종로구 자하문로 1" and a.phone == ""

    client.post(reverse("matching:merge", args=[a.pk]), {"other": b.pk})
    client.post(reverse("matching:split", args=[a.pk]), {"records": [moved.pk]})
    a.refresh_from_db()
    new = RecordLink.objects.get(record=moved).resident
    assert a.address == "서울특별시 종로구 자하문로 1"
    assert new.address == "서울특별시 종로구 북촌로 99" and new.home_centre == a.home_centre
