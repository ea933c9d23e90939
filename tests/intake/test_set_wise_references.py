"""The bulk tables' references hold on PostgreSQL, checked per statement instead of per row."""

from __future__ import annotations

import pytest
from django.db import IntegrityError, connection, transaction

from intake.models import Enrollment, ImportRun, Programme, SourceRecord
from tests.conftest import requires_postgres
from tests.intake.conftest import import_file
from tests.intake.malformed.make_corpus import city, city_row

pytestmark = requires_postgres


@pytest.fixture
def loaded(sources, tmp_path) -> ImportRun:
    path = tmp_path / "city.csv"
    path.write_bytes(city(city_row(1), city_row(2)).encode("cp949"))
    return import_file(sources["city"], path)


def _copy(sql: str) -> None:
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(sql)


def test_an_item_of_a_missing_record_is_refused(loaded):
    programme = Programme.objects.first()
    with pytest.raises(IntegrityError, match="no such row in intake_sourcerecord"):
        _copy(
            f"INSERT INTO intake_enrollment (row_number, record_id, programme_id, active) "  # noqa: S608
            f"VALUES (1, 987654321, {programme.pk}, true)"
        )


def test_a_record_of_a_missing_run_is_refused(loaded):
    record = SourceRecord.objects.filter(run=loaded).first()
    with pytest.raises(IntegrityError, match="no such row in intake_importrun"):
        _copy(f"UPDATE intake_sourcerecord SET run_id = 987654321 WHERE id = {record.pk}")  # noqa: S608


def test_a_record_with_items_cannot_be_deleted(loaded):
    record = Enrollment.objects.filter(record__run=loaded).first().record_id
    with pytest.raises(IntegrityError, match="still referenced from intake_enrollment"):
        _copy(f"DELETE FROM intake_sourcerecord WHERE id = {record}")  # noqa: S608


def test_a_run_with_records_cannot_be_deleted(loaded):
    with pytest.raises(IntegrityError, match="still referenced from intake_sourcerecord"):
        _copy(f"DELETE FROM intake_importrun WHERE id = {loaded.pk}")  # noqa: S608
    assert SourceRecord.objects.filter(run=loaded).count() == 2


def test_one_missing_parent_among_many_is_named(loaded):
    programme = Programme.objects.first()
    records = list(SourceRecord.objects.filter(run=loaded).values_list("pk", flat=True))
    # Row numbers past the file's: (record, row) is the items' primary key.
    rows = ", ".join(
        f"({i}, {r}, {programme.pk}, true)"
        for i, r in enumerate([*records, 987654321, *records], start=100)
    )
    with pytest.raises(IntegrityError, match="intake_enrollment.record_id = 987654321"):
        _copy(
            f"INSERT INTO intake_enrollment (row_number, record_id, programme_id, active) "  # noqa: S608
            f"VALUES {rows}"
        )
    with pytest.raises(IntegrityError, match="intake_enrollment.programme_id = 987654321"):
        _copy(
            f"INSERT INTO intake_enrollment (row_number, record_id, programme_id, active) "  # noqa: S608
            f"VALUES (100, {records[0]}, {programme.pk}, true), "
            f"(101, {records[1]}, 987654321, true)"
        )


def test_a_missing_id_inside_the_items_range_is_named(loaded):
    """Items naming a short run of ids are checked by counting the range: a hole in it is
    still found, and named."""
    programme = Programme.objects.first()
    records = sorted(SourceRecord.objects.filter(run=loaded).values_list("pk", flat=True))
    hole = records[-1] + 1
    rows = ", ".join(
        f"({i}, {r}, {programme.pk}, true)" for i, r in enumerate([*records, hole], start=100)
    )
    with pytest.raises(IntegrityError, match=f"intake_enrollment.record_id = {hole}:"):
        _copy(
            f"INSERT INTO intake_enrollment (row_number, record_id, programme_id, active) "  # noqa: S608
            f"VALUES {rows}"
        )
