"""Buildings, road and lot-number addresses in Seoul's real administrative dongs (invented roads).

Every dwelling sits in a *building* drawn once for the whole world: a unique road address
(road + building number) and a unique lot address (법정동 + 지번) inside one administrative dong.
Roads are named after the dong's stem (상계5동 → 상계로), so sibling dongs (상계1동 … 상계10동)
share their main road, as real Seoul's do, but each sibling owns its own stretch of numbers on it
and its own numbered side streets (상계로3길 belongs to one dong): a road + number names one
building in one dong, as in the official road-name address database. Apartment buildings hold
many households (each in its own 동/호), villas a few, houses one.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

from .formats import compose

STYLES = ("road", "road_short", "jibun")
# How each source writes a road address, as a share of its road-address rows (documented in
# docs/synthetic-sources.md): the (법정동, 아파트명) reference, no space between road and
# number, and 101-1203 for 101동 1203호 (a share of apartment addresses).
ADDRESS_HABITS: dict[str, dict[str, float]] = {
    "ministry": {"suffix": 0.40},
    "facility": {"suffix": 0.15, "nospace": 0.10, "shorthand": 0.30},
}
# Numbers on the dong's stretch of the main road, and on each of its side streets.
MAIN_ROAD_NUMBERS = 200
SIDE_STREET_NUMBERS = 60
HOUSEHOLDS_PER_APARTMENT = 40
HOUSEHOLDS_PER_VILLA = 6
APARTMENT_BRANDS = (
    "래미안",
    "현대",
    "푸르지오",
    "자이",
    "e편한세상",
    "롯데캐슬",
    "힐스테이트",
    "주공",
    "삼성",
    "한신",
    "대림",
    "벽산",
)
# (block, floor, unit) slots of an apartment building (15 blocks × 25 floors × 6 units) and of a
# villa (5 floors × 6 units); households of a building take distinct slots (see _detail_slots).
APT_SLOTS = 15 * 25 * 6
VILLA_SLOTS = 5 * 6


def load_dongs(path: Path) -> pd.DataFrame:
    """The administrative dongs: ``gu_name, dong_code, dong_name, stem`` (stem names roads),
    ``sibling``/``siblings`` (rank and count of the dongs sharing the stem in the district) and
    ``legal_code`` (a synthetic 법정동 code for the stem: the 법정동 is ``stem + 동``)."""
    raw = pd.read_csv(path, dtype=str, encoding="utf-8")
    dongs = pd.DataFrame(
        {
            "gu_code": raw["gu_code"],
            "gu_name": raw["gu_name_ko"],
            "dong_code": raw["dong_code"],
            "dong_name": raw["dong_name_ko"],
        }
    ).sort_values("dong_code", kind="stable", ignore_index=True)
    # 상계5동 → 상계, 일원본동 → 일원, 종로1.2.3.4가동 → 종로: roads carry the place, not the ward.
    dongs["stem"] = dongs["dong_name"].str.replace(r"(제?\d.*|본)?동$", "", regex=True)
    dongs.loc[dongs["stem"] == "", "stem"] = dongs["dong_name"]
    group = dongs.groupby(["gu_code", "stem"], sort=False)
    dongs["sibling"] = group.cumcount()
    dongs["siblings"] = group["stem"].transform("size")
    stem_no = dongs.groupby("gu_code", sort=False)["stem"].transform(
        lambda s: pd.Series(pd.factorize(s)[0], index=s.index)
    )
    dongs["stem_no"] = stem_no.astype(int)
    dongs["legal_code"] = dongs["gu_code"] + (101 + dongs["stem_no"]).astype(str) + "00"
    return dongs


def _slot_parts(
    slot: np.ndarray, sibling: np.ndarray, siblings: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    """(side street, building number) of building slots: the first MAIN_ROAD_NUMBERS slots are
    on the main road (side street 0), the rest on side streets of SIDE_STREET_NUMBERS each.
    Sibling dongs take interleaved side streets and consecutive stretches of the main road."""
    main = slot < MAIN_ROAD_NUMBERS
    rest = slot - MAIN_ROAD_NUMBERS
    side = np.where(main, 0, 1 + sibling + siblings * (rest // SIDE_STREET_NUMBERS))
    number = np.where(main, 1 + sibling * MAIN_ROAD_NUMBERS + slot, 1 + rest % SIDE_STREET_NUMBERS)
    return side, number


def draw_places(
    rng: np.random.Generator, dong_idx: np.ndarray, dongs: pd.DataFrame
) -> pd.DataFrame:
    """Address components for households in the given dongs (indices into ``dongs``).

    One row per household; ``building`` numbers the building world-wide, so households sharing
    an apartment or villa share its road address, lot and name, each in its own unit.
    """
    n = len(dong_idx)
    kind_draw = rng.random(n)
    # 0 house, 1 apartment (동/호), 2 villa (호 only)
    kind = np.where(kind_draw < 0.45, 1, np.where(kind_draw < 0.65, 2, 0))
    per_building = np.array([1, HOUSEHOLDS_PER_APARTMENT, HOUSEHOLDS_PER_VILLA])
    counts = pd.crosstab(pd.Series(dong_idx), pd.Series(kind)).reindex(
        index=range(len(dongs)), columns=[0, 1, 2], fill_value=0
    )
    n_buildings = -(-counts.to_numpy() // per_building)  # ceil: each kind's buildings per dong
    need = n_buildings.sum(axis=1)
    space = max(int(need.max()) * 3, MAIN_ROAD_NUMBERS + 10 * SIDE_STREET_NUMBERS)
    # Each dong's buildings on distinct slots; building ids dong by dong, kind by kind.
    b_dong, b_kind, b_slot = [], [], []
    for d in np.flatnonzero(need):
        slots = rng.choice(space, int(need[d]), replace=False)
        b_slot.append(slots)
        b_dong.append(np.full(len(slots), d))
        b_kind.append(np.repeat([0, 1, 2], n_buildings[d]))
    b_dong = np.concatenate(b_dong) if b_dong else np.zeros(0, dtype=np.int64)
    b_kind = np.concatenate(b_kind) if b_kind else np.zeros(0, dtype=np.int64)
    b_slot = np.concatenate(b_slot) if b_slot else np.zeros(0, dtype=np.int64)
    first = pd.DataFrame({"d": b_dong, "k": b_kind}).reset_index().groupby(["d", "k"])["index"]
    start = first.min()
    # Houses take their dong's house buildings one each; others draw one of their kind's.
    order = pd.DataFrame({"d": dong_idx, "k": kind}).groupby(["d", "k"]).cumcount().to_numpy()
    key = pd.MultiIndex.from_arrays([dong_idx, kind])
    base = start.reindex(key).to_numpy()
    avail = n_buildings[dong_idx, kind]
    pick = np.where(kind == 0, order, rng.integers(0, np.maximum(avail, 1)))
    building = (base + pick).astype(np.int64)

    sibling = dongs["sibling"].to_numpy()[b_dong]
    siblings = dongs["siblings"].to_numpy()[b_dong]
    side, number = _slot_parts(b_slot, sibling, siblings)
    b_sub = np.where(rng.random(len(b_slot)) < 0.12, rng.integers(1, 30, len(b_slot)), 0)
    # Lots: unique inside the stem's 법정동 (siblings share it), some with a sub number.
    b_lot = 1 + sibling * space + b_slot
    b_lot_sub = np.where(rng.random(len(b_slot)) < 0.6, rng.integers(1, 60, len(b_slot)), 0)
    b_brand = rng.integers(0, len(APARTMENT_BRANDS), len(b_slot))
    slot = _detail_slots(rng, building, kind, len(b_slot))
    return pd.DataFrame(
        {
            "dong_idx": dong_idx,
            "building": building,
            "side_street": side[building],
            "number": number[building],
            "sub_number": b_sub[building],
            "kind": kind,
            "apt_block": 101 + slot // 150,
            "floor": np.where(kind == 2, 1 + slot // 6, 1 + (slot % 150) // 6),
            "unit": 1 + slot % 6,
            "lot": b_lot[building],
            "lot_sub": b_lot_sub[building],
            "brand": b_brand[building],
        }
    )


def _detail_slots(
    rng: np.random.Generator, building: np.ndarray, kind: np.ndarray, n_buildings: int
) -> np.ndarray:
    """A distinct unit slot for each household of a building: the r-th household of a building
    takes ``(offset + r × step) mod slots``, with a step prime to the slot count, so no two
    households of one building share a 동/호 (up to the building's slot count)."""
    rank = pd.Series(building).groupby(building).cumcount().to_numpy()
    offset = rng.integers(0, APT_SLOTS, n_buildings)[building]
    apt = (offset + rank * 997) % APT_SLOTS
    villa = (offset + rank * 7) % VILLA_SLOTS
    return np.where(kind == 1, apt, np.where(kind == 2, villa, 0))


def apartment_names(places: pd.DataFrame, dongs: pd.DataFrame) -> np.ndarray:
    """The apartment complex name of each row (``상계래미안아파트``), "" for villas and houses."""
    stem = dongs["stem"].to_numpy()[places["dong_idx"].to_numpy()]
    brand = np.array(APARTMENT_BRANDS, dtype=object)[places["brand"].to_numpy()]
    return np.where(places["kind"].to_numpy() == 1, stem + brand + "아파트", "")


def road_names(places: pd.DataFrame, dongs: pd.DataFrame) -> np.ndarray:
    stem = dongs["stem"].to_numpy()[places["dong_idx"].to_numpy()]
    side = places["side_street"].to_numpy()
    return np.where(side > 0, stem + "로" + side.astype(str).astype(object) + "길", stem + "로")


def _unit_text(p: pd.DataFrame, shorthand: np.ndarray | None = None) -> pd.Series:
    n = len(p)
    floor = np.where(p["kind"] == 2, np.minimum(p["floor"], 5), p["floor"])
    room_no = pd.Series(
        compose([(floor * 100 + p["unit"].to_numpy(), 4)], n), index=p.index
    ).str.lstrip("0")
    block = pd.Series(compose([(p["apt_block"].to_numpy(), 3)], n), index=p.index)
    apt = block + "동 " + room_no + "호"
    if shorthand is not None:
        # 101-1203: how a clerk types 101동 1203호 in a hurry.
        apt = apt.where(~shorthand, block + "-" + room_no)
    return pd.Series(
        np.where(p["kind"] == 1, apt, np.where(p["kind"] == 2, room_no + "호", "")), index=p.index
    )


def format_addresses(
    places: pd.DataFrame,
    dongs: pd.DataFrame,
    style: str,
    suffix: np.ndarray | None = None,
    nospace: np.ndarray | None = None,
    shorthand: np.ndarray | None = None,
) -> np.ndarray:
    """Address strings in one of :data:`STYLES` for each row of ``places``.

    Road styles take three optional per-row habits (boolean arrays): ``suffix`` appends the
    ``(법정동, 아파트명)`` reference the official form allows, ``nospace`` drops the space between
    road and number (``상계로3길12``), ``shorthand`` writes ``101동 1203호`` as ``101-1203``.
    """
    gu = dongs["gu_name"].to_numpy()[places["dong_idx"].to_numpy()]
    stem = dongs["stem"].to_numpy()[places["dong_idx"].to_numpy()]
    unit = _unit_text(places, shorthand).to_numpy()
    has_unit = unit != ""
    if style == "jibun":
        lot = places["lot"].astype(str).to_numpy(dtype=object)
        sub = places["lot_sub"].to_numpy()
        lot = np.where(sub > 0, lot + "-" + sub.astype(str).astype(object), lot)
        out = "서울특별시 " + gu + " " + stem + "동 " + lot
        return np.where(has_unit, out + " " + unit, out)
    road = road_names(places, dongs)
    number = places["number"].astype(str).to_numpy(dtype=object)
    sub = places["sub_number"].to_numpy()
    number = np.where(sub > 0, number + "-" + sub.astype(str).astype(object), number)
    gap = np.where(nospace, "", " ") if nospace is not None else " "
    if style == "road_short":
        out = "서울 " + gu + " " + road + gap + number
        out = np.where(has_unit, out + " " + unit, out)
    else:
        out = "서울특별시 " + gu + " " + road + gap + number
        out = np.where(has_unit, out + ", " + unit, out)
    if suffix is not None:
        apt = apartment_names(places, dongs)
        ref = np.where(apt != "", " (" + stem + "동, " + apt + ")", " (" + stem + "동)")
        out = np.where(suffix, out + ref, out)
    return out


def other_dong(rng: np.random.Generator, dong_idx: np.ndarray, n_dongs: int) -> np.ndarray:
    """A dong different from each given one: where a household lived before its move."""
    return (dong_idx + 1 + rng.integers(0, n_dongs - 1, len(dong_idx))) % n_dongs
