"""Write the malformed-file corpus beside this script.

Run ``python tests/intake/malformed/make_corpus.py``.

Every file is small and committed; ``expected.json`` says, per file, which source imports it and
what must happen (the run fails with a typed error code, or it is done with at least N rows
rejected). The identity numbers here are made up and fail the checksum on purpose.
"""

from __future__ import annotations

import io
import json
import zipfile
from pathlib import Path

import xlsxwriter

HERE = Path(__file__).resolve().parent
CITY_HEADER = ("관리번호,성명,주민등록번호,생년월일,성별,전화번호,주소,행정동코드,"
               "가구원수,소득인정액,서비스코드,서비스명,지원금액,시작일,종료일")


def city_row(i: int, **change: str) -> str:
    cells = {
        "관리번호": f"SC{i:08d}", "성명": "김영숙", "주민등록번호": "500101-2******",
        "생년월일": "1950.01.01", "성별": "여", "전화번호": "010-1234-5678",
        "주소": "\"서울특별시 종로구 세종대로 110, 101동 202호\"", "행정동코드": "1111051500",
        "가구원수": "1", "소득인정액": "500000", "서비스코드": "SEOUL_BASIC",
        "서비스명": "서울형기초보장", "지원금액": "410270", "시작일": "2024.01.01", "종료일": "",
    }
    cells.update(change)
    return ",".join(cells.values())


def city(*rows: str, header: str = CITY_HEADER) -> str:
    return "\r\n".join([header, *rows]) + "\r\n"


GOOD = [city_row(1), city_row(2, 성명="박민준", 성별="남")]
FACILITY_GOOD = {"facility_id": "F0001", "facility_name": "종로노인종합복지관",
                 "client_id": "F0001-000001", "name": "Lee Young-hee", "dob": "03/02/1950",
                 "gender": "F", "phone": "010 1234 5678", "address": "서울 종로구 세종대로 110",
                 "service": "meal", "since": "2024-03-01"}
MINISTRY_HEADER = ["수급자번호", "성명", "주민등록번호", "성별코드", "주소", "연락처", "가구원수",
                   "소득인정액", "장애정도", "급여코드", "급여명", "월지급액", "지급개시일",
                   "지급종료일"]
MINISTRY_ROW = ["M000000001", "최순자", "5001012345678", "2", "서울특별시 종로구 사직동 1",
                "01012345678", "1", "400000", "", "P01", "기초연금", "342510", "20240101", ""]


def jsonl(*objs: dict | str) -> str:
    return "".join((o if isinstance(o, str) else json.dumps(o, ensure_ascii=False)) + "\n"
                   for o in objs)


def xlsx(rows: list[list[str]]) -> bytes:
    buffer = io.BytesIO()
    book = xlsxwriter.Workbook(buffer, {"in_memory": True})
    sheet = book.add_worksheet()
    for r, row in enumerate(rows):
        for c, value in enumerate(row):
            sheet.write_string(r, c, value)
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

    def add(name: str, content: bytes | str, source: str = "city", encoding: str = "cp949",
            **expect) -> None:
        data = content.encode(encoding) if isinstance(content, str) else content
        files[name] = (data, {"source": source, **expect})

    failed = {"status": "failed"}
    add("empty.csv", b"", error_code="empty_file", **failed)
    add("whitespace_only.csv", b"  \r\n\r\n  ", error_code="empty_file", **failed)
    add("header_only.csv", city(), error_code="empty_file", **failed)
    add("missing_columns.csv", city("SC1,x", header="관리번호,주민등록번호"),
        error_code="missing_columns", **failed)
    add("extra_columns.csv", city(city_row(1) + ",비고값", header=CITY_HEADER + ",비고"),
        status="done", rejected=0)
    add("undecodable_bytes.csv", city(*GOOD).encode("cp949") + b"\xff\xfe\xfa\r\n",
        error_code="encoding", **failed)
    add("mixed_encoding.csv", city(GOOD[0]).encode("utf-8") + GOOD[1].encode("cp949") + b"\r\n",
        error_code="encoding", **failed)
    add("utf16.csv", city(*GOOD), encoding="utf-16", error_code="wrong_format", **failed)
    add("binary_garbage.csv", bytes(range(256)) * 4, error_code="wrong_format", **failed)
    add("cp949.csv", city(*GOOD), status="done", rejected=0)
    add("euc_kr.csv", city(*GOOD), encoding="euc-kr", status="done", rejected=0)
    add("utf8_bom.csv", city(*GOOD), encoding="utf-8-sig", status="done", rejected=0)
    add("utf8.csv", city(*GOOD), encoding="utf-8", status="done", rejected=0)
    add("zip_named_csv.csv", xlsx([["a"], ["b"]]), error_code="wrong_format", **failed)
    add("json_named_csv.csv", jsonl(FACILITY_GOOD), encoding="utf-8",
        error_code="wrong_format", **failed)
    add("csv_named_xlsx.xlsx", city(*GOOD), source="ministry", error_code="wrong_format",
        **failed)
    add("ole_named_xlsx.xlsx", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 600,
        source="ministry", error_code="wrong_format", **failed)
    add("broken_zip.xlsx", b"PK\x03\x04" + b"not really a zip" * 20, source="ministry",
        error_code="wrong_format", **failed)
    add("zip_not_workbook.xlsx", zip_of({"hello.txt": b"hello"}), source="ministry",
        error_code="wrong_format", **failed)
    add("zip_bomb.xlsx", zip_of({"[Content_Types].xml": b"<Types/>",
                                 "xl/workbook.xml": b"<workbook/>",
                                 "xl/worksheets/sheet1.xml": b"\x00" * (40 << 20)}),
        source="ministry", error_code="archive_bomb", **failed)
    add("ministry_missing_columns.xlsx", xlsx([MINISTRY_HEADER[:3], MINISTRY_ROW[:3]]),
        source="ministry", error_code="missing_columns", **failed)
    add("ministry_header_only.xlsx", xlsx([MINISTRY_HEADER]), source="ministry",
        error_code="empty_file", **failed)
    add("ministry_ok.xlsx", xlsx([MINISTRY_HEADER, MINISTRY_ROW,
                                  [*MINISTRY_ROW[:2], "50010", *MINISTRY_ROW[3:]]]),
        source="ministry", status="done", rejected=1)
    add("ragged_row.csv", city(GOOD[0], GOOD[1] + ",extra,cells,here"),
        error_code="unreadable", **failed)
    add("unclosed_quote.csv", city(GOOD[0], city_row(2, 주소='"서울특별시 종로구, never closed')),
        error_code="unreadable", **failed)
    add("impossible_dates.csv", city(city_row(1, 생년월일="1950.02.30"),
                                     city_row(2, 시작일="2024.13.01"), city_row(3)),
        status="done", rejected=2)
    add("future_birth.csv", city(city_row(1, 생년월일="2999.01.01", 주민등록번호=""), city_row(2)),
        status="done", rejected=1)
    add("malformed_rrn.csv", city(city_row(1, 주민등록번호="12345"),
                                  city_row(2, 주민등록번호="501301-1234567"),
                                  city_row(3, 주민등록번호="500101-1234567"),  # checksum fails
                                  city_row(4, 주민등록번호="500101-1******")),
        status="done", rejected=2)
    add("bad_phone.csv", city(city_row(1, 전화번호="010-12"), city_row(2, 전화번호="call me"),
                              city_row(3, 전화번호="")), status="done", rejected=2)
    add("bad_dong.csv", city(city_row(1, 행정동코드="123"), city_row(2, 행정동코드="9999999999"),
                             city_row(3, 행정동코드="")), status="done", rejected=2)
    add("repeated_rows.csv", city(GOOD[0], GOOD[1], GOOD[0], GOOD[0]), status="done",
        rejected=2, reason="repeats row 1")
    add("formula_cells.csv", city(city_row(1, 주소="=HYPERLINK(\"http://x\")"),
                                  city_row(2, 성명="=1+1"), city_row(3)),
        status="done", rejected=2)
    add("blank_key.csv", city(city_row(1, 관리번호=""), city_row(2)), status="done", rejected=1)
    add("unknown_programme.csv", city(city_row(1, 서비스코드="SEOUL_NOPE"), city_row(2)),
        status="done", rejected=1)
    add("bad_numbers.csv", city(city_row(1, 가구원수="two"), city_row(2, 소득인정액="-5"),
                                city_row(3, 지원금액="\"1,200,000원\"")), status="done", rejected=2)
    add("many_reasons.csv", city(city_row(1, 성명="", 생년월일="1950.02.30", 전화번호="x",
                                          행정동코드="1", 서비스코드="")),
        status="done", rejected=1, reasons_at_least=5)
    add("bad_sex.csv", city(city_row(1, 성별="X"), city_row(2)), status="done", rejected=1)
    add("facility_bad_json.jsonl", jsonl(FACILITY_GOOD, "{not json",
                                         {**FACILITY_GOOD, "client_id": "F0001-000002"}),
        source="facility", encoding="utf-8", status="done", rejected=1)
    add("facility_array_line.jsonl", jsonl(FACILITY_GOOD, "[1, 2]"), source="facility",
        encoding="utf-8", status="done", rejected=1)
    add("facility_no_key.jsonl", jsonl({k: v for k, v in FACILITY_GOOD.items()
                                        if k != "client_id"}),
        source="facility", encoding="utf-8", error_code="missing_columns", **failed)
    add("facility_bad_values.jsonl", jsonl({**FACILITY_GOOD, "gender": "X"},
                                           {**FACILITY_GOOD, "client_id": "F1-2", "dob": "1/2/3"},
                                           {**FACILITY_GOOD, "client_id": "F1-3",
                                            "service": "yoga"}),
        source="facility", encoding="utf-8", status="done", rejected=3)
    add("facility_named_csv.csv", jsonl(FACILITY_GOOD), source="facility", encoding="utf-8",
        error_code="wrong_format", **failed)
    add("crisis_unknown_indicator.csv",
        "발굴회차,대상자번호,성명,주민등록번호,주소,행정동코드,지표코드,체납개월,체납액,기준일\r\n"
        "2026-05,D1,김영숙,500101-2345678,서울특별시 종로구 세종대로 110,1111051500,MOON_CUT,3,,"
        "2026-04-30\r\n"
        "2026-05,D2,김영숙,500101-2345678,서울특별시 종로구 세종대로 110,1111051500,ELEC_CUT,3,,"
        "2026-04-30\r\n", source="crisis", encoding="utf-8-sig", status="done", rejected=1)
    return files


def main() -> None:
    expected = {}
    for name, (data, expect) in corpus().items():
        (HERE / name).write_bytes(data)
        expected[name] = expect
    (HERE / "expected.json").write_text(
        json.dumps(expected, ensure_ascii=False, indent=1, sort_keys=True) + "\n",
        encoding="utf-8")
    print(f"{len(expected)} files written to {HERE}")


if __name__ == "__main__":
    main()
