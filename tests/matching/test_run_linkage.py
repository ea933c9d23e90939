"""run_linkage as a write path: ids, atomicity, failure, the task and the signal."""

import pytest

from intake.models import SourceRecord
from intake.signals import records_changed
from matching import actions
from matching.actions import run_linkage
from matching.models import LinkageRun, RecordLink, Resident
from matching.tasks import link_records
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
    keys = load_records(frame.head(300))
    link_records(list(keys.values()))
    before = dict(RecordLink.objects.values_list("record_id", "resident_id"))
    link_records(list(keys.values()))
    assert dict(RecordLink.objects.values_list("record_id", "resident_id")) == before
    assert Resident.objects.filter(active=True).count() == len(set(before.values()))


def test_an_import_signal_links_after_commit_not_inside(db, frame,
                                                        django_capture_on_commit_callbacks):
    keys = load_records(frame.head(200))
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        records_changed.send(sender=None, record_ids=list(keys.values()), run=None)
    assert not RecordLink.objects.exists()  # nothing linked inside the import's transaction
    assert len(callbacks) == 1
    callbacks[0]()
    assert RecordLink.objects.count() == SourceRecord.objects.count() == 200
