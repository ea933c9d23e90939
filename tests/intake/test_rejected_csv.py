"""Rejected rows download as CSV with a BOM, reasons, the raw cells, and no live formulas."""

from __future__ import annotations

from django.urls import reverse

from tests.intake.conftest import city_file, import_file
from tests.intake.malformed.make_corpus import city_row


def test_it_downloads_rejected_rows(
    manager, sources, client, tmp_path, django_assert_max_num_queries
):
    path = city_file(
        tmp_path,
        city_row(1, 주소='=HYPERLINK("http://x")'),
        city_row(2, 성명="@SUM(1)", 전화번호="+82"),
        city_row(3),
    )
    run = import_file(sources["city"], path)
    # Session, user, scope, run, columns, rows, the session's refresh (3 with its savepoint) and
    # the access-log entry the export writes: a fixed number whatever the rows.
    with django_assert_max_num_queries(10):
        response = client.get(reverse("intake:run_rejected_csv", args=[run.pk]))
        body = b"".join(response.streaming_content).decode("utf-8")
    assert body.startswith("\ufeff")
    assert "attachment" in response["Content-Disposition"]
    lines = body.splitlines()
    assert len(lines) == 3
    assert "'=HYPERLINK" in body and "'@SUM(1)" in body and "'+82" in body
    assert ",=" not in body and ",@" not in body
    assert "500101-2******" in body


def test_the_download_is_written_to_the_access_log(manager, sources, client, tmp_path):
    from bigcare.models import AccessLog

    run = import_file(sources["city"], city_file(tmp_path, city_row(1, 성명="")))
    client.get(reverse("intake:run_rejected_csv", args=[run.pk]))
    entry = AccessLog.objects.get(action="export")
    assert entry.username == manager.username and f"run {run.pk}" in entry.detail
    assert entry.reason


def test_it_refuses_a_run_out_of_scope(manager, sources, client):
    from pathlib import Path

    run = import_file(sources["ministry"], Path(__file__).parent / "malformed" / "ministry_ok.xlsx")
    response = client.get(reverse("intake:run_rejected_csv", args=[run.pk]))
    assert response.status_code == 404


def test_a_formula_after_leading_whitespace_is_neutralised(manager, sources, client, tmp_path):
    path = city_file(
        tmp_path,
        city_row(1, 주소=' =HYPERLINK("http://x")'),
        city_row(2, 성명="\u3000@SUM(1)", 전화번호="  +82"),
        city_row(3),
    )
    run = import_file(sources["city"], path)
    response = client.get(reverse("intake:run_rejected_csv", args=[run.pk]))
    body = b"".join(response.streaming_content).decode("utf-8")
    assert "' =HYPERLINK" in body and "'\u3000@SUM(1)" in body and "'  +82" in body
