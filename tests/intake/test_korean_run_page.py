"""A run's rejected rows read in Korean: every reason the pipeline writes, on the page and in the
CSV sent back to the agency (issue 16 §4)."""

from __future__ import annotations

import pytest
from django.urls import reverse
from django.utils.translation import override

from intake.reasontext import date_format_text, reason_text
from tests.cases.test_korean_pages import _allowed_data, english_or_codes
from tests.intake.conftest import city_file, import_file
from tests.intake.malformed.make_corpus import city_row

BAD_ROWS = [
    city_row(1, 생년월일="1950.13.01"),
    city_row(2, 전화번호="12"),
    city_row(3, 성별="X"),
    city_row(4, 성명="김1234"),
    city_row(5, 관리번호=""),
    city_row(6, 서비스코드="NOPE"),
    city_row(7, 가구원수="-3"),
    city_row(8, 행정동코드="9999999999"),
    city_row(9, 주민등록번호="991399-1234567"),
    city_row(10, 성명=""),
    city_row(11, 주소="=1+1"),
]


@pytest.fixture
def bad_run(manager, sources, tmp_path):
    return import_file(sources["city"], city_file(tmp_path, city_row(0), *BAD_ROWS), manager)


def test_every_rejection_reason_on_the_run_page_is_korean(client, bad_run):
    assert bad_run.rejected >= 8 and bad_run.warned >= 1
    html = client.get(reverse("intake:run", args=[bad_run.pk])).content.decode()
    assert "실제 날짜가 아닙니다" in html and "연도4자리.월2자리.일2자리" in html
    # The cell values quoted in the reasons are the file's own data.
    assert english_or_codes(html, _allowed_data() | {"NOPE"}) == []
    assert html.count("<li>") >= 9  # the reasons and the warning are all there


def test_the_rejected_rows_csv_gives_the_reasons_in_korean(client, bad_run):
    response = client.get(reverse("intake:run_rejected_csv", args=[bad_run.pk]))
    text = b"".join(response.streaming_content).decode("utf-8-sig")
    assert "실제 날짜가 아닙니다" in text
    assert "is not" not in text and "%Y" not in text


def test_in_english_the_reasons_stay_english(client, bad_run):
    client.post(reverse("set_language"), {"language": "en"})
    html = client.get(reverse("intake:run", args=[bad_run.pk])).content.decode()
    assert "is not a real date in the form YYYY.MM.DD" in html


def test_a_shape_the_table_does_not_know_is_shown_as_written():
    assert reason_text("something new happened") == "something new happened"
    with override("ko"):
        assert (
            date_format_text("%Y.%m.%d or %Y%m%d")
            == "연도4자리.월2자리.일2자리 또는 연도4자리월2자리일2자리"
        )
