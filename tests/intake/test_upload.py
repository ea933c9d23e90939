"""Uploading a file creates the run and imports it; the same file twice is the same run."""

from __future__ import annotations

from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from intake.models import ImportRun, RunStatus, SourceRecord
from tests.intake.malformed.make_corpus import city, city_row


def _file(name="june.csv"):
    return SimpleUploadedFile(name, city(city_row(1), city_row(2)).encode("cp949"))


def test_an_upload_is_imported(
    manager, sources, client, django_capture_on_commit_callbacks, django_assert_max_num_queries
):
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            reverse("intake:upload", args=[sources["city"].pk]), {"file": _file()}
        )
    run = ImportRun.objects.get()
    assert response.status_code == 302
    assert response.url == reverse("intake:run", args=[run.pk])
    run.refresh_from_db()
    assert (run.status, run.accepted, run.started_by) == (RunStatus.DONE, 2, manager)
    with django_assert_max_num_queries(8):
        page = client.get(response.url)
    assert page.status_code == 200


def test_the_same_file_twice_is_the_same_run(
    manager, sources, client, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("intake:upload", args=[sources["city"].pk]), {"file": _file()})
        client.post(
            reverse("intake:upload", args=[sources["city"].pk]), {"file": _file("again.csv")}
        )
    assert ImportRun.objects.count() == 1
    assert SourceRecord.objects.count() == 2


def test_it_refuses_a_source_out_of_scope(manager, sources, client):
    response = client.post(
        reverse("intake:upload", args=[sources["ministry"].pk]), {"file": _file()}
    )
    assert response.status_code == 404
    assert not ImportRun.objects.exists()


def test_it_asks_for_a_file(manager, sources, client):
    response = client.post(reverse("intake:upload", args=[sources["city"].pk]))
    assert response.status_code == 400
