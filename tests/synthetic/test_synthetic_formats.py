"""The files have the encodings, line ends and headers the contract names."""

from __future__ import annotations

import json
from pathlib import Path

from seoulgen.generate import generate

CITY_HEADERS = (
    "관리번호,성명,주민등록번호,생년월일,성별,전화번호,주소,행정동코드,"
    "가구원수,소득인정액,서비스코드,서비스명,지원금액,시작일,종료일,가구번호,전출일자"
)


def test_the_city_file_is_cp949_with_crlf_and_korean_headers(small_world) -> None:
    raw = (small_world.out / "city_welfare.csv").read_bytes()
    try:
        raw.decode("utf-8")
        is_utf8 = True
    except UnicodeDecodeError:
        is_utf8 = False
    assert not is_utf8
    text = raw.decode("cp949")
    assert text.split("\r\n")[0] == CITY_HEADERS
    assert text.count("\r\n") == text.count("\n")
    city = small_world.city()
    assert city["생년월일"].str.fullmatch(r"\d{4}\.\d{2}\.\d{2}").all()
    assert set(city["성별"]) == {"남", "여"}


def test_the_crisis_file_is_utf8_with_a_bom(small_world) -> None:
    raw = (small_world.out / "crisis_round.csv").read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf")
    assert raw[3:].decode("utf-8").startswith("발굴회차,대상자번호,성명,주민등록번호")


def test_facility_lines_are_json_objects_with_the_contract_keys(small_world) -> None:
    lines = (small_world.out / "facility_services.jsonl").read_text("utf-8").splitlines()
    first = json.loads(lines[0])
    assert list(first) == [
        "facility_id",
        "facility_name",
        "client_id",
        "name",
        "dob",
        "gender",
        "phone",
        "address",
        "service",
        "since",
    ]
    services = {json.loads(line)["service"] for line in lines}
    assert services <= {"meal", "home_care", "counselling", "day_care", "goods"}
    assert "\\/" not in lines[0]


def test_ministry_rows_use_compact_numbers_and_codes(small_world) -> None:
    m = small_world.ministry()
    assert m["주민등록번호"].str.fullmatch(r"\d{13}").all()
    assert m["연락처"].str.fullmatch(r"(\d{9,11})?").all()
    assert set(m["급여코드"]) <= {"B01", "B02", "B03", "B04", "P01", "P02", "C01", "A00"}
    assert m["지급개시일"].str.fullmatch(r"\d{8}").all()


def test_the_ministry_file_is_csv_above_the_xlsx_limit(tmp_path: Path) -> None:
    manifest = generate(20_001, seed=1, out_dir=tmp_path)
    assert manifest["files"]["ministry"] == "ministry_benefits.csv"
    assert (tmp_path / "ministry_benefits.csv").exists()
