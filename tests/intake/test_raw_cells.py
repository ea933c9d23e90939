"""An accepted row's raw copy is its cells in the file's order; the run keeps the column names."""

from __future__ import annotations

import json
import re

import pandas as pd
from hypothesis import given, settings
from hypothesis import strategies as st

from intake import pipeline
from intake.models import RejectedRow, SourceRecord
from tests.intake.conftest import import_file
from tests.intake.malformed.make_corpus import CITY_HEADER, city, city_row


def test_raw_holds_every_cell_with_the_rrn_masked(sources, tmp_path):
    header = CITY_HEADER + ",비고"
    rows = [
        city_row(1, 주민등록번호="500101-2345672") + ',보호자 770505-1234561 "연락"',
        city_row(2) + ",",
        city_row(3, 생년월일="1950.02.30") + ",x",
    ]  # rejected: no such date
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


# Cells made of what makes JSON and redaction hard: quotes, backslashes, controls, Hangul,
# digits that may line up as an RRN, and the separators the fast path joins cells with.
_CELL = st.text(alphabet=st.sampled_from(list('0123456789-"\\\x00\x1f\n,[]가 a*')), max_size=20)


@settings(max_examples=300, deadline=None)
@given(st.lists(st.lists(_CELL, min_size=3, max_size=3), min_size=1, max_size=8))
def test_raw_arrays_are_json_of_the_cells_with_rrns_redacted(rows):
    """Each row's raw array parses back to its cells, redacted exactly as cell by cell."""
    frame = pd.DataFrame(rows, columns=["a", "b", "c"], dtype="str")
    got = pipeline.raw_json(frame, keys=False)
    for text, cells in zip(got, rows, strict=True):
        expected = [pipeline._json_cells(pd.Series([c], dtype="str"))[0].as_py() for c in cells]
        assert json.loads(text) == [json.loads(f'"{e}"') for e in expected]
        # Per cell: digits lining up only across two cells ('0000001' + '000000') are no RRN.
        assert not any(re.search(r"[0-9]{6}-?[1-8][0-9]{6}", c) for c in json.loads(text))
