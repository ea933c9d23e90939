"""The progress fragment polls every second while a run works, and stops when it is done."""

from __future__ import annotations

from django.urls import reverse

from intake.models import ImportRun, RunStatus


def _run(source, **fields):
    return ImportRun.objects.create(source=source, sha256="0" * 64, filename="x.csv", **fields)


def test_it_polls_while_running(manager, sources, client, django_assert_max_num_queries):
    run = _run(sources["city"], status=RunStatus.LOADING, rows_in=1000, rows_done=400)
    with django_assert_max_num_queries(6):
        response = client.get(reverse("intake:run_progress", args=[run.pk]))
    text = response.content.decode()
    assert 'hx-trigger="every 1s"' in text
    assert 'aria-valuenow="40"' in text


def test_it_stops_polling_when_done(manager, sources, client):
    run = _run(sources["city"], status=RunStatus.DONE, rows_in=10, accepted=10)
    text = client.get(reverse("intake:run_progress", args=[run.pk])).content.decode()
    assert "hx-trigger" not in text
    assert 'aria-valuenow="100"' in text


def test_it_shows_a_failed_runs_error(manager, sources, client):
    run = _run(sources["city"], status=RunStatus.FAILED, error="missing required columns: 성명")
    text = client.get(reverse("intake:run_progress", args=[run.pk])).content.decode()
    assert "missing required columns: 성명" in text


def test_a_run_out_of_scope_is_a_404(manager, sources, client):
    run = _run(sources["ministry"], status=RunStatus.LOADING)
    assert client.get(reverse("intake:run_progress", args=[run.pk])).status_code == 404
    assert client.get(reverse("intake:run", args=[run.pk])).status_code == 404
