"""Accepted rows never lose or bend data silently (issue 12 item 11).

A source's record id is one person: a later row of the same id naming someone else is
rejected with a reason, not folded into the first. A merged range of a workbook fills every
cell it covers, as Excel shows it; a formula whose value was never saved rejects its row.
"""

from __future__ import annotations

from intake.models import Enrollment, RejectedRow, SourceRecord
from tests.intake.conftest import city_file, import_file
from tests.intake.malformed.make_corpus import (
    MINISTRY_HEADER,
    MINISTRY_ROW,
    xlsx_cached_formula,
    xlsx_marked,
)
from tests.intake.malformed.make_corpus import city_row as row

SECOND_BENEFIT = [*MINISTRY_ROW[:9], "P02", "생계급여", "500000", *MINISTRY_ROW[12:]]


def test_a_second_row_of_one_id_with_another_name_is_rejected_with_a_reason(sources, tmp_path):
    path = city_file(tmp_path, row(1), row(2), row(1, 성명="박민준", 서비스코드="SEOUL_HOUSING"))
    run = import_file(sources["city"], path)

    assert (run.accepted, run.rejected) == (2, 1)
    rejected = RejectedRow.objects.get(run=run)
    assert rejected.row_number == 3
    assert rejected.reasons == [
        "관리번호 (the record id) is on row 1 with a different name: one id, one person"
    ]
    assert rejected.raw["성명"] == "박민준"  # the other name is kept where it can be seen
    assert SourceRecord.objects.get(run=run, source_key="SC00000001").name == "김영숙"

    # Rows of one id and one person are all kept; a blank later field loses nothing.
    path = city_file(
        tmp_path, row(5), row(5, 서비스코드="SEOUL_HOUSING", 주민등록번호=""), name="same.csv"
    )
    run = import_file(sources["city"], path)
    assert (run.accepted, run.rejected) == (2, 0)
    assert Enrollment.objects.filter(record__run=run).count() == 2


def test_each_identity_field_that_differs_is_named(sources, tmp_path):
    path = city_file(
        tmp_path, row(1), row(1, 생년월일="1950.01.02", 성별="남", 서비스코드="SEOUL_HOUSING")
    )
    run = import_file(sources["city"], path)
    assert run.rejected == 1
    reason = RejectedRow.objects.get(run=run).reasons[0]
    assert "different birth date, sex:" in reason


def test_a_merged_range_fills_every_cell_it_covers(sources, tmp_path):
    # 수급자번호, 성명 and 주민등록번호 merged down over the person's two benefit rows: openpyxl
    # reads the second row's as blank, which made it "성명 is blank".
    path = tmp_path / "merged.xlsx"
    path.write_bytes(
        xlsx_marked(
            [MINISTRY_HEADER, MINISTRY_ROW, SECOND_BENEFIT],
            merged=[(1, 0, 2, 0), (1, 1, 2, 1), (1, 2, 2, 2)],
        )
    )
    run = import_file(sources["ministry"], path)

    assert (run.accepted, run.rejected) == (2, 0)
    record = SourceRecord.objects.get(run=run)
    assert record.name == "최순자"
    assert sorted(
        Enrollment.objects.filter(record=record).values_list("programme__code", flat=True)
    ) == ["P01", "P02"]


def test_a_range_merged_across_columns_gives_each_column_its_value(sources, tmp_path):
    path = tmp_path / "merged.xlsx"
    # 지급개시일 merged with 지급종료일 on the first row: both are the start date.
    path.write_bytes(xlsx_marked([MINISTRY_HEADER, MINISTRY_ROW], merged=[(1, 12, 1, 13)]))
    run = import_file(sources["ministry"], path)
    assert run.accepted == 1
    enrollment = Enrollment.objects.get(record__run=run)
    assert enrollment.start == enrollment.end


def test_a_formula_without_a_saved_value_rejects_its_row(sources, tmp_path):
    path = tmp_path / "formula.xlsx"
    path.write_bytes(
        xlsx_marked([MINISTRY_HEADER, MINISTRY_ROW, SECOND_BENEFIT], formulas={(2, 11): "=L2*2"})
    )
    run = import_file(sources["ministry"], path)

    assert (run.accepted, run.rejected) == (1, 1)
    rejected = RejectedRow.objects.get(run=run)
    assert rejected.row_number == 2
    assert rejected.reasons == [
        "월지급액: a formula whose value was never saved (open the file in Excel and save it again)"
    ]

    # The same formula with its value saved (as Excel saves it) is read as that value.
    path = tmp_path / "saved.xlsx"
    path.write_bytes(
        xlsx_cached_formula(
            [MINISTRY_HEADER, MINISTRY_ROW, SECOND_BENEFIT], (2, 11), "=L2*2", "685020"
        )
    )
    run = import_file(sources["ministry"], path)
    assert (run.accepted, run.rejected) == (2, 0)
    assert Enrollment.objects.get(record__run=run, programme__code="P02").monthly_amount == 685020
