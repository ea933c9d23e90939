"""「동을 찾지 못한 주소」: residents without a centre, as the admin's own sources show them."""

from __future__ import annotations

import pytest
from django.urls import reverse

from intake.models import ImportRun, SourceRecord
from matching.models import RecordLink, Resident


def _record(source, key: str, address: str) -> SourceRecord:
    run = ImportRun.objects.create(source=source, sha256=key * 8, filename="x.csv")
    return SourceRecord.objects.create(
        source=source, run=run, row_number=1, source_key=key, content_hash=key,
        name="김영희", address=address,
    )  # fmt: skip


def _resident(*records, centre=None) -> Resident:
    resident = Resident.objects.create(name="김영희", home_centre=centre)
    for r in records:
        RecordLink.objects.create(record=r, resident=resident)
    return resident


@pytest.fixture
def unplaced_world(sources, personas):
    city, ministry = sources["city"], sources["ministry"]
    _resident(
        _record(city, "C1", "서울특별시 종로구 없는로 1"),
        _record(ministry, "M1", "서울특별시 종로구 비밀로 9"),
    )
    _resident(_record(city, "C2", "서울특별시 종로구 없는로 1"))
    _resident(_record(ministry, "M2", "서울특별시 종로구 비밀로 10"))
    # Placed: not listed.
    _resident(_record(city, "C3", "서울특별시 종로구 자하문로 94"), centre=personas.centre_a)


def test_lists_unplaced_residents_of_the_admins_sources_only(unplaced_world, manager, client):
    page = client.get(reverse("intake:unplaced")).content.decode()
    assert "동을 찾지 못한 주소" in page
    assert "서울특별시 종로구 없는로 1" in page
    # The ministry is not granted to this administrator: none of its addresses show.
    assert "비밀로" not in page
    assert "자하문로" not in page
    # One row for the city: 2 residents, 2 records.
    assert "<td>2</td><td>2</td>" in page.replace("\n", "").replace(" ", "")


def test_the_menu_links_it(manager, client):
    page = client.get(reverse("intake:sources")).content.decode()
    assert reverse("intake:unplaced") in page


def test_a_user_without_sources_sees_no_address(unplaced_world, personas, client):
    client.force_login(personas.caseworker_a)
    page = client.get(reverse("intake:unplaced")).content.decode()
    assert "없는로" not in page and "비밀로" not in page


def test_query_count_does_not_grow_with_the_list(
    unplaced_world, manager, client, sources, django_assert_max_num_queries
):
    client.get(reverse("intake:unplaced"))
    for k in range(30):
        _resident(_record(sources["city"], f"X{k}", f"서울특별시 종로구 없는로 {k + 2}"))
    # session, user, scope (sources with the membership check), per-source counts, addresses.
    with django_assert_max_num_queries(6):
        page = client.get(reverse("intake:unplaced")).content.decode()
    assert "없는로 31" in page
