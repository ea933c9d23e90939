"""Korean addresses in one canonical form: a building key and a unit key per address text.

Column code (no Django). Agencies write one dwelling many ways: ``서울특별시 종로구 무악로 132,
115동 1801호``, ``서울 종로구 무악로 132 115동 1801호``, ``종로구 무악로132 (무악동, 현대아파트)
115-1801``. Linkage, households and dong resolution need them to be one thing, so each distinct
text is parsed once (DOMAIN.md §8) into

- road addresses (도로명주소): 시도, 시군구, road name (``무악로``, ``청운로3길``, ``…로12가길``,
  ``…번길``), the underground flag (지하) and the building's main-sub number;
- lot addresses (지번주소): 시도, 시군구, 법정동 (or 리/가), 산 and the main-sub lot number;
- the ``(법정동, 건물명)`` suffix (kept as parts, not in the keys: the road and number already
  name the building);
- the detail: block (``101동``, ``A동``, ``가동``), unit (``1203호``, ``B02호``/``지하 2호`` →
  ``B2호``), floor (``2층``, ``지하1층`` → ``B1층``) and the shorthand ``101-1203``.

Keys:

- ``building_key``: ``서울특별시 종로구 무악로 132`` (road; ``… 세종대로 지하 2`` underground,
  ``… 132-1`` with a sub number) or ``서울특별시 종로구 청운동 산12-3`` (lot). A road key and a lot
  key of the same building differ: joining them needs the gazetteer (issue 13 item 2).
- ``unit_key``: the building key, then ``115동`` and ``1801호`` (a floor only when no unit is
  given). No detail: the building key itself (a house is one dwelling).

Rules worth knowing: the 시도 prefix may be missing or short (``서울특별시``/``서울시``/``서울``); a
missing one is Seoul when the district is one of Seoul's 25 (Big Care serves Seoul). Without a
시군구 or a building number there is no key ("" for both): a road alone is not a dwelling, and a
household must never form over a whole street. Spaces may be missing or doubled anywhere except
between two numbers (``무악로 132 115동`` ≠ ``무악로 132115동``); ``,`` reads as a space; full-width
characters and dash variants are folded (NFKC). The parse is idempotent: a key parses to itself.

Every text transform runs in Arrow's RE2 over the *distinct* texts, so a frame of a million
records with a few hundred thousand addresses costs a few hundred thousand regex matches in C++.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

SEOUL = "서울특별시"
SEOUL_DISTRICTS = [
    "종로구",
    "중구",
    "용산구",
    "성동구",
    "광진구",
    "동대문구",
    "중랑구",
    "성북구",
    "강북구",
    "도봉구",
    "노원구",
    "은평구",
    "서대문구",
    "마포구",
    "양천구",
    "강서구",
    "구로구",
    "금천구",
    "영등포구",
    "동작구",
    "관악구",
    "서초구",
    "강남구",
    "송파구",
    "강동구",
]
# Every spelling of each 시도 seen in extracts → its official name. The bare short forms
# (부산, 경기) are only read when followed by a district, so 세종대로 stays a road.
_SIDO = {
    SEOUL: ("서울특별시", "서울시", "서울"),
    "부산광역시": ("부산광역시", "부산시", "부산"),
    "대구광역시": ("대구광역시", "대구시", "대구"),
    "인천광역시": ("인천광역시", "인천시", "인천"),
    "광주광역시": ("광주광역시", "광주시", "광주"),
    "대전광역시": ("대전광역시", "대전시", "대전"),
    "울산광역시": ("울산광역시", "울산시", "울산"),
    "세종특별자치시": ("세종특별자치시", "세종시"),
    "경기도": ("경기도", "경기"),
    "강원특별자치도": ("강원특별자치도", "강원도", "강원"),
    "충청북도": ("충청북도", "충북"),
    "충청남도": ("충청남도", "충남"),
    "전북특별자치도": ("전북특별자치도", "전라북도", "전북"),
    "전라남도": ("전라남도", "전남"),
    "경상북도": ("경상북도", "경북"),
    "경상남도": ("경상남도", "경남"),
    "제주특별자치도": ("제주특별자치도", "제주도", "제주"),
}
SIDO_OF = {spelling: name for name, spellings in _SIDO.items() for spelling in spellings}

_H = "가-힣"
# Longest spelling first: RE2 takes the first alternative that lets the whole pattern match.
_SIDO_RE = "|".join(sorted(SIDO_OF, key=len, reverse=True))
_GU_RE = "|".join(sorted(SEOUL_DISTRICTS, key=len, reverse=True))
_ADDRESS = (
    rf"^(?:(?P<sido>{_SIDO_RE})\s*)?"
    # Seoul's districts are known and may be glued to the road (종로구무악로); any other 시군구
    # (수원시 팔달구, 양평군) must end at a space.
    rf"(?:(?P<gu>{_GU_RE})\s*|(?P<gu_other>[{_H}]{{1,6}}시\s?[{_H}]{{1,5}}구|[{_H}]{{1,6}}[시군구])\s+)"
    rf"(?:"
    # Road: a name ending in 로/길, optionally a numbered side street (3길, 12가길, 45번길).
    rf"(?P<road>[{_H}A-Za-z0-9.·]+?(?:로|길)(?:\s*\d+\s*(?:가|번)?\s*길)?)"
    rf"\s*(?P<under>지하)?\s*(?P<rmain>\d+)(?:\s*-\s*(?P<rsub>\d+))?(?:\s*번지|\s*번)?"
    rf"|"
    # Lot: 법정동 (or 리, or 종로1가), 산, main-sub lot number.
    rf"(?P<ldong>[{_H}0-9.·]+?(?:동|가|리))\s*(?P<mountain>산)?\s*(?P<lmain>\d+)"
    rf"(?:\s*-\s*(?P<lsub>\d+))?(?:\s*번지)?"
    rf")"
    # The detail starts at a space, a Latin letter (12B02호) or 지하; never glued to a digit.
    rf"(?P<rest>(?:\s|[A-Za-z]|지하).*)?$"
)
_GROUPS = (
    "sido",
    "gu",
    "gu_other",
    "road",
    "under",
    "rmain",
    "rsub",
    "ldong",
    "mountain",
    "lmain",
    "lsub",
    "rest",
)
_BLOCK = rf"(?:^|\s)(?P<block>\d+|[A-Za-z]|[{_H}])\s*동"
_UNIT = r"(?P<ub>지하|[Bb]|비)?\s*(?P<unit>\d+)\s*호"
_FLOOR = r"(?P<fb>지하|[Bb])?\s*(?P<floor>\d+)\s*층"
_SHORT = r"^\s*(?P<sb>\d+)\s*-\s*(?P<su>\d+)\s*호?\s*$"
_BARE = r"^\s*(?P<bare>\d+)\s*$"
_SUFFIX_DONG = rf"^\s*(?P<legal>[{_H}0-9.·]+(?:동|가|리))\s*(?:,|\s|$)"

KEY_COLUMNS = ["building_key", "unit_key"]
PART_COLUMNS = [
    "sido",
    "sigungu",
    "kind",
    "road",
    "underground",
    "main",
    "sub",
    "legal_dong",
    "mountain",
    "building_name",
    "block",
    "floor",
    "unit",
    *KEY_COLUMNS,
]


def _arrow(values: np.ndarray) -> pa.Array:
    return pa.array(values, type=pa.string())


def _np(arr: pa.Array | pa.ChunkedArray) -> np.ndarray:
    return np.asarray(arr.to_numpy(zero_copy_only=False), dtype=object)


def _extract(arr: pa.Array, pattern: str, names: tuple[str, ...]) -> dict[str, np.ndarray]:
    """Named groups of ``pattern`` per value ("" when the group or the whole match is absent)."""
    found = pc.extract_regex(arr, pattern)
    out = {}
    for name in names:
        col = pc.fill_null(found.field(name), "")
        out[name] = _np(col)
    return out


def _clean(texts: np.ndarray) -> tuple[pa.Array, pa.Array]:
    """(address without brackets, bracketed suffix): NFKC, dashes, commas and spaces folded."""
    arr = pc.utf8_normalize(_arrow(texts), "NFKC")
    arr = pc.replace_substring_regex(arr, "[\u2010-\u2015\u2212\u30fc\uff0d]", "-")
    suffix = pc.fill_null(pc.extract_regex(arr, r"\((?P<s>[^)]*)\)").field("s"), "")
    arr = pc.replace_substring_regex(arr, r"\([^)]*\)?", " ")
    arr = pc.replace_substring_regex(arr, "[,\u3001]", " ")
    # 제101호, 제2층: the ordinal prefix says nothing (제기동 keeps its 제: no digit follows).
    arr = pc.replace_substring_regex(arr, r"제\s*(\d)", r"\1")
    arr = pc.utf8_trim_whitespace(pc.replace_substring_regex(arr, r"\s+", " "))
    return arr, suffix


def _strip_zeros(values: np.ndarray) -> np.ndarray:
    """Numbers without leading zeros ("0" stays "0"), letters upper-cased; "" stays ""."""
    arr = pc.replace_substring_regex(_arrow(values), r"^0+(\d)", r"\1")
    return _np(pc.utf8_upper(arr))


def _squeeze(values: np.ndarray) -> np.ndarray:
    return _np(pc.replace_substring(_arrow(values), " ", ""))


def _join(*parts: np.ndarray) -> np.ndarray:
    """Space-joined non-empty parts, element-wise (numpy object arithmetic, no row loop)."""
    out = np.asarray(parts[0], dtype=object)
    for p in parts[1:]:
        p = np.asarray(p, dtype=object)
        out = np.where((out != "") & (p != ""), out + " " + p, out + p)
    return out


def _cat(*parts: np.ndarray) -> np.ndarray:
    out = parts[0].astype(object)
    for p in parts[1:]:
        out = out + p
    return out


def _buildings(texts: np.ndarray) -> dict[str, np.ndarray]:
    """The building half of the parse (no detail): what linkage's comparison needs."""
    n = len(texts)
    arr, suffix = _clean(texts)
    g = _extract(arr, _ADDRESS, _GROUPS)
    empty = np.full(n, "", dtype=object)

    sido = pd.Series(g["sido"], dtype=object).map(SIDO_OF).fillna("").to_numpy(object)
    seoul_gu = g["gu"] != ""
    sido = np.where((sido == "") & seoul_gu, SEOUL, sido)
    # 수원시팔달구 / 수원시 팔달구 → 수원시 팔달구.
    other = pc.replace_substring_regex(
        _arrow(_squeeze(g["gu_other"])), rf"^([{_H}]+?시)([{_H}]+구)$", r"\1 \2"
    )
    gu = np.where(seoul_gu, g["gu"], _np(other))

    is_road = g["rmain"] != ""
    is_lot = (g["lmain"] != "") & ~is_road
    road, ldong = _squeeze(g["road"]), _squeeze(g["ldong"])
    main = _strip_zeros(np.where(is_road, g["rmain"], g["lmain"]))
    sub = _strip_zeros(np.where(is_road, g["rsub"], g["lsub"]))
    sub = np.where(sub == "0", "", sub)  # 132-0 is 132
    number = np.where(sub != "", _cat(main, np.full(n, "-", dtype=object), sub), main)
    under = is_road & (g["under"] != "")
    mountain = is_lot & (g["mountain"] != "")
    head = _join(sido, gu)
    building_key = np.where(
        is_road,
        _join(head, road, np.where(under, "지하", empty), number),
        np.where(is_lot, _join(head, ldong, _cat(np.where(mountain, "산", empty), number)), empty),
    )
    parsed = building_key != ""
    street = np.where(is_road, road, np.where(is_lot, ldong, empty))
    return locals()


def _parse_distinct(texts: np.ndarray) -> pd.DataFrame:
    """Parts and keys of each of ``texts`` (distinct strings), one row each."""
    n = len(texts)
    if n == 0:
        return pd.DataFrame({c: pd.Series(dtype=object) for c in PART_COLUMNS})
    b = _buildings(texts)
    g, suffix, empty, parsed = b["g"], b["suffix"], b["empty"], b["parsed"]
    sido, gu, is_road, is_lot = b["sido"], b["gu"], b["is_road"], b["is_lot"]
    road, ldong, main, sub = b["road"], b["ldong"], b["main"], b["sub"]
    under, mountain, building_key = b["under"], b["mountain"], b["building_key"]

    # The detail, from what follows the number.
    rest = _arrow(g["rest"])
    blk = _extract(rest, _BLOCK, ("block",))["block"]
    unit_g = _extract(rest, _UNIT, ("ub", "unit"))
    floor_g = _extract(rest, _FLOOR, ("fb", "floor"))
    short = _extract(rest, _SHORT, ("sb", "su"))
    bare = _extract(rest, _BARE, ("bare",))["bare"]
    block = np.where(blk != "", blk, short["sb"])
    unit = np.where(
        unit_g["unit"] != "", unit_g["unit"], np.where(short["su"] != "", short["su"], bare)
    )
    unit = _strip_zeros(unit)
    unit = np.where(
        (unit_g["ub"] != "") & (unit != ""), _cat(np.full(n, "B", dtype=object), unit), unit
    )
    floor = _strip_zeros(floor_g["floor"])
    floor = np.where(
        (floor_g["fb"] != "") & (floor != ""), _cat(np.full(n, "B", dtype=object), floor), floor
    )
    block = _strip_zeros(block)
    detail = _join(
        np.where(block != "", _cat(block, np.full(n, "동", dtype=object)), empty),
        np.where(
            unit != "",
            _cat(unit, np.full(n, "호", dtype=object)),
            np.where(floor != "", _cat(floor, np.full(n, "층", dtype=object)), empty),
        ),
    )
    unit_key = np.where(parsed, _join(building_key, detail), empty)

    # The (법정동, 건물명) suffix: the legal dong first, the rest names the building.
    sfx = pc.utf8_trim_whitespace(suffix)
    legal = _extract(sfx, _SUFFIX_DONG, ("legal",))["legal"]
    name = _np(pc.utf8_trim(pc.replace_substring_regex(sfx, _SUFFIX_DONG, ""), " ,"))
    legal_dong = np.where(is_lot, ldong, legal)

    return pd.DataFrame(
        {
            "sido": np.where(parsed, sido, empty),
            "sigungu": np.where(parsed, gu, empty),
            "kind": np.where(is_road, "road", np.where(is_lot, "lot", "")).astype(object),
            "road": np.where(is_road, road, empty),
            "underground": under,
            "main": np.where(parsed, main, empty),
            "sub": np.where(parsed, sub, empty),
            "legal_dong": np.where(parsed, legal_dong, empty),
            "mountain": mountain,
            "building_name": np.where(parsed, name, empty),
            "block": np.where(parsed, block, empty),
            "floor": np.where(parsed, floor, empty),
            "unit": np.where(parsed, unit, empty),
            "building_key": building_key,
            "unit_key": unit_key,
        }
    )


def parse_addresses(addresses: pd.Series) -> pd.DataFrame:
    """Parts and keys (:data:`PART_COLUMNS`) of every address, same index; parsed per distinct."""
    codes, uniq = pd.factorize(addresses.fillna("").astype(str), sort=False)
    table = _parse_distinct(np.asarray(uniq, dtype=object))
    out = table.iloc[codes].reset_index(drop=True) if len(codes) else table.iloc[:0]
    out.index = addresses.index
    return out


def address_keys(addresses: pd.Series) -> pd.DataFrame:
    """``building_key`` and ``unit_key`` of every address ("" when it names no building)."""
    return parse_addresses(addresses)[KEY_COLUMNS]


@dataclass(frozen=True)
class Address:
    """One parsed address (see the module docstring); ``kind`` is "road", "lot" or ""."""

    sido: str
    sigungu: str
    kind: str
    road: str
    underground: bool
    main: str
    sub: str
    legal_dong: str
    mountain: bool
    building_name: str
    block: str
    floor: str
    unit: str
    building_key: str
    unit_key: str


def parse_address(text: str) -> Address:
    """One address, parsed the same way as a frame of them (for screens and tests)."""
    row = _parse_distinct(np.array([text or ""], dtype=object)).iloc[0]
    return Address(
        **{
            c: (bool(row[c]) if c in ("underground", "mountain") else str(row[c]))
            for c in PART_COLUMNS
        }
    )


@lru_cache(maxsize=4096)
def address_keys_of(text: str) -> tuple[str, str]:
    """(building key, unit key) of one address, for a model's save (cached: pages repeat)."""
    if not text:
        return "", ""
    a = parse_address(text)
    return a.building_key, a.unit_key
