"""A killed import can be redone from the web (#12 item 10): a run whose heartbeat stopped is
shown as stale and resumed from its page; re-uploading its file offers that; a rolled-back file
can be imported again from its kept copy."""

from __future__ import annotations

from datetime import timedelta

from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone

from intake.actions import destroy_expired_files, rollback_run
from intake.imports import start_import
from intake.models import ImportRun, RecordStatus, RunEvent, RunEventKind, RunStatus, SourceRecord
from tests.intake.conftest import city_file, import_file
from tests.intake.malformed.make_corpus import city, city_row


def _stuck(source, tmp_path, seconds_ago: int = 600) -> ImportRun:
    """A run whose worker was killed while loading: its heartbeat stopped ``seconds_ago``."""
    run = start_import(source, city_file(tmp_path, city_row(1), city_row(2)), dispatch=False)
    then = timezone.now() - timedelta(seconds=seconds_ago)
    ImportRun.objects.filter(pk=run.pk).update(
        status=RunStatus.LOADING, rows_done=1, created_at=then, started_at=then, progress_at=then
    )
    return ImportRun.objects.get(pk=run.pk)


def test_a_run_whose_heartbeat_stopped_is_shown_stale_and_offers_resuming(
    manager, sources, client, tmp_path
):
    run = _stuck(sources["city"], tmp_path)
    assert run.is_stale
    page = client.get(reverse("intake:run", args=[run.pk])).content.decode()
    assert reverse("intake:run_resume", args=[run.pk]) in page


def test_a_run_with_a_recent_heartbeat_is_not_stale(manager, sources, client, tmp_path, settings):
    settings.BIGCARE_IMPORT_STALE_SECONDS = 120
    run = _stuck(sources["city"], tmp_path, seconds_ago=5)
    assert not run.is_stale
    response = client.post(reverse("intake:run_resume", args=[run.pk]))
    assert response.status_code == 302
    assert ImportRun.objects.get(pk=run.pk).status == RunStatus.LOADING
    assert not RunEvent.objects.exists()


def test_a_stale_run_is_resumed_from_its_page(
    manager, sources, client, tmp_path, django_capture_on_commit_callbacks
):
    run = _stuck(sources["city"], tmp_path)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("intake:run_resume", args=[run.pk]))
    assert response.status_code == 302
    run.refresh_from_db()
    assert (run.status, run.accepted) == (RunStatus.DONE, 2), run.error
    assert SourceRecord.objects.filter(run=run, status=RecordStatus.CURRENT).count() == 2
    event = RunEvent.objects.get(run=run)
    assert (event.kind, event.acting_user) == (RunEventKind.RESUMED, manager)


def test_resuming_twice_imports_once(
    manager, sources, client, tmp_path, django_capture_on_commit_callbacks
):
    run = _stuck(sources["city"], tmp_path)
    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("intake:run_resume", args=[run.pk]))
        client.post(reverse("intake:run_resume", args=[run.pk]))
    assert SourceRecord.objects.filter(run=run).count() == 2
    assert RunEvent.objects.filter(run=run).count() == 1


def test_resuming_a_run_of_a_source_out_of_scope_is_a_404(manager, sources, client, tmp_path):
    run = _stuck(sources["crisis"], tmp_path)
    response = client.post(reverse("intake:run_resume", args=[run.pk]))
    assert response.status_code == 404
    assert ImportRun.objects.get(pk=run.pk).status == RunStatus.LOADING


def test_reuploading_the_file_of_a_stuck_run_offers_resuming_it(manager, sources, client, tmp_path):
    run = _stuck(sources["city"], tmp_path)
    data = (tmp_path / "city.csv").read_bytes()
    response = client.post(
        reverse("intake:upload", args=[sources["city"].pk]),
        {"file": SimpleUploadedFile("again.csv", data)},
        follow=True,
    )
    assert response.redirect_chain[-1][0] == reverse("intake:run", args=[run.pk])
    page = response.content.decode()
    assert reverse("intake:run_resume", args=[run.pk]) in page
    assert ImportRun.objects.count() == 1


def test_a_rolled_back_file_is_imported_again_from_its_kept_copy(
    manager, sources, client, tmp_path, django_capture_on_commit_callbacks
):
    path = tmp_path / "june.csv"
    path.write_bytes(city(city_row(1), city_row(2)).encode("cp949"))
    first = import_file(sources["city"], path)
    rollback_run(first, manager)
    path.unlink()  # the agency's file is gone: only the kept copy remains
    page = client.get(reverse("intake:run", args=[first.pk])).content.decode()
    assert reverse("intake:run_reimport", args=[first.pk]) in page
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("intake:run_reimport", args=[first.pk]))
    again = ImportRun.objects.exclude(pk=first.pk).get()
    assert response.url == reverse("intake:run", args=[again.pk])
    assert (again.status, again.accepted, again.reimport_of) == (RunStatus.DONE, 2, first)
    assert SourceRecord.objects.filter(run=again, status=RecordStatus.CURRENT).count() == 2
    first.refresh_from_db()
    assert first.status == RunStatus.ROLLED_BACK
    assert RunEvent.objects.get(run=first).acting_user == manager


def test_a_rolled_back_file_whose_copy_was_destroyed_cannot_be_imported_again(
    manager, sources, client, tmp_path, settings
):
    path = tmp_path / "june.csv"
    path.write_bytes(city(city_row(1)).encode("cp949"))
    first = import_file(sources["city"], path)
    rollback_run(first, manager)
    settings.BIGCARE_IMPORT_FILE_DAYS = -1
    destroy_expired_files()
    response = client.post(reverse("intake:run_reimport", args=[first.pk]))
    assert response.status_code == 302
    assert ImportRun.objects.count() == 1


def test_reimporting_a_run_of_a_source_out_of_scope_is_a_404(manager, sources, client, tmp_path):
    first = import_file(sources["crisis"], city_file(tmp_path, city_row(1)))
    response = client.post(reverse("intake:run_reimport", args=[first.pk]))
    assert response.status_code == 404
