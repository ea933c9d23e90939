"""An accepted row's raw copy is its cells in the file's order; the run keeps the column names."""

from __future__ import annotations

import json

from intake.models import RejectedRow, SourceRecord
from tests.intake.conftest import import_file
from tests.intake.malformed.make_corpus import CITY_HEADER, city, city_row


def test_raw_holds_every_cell_with_the_rrn_masked(sources, tmp_path):
    header = CITY_HEADER + ",비고"
    rows = [city_row(1, 주민등록번호="500101-2345672") + ",보호자 770505-1234561 \"연락\"",
            city_row(2) + ",",
            city_row(3, 생년월일="1950.02.30") + ",x"]  # rejected: no such date
    path = tmp_path / "raw.csv"
    path.write_bytes(city(*rows, header=header).encode("cp949"))

    run = import_file(sources["city"], path)

    assert run.columns == header.split(",")
    first = SourceRecord.objects.get(run=run, source_key="SC00000001")
    assert len(json.loads(first.raw)) == len(run.columns)
    row = first.raw_row()
    assert row["성명"] == "김영숙"
    assert row["주소"] == "서울특별시 종로구 세종대로 110, 101동 202호"
    assert row["주민등록번호"] == "500101-2******"
    assert row["비고"] == '보호자 770505-1****** "연락"'
    rejected = RejectedRow.objects.get(run=run)
    assert rejected.raw["생년월일"] == "1950.02.30" and rejected.raw["비고"] == "x"
