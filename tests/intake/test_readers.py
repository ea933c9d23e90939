"""The fast CSV path (pyarrow) reads a file exactly as the chunked pandas path does."""

from __future__ import annotations

import pytest

from intake import readers
from tests.intake.malformed.make_corpus import CITY_HEADER, city, city_row


def _frames(path, monkeypatch, arrow: bool):
    """Every row as (its number in the file, its cells by column), whatever the chunking."""
    monkeypatch.setattr(readers, "ARROW_MAX_BYTES", readers.ARROW_MAX_BYTES if arrow else -1)
    monkeypatch.setattr(readers, "CHUNK_ROWS", 2)
    _, chunks = readers.read_file(path, "auto", ["관리번호"])
    return [
        (c.first_row + i, row) for c in chunks for i, row in enumerate(c.frame.to_dict("records"))
    ]


@pytest.mark.parametrize("encoding", ["cp949", "utf-8-sig"])
def test_arrow_and_pandas_read_the_same_cells(tmp_path, monkeypatch, encoding):
    rows = [
        city_row(1, 성명='"김 ""영숙"""'),
        city_row(2, 주소='"서울 종로구\r\n세종대로 1"'),
        "",
        city_row(3, 종료일="NA"),
        city_row(4, 전화번호=""),
    ]
    path = tmp_path / "city.csv"
    path.write_bytes(city(*rows, header=" " + CITY_HEADER).encode(encoding))

    fast, slow = _frames(path, monkeypatch, True), _frames(path, monkeypatch, False)

    assert fast == slow
    assert [number for number, _ in fast] == [1, 2, 3, 4]
    assert fast[0][1]["성명"] == '김 "영숙"' and fast[2][1]["종료일"] == "NA"


def test_a_ragged_file_is_read_by_pandas(tmp_path, monkeypatch):
    path = tmp_path / "ragged.csv"
    path.write_bytes(city(city_row(1), "SC00000002,박민준").encode("cp949"))
    assert readers._read_csv_arrow(path, "cp949") is None

    fast, slow = _frames(path, monkeypatch, True), _frames(path, monkeypatch, False)

    assert fast == slow
    assert [row["성명"] for _, row in fast] == ["김영숙", "박민준"] and fast[1][1]["주소"] == ""
