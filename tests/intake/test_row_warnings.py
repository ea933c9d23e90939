"""An identity number that does not parse keeps its row (issue 12 item 13).

A one-digit typo making an impossible date (471331-…) must not lose the person's name, birth
date, phone and benefit: the row is kept, the number left out, and a warning says why, counted
apart (``rows_in = accepted + warned + rejected``) and listed on the run's page.
"""

from __future__ import annotations

from django.urls import reverse

from intake.models import Enrollment, RejectedRow, RowWarning, SourceRecord
from tests.intake.conftest import city_file, import_file
from tests.intake.malformed.make_corpus import city_row as row

WARNING = (
    "주민등록번호 is not a resident registration number (YYMMDD-SXXXXXX): "
    "the row is kept without it"
)


def test_a_number_with_an_impossible_date_is_left_out_and_the_row_kept(sources, tmp_path):
    path = city_file(tmp_path, row(1, 주민등록번호="471331-1234567", 생년월일="1947.03.31"), row(2))
    run = import_file(sources["city"], path)

    assert (run.rows_in, run.accepted, run.warned, run.rejected) == (2, 1, 1, 0)
    record = SourceRecord.objects.get(run=run, source_key="SC00000001")
    assert (record.name, str(record.birth_date), record.phone) == (
        "김영숙",
        "1947-03-31",
        "01012345678",
    )
    assert (record.rrn_enc, record.rrn_index, record.rrn_masked) == ("", "", "")
    assert "471331" not in record.raw
    assert Enrollment.objects.filter(record=record).count() == 1
    warning = RowWarning.objects.get(run=run)
    assert (warning.row_number, warning.warnings) == (1, [WARNING])
    assert not RejectedRow.objects.exists()


def test_a_required_number_that_does_not_parse_keeps_the_row_too(sources, tmp_path):
    path = tmp_path / "crisis.csv"
    path.write_text(
        "발굴회차,대상자번호,성명,주민등록번호,주소,행정동코드,지표코드,체납개월,체납액,기준일\r\n"
        "2026-05,D1,김영숙,500230-2345678,서울특별시 종로구 세종대로 110,1111051500,ELEC_CUT,3,,"
        "2026-04-30\r\n",
        encoding="utf-8-sig",
    )
    run = import_file(sources["crisis"], path)
    assert (run.accepted, run.warned, run.rejected) == (0, 1, 0)
    assert SourceRecord.objects.get(run=run).signals.count() == 1


def test_a_rejected_row_lists_the_number_among_its_reasons(sources, tmp_path):
    run = import_file(
        sources["city"], city_file(tmp_path, row(1, 주민등록번호="471331-1234567", 전화번호="x"))
    )
    assert (run.warned, run.rejected) == (0, 1)
    assert WARNING in RejectedRow.objects.get(run=run).reasons


def test_the_run_page_shows_the_warnings(manager, sources, client, tmp_path):
    run = import_file(
        sources["city"], city_file(tmp_path, row(1, 주민등록번호="471331-1234567"), row(2))
    )
    page = client.get(reverse("intake:run", args=[run.pk])).content.decode()
    assert "1행 경고와 함께 반영" in page  # "1 kept with warnings", in Korean
    # The stored warning, in the page's language.
    assert "주민등록번호: 주민등록번호 형식이 아니어서 이 값을 빼고 행을 보관했습니다" in page
    assert "471331-1234567" not in page


def test_a_wrong_or_stale_dong_code_is_left_blank_and_the_person_kept(sources, tmp_path):
    """0.8 % of an independent city extract's rows were rejected for their dong code alone and
    their people lost to linkage (issue 13): an optional code that is not a Seoul dong today
    is blanked with a warning; the row keeps the person and the benefit."""
    path = city_file(tmp_path, row(1, 행정동코드="1111099999"), row(2))
    run = import_file(sources["city"], path)

    assert (run.accepted, run.warned, run.rejected) == (1, 1, 0)
    record = SourceRecord.objects.get(run=run, source_key="SC00000001")
    assert (record.name, record.dong_code) == ("김영숙", "")
    assert Enrollment.objects.filter(record=record).count() == 1
    assert RowWarning.objects.get(run=run).warnings == [
        '행정동코드 "1111099999" is not a Seoul administrative dong code: left blank'
    ]
