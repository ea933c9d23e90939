"""Road and lot-number addresses in Seoul's real administrative dongs (invented roads)."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

from .formats import compose

STYLES = ("road", "road_short", "jibun")


def load_dongs(path: Path) -> pd.DataFrame:
    """The administrative dongs: ``gu_name, dong_code, dong_name, stem`` (stem names roads)."""
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
    return dongs


def draw_places(rng: np.random.Generator, n: int, dong_idx: np.ndarray) -> pd.DataFrame:
    """Address components for ``n`` households in the given dongs (indices into the dongs)."""
    road_kind = rng.random(n)
    building = rng.random(n)
    return pd.DataFrame(
        {
            "dong_idx": dong_idx,
            # A main road (…로) or one of its numbered side streets (…로12길).
            "side_street": np.where(road_kind < 0.6, rng.integers(1, 41, n), 0),
            "number": rng.integers(1, 251, n),
            "sub_number": np.where(rng.random(n) < 0.12, rng.integers(1, 30, n), 0),
            # 0 house, 1 apartment (동/호), 2 villa (호 only)
            "kind": np.where(building < 0.45, 1, np.where(building < 0.65, 2, 0)),
            "apt_block": rng.integers(101, 116, n),
            "floor": rng.integers(1, 26, n),
            "unit": rng.integers(1, 7, n),
            "lot": rng.integers(1, 1200, n),
            "lot_sub": np.where(rng.random(n) < 0.6, rng.integers(1, 60, n), 0),
        }
    )


def _unit_text(p: pd.DataFrame) -> pd.Series:
    n = len(p)
    floor = np.where(p["kind"] == 2, np.minimum(p["floor"], 5), p["floor"])
    room = (
        pd.Series(compose([(floor * 100 + p["unit"].to_numpy(), 4)], n), index=p.index).str.lstrip(
            "0"
        )
        + "호"
    )
    apt = pd.Series(compose([(p["apt_block"].to_numpy(), 3)], n), index=p.index) + "동 " + room
    return pd.Series(
        np.where(p["kind"] == 1, apt, np.where(p["kind"] == 2, room, "")), index=p.index
    )


def format_addresses(places: pd.DataFrame, dongs: pd.DataFrame, style: str) -> np.ndarray:
    """Address strings in one of :data:`STYLES` for each row of ``places``."""
    gu = dongs["gu_name"].to_numpy()[places["dong_idx"].to_numpy()]
    stem = dongs["stem"].to_numpy()[places["dong_idx"].to_numpy()]
    unit = _unit_text(places).to_numpy()
    has_unit = unit != ""
    if style == "jibun":
        lot = places["lot"].astype(str).to_numpy(dtype=object)
        sub = places["lot_sub"].to_numpy()
        lot = np.where(sub > 0, lot + "-" + sub.astype(str).astype(object), lot)
        out = "서울특별시 " + gu + " " + stem + "동 " + lot
        return np.where(has_unit, out + " " + unit, out)
    side = places["side_street"].to_numpy()
    road = np.where(side > 0, stem + "로" + side.astype(str).astype(object) + "길", stem + "로")
    number = places["number"].astype(str).to_numpy(dtype=object)
    sub = places["sub_number"].to_numpy()
    number = np.where(sub > 0, number + "-" + sub.astype(str).astype(object), number)
    if style == "road_short":
        out = "서울 " + gu + " " + road + " " + number
        return np.where(has_unit, out + " " + unit, out)
    out = "서울특별시 " + gu + " " + road + " " + number
    return np.where(has_unit, out + ", " + unit, out)


def other_dong(rng: np.random.Generator, dong_idx: np.ndarray, n_dongs: int) -> np.ndarray:
    """A dong different from each given one: where a household lived before its move."""
    return (dong_idx + 1 + rng.integers(0, n_dongs - 1, len(dong_idx))) % n_dongs
