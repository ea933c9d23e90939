"""Write the malformed-file corpus beside this script.

Run ``python tests/intake/malformed/make_corpus.py``.

Files up to 64 KB are committed (existing ones are not rewritten); the test makes every file
from ``corpus()`` itself. ``expected.json`` says, per file, which source imports it and what
must happen (the run fails with a typed error code, or it is done with N rows rejected and N
kept with warnings). The identity numbers here are made up and fail the checksum on purpose.
"""

from __future__ import annotations

import io
import json
import zipfile
from pathlib import Path

import xlsxwriter

HERE = Path(__file__).resolve().parent
CITY_HEADER = (
    "관리번호,성명,주민등록번호,생년월일,성별,전화번호,주소,행정동코드,"
    "가구원수,소득인정액,서비스코드,서비스명,지원금액,시작일,종료일"
)


def city_row(i: int, **change: str) -> str:
    cells = {
        "관리번호": f"SC{i:08d}",
        "성명": "김영숙",
        "주민등록번호": "500101-2******",
        "생년월일": "1950.01.01",
        "성별": "여",
        "전화번호": "010-1234-5678",
        "주소": '"서울특별시 종로구 세종대로 110, 101동 202호"',
        "행정동코드": "1111051500",
        "가구원수": "1",
        "소득인정액": "500000",
        "서비스코드": "SEOUL_BASIC",
        "서비스명": "서울형기초보장",
        "지원금액": "410270",
        "시작일": "2024.01.01",
        "종료일": "",
    }
    cells.update(change)
    return ",".join(cells.values())


def city(*rows: str, header: str = CITY_HEADER) -> str:
    return "\r\n".join([header, *rows]) + "\r\n"


GOOD = [city_row(1), city_row(2, 성명="박민준", 성별="남")]
FACILITY_GOOD = {
    "facility_id": "F0001",
    "facility_name": "종로노인종합복지관",
    "client_id": "F0001-000001",
    "name": "Lee Young-hee",
    "dob": "03/02/1950",
    "gender": "F",
    "phone": "010 1234 5678",
    "address": "서울 종로구 세종대로 110",
    "service": "meal",
    "since": "2024-03-01",
}
MINISTRY_HEADER = [
    "수급자번호",
    "성명",
    "주민등록번호",
    "성별코드",
    "주소",
    "연락처",
    "가구원수",
    "소득인정액",
    "장애정도",
    "급여코드",
    "급여명",
    "월지급액",
    "지급개시일",
    "지급종료일",
]
MINISTRY_ROW = [
    "M000000001",
    "최순자",
    "5001012345678",
    "2",
    "서울특별시 종로구 사직동 1",
    "01012345678",
    "1",
    "400000",
    "",
    "P01",
    "기초연금",
    "342510",
    "20240101",
    "",
]


def jsonl(*objs: dict | str) -> str:
    return "".join(
        (o if isinstance(o, str) else json.dumps(o, ensure_ascii=False)) + "\n" for o in objs
    )


def xlsx(rows: list[list[str]]) -> bytes:
    buffer = io.BytesIO()
    book = xlsxwriter.Workbook(buffer, {"in_memory": True})
    sheet = book.add_worksheet()
    for r, row in enumerate(rows):
        for c, value in enumerate(row):
            sheet.write_string(r, c, value)
    book.close()
    return buffer.getvalue()


def xlsx_marked(
    rows: list[list[str]],
    merged: list[tuple[int, int, int, int]] = (),
    formulas: dict[tuple[int, int], str] | None = None,
) -> bytes:
    """A workbook with merged ranges (row, col, last row, last col; 0-based, the value is the
    first cell's) and formulas, written as openpyxl writes them: with no saved value."""
    import openpyxl

    book = openpyxl.Workbook()
    sheet = book.active
    for row in rows:
        sheet.append(row)
    for (r, c), formula in (formulas or {}).items():
        sheet.cell(r + 1, c + 1, formula)
    for r1, c1, r2, c2 in merged:
        value = rows[r1][c1]
        sheet.merge_cells(start_row=r1 + 1, start_column=c1 + 1, end_row=r2 + 1, end_column=c2 + 1)
        sheet.cell(r1 + 1, c1 + 1, value)
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def xlsx_cached_formula(
    rows: list[list[str]], at: tuple[int, int], formula: str, value: str
) -> bytes:
    """A workbook whose formula cell has its value saved, as Excel saves it."""
    buffer = io.BytesIO()
    book = xlsxwriter.Workbook(buffer, {"in_memory": True})
    sheet = book.add_worksheet()
    for r, row in enumerate(rows):
        for c, cell in enumerate(row):
            if (r, c) == at:
                sheet.write_formula(r, c, formula, None, value)
            else:
                sheet.write_string(r, c, cell)
    book.close()
    return buffer.getvalue()


def zip_of(members: dict[str, bytes]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED, compresslevel=9) as z:
        for name, data in members.items():
            z.writestr(name, data)
    return buffer.getvalue()


def corpus() -> dict[str, tuple[bytes, dict]]:
    """file name → (content, expectation)."""
    files: dict[str, tuple[bytes, dict]] = {}

    def add(
        name: str, content: bytes | str, source: str = "city", encoding: str = "cp949", **expect
    ) -> None:
        data = content.encode(encoding) if isinstance(content, str) else content
        files[name] = (data, {"source": source, **expect})

    failed = {"status": "failed"}
    add("empty.csv", b"", error_code="empty_file", **failed)
    add("whitespace_only.csv", b"  \r\n\r\n  ", error_code="empty_file", **failed)
    add("header_only.csv", city(), error_code="empty_file", **failed)
    add(
        "missing_columns.csv",
        city("SC1,x", header="관리번호,주민등록번호"),
        error_code="missing_columns",
        **failed,
    )
    add(
        "extra_columns.csv",
        city(city_row(1) + ",비고값", header=CITY_HEADER + ",비고"),
        status="done",
        rejected=0,
    )
    add(
        "undecodable_bytes.csv",
        city(*GOOD).encode("cp949") + b"\xff\xfe\xfa\r\n",
        error_code="encoding",
        **failed,
    )
    add(
        "mixed_encoding.csv",
        city(GOOD[0]).encode("utf-8") + GOOD[1].encode("cp949") + b"\r\n",
        error_code="encoding",
        **failed,
    )
    add("utf16.csv", city(*GOOD), encoding="utf-16", error_code="wrong_format", **failed)
    add("binary_garbage.csv", bytes(range(256)) * 4, error_code="wrong_format", **failed)
    add("cp949.csv", city(*GOOD), status="done", rejected=0)
    add("euc_kr.csv", city(*GOOD), encoding="euc-kr", status="done", rejected=0)
    add("utf8_bom.csv", city(*GOOD), encoding="utf-8-sig", status="done", rejected=0)
    add("utf8.csv", city(*GOOD), encoding="utf-8", status="done", rejected=0)
    add("zip_named_csv.csv", xlsx([["a"], ["b"]]), error_code="wrong_format", **failed)
    add(
        "json_named_csv.csv",
        jsonl(FACILITY_GOOD),
        encoding="utf-8",
        error_code="wrong_format",
        **failed,
    )
    add("csv_named_xlsx.xlsx", city(*GOOD), source="ministry", error_code="wrong_format", **failed)
    add(
        "ole_named_xlsx.xlsx",
        b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 600,
        source="ministry",
        error_code="wrong_format",
        **failed,
    )
    add(
        "broken_zip.xlsx",
        b"PK\x03\x04" + b"not really a zip" * 20,
        source="ministry",
        error_code="wrong_format",
        **failed,
    )
    add(
        "zip_not_workbook.xlsx",
        zip_of({"hello.txt": b"hello"}),
        source="ministry",
        error_code="wrong_format",
        **failed,
    )
    add(
        "zip_bomb.xlsx",
        zip_of(
            {
                "[Content_Types].xml": b"<Types/>",
                "xl/workbook.xml": b"<workbook/>",
                "xl/worksheets/sheet1.xml": b"\x00" * (40 << 20),
            }
        ),
        source="ministry",
        error_code="archive_bomb",
        **failed,
    )
    add(
        "ministry_missing_columns.xlsx",
        xlsx([MINISTRY_HEADER[:3], MINISTRY_ROW[:3]]),
        source="ministry",
        error_code="missing_columns",
        **failed,
    )
    add(
        "ministry_header_only.xlsx",
        xlsx([MINISTRY_HEADER]),
        source="ministry",
        error_code="empty_file",
        **failed,
    )
    add(
        "ministry_ok.xlsx",
        xlsx([MINISTRY_HEADER, MINISTRY_ROW, [*MINISTRY_ROW[:2], "50010", *MINISTRY_ROW[3:]]]),
        source="ministry",
        status="done",
        rejected=0,
        warned=1,
    )
    add(
        "ragged_row.csv",
        city(GOOD[0], GOOD[1] + ",extra,cells,here"),
        error_code="unreadable",
        **failed,
    )
    add(
        "unclosed_quote.csv",
        city(GOOD[0], city_row(2, 주소='"서울특별시 종로구, never closed')),
        error_code="unreadable",
        **failed,
    )
    add(
        "impossible_dates.csv",
        city(city_row(1, 생년월일="1950.02.30"), city_row(2, 시작일="2024.13.01"), city_row(3)),
        status="done",
        rejected=2,
    )
    add(
        "future_birth.csv",
        city(city_row(1, 생년월일="2999.01.01", 주민등록번호=""), city_row(2)),
        status="done",
        rejected=1,
    )
    add(
        "malformed_rrn.csv",
        city(
            city_row(1, 주민등록번호="12345"),
            city_row(2, 주민등록번호="501301-1234567"),
            city_row(3, 주민등록번호="500101-1234567"),  # checksum fails
            city_row(4, 주민등록번호="500101-1******"),
        ),
        status="done",
        rejected=0,
        warned=2,
    )
    add(
        "bad_phone.csv",
        city(
            city_row(1, 전화번호="010-12"),
            city_row(2, 전화번호="call me"),
            city_row(3, 전화번호=""),
        ),
        status="done",
        rejected=2,
    )
    add(
        "bad_dong.csv",
        city(
            city_row(1, 행정동코드="123"),
            city_row(2, 행정동코드="9999999999"),
            city_row(3, 행정동코드=""),
        ),
        status="done",
        rejected=0,
        warned=2,
    )
    add(
        "repeated_rows.csv",
        city(GOOD[0], GOOD[1], GOOD[0], GOOD[0]),
        status="done",
        rejected=2,
        reason="repeats row 1",
    )
    add(
        "formula_cells.csv",
        city(city_row(1, 주소='=HYPERLINK("http://x")'), city_row(2, 성명="=1+1"), city_row(3)),
        status="done",
        rejected=2,
    )
    add("blank_key.csv", city(city_row(1, 관리번호=""), city_row(2)), status="done", rejected=1)
    add(
        "unknown_programme.csv",
        city(city_row(1, 서비스코드="SEOUL_NOPE"), city_row(2)),
        status="done",
        rejected=1,
    )
    add(
        "bad_numbers.csv",
        city(
            city_row(1, 가구원수="two"),
            city_row(2, 소득인정액="-5"),
            city_row(3, 지원금액='"1,200,000원"'),
        ),
        status="done",
        rejected=2,
    )
    add(
        "many_reasons.csv",
        city(
            city_row(1, 성명="", 생년월일="1950.02.30", 전화번호="x", 행정동코드="1", 서비스코드="")
        ),
        status="done",
        rejected=1,
        reasons_at_least=5,
    )
    add("bad_sex.csv", city(city_row(1, 성별="X"), city_row(2)), status="done", rejected=1)
    add(
        "facility_bad_json.jsonl",
        jsonl(FACILITY_GOOD, "{not json", {**FACILITY_GOOD, "client_id": "F0001-000002"}),
        source="facility",
        encoding="utf-8",
        status="done",
        rejected=1,
    )
    add(
        "facility_array_line.jsonl",
        jsonl(FACILITY_GOOD, "[1, 2]"),
        source="facility",
        encoding="utf-8",
        status="done",
        rejected=1,
    )
    add(
        "facility_no_key.jsonl",
        jsonl({k: v for k, v in FACILITY_GOOD.items() if k != "client_id"}),
        source="facility",
        encoding="utf-8",
        error_code="missing_columns",
        **failed,
    )
    add(
        "facility_bad_values.jsonl",
        jsonl(
            {**FACILITY_GOOD, "gender": "X"},
            {**FACILITY_GOOD, "client_id": "F1-2", "dob": "1/2/3"},
            {**FACILITY_GOOD, "client_id": "F1-3", "service": "yoga"},
        ),
        source="facility",
        encoding="utf-8",
        status="done",
        rejected=3,
    )
    add(
        "facility_named_csv.csv",
        jsonl(FACILITY_GOOD),
        source="facility",
        encoding="utf-8",
        error_code="wrong_format",
        **failed,
    )
    add(
        "crisis_unknown_indicator.csv",
        "발굴회차,대상자번호,성명,주민등록번호,주소,행정동코드,지표코드,체납개월,체납액,기준일\r\n"
        "2026-05,D1,김영숙,500101-2345678,서울특별시 종로구 세종대로 110,1111051500,MOON_CUT,3,,"
        "2026-04-30\r\n"
        "2026-05,D2,김영숙,500101-2345678,서울특별시 종로구 세종대로 110,1111051500,ELEC_CUT,3,,"
        "2026-04-30\r\n",
        source="crisis",
        encoding="utf-8-sig",
        status="done",
        rejected=1,
    )
    _item_9(add)
    _item_11(add)
    _items_7_and_13(add)
    return files


CRISIS_HEADER = (
    "발굴회차,대상자번호,성명,주민등록번호,주소,행정동코드,지표코드,체납개월,체납액,기준일"
)


def crisis_row(i: int, **change: str) -> str:
    cells = {
        "발굴회차": "2026-05",
        "대상자번호": f"D{i}",
        "성명": "김영숙",
        "주민등록번호": "500101-2******",
        "주소": "서울특별시 종로구 세종대로 110",
        "행정동코드": "1111051500",
        "지표코드": "ELEC_CUT",
        "체납개월": "3",
        "체납액": "",
        "기준일": "2026-04-30",
    }
    cells.update(change)
    return ",".join(cells.values())


def crisis(*rows: str) -> str:
    return city(*rows, header=CRISIS_HEADER)


def _item_9(add) -> None:
    """Issue 12 item 9: one bad cell rejects its row (never the file), a bad file fails typed."""
    done = {"status": "done"}
    many = [city_row(i) for i in range(3, 200)]  # pushes a late cell past the first 8 KB
    add(
        "integer_2_63.csv",
        city(city_row(1, 소득인정액="9223372036854775808"), city_row(2)),
        rejected=1,
        **done,
    )
    add(
        "integer_20_digits_amount.csv",
        city(city_row(1, 지원금액="99999999999999999999"), city_row(2)),
        rejected=1,
        **done,
    )
    add(
        "integer_negative_2_63.csv",
        city(city_row(1, 소득인정액="-9223372036854775809"), city_row(2)),
        rejected=1,
        **done,
    )
    add(
        "household_over_smallint.csv",
        city(city_row(1, 가구원수="40000"), city_row(2)),
        rejected=1,
        **done,
    )
    add(
        "crisis_amount_2_64.csv",
        crisis(crisis_row(1, 체납액="18446744073709551616"), crisis_row(2)),
        source="crisis",
        rejected=1,
        **done,
    )
    add(
        "crisis_months_over_smallint.csv",
        crisis(crisis_row(1, 체납개월="99999"), crisis_row(2)),
        source="crisis",
        rejected=1,
        **done,
    )
    add("old_mac_cr.csv", city(*GOOD).replace("\r\n", "\r"), rejected=0, **done)
    add(
        "old_mac_cr_utf8.csv",
        city(*GOOD).replace("\r\n", "\r"),
        encoding="utf-8",
        rejected=0,
        **done,
    )
    add(
        "old_mac_cr_quoted_address.csv",
        city(city_row(1, 주소='"서울 종로구\r세종대로 1"'), city_row(2)).replace("\r\n", "\r"),
        rejected=0,
        **done,
    )
    add("unix_lf.csv", city(*GOOD).replace("\r\n", "\n"), rejected=0, **done)
    add(
        "crisis_old_mac_cr.csv",
        crisis(crisis_row(1), crisis_row(2)).replace("\r\n", "\r"),
        source="crisis",
        encoding="utf-8-sig",
        rejected=0,
        **done,
    )
    add(
        "field_over_131072_mapped.csv",
        city(city_row(1, 주소="x" * 140_000), city_row(2)),
        rejected=1,
        **done,
    )
    add(
        "field_over_131072_extra_column.csv",
        city(
            city_row(1) + ",x" + "y" * 140_000, city_row(2) + ",짧음", header=CITY_HEADER + ",비고"
        ),
        rejected=1,
        **done,
    )
    add(
        "field_over_131072_in_header.csv",
        city(city_row(1) + ",1", header=CITY_HEADER + "," + "h" * 140_000),
        rejected=0,
        **done,
    )
    add(
        "json_nested_100000.jsonl",
        jsonl(FACILITY_GOOD, '{"a": ' + "[" * 100_000 + "]" * 100_000 + "}"),
        source="facility",
        encoding="utf-8",
        rejected=1,
        **done,
    )
    add(
        "json_nested_in_value.jsonl",
        jsonl(
            {**FACILITY_GOOD, "note": "[" * 50_000 + "]" * 50_000},
            {**FACILITY_GOOD, "client_id": "F0001-000002", "extra": {"a": [[[[[["deep"]]]]]]}},
        ),
        source="facility",
        encoding="utf-8",
        rejected=0,
        **done,
    )
    add(
        "json_integer_2_63.jsonl",
        jsonl({**FACILITY_GOOD, "phone": 2**64}),
        source="facility",
        encoding="utf-8",
        rejected=1,
        **done,
    )
    add(
        "nul_byte_late.csv",
        city(city_row(1), city_row(2), *many, city_row(500, 주소="서울\x00종로구")),
        rejected=1,
        **done,
    )
    add(
        "nul_byte_in_name.csv",
        city(city_row(1), city_row(2), *many, city_row(500, 성명="김\x00영숙")),
        rejected=1,
        **done,
    )
    add(
        "nul_byte_in_key.csv",
        city(city_row(1), city_row(2), *many, city_row(500, 관리번호="SC\x0000500")),
        rejected=1,
        **done,
    )
    add(
        "nul_escape_in_json.jsonl",
        jsonl(
            FACILITY_GOOD,
            {**FACILITY_GOOD, "client_id": "F0001-000002", "name": "Lee\x00Young-hee"},
        ),
        source="facility",
        encoding="utf-8",
        rejected=1,
        **done,
    )
    add(
        "nul_byte_first_line.csv",
        city(city_row(1, 주소="a\x00b")),
        status="failed",
        error_code="wrong_format",
    )
    add("name_5000_chars.csv", city(city_row(1, 성명="김" * 5000), city_row(2)), rejected=1, **done)
    add(
        "name_101_chars_romanised.jsonl",
        jsonl({**FACILITY_GOOD, "name": "A" * 101}),
        source="facility",
        encoding="utf-8",
        rejected=1,
        **done,
    )
    add(
        "address_300_chars.csv", city(city_row(1, 주소="종" * 300), city_row(2)), rejected=1, **done
    )
    add(
        "crisis_round_30_chars.csv",
        crisis(crisis_row(1, 발굴회차="2026-05-" + "x" * 22), crisis_row(2)),
        source="crisis",
        rejected=1,
        **done,
    )
    add(
        "ministry_name_5000_chars.xlsx",
        xlsx([MINISTRY_HEADER, [MINISTRY_ROW[0], "최" * 5000, *MINISTRY_ROW[2:]]]),
        source="ministry",
        rejected=1,
        **done,
    )


def _item_11(add) -> None:
    """Issue 12 item 11: nothing accepted loses or bends data without a word."""
    done = {"status": "done"}
    add(
        "same_key_other_name.csv",
        city(city_row(1), city_row(1, 성명="박민준", 서비스코드="SEOUL_HOUSING")),
        rejected=1,
        reason="관리번호 (the record id) is on row 1 with a different name: one id, one person",
        **done,
    )
    add(
        "same_key_other_birth_date.csv",
        city(city_row(1), city_row(1, 생년월일="1950.01.02", 서비스코드="SEOUL_HOUSING")),
        rejected=1,
        **done,
    )
    add(
        "same_key_same_person.csv",
        city(city_row(1), city_row(1, 서비스코드="SEOUL_HOUSING")),
        rejected=0,
        **done,
    )
    ministry_second = [*MINISTRY_ROW[:9], "P02", "생계급여", "500000", *MINISTRY_ROW[12:]]
    add(
        "ministry_same_key_other_rrn.xlsx",
        xlsx(
            [
                MINISTRY_HEADER,
                MINISTRY_ROW,
                [*ministry_second[:2], "5001012345679", *ministry_second[3:]],
            ]
        ),
        source="ministry",
        rejected=1,
        **done,
    )
    add(
        "facility_same_key_other_name.jsonl",
        jsonl(FACILITY_GOOD, {**FACILITY_GOOD, "name": "Park Min-jun", "service": "home_care"}),
        source="facility",
        encoding="utf-8",
        rejected=1,
        **done,
    )
    add(
        "ministry_merged_name_rows.xlsx",
        xlsx_marked(
            [MINISTRY_HEADER, MINISTRY_ROW, ministry_second],
            merged=[(1, 0, 2, 0), (1, 1, 2, 1), (1, 2, 2, 2)],
        ),
        source="ministry",
        rejected=0,
        **done,
    )
    add(
        "ministry_merged_columns.xlsx",
        xlsx_marked([MINISTRY_HEADER, MINISTRY_ROW, ministry_second], merged=[(1, 12, 1, 13)]),
        source="ministry",
        rejected=0,
        **done,
    )
    add(
        "ministry_merged_block.xlsx",
        xlsx_marked(
            [
                MINISTRY_HEADER,
                MINISTRY_ROW,
                ministry_second,
                [*ministry_second[:9], "P03", "주거급여", "1000", *MINISTRY_ROW[12:]],
            ],
            merged=[(1, 0, 3, 2)],
        ),
        source="ministry",
        rejected=3,
        **done,
    )  # one value over id, name and RRN: not a person
    add(
        "ministry_formula_no_value.xlsx",
        xlsx_marked([MINISTRY_HEADER, MINISTRY_ROW, ministry_second], formulas={(2, 11): "=L2*2"}),
        source="ministry",
        rejected=1,
        **done,
    )
    add(
        "ministry_formula_in_name_no_value.xlsx",
        xlsx_marked(
            [MINISTRY_HEADER, MINISTRY_ROW, ministry_second], formulas={(1, 1): '=UPPER("최순자")'}
        ),
        source="ministry",
        rejected=1,
        **done,
    )
    add(
        "ministry_formula_with_value.xlsx",
        xlsx_cached_formula(
            [MINISTRY_HEADER, MINISTRY_ROW, ministry_second], (2, 11), "=L2*2", "685020"
        ),
        source="ministry",
        rejected=0,
        **done,
    )
    add(
        "facility_dates_ambiguous.jsonl",
        jsonl(
            FACILITY_GOOD,
            {**FACILITY_GOOD, "client_id": "F0001-000002", "dob": "12/25/1950"},
            {**FACILITY_GOOD, "client_id": "F0001-000003", "dob": "25/12/1950"},
        ),
        source="facility_two_date_formats",
        encoding="utf-8",
        status="failed",
        error_code="ambiguous_dates",
    )
    add(
        "facility_dates_one_reading.jsonl",
        jsonl(
            {**FACILITY_GOOD, "dob": "12/25/1950"},
            {**FACILITY_GOOD, "client_id": "F0001-000002", "dob": "01/31/1950"},
            {**FACILITY_GOOD, "client_id": "F0001-000003", "dob": "03/03/1950"},
        ),
        source="facility_two_date_formats",
        encoding="utf-8",
        rejected=0,
        **done,
    )
    add(
        "facility_dates_day_first_only.jsonl",
        jsonl(
            {**FACILITY_GOOD, "dob": "25/12/1950"},
            {**FACILITY_GOOD, "client_id": "F0001-000002", "dob": "31/01/1950"},
        ),
        source="facility_two_date_formats",
        encoding="utf-8",
        rejected=0,
        **done,
    )


def _items_7_and_13(add) -> None:
    """Item 7: every spelling of an RRN is read in its column and masked elsewhere.
    Item 13: a number that does not parse is left out, its row kept with a warning."""
    done = {"status": "done"}
    spellings = [
        "500101 2345672",
        "500101.2345672",
        "500101–2345672",
        "500101—2345672",
        "500101_2345672",
        "500101/2345672",
        "５００１０１－２３４５６７２",
        "5 0 0 1 0 1 - 2 3 4 5 6 7 2",
        "500101－2345672",
        "500101−2345672",
    ]
    add(
        "rrn_spellings.csv",
        city(*[city_row(i, 주민등록번호=f'"{v}"') for i, v in enumerate(spellings, 1)]),
        encoding="utf-8",
        rejected=0,
        **done,
    )
    add(
        "rrn_spellings_in_other_columns.csv",
        city(
            *[city_row(i) + f',"보호자 {v}"' for i, v in enumerate(spellings, 1)],
            city_row(99, 전화번호="500101 2345672") + ',"x"',
            header=CITY_HEADER + ",비고",
        ),
        encoding="utf-8",
        rejected=1,
        **done,
    )
    add(
        "rrn_impossible_date.csv",
        city(city_row(1, 주민등록번호="471331-1234567"), city_row(2)),
        rejected=0,
        warned=1,
        **done,
    )
    add(
        "rrn_not_a_number.csv",
        city(city_row(1, 주민등록번호="모름"), city_row(2)),
        rejected=0,
        warned=1,
        **done,
    )
    add(
        "rrn_bad_and_phone_bad.csv",
        city(city_row(1, 주민등록번호="471331-1234567", 전화번호="x"), city_row(2)),
        rejected=1,
        warned=0,
        **done,
    )
    add(
        "crisis_rrn_impossible_date.csv",
        crisis(crisis_row(1, 주민등록번호="500230-2345678"), crisis_row(2)),
        source="crisis",
        encoding="utf-8-sig",
        rejected=0,
        warned=1,
        **done,
    )
    add(
        "ministry_rrn_typo.xlsx",
        xlsx([MINISTRY_HEADER, [*MINISTRY_ROW[:2], "5013012345678", *MINISTRY_ROW[3:]]]),
        source="ministry",
        rejected=0,
        warned=1,
        **done,
    )


# Larger files are made at test time (tests/intake/test_malformed_files.py), not committed.
COMMITTED_MAX_BYTES = 64 << 10


def main() -> None:
    expected = {}
    for name, (data, expect) in corpus().items():
        if len(data) <= COMMITTED_MAX_BYTES and not (HERE / name).exists():
            (HERE / name).write_bytes(data)
        expected[name] = expect
    (HERE / "expected.json").write_text(
        json.dumps(expected, ensure_ascii=False, indent=1, sort_keys=True) + "\n", encoding="utf-8"
    )
    print(f"{len(expected)} files written to {HERE}")


if __name__ == "__main__":
    main()
