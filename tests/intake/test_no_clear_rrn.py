"""No identity number in clear text in any table, log line or task argument (principle 6)."""

from __future__ import annotations

import logging

from django.apps import apps
from django.db import connection

from bigcare.rrn import redact_rrns
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


def test_no_rrn_in_clear_anywhere(sources, tmp_path, caplog, django_capture_on_commit_callbacks):
    rows = [
        city_row(1, 주민등록번호="500101-2345672"),
        city_row(2, 주민등록번호="210101-3456789", 생년월일="2021.01.01"),
        city_row(3, 주민등록번호="501301-2345678"),  # kept without its number: month 13
        city_row(4, 주민등록번호="500101-2345672", 생년월일="1950.02.30"),  # rejected: date
    ]
    header = CITY_HEADER + ",비고"
    path = tmp_path / "rrn.csv"
    path.write_bytes(
        city(*[r + ",보호자 770505-1234561" for r in rows], header=header).encode("cp949")
    )
    caplog.set_level(logging.DEBUG)
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        run = import_file(sources["city"], path)
    assert (run.accepted, run.warned, run.rejected) == (2, 1, 1)
    assert SourceRecord.objects.exclude(rrn_enc="").count() == 2
    assert RejectedRow.objects.filter(run=run).count() == 1

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


# Issue 12 item 7: every spelling agencies and clerks use, in the RRN column and elsewhere.
SPELLINGS = [
    "500101 2345672",
    "500101.2345672",
    "500101–2345672",
    "500101—2345672",
    "500101−2345672",
    "500101－2345672",
    "500101_2345672",
    "500101/2345672",
    "５００１０１－２３４５６７２",
    "５００１０１２３４５６７２",
    "5 0 0 1 0 1 - 2 3 4 5 6 7 2",
    "5 0 0 1 0 1 2 3 4 5 6 7 2",
    "500101 - 2345672",
    "500101\u30002345672",
]


def test_every_spelling_is_read_in_the_rrn_column(sources, tmp_path):
    rows = [city_row(i, 주민등록번호=f'"{v}"') for i, v in enumerate(SPELLINGS, 1)]
    path = tmp_path / "spellings.csv"
    path.write_bytes(city(*rows).encode("utf-8"))
    run = import_file(sources["city"], path)
    assert (run.accepted, run.warned, run.rejected) == (len(SPELLINGS), 0, 0)
    records = SourceRecord.objects.filter(run=run)
    assert {r.rrn_masked for r in records} == {"500101-2******"}
    assert len({r.rrn_index for r in records}) == 1  # one number, however it was written


def test_every_spelling_is_masked_in_raw_rows_rejected_rows_and_their_csv(
    manager, sources, client, tmp_path
):
    from django.urls import reverse

    # Each spelling in an extra column of an accepted row, and of a rejected one (bad phone),
    # and in the rejected cell itself, whose value a reason quotes.
    rows = [city_row(i) + f',"보호자 {v}"' for i, v in enumerate(SPELLINGS, 1)]
    rows += [
        city_row(100 + i, 전화번호=f'"{v}"') + f',"보호자 {v}"' for i, v in enumerate(SPELLINGS, 1)
    ]
    path = tmp_path / "spellings.csv"
    path.write_bytes(city(*rows, header=CITY_HEADER + ",비고").encode("utf-8"))
    run = import_file(sources["city"], path)
    assert (run.accepted, run.rejected) == (len(SPELLINGS), len(SPELLINGS))

    response = client.get(reverse("intake:run_rejected_csv", args=[run.pk]))
    stored = "\n".join([_dump_every_table(), b"".join(response.streaming_content).decode("utf-8")])
    assert redact_rrns(stored) == stored
    for spelling in SPELLINGS:
        assert spelling not in stored
    assert "보호자 500101-2******" in stored
