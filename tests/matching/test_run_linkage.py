"""run_linkage as a write path: ids, atomicity, failure, the task and the signal."""

import pytest

from intake.models import ImportRun, LinkStatus, SourceRecord
from intake.signals import records_changed
from matching import actions
from matching.actions import run_linkage
from matching.models import LinkageRun, RecordLink, Resident
from matching.tasks import link_import
from tests.matching.conftest import load_records


@pytest.fixture
def frame(small_sources):
    from matching.frames import records_from_sources

    return records_from_sources(small_sources)[0]


def test_a_resident_created_after_a_run_gets_a_fresh_id(db, frame):
    load_records(frame.head(400))
    run_linkage(full=True)
    made = Resident.objects.create(name="새 주민")
    assert made.pk > max(RecordLink.objects.values_list("resident_id", flat=True))


def test_every_record_gets_a_resident_with_golden_fields(db, frame):
    load_records(frame.head(400))
    run = run_linkage(full=True)
    assert run.status == LinkageRun.Status.DONE and run.stage == "done"
    assert RecordLink.objects.count() == 400 == run.records
    assert Resident.objects.filter(active=True).count() == run.residents
    assert not Resident.objects.filter(active=True, name="").exists()


def test_linked_residents_carry_the_building_and_unit_keys_of_their_address(db, frame):
    from matching.address import parse_address

    load_records(frame.head(400))
    run_linkage(full=True)
    residents = list(Resident.objects.filter(active=True).exclude(address=""))
    assert residents
    for r in residents:
        a = parse_address(r.address)
        assert (r.building_key, r.unit_key) == (a.building_key, a.unit_key)
    # The synthetic addresses are all well formed: every one names a dwelling.
    assert all(r.unit_key for r in residents)


def test_a_run_that_fails_is_marked_failed_and_writes_nothing(db, frame, monkeypatch):
    load_records(frame.head(300))

    def broken(*args, **kwargs):
        raise RuntimeError("disk full")

    monkeypatch.setattr(actions, "_save_review_items", broken)
    with pytest.raises(RuntimeError):
        run_linkage(full=True)
    run = LinkageRun.objects.get()
    assert run.status == LinkageRun.Status.FAILED and "disk full" in run.error
    assert not RecordLink.objects.exists() and not Resident.objects.exists()


def test_the_task_is_idempotent(db, frame):
    load_records(frame.head(300))
    run = ImportRun.objects.first()
    link_import(run.pk)
    before = dict(RecordLink.objects.values_list("record_id", "resident_id"))
    ImportRun.objects.filter(pk=run.pk).update(link_status=LinkStatus.QUEUED)  # redelivered
    link_import(run.pk)
    assert dict(RecordLink.objects.values_list("record_id", "resident_id")) == before
    assert Resident.objects.filter(active=True).count() == len(set(before.values()))


def test_an_import_signal_links_after_commit_not_inside(
    db, frame, django_capture_on_commit_callbacks
):
    keys = load_records(frame.head(200))
    run = ImportRun.objects.first()
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        records_changed.send(sender=None, record_ids=list(keys.values()), run=run)
    assert not RecordLink.objects.exists()  # nothing linked inside the import's transaction
    assert len(callbacks) == 1
    run.refresh_from_db()
    assert run.link_status == LinkStatus.QUEUED
    callbacks[0]()
    assert RecordLink.objects.count() == SourceRecord.objects.count() == 200
    run.refresh_from_db()
    assert run.link_status == LinkStatus.DONE


def test_the_link_task_takes_the_run_id_and_is_idempotent_by_it(db, frame):
    load_records(frame.head(200))
    run = ImportRun.objects.first()
    assert link_import(run.pk) is not None
    assert RecordLink.objects.count() == 200
    assert link_import(run.pk) is None  # linked already: nothing to do
    assert LinkageRun.objects.count() == 1


def test_linking_more_records_than_sqlite_binds_reads_them_in_batches(db, frame):
    """1.9 M records once failed the link with "too many SQL variables" (#12 item 12): here
    SQLite binds at most 999 variables a statement, and 1,200 records are linked twice."""
    import sqlite3

    from django.db import connection

    if connection.vendor != "sqlite":
        pytest.skip("SQLite's limit on bound variables")
    load_records(frame.head(1200))
    connection.ensure_connection()
    connection.connection.setlimit(sqlite3.SQLITE_LIMIT_VARIABLE_NUMBER, 999)
    try:
        run_linkage(full=True)
        run = ImportRun.objects.first()
        run.link_status = ""
        run.save(update_fields=["link_status"])
        # The incremental link reads every linked record's stored forms by id.
        assert link_import(run.pk) is not None
    finally:
        connection.connection.setlimit(sqlite3.SQLITE_LIMIT_VARIABLE_NUMBER, 32766)
    run.refresh_from_db()
    assert run.link_status == LinkStatus.DONE
    assert RecordLink.objects.count() == 1200
