"""Exports of an eligibility report: a stated reason, an access-log row, formulas neutralised."""

import io
from pathlib import Path

import openpyxl
import pypdf
import pytest
from django.urls import reverse

from bigcare.models import AccessLog
from cases.exports import FontMissing, korean_fonts, neutralise

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
    header = rows.index(next(r for r in rows if r[0] == "우선순위"))
    line = dict(zip(rows[header], rows[header + 1], strict=True))
    assert line["이름"] == "'=cmd|' /C calc'!A0"  # text, not a formula
    assert line["주민등록번호"] == "500301-2******"  # masked, and no internal id anywhere
    assert world.inside.pk not in line.values()
    assert all(not (isinstance(c, str) and c.startswith("=")) for r in rows for c in r)


def test_the_excel_file_says_where_it_came_from_and_fits_its_columns(client, personas, world):
    personas.supervisor_district_a.first_name = "감독"
    personas.supervisor_district_a.save(update_fields=["first_name"])
    client.force_login(personas.supervisor_district_a)
    response = client.post(
        reverse("cases:report_xlsx", args=[world.report_in.pk]),
        {"reason": "구청 월례 회의 자료"},
    )
    sheet = openpyxl.load_workbook(io.BytesIO(response.content)).active
    block = {r[0]: r[1] for r in sheet.iter_rows(min_row=2, max_row=6, values_only=True)}
    assert block["동주민센터"].endswith(personas.centre_a.name_ko)
    assert block["기간"] == f"{world.report_in.month:%Y-%m}"
    assert block["내보낸 사람"] == "감독"
    assert block["사유"] == "구청 월례 회의 자료"
    assert block["내보낸 때"][:4].isdigit()
    # The explanation column is wide enough to read, not Excel's 8.43 default.
    widths = [sheet.column_dimensions[c].width for c in "ABCDEFG"]
    assert max(widths) >= 30 and min(widths) >= 6


def test_the_pdf_is_logged(client, personas, world):
    client.force_login(personas.supervisor_district_a)
    response = client.post(
        reverse("cases:report_pdf", args=[world.report_in.pk]), {"reason": "district meeting"}
    )
    assert response.status_code == 200 and response.content.startswith(b"%PDF")
    assert AccessLog.objects.get(action="export").detail.endswith("pdf")


def test_the_pdf_reads_in_hangul_with_the_reports_numbers(client, personas, world):
    """The README's install (fonts-nanum) is enough: the text extracted from the PDF is the
    report's Korean, not a romanisation, and its figures survive."""
    client.force_login(personas.supervisor_district_a)
    response = client.post(
        reverse("cases:report_pdf", args=[world.report_in.pk]), {"reason": "district meeting"}
    )
    text = "".join(
        page.extract_text() for page in pypdf.PdfReader(io.BytesIO(response.content)).pages
    )
    text = " ".join(text.split())
    for expected in (
        "수급 자격 보고서",
        "김영희",
        "500301-2******",
        "생계급여",
        "1인 가구",
        "800,000",
        "820,556",
        "district meeting",
        personas.centre_a.name_ko,
    ):
        assert expected in text
    assert "gagu" not in text


def test_a_configured_font_without_a_bold_face_still_writes_the_pdf(
    client, personas, world, monkeypatch, tmp_path
):
    regular, _ = korean_fonts()
    lone = tmp_path / "Lone.ttf"
    lone.write_bytes(Path(regular).read_bytes())
    monkeypatch.setenv("BIGCARE_PDF_FONT", str(lone))
    assert korean_fonts() == (str(lone), str(lone))
    client.force_login(personas.supervisor_district_a)
    response = client.post(
        reverse("cases:report_pdf", args=[world.report_in.pk]), {"reason": "district meeting"}
    )
    assert response.status_code == 200 and response.content.startswith(b"%PDF")


def test_without_a_korean_font_the_pdf_is_refused_in_korean_and_nothing_is_logged(
    client, personas, world, monkeypatch
):
    monkeypatch.setenv("BIGCARE_PDF_FONT", "/nonexistent/NanumGothic.ttf")
    with pytest.raises(FontMissing):
        korean_fonts()
    client.force_login(personas.supervisor_district_a)
    response = client.post(
        reverse("cases:report_pdf", args=[world.report_in.pk]),
        {"reason": "district meeting"},
        follow=True,
    )
    assert "fonts-nanum" in response.content.decode()
    assert not AccessLog.objects.filter(action="export").exists()


def test_another_districts_report_cannot_be_exported(client, personas, world):
    client.force_login(personas.supervisor_district_a)
    response = client.post(
        reverse("cases:report_xlsx", args=[world.report_out.pk]),
        {"reason": "monthly review meeting"},
    )
    assert response.status_code == 404
    assert not AccessLog.objects.filter(action="export").exists()
