"""Exports of an eligibility report: a stated reason, an access-log row, formulas neutralised."""

import io

import openpyxl
import pytest
from django.urls import reverse

from bigcare.models import AccessLog
from cases.exports import neutralise

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    "value,expected",
    [
        ('=HYPERLINK("http://x")', '\'=HYPERLINK("http://x")'),
        ("+1", "'+1"),
        ("-2", "'-2"),
        ("@SUM(A1)", "'@SUM(A1)"),
        ("김영희", "김영희"),
        (42, 42),
        (None, None),
    ],
)
def test_formula_like_text_is_neutralised(value, expected):
    assert neutralise(value) == expected


def test_an_export_without_a_reason_is_refused_and_not_logged(client, personas, world):
    client.force_login(personas.supervisor_district_a)
    url = reverse("cases:report_xlsx", args=[world.report_in.pk])
    response = client.post(url, {"reason": " "})
    assert response.status_code == 302
    assert not AccessLog.objects.filter(action="export").exists()


def test_the_excel_file_is_logged_and_holds_the_residents(client, personas, world):
    world.inside.name = "=cmd|' /C calc'!A0"
    world.inside.save(update_fields=["name"])
    client.force_login(personas.supervisor_district_a)
    response = client.post(
        reverse("cases:report_xlsx", args=[world.report_in.pk]),
        {"reason": "monthly review meeting"},
    )
    assert response.status_code == 200
    entry = AccessLog.objects.get(action="export")
    assert entry.reason == "monthly review meeting" and entry.subject_count == 1
    assert list(entry.subjects.values_list("resident_id", flat=True)) == [world.inside.pk]
    sheet = openpyxl.load_workbook(io.BytesIO(response.content)).active
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[1][1] == world.inside.pk
    assert rows[1][2] == "'=cmd|' /C calc'!A0"  # text, not a formula
    assert all(not (isinstance(c, str) and c.startswith("=")) for r in rows for c in r)


def test_the_pdf_is_logged(client, personas, world):
    client.force_login(personas.supervisor_district_a)
    response = client.post(
        reverse("cases:report_pdf", args=[world.report_in.pk]), {"reason": "district meeting"}
    )
    assert response.status_code == 200 and response.content.startswith(b"%PDF")
    assert AccessLog.objects.get(action="export").detail.endswith("pdf")


def test_another_districts_report_cannot_be_exported(client, personas, world):
    client.force_login(personas.supervisor_district_a)
    response = client.post(
        reverse("cases:report_xlsx", args=[world.report_out.pk]),
        {"reason": "monthly review meeting"},
    )
    assert response.status_code == 404
    assert not AccessLog.objects.filter(action="export").exists()
