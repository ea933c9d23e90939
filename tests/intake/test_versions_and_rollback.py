"""A new extract adds versions only for changed persons; rolling back restores the previous ones."""

from __future__ import annotations

import pytest

from intake.actions import rollback_run
from intake.errors import RunStateError
from intake.models import RecordStatus, RunStatus, SourceRecord
from intake.signals import records_changed
from tests.intake.conftest import import_file
from tests.intake.malformed.make_corpus import city, city_row

FIRST = [city_row(1), city_row(2, 성명="박민준", 성별="남"), city_row(3, 성명="이서연")]
# Person 2 moved; person 3 got a second service; person 1 is unchanged but on another line.
SECOND = [
    city_row(3, 성명="이서연"),
    city_row(3, 성명="이서연", 서비스코드="SEOUL_HOUSING"),
    city_row(2, 성명="박민준", 성별="남", 주소="서울특별시 종로구 율곡로 1"),
    city_row(1),
]


def _write(tmp_path, name, rows):
    path = tmp_path / name
    path.write_bytes(city(*rows).encode("cp949"))
    return path


def _chain(key):
    return list(
        SourceRecord.objects.filter(source_key=key)
        .order_by("version")
        .values_list("version", "status")
    )


@pytest.fixture
def two_extracts(sources, tmp_path, django_capture_on_commit_callbacks):
    first = import_file(sources["city"], _write(tmp_path, "may.csv", FIRST))
    second = import_file(sources["city"], _write(tmp_path, "june.csv", SECOND))
    return first, second


def test_a_second_extract_adds_versions_only_for_changed_persons(two_extracts):
    first, second = two_extracts
    assert (first.records_added, second.records_added) == (3, 2)
    assert _chain("SC00000001") == [(1, "current")]
    assert _chain("SC00000002") == [(1, "superseded"), (2, "current")]
    assert _chain("SC00000003") == [(1, "superseded"), (2, "current")]
    assert SourceRecord.objects.get(source_key="SC00000003", version=2).enrollments.count() == 2


def test_rolling_back_restores_the_previous_versions(
    two_extracts, django_capture_on_commit_callbacks
):
    _, second = two_extracts
    heard = []

    def listener(sender, record_ids, run, **kwargs):
        heard.append((sorted(record_ids), run.pk))

    records_changed.connect(listener)
    try:
        with django_capture_on_commit_callbacks(execute=True):
            changed = rollback_run(second, None)
    finally:
        records_changed.disconnect(listener)
    second.refresh_from_db()
    assert second.status == RunStatus.ROLLED_BACK
    assert _chain("SC00000002") == [(1, "current"), (2, "retracted")]
    assert _chain("SC00000001") == [(1, "current")]
    assert heard == [(sorted(changed), second.pk)]
    assert len(changed) == 4
    with pytest.raises(RunStateError):
        rollback_run(second, None)


def test_after_a_rollback_a_new_extract_numbers_versions_past_the_retracted(two_extracts, tmp_path):
    first, second = two_extracts
    rollback_run(second, None)
    third = import_file(first.source, _write(tmp_path, "july.csv", SECOND[2:]))
    assert third.records_added == 1
    assert _chain("SC00000002") == [(1, "superseded"), (2, "retracted"), (3, "current")]


def test_an_earlier_run_cannot_be_rolled_back_under_a_later_one(two_extracts):
    first, _ = two_extracts
    with pytest.raises(RunStateError):
        rollback_run(first, None)
    assert SourceRecord.objects.filter(status=RecordStatus.RETRACTED).count() == 0


def test_a_successful_import_announces_its_records(
    sources, tmp_path, django_capture_on_commit_callbacks
):
    heard = []
    records_changed.connect(
        lambda sender, record_ids, run, **kw: heard.append(record_ids), weak=False, dispatch_uid="t"
    )
    try:
        with django_capture_on_commit_callbacks(execute=True):
            run = import_file(sources["city"], _write(tmp_path, "may.csv", FIRST))
    finally:
        records_changed.disconnect(dispatch_uid="t")
    assert sorted(heard[0]) == sorted(
        SourceRecord.objects.filter(run=run).values_list("id", flat=True)
    )
