"""No identity number in clear text in any table, log line or task argument (principle 6)."""

from __future__ import annotations

import logging

from django.apps import apps
from django.db import connection

from intake.models import RejectedRow, SourceRecord
from tests.intake.conftest import import_file
from tests.intake.malformed.make_corpus import CITY_HEADER, city, city_row

# Made-up numbers: one with a valid pre-2020 checksum, one post-2020 (random digits), one with
# a typo'd date that makes it unreadable, and one inside an extra column.
SEEDED = ["5001012345672", "2101013456789", "5013012345678", "7705051234561"]


def _dump_every_table() -> str:
    parts = []
    with connection.cursor() as cursor:
        for model in apps.get_models(include_auto_created=True):
            table = connection.ops.quote_name(model._meta.db_table)
            cursor.execute(f"SELECT * FROM {table}")  # noqa: S608
            parts.extend(repr(row) for row in cursor.fetchall())
    return "\n".join(parts)


def test_no_rrn_in_clear_anywhere(sources, tmp_path, caplog,
                                  django_capture_on_commit_callbacks):
    rows = [
        city_row(1, 주민등록번호="500101-2345672"),
        city_row(2, 주민등록번호="210101-3456789", 생년월일="2021.01.01"),
        city_row(3, 주민등록번호="501301-2345678"),  # rejected: month 13
        city_row(4, 주민등록번호="500101-2345672", 생년월일="1950.02.30"),  # rejected: date
    ]
    header = CITY_HEADER + ",비고"
    path = tmp_path / "rrn.csv"
    path.write_bytes(city(*[r + ",보호자 770505-1234561" for r in rows], header=header)
                     .encode("cp949"))
    caplog.set_level(logging.DEBUG)
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        run = import_file(sources["city"], path)
    assert (run.accepted, run.rejected) == (2, 2)
    assert SourceRecord.objects.exclude(rrn_enc="").count() == 2
    assert RejectedRow.objects.filter(run=run).count() == 2

    dump = _dump_every_table()
    logs = caplog.text
    for number in SEEDED:
        for form in (number, f"{number[:6]}-{number[6:]}"):
            assert form not in dump
            assert form not in logs
    assert "770505-1******" in dump  # the extra column is kept, masked
    assert not callbacks or all("RRN" not in repr(c) for c in callbacks)


def test_the_import_task_takes_only_the_run_id(sources, tmp_path, monkeypatch):
    from intake import tasks
    from intake.imports import start_import

    sent = []
    monkeypatch.setattr(tasks.import_run, "delay_on_commit", lambda *a, **k: sent.append((a, k)))
    path = tmp_path / "a.csv"
    path.write_bytes(city(city_row(1, 주민등록번호="500101-2345672")).encode("cp949"))
    run = start_import(sources["city"], path)
    assert sent == [((run.pk,), {})]
