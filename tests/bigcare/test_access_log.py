"""The access log is append-only (DESIGN.md principle 7)."""

import pytest
from django.db import DatabaseError, connection, transaction
from django.test import RequestFactory

from bigcare.accesslog import log_access
from bigcare.models import AccessLog, AccessLogSubject
from tests.conftest import requires_postgres


@pytest.fixture
def entry(personas):
    request = RequestFactory().get("/residents/7/", REMOTE_ADDR="10.1.2.3")
    request.user = personas.caseworker_a
    return log_access(request, "view_profile", [7, 7, 9], reason="home visit")


def test_one_look_writes_who_when_where_what_and_whom(entry, django_assert_num_queries):
    assert entry.username == "caseworker_a" and str(entry.address) == "10.1.2.3"
    assert entry.action == "view_profile" and entry.reason == "home visit"
    assert sorted(entry.subjects.values_list("resident_id", flat=True)) == [7, 9]
    assert entry.subject_count == 2


def test_logging_costs_the_same_whatever_the_number_of_residents(
    personas, django_assert_num_queries
):
    request = RequestFactory().get("/search?q=김")
    request.user = personas.caseworker_a
    # PostgreSQL: one statement; elsewhere two INSERTs inside a savepoint.
    with django_assert_num_queries(1 if connection.vendor == "postgresql" else 4):
        entry = log_access(request, "search", range(100), detail="q=김")
    assert entry.pk and entry.subject_count == 100
    assert sorted(
        AccessLogSubject.objects.filter(entry=entry).values_list("resident_id", flat=True)
    ) == list(range(100))


def test_identity_numbers_are_redacted_from_details(personas):
    request = RequestFactory().get("/search")
    request.user = personas.caseworker_a
    entry = log_access(request, "search", [], detail="q=850101-1234567")
    assert "1234567" not in entry.detail


def test_the_model_refuses_updates_and_deletes(entry):
    entry.reason = "changed"
    with pytest.raises(PermissionError):
        entry.save()
    with pytest.raises(PermissionError):
        entry.delete()
    with pytest.raises(PermissionError):
        AccessLog.objects.filter(pk=entry.pk).update(reason="x")
    with pytest.raises(PermissionError):
        AccessLogSubject.objects.all().delete()


@requires_postgres
def test_postgres_refuses_updates_and_deletes_behind_the_orm(entry):
    for sql in (
        "UPDATE bigcare_accesslog SET reason = 'x'",
        "DELETE FROM bigcare_accesslog",
        "DELETE FROM bigcare_accesslogsubject",
    ):
        with (
            pytest.raises(DatabaseError, match="append-only"),
            transaction.atomic(),
            connection.cursor() as cursor,
        ):
            cursor.execute(sql)
    assert AccessLog.objects.filter(pk=entry.pk, reason="home visit").exists()


@requires_postgres
def test_postgres_lets_the_retention_purge_delete_rows_older_than_two_years(personas):
    from datetime import timedelta

    from django.utils import timezone

    old = AccessLog.objects.create(
        username="x", action="search", at=timezone.now() - timedelta(days=2 * 366)
    )
    with connection.cursor() as cursor:
        cursor.execute("DELETE FROM bigcare_accesslog WHERE id = %s", [old.pk])
    assert not AccessLog.objects.filter(pk=old.pk).exists()
