"""A synthetic building file in the layout of the official road-name address building DB.

행정안전부's 도로명주소 건물DB (juso.go.kr, 「건물DB 전체분」, one ``build_<시도>.txt`` per 시도)
is pipe-delimited CP949 text with CRLF line ends, one row per building (an apartment complex has
one row per 동, all with the complex's road address), 31 fields in this order (a published row:
``1111010100|서울특별시|종로구|청운동||0|144|3|111103100012|자하문로|0|94|0|||
1111010100101440003031291|01|1111051500|청운효자동|03047|||||||0|03047|0||``):

 1 법정동코드  2 시도명  3 시군구명  4 법정읍면동명  5 법정리명  6 산여부  7 지번본번
 8 지번부번  9 도로명코드  10 도로명  11 지하여부  12 건물본번  13 건물부번
 14 건축물대장건물명  15 상세건물명  16 건물관리번호  17 읍면동일련번호  18 행정동코드
 19 행정동명  20 우편번호  21 우편일련번호  22 다량배달처명  23 이동사유코드  24 변경일자
 25 변경전도로명주소  26 시군구용건물명  27 공동주택여부  28 기초구역번호  29 상세주소부여여부
 30 비고1  31 비고2

The synthetic file covers :data:`COVERAGE` of the world's buildings (a deployment's copy lags new
buildings and misses some): the rest must be found from the sources' own dong codes or not at all.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

from .addresses import apartment_names, road_names

COVERAGE = 0.97
FIELDS = 31
FILE_NAME = "build_seoul.txt"


def buildings(households: pd.DataFrame) -> pd.DataFrame:
    """One row per building any household lives or lived in (from ``cur_*``/``prev_*``)."""
    cols = [c.split("_", 1)[1] for c in households.columns if c.startswith("cur_")]
    both = pd.concat(
        [households[[f"{p}_{c}" for c in cols]].set_axis(cols, axis=1) for p in ("cur", "prev")],
        ignore_index=True,
    )
    return both.drop_duplicates("building").sort_values("building").reset_index(drop=True)


def building_rows(rng: np.random.Generator, households: pd.DataFrame, dongs: pd.DataFrame):
    """``(rows, kept)``: the file's rows as a frame of 31 text columns, and the building table
    with ``in_db`` (whether the file lists the building)."""
    b = buildings(households)
    b["in_db"] = rng.random(len(b)) < COVERAGE
    kept = b[b["in_db"]].reset_index(drop=True)
    # An apartment complex is listed once per 동 (101동 … 115동), all at one road address.
    blocks = np.where(kept["kind"].to_numpy() == 1, 15, 1)
    rows = kept.loc[np.repeat(kept.index.to_numpy(), blocks)].reset_index(drop=True)
    within = rows.groupby("building").cumcount().to_numpy()
    d = rows["dong_idx"].to_numpy()
    dong = dongs.iloc[d].reset_index(drop=True)
    n = len(rows)
    apt = apartment_names(rows, dongs)
    is_apt = rows["kind"].to_numpy() == 1
    road_no = 3_000_000 + dong["stem_no"].to_numpy() * 1000 + rows["side_street"].to_numpy()
    road_code = dong["gu_code"].to_numpy().astype(object) + pd.Series(road_no).astype(str).to_numpy(
        object
    )
    lot = rows["lot"].to_numpy()
    lot_sub = rows["lot_sub"].to_numpy()
    legal = dong["legal_code"].to_numpy().astype(object)
    manage = (
        legal
        + "1"
        + pd.Series(lot % 10_000).astype(str).str.zfill(4).to_numpy(object)
        + pd.Series(lot_sub).astype(str).str.zfill(4).to_numpy(object)
        + pd.Series((rows["building"].to_numpy() * 16 + within) % 1_000_000)
        .astype(str)
        .str.zfill(6)
        .to_numpy(object)
    )
    postcode = (
        pd.Series((dong["gu_code"].astype(int).to_numpy() % 100) * 1000 + d % 1000)
        .astype(str)
        .str.zfill(5)
        .to_numpy(object)
    )
    blank = np.full(n, "", dtype=object)
    fields = [
        legal,
        np.full(n, "서울특별시", dtype=object),
        dong["gu_name"].to_numpy(object),
        dong["stem"].to_numpy(object) + "동",
        blank,
        np.full(n, "0", dtype=object),
        lot.astype(str).astype(object),
        lot_sub.astype(str).astype(object),
        road_code,
        road_names(rows, dongs),
        np.full(n, "0", dtype=object),
        rows["number"].astype(str).to_numpy(object),
        rows["sub_number"].astype(str).to_numpy(object),
        apt,
        np.where(is_apt, (101 + within).astype(str).astype(object) + "동", ""),
        manage,
        np.full(n, "01", dtype=object),
        dong["dong_code"].to_numpy(object),
        dong["dong_name"].to_numpy(object),
        postcode,
        blank,
        blank,
        blank,
        blank,
        blank,
        apt,
        np.where(rows["kind"].to_numpy() > 0, "1", "0").astype(object),
        postcode,
        np.full(n, "0", dtype=object),
        blank,
        blank,
    ]
    assert len(fields) == FIELDS
    frame = pd.DataFrame({i + 1: f for i, f in enumerate(fields)})
    return frame, b


def write_building_db(
    rng: np.random.Generator, households: pd.DataFrame, dongs: pd.DataFrame, path: Path
) -> pd.DataFrame:
    """Write the file at ``path`` (CP949, CRLF, ``|``); return the building table with
    ``in_db`` for the truth."""
    frame, table = building_rows(rng, households, dongs)
    Path(path).write_bytes(file_bytes(frame))
    return table


def file_bytes(frame: pd.DataFrame) -> bytes:
    """The rows as the file's bytes: fields joined by ``|``, CRLF, CP949. Column by column
    (a row-wise join took minutes at 300 k rows)."""
    if frame.empty:
        return b""
    lines = frame[1].astype(str)
    for col in frame.columns[1:]:
        lines = lines + "|" + frame[col].astype(str)
    return ("\r\n".join(lines.tolist()) + "\r\n").encode("cp949")
