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


def test_polling_a_stuck_run_does_not_keep_the_session_alive(
    manager, sources, client, settings, monkeypatch
):
    import bigcare.middleware

    run = _run(sources["city"], status=RunStatus.LOADING, rows_in=1000, rows_done=400)
    url = reverse("intake:run_progress", args=[run.pk])
    now = 1_800_000_000
    session = client.session
    session["last_seen"] = now - settings.SESSION_IDLE_TIMEOUT + 120
    session.save()
    # The page keeps polling every second past the idle timeout; nobody touches the tablet.
    for seconds in range(0, 120, 5):
        monkeypatch.setattr(bigcare.middleware.time, "time", lambda s=seconds: now + s)
        assert client.get(url, HTTP_HX_REQUEST="true").status_code == 200
    assert client.session["last_seen"] == now - settings.SESSION_IDLE_TIMEOUT + 120
    monkeypatch.setattr(bigcare.middleware.time, "time", lambda: now + 121)
    response = client.get(
        url, HTTP_HX_REQUEST="true", HTTP_HX_CURRENT_URL=f"http://testserver/intake/runs/{run.pk}/"
    )
    assert response["HX-Redirect"] == f"/accounts/login/?next=/intake/runs/{run.pk}/"
    assert client.get(reverse("intake:run", args=[run.pk])).status_code == 302


def test_a_request_of_the_users_own_keeps_the_session_alive(
    manager, sources, client, settings, monkeypatch
):
    import bigcare.middleware

    run = _run(sources["city"], status=RunStatus.LOADING)
    now = 1_800_000_000
    session = client.session
    session["last_seen"] = now - settings.SESSION_IDLE_TIMEOUT + 10
    session.save()
    monkeypatch.setattr(bigcare.middleware.time, "time", lambda: now)
    assert client.get(reverse("intake:run", args=[run.pk])).status_code == 200
    assert client.session["last_seen"] == now
