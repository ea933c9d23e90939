"""Building → administrative dong: the gazetteer behind every home centre (issue 13 item 2).

Column code (no Django). City and crisis records carry a dong code; ministry and facility
records carry only an address. A building's dong comes from two feeds, in this order:

1. the official road-name address building DB (도로명주소 건물DB, :func:`read_building_db`): every
   building's road address and lot address with its 행정동코드, loaded by ``load_building_db``;
2. votes (:func:`vote_table`): every current record with both a building key and a dong code
   votes for that building's dong; a building resolves when the leading dong has at least
   :data:`MIN_VOTES` votes and more than half of them. Recomputed from all current records at
   each linkage run, so a retracted record stops voting.

Entries carry ``valid_from``/``valid_to`` (``valid_to`` the first day no longer valid). Codes
retired by a change (fixtures/dong_changes.csv: 용신동 → 신설동 and 용두동 on 2025-07-01) are
read by date: a code with one successor becomes that successor from the change on; a code split
in two stays the building's dong only until the change (which half the building went to is
not in the code), so such a building needs the DB or a vote with a new code.

:func:`home_dongs` applies the precedence documented in docs/matching.md ("Home centre").
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from matching.address import address_keys

MIN_VOTES = 1
DB_FIELDS = 31
# Positions (0-based) of the 31 fields of 도로명주소 건물DB's build_*.txt that the gazetteer reads
# (seoulgen/buildingdb.py lists all 31 with a published row).
F_SIDO, F_SIGUNGU, F_LEGAL, F_RI, F_SAN, F_LOT, F_LOT_SUB = 1, 2, 3, 4, 5, 6, 7
F_ROAD, F_UNDERGROUND, F_MAIN, F_SUB, F_DONG = 9, 10, 11, 12, 17
CHANGES_CSV = Path(__file__).resolve().parents[1] / "fixtures" / "dong_changes.csv"
ORIGIN_RANK = {"db": 0, "votes": 1}
# A building neither feed knows takes its street neighbours' dong when they agree: at least
# this many known buildings on a street whose known buildings all lie in one dong.
STREET_MIN_KNOWN = 3
_KEY_PARTS = r"^(?P<street>.*\S) (?P<san>산?)(?P<number>\d+)(?:-\d+)?$"
TABLE_COLUMNS = ["building_key", "dong_code", "valid_from", "valid_to", "origin", "votes", "total"]


def dong_changes(path: Path = CHANGES_CSV) -> pd.DataFrame:
    """Retired codes: ``old_code, new_code, changed_on`` (one row per successor)."""
    frame = pd.read_csv(path, dtype=str, keep_default_na=False)
    frame["changed_on"] = pd.to_datetime(frame["changed_on"])
    return frame[["old_code", "new_code", "changed_on"]]


def empty_table() -> pd.DataFrame:
    frame = pd.DataFrame({c: pd.Series(dtype=object) for c in TABLE_COLUMNS})
    frame["valid_from"] = pd.Series(dtype="datetime64[ns]")
    frame["valid_to"] = pd.Series(dtype="datetime64[ns]")
    frame["votes"] = pd.Series(dtype=np.int64)
    frame["total"] = pd.Series(dtype=np.int64)
    return frame


def with_dates(table: pd.DataFrame, changes: pd.DataFrame) -> pd.DataFrame:
    """``table`` with retired codes bounded by their change date, and a row for the successor
    from that date on where there is exactly one."""
    out = table.copy()
    if out.empty or changes.empty:
        return out
    per_old = changes.groupby("old_code")
    when = per_old["changed_on"].first()
    retired = out["dong_code"].isin(when.index).to_numpy()
    if not retired.any():
        return out
    out.loc[retired, "valid_to"] = out.loc[retired, "dong_code"].map(when).to_numpy()
    single = per_old.filter(lambda g: len(g) == 1)
    follow = out[retired & out["dong_code"].isin(single["old_code"]).to_numpy()].copy()
    if len(follow):
        follow["valid_from"] = follow["valid_to"]
        follow["valid_to"] = pd.NaT
        follow["dong_code"] = follow["dong_code"].map(single.set_index("old_code")["new_code"])
        out = pd.concat([out, follow], ignore_index=True)
    return out


@dataclass
class BuildingDb:
    """What one building DB file holds for the gazetteer, and what was refused."""

    entries: pd.DataFrame  # TABLE_COLUMNS, origin "db"
    lines: int
    rejects: pd.DataFrame  # line (1-based), reason
    conflicts: int  # keys listed in two dongs: left out


def _decode(data: bytes) -> list[str]:
    text = data.decode("cp949", errors="replace")
    lines = text.split("\n")
    if lines and lines[-1] == "":
        lines.pop()
    return [s.removesuffix("\r") for s in lines]


def read_building_db(data: bytes, changes: pd.DataFrame | None = None) -> BuildingDb:
    """Parse a ``build_<시도>.txt`` of 도로명주소 건물DB (CP949, ``|``, 31 fields a line) into
    gazetteer entries: each building's road key and lot key (matching.address) → 행정동코드.

    A line is refused (with its number and reason) when it has not 31 fields, is not CP949, has
    no 10-digit 행정동코드, or names no road and building number. A key listed under two
    dongs is left out and counted; an apartment complex's 동 rows share one key and count once.
    """
    lines = pd.Series(_decode(data), dtype=object)
    n = len(lines)
    reason = pd.Series("", index=lines.index, dtype=object)
    reason[lines.str.count(r"\|") != DB_FIELDS - 1] = f"필드 수가 {DB_FIELDS}개가 아님"
    reason[(reason == "") & lines.str.contains("\ufffd", regex=False)] = "CP949로 읽을 수 없음"
    ok = (reason == "").to_numpy()
    f = lines[ok].str.split("|", expand=True, regex=False) if ok.any() else None
    entries = empty_table()
    conflicts = 0
    if f is not None:
        f = f.fillna("").apply(lambda c: c.str.strip())
        bad_dong = ~f[F_DONG].str.fullmatch(r"\d{10}")
        no_building = (f[F_ROAD] == "") | ~f[F_MAIN].str.fullmatch(r"[1-9]\d*")
        idx = f.index
        reason[idx[bad_dong.to_numpy()]] = "행정동코드가 10자리 숫자가 아님"
        reason[idx[(~bad_dong & no_building).to_numpy()]] = "도로명이나 건물본번이 없음"
        f = f[~(bad_dong | no_building).to_numpy()]
        sub = np.where(f[F_SUB].isin(["", "0"]), "", "-" + f[F_SUB])
        under = np.where(f[F_UNDERGROUND] == "1", " 지하", "")
        place = f[F_SIDO] + " " + f[F_SIGUNGU] + " "
        road = place + f[F_ROAD] + under + " " + f[F_MAIN] + sub
        lot_sub = np.where(f[F_LOT_SUB].isin(["", "0"]), "", "-" + f[F_LOT_SUB])
        ri = np.where(f[F_RI] != "", " " + f[F_RI], "")
        san = np.where(f[F_SAN] == "1", "산", "")
        has_lot = f[F_LOT].str.fullmatch(r"[1-9]\d*").to_numpy()
        lot = place + f[F_LEGAL] + ri + " " + san + f[F_LOT] + lot_sub
        keys = pd.concat(
            [
                pd.DataFrame({"k": address_keys(road)["building_key"], "d": f[F_DONG]}),
                pd.DataFrame(
                    {"k": address_keys(lot[has_lot])["building_key"], "d": f[F_DONG][has_lot]}
                ),
            ],
            ignore_index=True,
        )
        keys = keys[keys["k"] != ""].drop_duplicates()
        many = keys["k"].duplicated(keep=False)
        conflicts = int(keys.loc[many, "k"].nunique())
        keys = keys[~many]
        entries = empty_table().reindex(range(len(keys)))
        entries["building_key"] = keys["k"].to_numpy()
        entries["dong_code"] = keys["d"].to_numpy()
        entries["origin"] = "db"
        entries["votes"] = 0
        entries["total"] = 0
        entries = with_dates(entries, dong_changes() if changes is None else changes)
    bad = reason != ""
    rejects = pd.DataFrame(
        {"line": np.flatnonzero(bad.to_numpy()) + 1, "reason": reason[bad].to_numpy()}
    )
    return BuildingDb(entries.reset_index(drop=True), n, rejects, conflicts)


def current_codes(codes: pd.Series, changes: pd.DataFrame) -> pd.Series:
    """Codes as they read now: a retired code with one successor becomes it; others stay."""
    single = changes.groupby("old_code").filter(lambda g: len(g) == 1)
    if single.empty:
        return codes
    return codes.replace(dict(zip(single["old_code"], single["new_code"], strict=True)))


def vote_table(
    building: np.ndarray, dong: np.ndarray, changes: pd.DataFrame | None = None
) -> pd.DataFrame:
    """Vote-derived gazetteer entries (TABLE_COLUMNS, origin "votes") from per-record building
    keys and dong codes ("" = missing), with each building's vote counts."""
    changes = dong_changes() if changes is None else changes
    b = pd.Series(np.asarray(building, dtype=object))
    d = current_codes(pd.Series(np.asarray(dong, dtype=object)), changes)
    keep = ((b != "") & (d != "")).to_numpy()
    counts = pd.DataFrame({"b": b[keep].to_numpy(), "d": d[keep].to_numpy()}).value_counts()
    if counts.empty:
        return empty_table()
    counts = counts.rename("n").reset_index()
    counts["total"] = counts.groupby("b")["n"].transform("sum")
    best = counts.sort_values(["b", "n", "d"], ascending=[True, False, True], kind="stable")
    best = best.drop_duplicates("b")
    best = best[(best["n"] >= MIN_VOTES) & (best["n"] * 2 > best["total"])]
    out = empty_table().reindex(range(len(best)))
    out["building_key"] = best["b"].to_numpy()
    out["dong_code"] = best["d"].to_numpy()
    out["origin"] = "votes"
    out["votes"] = best["n"].to_numpy(np.int64)
    out["total"] = best["total"].to_numpy(np.int64)
    return with_dates(out, changes).reset_index(drop=True)


def vote_dongs(building: np.ndarray, dong: np.ndarray) -> pd.Series:
    """Resolved dong code per building key (index) from votes alone."""
    t = vote_table(building, dong)
    t = t[t["valid_to"].isna()]
    return pd.Series(t["dong_code"].to_numpy(), index=t["building_key"].to_numpy(), dtype=object)


def lookup(table: pd.DataFrame, on: dt.date | None = None) -> pd.DataFrame:
    """One row per building key valid on ``on`` (today): the building DB before votes;
    indexed by key, columns ``dong_code`` and ``origin``."""
    if table.empty:
        return pd.DataFrame({"dong_code": [], "origin": []}, dtype=object)
    day = pd.Timestamp(on or dt.date.today())
    vf = pd.to_datetime(table["valid_from"])
    vt = pd.to_datetime(table["valid_to"])
    valid = (vf.isna() | (vf <= day)) & (vt.isna() | (vt > day))
    t = table[valid.to_numpy()]
    # Sorting by the small rank alone (stable) and hashing the keys: sorting half a million key
    # strings cost seconds.
    t = t.assign(_r=t["origin"].map(ORIGIN_RANK)).sort_values("_r", kind="stable")
    t = t.drop_duplicates("building_key")
    return t.set_index("building_key")[["dong_code", "origin"]]


def _street_parts(keys: pd.Index) -> pd.DataFrame:
    """Street (road or lot area), side (parity of a road number; 0 for lots) and number."""
    # Arrow's RE2 over the keys in C++: Python's re took seconds over half a million keys.
    found = pc.extract_regex(pa.array(np.asarray(keys, dtype=object), type=pa.string()), _KEY_PARTS)
    parts = pd.DataFrame(
        {n: found.field(n).to_numpy(zero_copy_only=False) for n in ("street", "san", "number")}
    )
    number = pd.to_numeric(parts["number"], errors="coerce")
    street = parts["street"].fillna("") + parts["san"].fillna("")
    road = pc.match_substring_regex(
        pa.array(parts["street"].fillna("").to_numpy(dtype=object), type=pa.string()),
        r"(?:로|길)(?: 지하)?$",
    ).to_numpy(zero_copy_only=False)
    side = np.where(road, number.fillna(0).to_numpy() % 2, 0)
    return pd.DataFrame(
        {"street": street.to_numpy(), "side": side.astype(np.int64), "number": number.to_numpy()}
    )


def street_neighbours(unknown: pd.Index, known: pd.DataFrame) -> pd.Series:
    """Dongs for ``unknown`` building keys from known buildings (``known``: index key, column
    ``dong_code``) on the same street: the nearest known numbers below and above (same side of
    a road: a road is often the boundary between two dongs, odd numbers on one side) in one
    dong; at a street's end, one neighbour when all of the street's (at least
    STREET_MIN_KNOWN) known buildings lie in one dong. "" otherwise."""
    out = pd.Series("", index=unknown, dtype=object)
    if not len(unknown) or known.empty:
        return out
    k = _street_parts(known.index).assign(dong=known["dong_code"].to_numpy())
    k = k.dropna(subset=["number"])
    q = _street_parts(unknown).assign(pos=np.arange(len(unknown)))
    q = q.dropna(subset=["number"])
    if k.empty or q.empty:
        return out
    k = k.sort_values("number", kind="stable")
    q = q.sort_values("number", kind="stable")
    by = ["street", "side"]
    below = pd.merge_asof(q, k, on="number", by=by, direction="backward")
    above = pd.merge_asof(q, k, on="number", by=by, direction="forward")
    below = below.set_index("pos")["dong"].reindex(q["pos"]).to_numpy()
    above = above.set_index("pos")["dong"].reindex(q["pos"]).to_numpy()
    per_street = k.groupby("street")["dong"].agg(["nunique", "size", "first"])
    st = per_street.reindex(q["street"].to_numpy())
    one_dong = ((st["nunique"] == 1) & (st["size"] >= STREET_MIN_KNOWN)).to_numpy()
    b_ok = pd.notna(below)
    a_ok = pd.notna(above)
    both = b_ok & a_ok & (below == above)
    edge = (b_ok ^ a_ok) & one_dong
    dong = np.where(both, below, np.where(edge, st["first"].to_numpy(), ""))
    out.iloc[q["pos"].to_numpy()] = pd.Series(dong).fillna("").to_numpy(dtype=object)
    return out


def resolve(
    building: np.ndarray, table: pd.DataFrame, on: dt.date | None = None
) -> tuple[np.ndarray, np.ndarray]:
    """(dong code, origin) per building key, "" where the gazetteer does not know it.

    Origin "db" or "votes" for a listed building, "street" for one placed by its street
    neighbours (:func:`street_neighbours`). Maps the distinct keys only: a million records with
    a few hundred thousand buildings cost one hash join over the distinct keys."""
    codes, uniq = pd.factorize(pd.Series(np.asarray(building, dtype=object)), sort=False)
    known = lookup(table, on)
    found = known.reindex(pd.Index(uniq, dtype=object))
    dong = found["dong_code"].fillna("").to_numpy(dtype=object).copy()
    origin = found["origin"].fillna("").to_numpy(dtype=object).copy()
    missing = (dong == "") & (np.asarray(uniq, dtype=object) != "")
    if missing.any():
        guess = street_neighbours(pd.Index(uniq[missing], dtype=object), known).to_numpy()
        dong[missing] = guess
        origin[missing] = np.where(guess != "", "street", "")
    if not len(codes):
        return np.zeros(0, dtype=object), np.zeros(0, dtype=object)
    return dong[codes], origin[codes]


def home_dongs(
    building: np.ndarray,
    own: np.ndarray,
    other: np.ndarray,
    table: pd.DataFrame,
    on: dt.date | None = None,
) -> tuple[np.ndarray, np.ndarray]:
    """(dong code, how) of each resident's current address (docs/matching.md, Home centre).

    ``own``: the code on the record that gave the current address; ``other``: the newest code
    on any of the resident's records. Precedence: the building DB; the address record's own
    code; votes; street neighbours; any record's code. ``how`` is "db", "record", "votes",
    "street", "other" or "".
    """
    gz, origin = resolve(building, table, on)
    own = np.asarray(own, dtype=object)
    other = np.asarray(other, dtype=object)
    from_db = origin == "db"
    has_own = own != ""
    from_gz = gz != ""
    dong = np.where(from_db, gz, np.where(has_own, own, np.where(from_gz, gz, other)))
    how = np.where(from_db, "db", np.where(has_own, "record", np.where(from_gz, origin, "")))
    how = np.where((how == "") & (other != ""), "other", how)
    return dong.astype(object), how.astype(object)


def fill_dongs(dong: pd.Series, building: np.ndarray, resolved: pd.Series) -> pd.Series:
    """``dong`` with its blanks filled from ``resolved`` by ``building`` (same order)."""
    out = dong.fillna("").astype(object).copy()
    blank = (out == "").to_numpy()
    if blank.any() and len(resolved):
        found = pd.Series(np.asarray(building, dtype=object)[blank]).map(resolved)
        out[blank] = found.fillna("").to_numpy()
    return out
