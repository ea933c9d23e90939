"""Korean address normalisation: one dwelling, one unit key, however an agency wrote it."""

from __future__ import annotations

import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from matching.address import SEOUL_DISTRICTS, address_keys, parse_address, parse_addresses

# (address as written, building key, unit key)
REAL_SHAPED = [
    (
        "서울특별시 종로구 무악로 132, 115동 1801호",
        "서울특별시 종로구 무악로 132",
        "서울특별시 종로구 무악로 132 115동 1801호",
    ),
    (
        "서울 종로구 무악로 132 115동 1801호",
        "서울특별시 종로구 무악로 132",
        "서울특별시 종로구 무악로 132 115동 1801호",
    ),
    (
        "종로구 무악로132 115-1801",
        "서울특별시 종로구 무악로 132",
        "서울특별시 종로구 무악로 132 115동 1801호",
    ),
    (
        "서울시 종로구 무악로 132 (무악동, 현대아파트) 115동 12층 1801호",
        "서울특별시 종로구 무악로 132",
        "서울특별시 종로구 무악로 132 115동 1801호",
    ),
    ("종로구 청운로3길12", "서울특별시 종로구 청운로3길 12", "서울특별시 종로구 청운로3길 12"),
    (
        "서울특별시 종로구 청운로 3길 12",
        "서울특별시 종로구 청운로3길 12",
        "서울특별시 종로구 청운로3길 12",
    ),
    (
        "서울특별시 강남구 개포로12가길 7-1 제101호",
        "서울특별시 강남구 개포로12가길 7-1",
        "서울특별시 강남구 개포로12가길 7-1 101호",
    ),
    (
        "서울특별시 중구 세종대로 지하 2 B02호",
        "서울특별시 중구 세종대로 지하 2",
        "서울특별시 중구 세종대로 지하 2 B2호",
    ),
    (
        "서울 중구 세종대로 지하2, 지하 2호",
        "서울특별시 중구 세종대로 지하 2",
        "서울특별시 중구 세종대로 지하 2 B2호",
    ),
    (
        "서울 중구 세종대로 110 지하1층",
        "서울특별시 중구 세종대로 110",
        "서울특별시 중구 세종대로 110 B1층",
    ),
    (
        "서울특별시 마포구 망원로 15-0 2층",
        "서울특별시 마포구 망원로 15",
        "서울특별시 마포구 망원로 15 2층",
    ),
    (
        "서울특별시 종로구 청운동 산12-3",
        "서울특별시 종로구 청운동 산12-3",
        "서울특별시 종로구 청운동 산12-3",
    ),
    (
        "서울 동대문구 신설동 12-3번지 지하1층",
        "서울특별시 동대문구 신설동 12-3",
        "서울특별시 동대문구 신설동 12-3 B1층",
    ),
    (
        "서울 종로구 종로1가 24 A동 302호",
        "서울특별시 종로구 종로1가 24",
        "서울특별시 종로구 종로1가 24 A동 302호",
    ),
    (
        "서울특별시 관악구 신림동 1640-12 302",
        "서울특별시 관악구 신림동 1640-12",
        "서울특별시 관악구 신림동 1640-12 302호",
    ),
    (
        "서울특별시 노원구 동일로 １２３４－５",
        "서울특별시 노원구 동일로 1234-5",
        "서울특별시 노원구 동일로 1234-5",
    ),
    (
        "경기도 수원시 팔달구 효원로 1",
        "경기도 수원시 팔달구 효원로 1",
        "경기도 수원시 팔달구 효원로 1",
    ),
    ("세종대로 110", "", ""),  # no district: a road alone is no dwelling
    ("서울 종로구 무악로", "", ""),  # no number
    ("", "", ""),
]


@pytest.mark.parametrize(("text", "building", "unit"), REAL_SHAPED)
def test_real_shaped_addresses_get_their_canonical_keys(text, building, unit):
    a = parse_address(text)
    assert (a.building_key, a.unit_key) == (building, unit)


def test_the_bracketed_suffix_gives_the_legal_dong_and_building_name():
    a = parse_address("서울특별시 종로구 무악로 132 (무악동, 현대아파트) 115동 1801호")
    assert (a.kind, a.road, a.main, a.legal_dong, a.building_name) == (
        "road",
        "무악로",
        "132",
        "무악동",
        "현대아파트",
    )
    lot = parse_address("서울특별시 종로구 청운동 산12-3")
    assert (lot.kind, lot.legal_dong, lot.mountain, lot.main, lot.sub) == (
        "lot",
        "청운동",
        True,
        "12",
        "3",
    )
    under = parse_address("서울 중구 세종대로 지하 2")
    assert under.underground and not parse_address("서울 중구 세종대로 2").underground


def test_frames_are_parsed_per_distinct_address_and_keep_their_index():
    s = pd.Series(
        ["서울 종로구 무악로 132 115동 1801호", None, "서울특별시 종로구 무악로 132, 115동 1801호"]
        * 3,
        index=range(10, 19),
    )
    keys = address_keys(s)
    assert list(keys.index) == list(s.index)
    assert keys["unit_key"].nunique() == 2  # one dwelling, and "" for the missing one
    assert set(keys.loc[[11, 14, 17], "unit_key"]) == {""}
    assert list(parse_addresses(s.iloc[:0]).columns) == list(parse_addresses(s).columns)


# --- Property tests: any spelling an agency might produce of one dwelling gives one key. ---

PREFIXES = ["서울특별시", "서울시", "서울", ""]
STEMS = ["무악", "청운", "세종대", "개포", "동일", "가로수", "로데오", "사가정", "망원", "한강대"]


@st.composite
def dwellings(draw):
    """Components of one dwelling (road or lot), as tokens to be joined."""
    gu = draw(st.sampled_from(SEOUL_DISTRICTS))
    main = draw(st.integers(1, 999))
    sub = draw(st.integers(0, 99))
    number = f"{main}-{sub}" if sub else str(main)
    if draw(st.booleans()):
        road = [draw(st.sampled_from(STEMS)) + "로"]
        side = draw(st.integers(0, 60))
        if side:
            road.append(f"{side}{draw(st.sampled_from(['', '가', '번']))}길")
        place = road + (["지하"] if draw(st.integers(0, 9)) == 0 else []) + [number]
    else:
        dong = draw(st.sampled_from(["청운동", "신설동", "종로1가", "무악동", "상계동"]))
        place = [dong, ("산" if draw(st.integers(0, 9)) == 0 else "") + number]
    detail = draw(st.sampled_from(["none", "apt", "short", "room", "broom", "floor", "bfloor"]))
    block, room = draw(st.integers(101, 120)), draw(st.integers(101, 2504))
    tail = {
        "none": [],
        "apt": [f"{block}동", f"{room}호"],
        "short": [f"{block}-{room}"],
        "room": [f"{room}호"],
        "broom": [f"B{room % 100:02d}호"],
        "floor": [f"{room // 100}층"],
        "bfloor": [f"지하{room // 1000 + 1}층"],
    }[detail]
    return gu, place, tail


@st.composite
def spellings(draw, dwelling):
    """One way of writing ``dwelling``: any 시도 prefix, spaces dropped or doubled, commas."""
    gu, place, tail = dwelling
    tokens = [t for t in [draw(st.sampled_from(PREFIXES)), gu, *place] if t]
    out = tokens[0]
    for t in tokens[1:]:
        # Two numbers never touch: that would be another number.
        joint = [" ", "  "] if out[-1].isdigit() and t[0].isdigit() else ["", " ", "  "]
        out += draw(st.sampled_from(joint)) + t
    for i, t in enumerate(tail):
        joint = [" ", ", ", "  "]
        if i or not out[-1].isdigit() or t[0] in "B지":
            joint = [*joint, ""]
        if t[0].isdigit() and out[-1].isdigit():
            joint = [" ", ", "]
        out += draw(st.sampled_from(joint)) + t
    return out


@settings(max_examples=150, deadline=None)
@given(st.data())
def test_every_spelling_of_one_dwelling_has_one_unit_key(data):
    dwelling = data.draw(dwellings())
    a = data.draw(spellings(dwelling))
    b = data.draw(spellings(dwelling))
    ka, kb = parse_address(a), parse_address(b)
    assert ka.unit_key, a
    assert (ka.building_key, ka.unit_key) == (kb.building_key, kb.unit_key), (a, b)


@settings(max_examples=150, deadline=None)
@given(st.data())
def test_keys_parse_to_themselves(data):
    text = data.draw(spellings(data.draw(dwellings())))
    a = parse_address(text)
    again = parse_address(a.unit_key)
    assert (again.building_key, again.unit_key) == (a.building_key, a.unit_key)
    assert parse_address(a.building_key).building_key == a.building_key


@settings(max_examples=100, deadline=None)
@given(
    st.text(alphabet="서울특별시종로구무악로청운동산길가지하동호층 0123456789-,()B", max_size=40)
)
def test_any_text_parses_without_error_and_a_key_is_a_fixed_point(text):
    a = parse_address(text)
    assert bool(a.building_key) == bool(a.unit_key)
    if a.unit_key:
        assert parse_address(a.unit_key).unit_key == a.unit_key


@pytest.mark.django_db
def test_the_address_keys_command_fills_keys_of_residents_linked_before_them():
    from django.core.management import call_command

    from matching.models import Resident

    r = Resident.objects.create(name="조정희", address="서울 종로구 무악로 132 115동 1801호")
    Resident.objects.filter(pk=r.pk).update(building_key="", unit_key="")  # as after 0007
    call_command("address_keys")
    r.refresh_from_db()
    assert r.unit_key == "서울특별시 종로구 무악로 132 115동 1801호"
