"""The input frame of linkage: one row per current source record, from the database or files.

The column core (normalize, blocking, compare, em, cluster) sees only this frame. Two loaders:

- :func:`records_from_db` reads current SourceRecords with ``values_list`` (the load boundary);
- :func:`records_from_sources` parses the generator's four files directly
  (docs/synthetic-sources.md),
  for benchmarks and tests while intake is not merged: a light parser, not an importer — no
  validation, no rejected rows; one record per (source, person id), first row wins, as intake's
  version chain would keep one current version per ``source_key``.
"""

from __future__ import annotations

import hashlib
from pathlib import Path

import numpy as np
import pandas as pd

from bigcare import bulk

COLUMNS = [
    "rid",
    "source",
    "source_key",
    "name",
    "birth_date",
    "sex",
    "phone",
    "rrn_index",
    "rrn_masked",
    "address",
    "dong_code",
    "trust",
    "seen",
]

# Trust ranks for the file loader (lower wins for the golden name), as DataSource.trust would be.
FILE_TRUST = {"ministry": 10, "city": 20, "crisis": 30, "facility": 40}
_CENTURY = {
    "9": 1800,
    "0": 1800,
    "1": 1900,
    "2": 1900,
    "3": 2000,
    "4": 2000,
    "5": 1900,
    "6": 1900,
    "7": 2000,
    "8": 2000,
}


def empty_records() -> pd.DataFrame:
    return pd.DataFrame({c: pd.Series(dtype=object) for c in COLUMNS})


def id_batches(ids) -> list[list[int]]:
    """Ids in lists small enough to bind in one statement: SQLite binds at most 999 variables
    (32,766 since 3.32), and a million-record link once failed on "too many SQL variables"."""
    from django.db import connection

    size = 900 if connection.vendor == "sqlite" else 50_000
    ids = [int(i) for i in ids]
    return [ids[start : start + size] for start in range(0, len(ids), size)]


def read_frame(values: object, columns: list[str], dtype: dict | None = None) -> pd.DataFrame:
    """The rows of a ``values_list`` queryset as a frame (through bigcare.bulk). Text comes back
    as ``""`` for empty or NULL, never NaN; ``dtype`` casts named columns to numpy types (a
    missing number is 0) or to bool."""
    frame = bulk.read_frame(values, columns)
    dtype = dtype or {}
    for col in columns:
        kind = dtype.get(col)
        if kind is bool:
            frame[col] = frame[col].isin([True, 1, "t", "True", "1"])
        elif kind is not None:
            frame[col] = pd.to_numeric(frame[col], errors="coerce").fillna(0).astype(kind)
        elif frame[col].dtype == object or pd.api.types.is_string_dtype(frame[col]):
            frame[col] = frame[col].fillna("")
    return frame


# Rows are inserted or updated by key through the project's one bulk path.
upsert = bulk.upsert


def records_from_db(record_ids: list[int] | None = None) -> pd.DataFrame:
    """Current source records (or the given ones) as the linkage frame; one query."""
    from intake.models import SourceRecord

    qs = SourceRecord.objects.filter(status="current")
    if record_ids is not None:
        qs = qs.filter(pk__in=record_ids)
    values = qs.order_by("pk").values_list(
        "pk",
        "source__code",
        "source_key",
        "name",
        "birth_date",
        "sex",
        "phone",
        "rrn_index",
        "rrn_masked",
        "address",
        "dong_code",
        "source__trust",
        "created_at",
        "rrn_enc",
    )
    frame = read_frame(values, [*COLUMNS, "rrn_enc"], dtype={"rid": np.int64, "trust": np.int16})
    if frame.empty:
        return empty_records()
    frame["birth_date"] = pd.to_datetime(frame["birth_date"], errors="coerce")
    frame["seen"] = pd.to_datetime(frame["seen"], utc=True, format="ISO8601").dt.tz_localize(None)
    return frame


def _digits(s: pd.Series) -> pd.Series:
    return s.fillna("").astype(str).str.replace(r"\D", "", regex=True)


def _rrn_parts(rrn: pd.Series) -> tuple[pd.Series, pd.Series, pd.Series]:
    """(masked form, full 13 digits or "", birth date) of RRN strings, masked or not."""
    s = rrn.fillna("").astype(str).str.replace("-", "", regex=False)
    front, digit, back = s.str.slice(0, 6), s.str.slice(6, 7), s.str.slice(7, 13)
    masked = (front + "-" + digit + "******").where(s.str.len() >= 7, "")
    full = s.where(back.str.fullmatch(r"\d{6}").fillna(False), "")
    century = digit.map(_CENTURY).fillna(1900).astype(int)
    years = century + pd.to_numeric(front.str.slice(0, 2), errors="coerce")
    iso = (
        years.astype("Int64").astype(str)
        + "-"
        + front.str.slice(2, 4)
        + "-"
        + front.str.slice(4, 6)
    )
    birth = pd.to_datetime(iso, format="%Y-%m-%d", errors="coerce")
    return masked, full, birth


def rrn_digits(full: pd.Series) -> np.ndarray:
    """Full RRNs (13 digits, "" = none) as int64, 0 for none: what compare.rrn_slip reads."""
    s = full.fillna("").astype(str).str.replace("-", "", regex=False)
    return pd.to_numeric(s.where(s.str.fullmatch(r"\d{13}"), "0")).to_numpy(np.int64)


def file_index(full: pd.Series) -> pd.Series:
    """A keyed hash of full RRNs standing in for the HMAC blind index in file-based runs.

    Distinct values only (a person's number repeats across sources); equality is all linkage needs.
    """
    codes, uniq = pd.factorize(full, sort=False)
    key = b"bigcare-synthetic-linkage"
    hashed = np.array(
        [
            hashlib.blake2b(u.encode(), key=key, digest_size=16).hexdigest() if u else ""
            for u in uniq
        ],
        dtype=object,
    )
    return pd.Series(hashed[codes] if len(codes) else [], index=full.index, dtype=object)


def _dates(s: pd.Series, *formats: str) -> pd.Series:
    s = s.fillna("").astype(str).str.strip()
    out = pd.Series(pd.NaT, index=s.index, dtype="datetime64[ns]")
    for fmt in formats:
        missing = out.isna()
        if not missing.any():
            break
        out[missing] = pd.to_datetime(s[missing], format=fmt, errors="coerce")
    return out


def _sex(s: pd.Series) -> pd.Series:
    return (
        s.fillna("")
        .astype(str)
        .str.strip()
        .map({"M": "M", "F": "F", "남": "M", "여": "F", "1": "M", "2": "F"})
        .fillna("")
    )


def records_from_sources(directory: Path) -> tuple[pd.DataFrame, pd.Series]:
    """The linkage frame from the generator's files, and the true resident id per record."""
    d = Path(directory)
    parts = []

    city = pd.read_csv(d / "city_welfare.csv", encoding="cp949", dtype=str, keep_default_na=False)
    masked, full, _ = _rrn_parts(city["주민등록번호"])
    parts.append(
        pd.DataFrame(
            {
                "source": "city",
                "source_key": city["관리번호"],
                "name": city["성명"],
                "birth_date": _dates(city["생년월일"], "%Y.%m.%d"),
                "sex": _sex(city["성별"]),
                "phone": _digits(city["전화번호"]),
                "rrn_full": full,
                "rrn_masked": masked,
                "address": city["주소"],
                "dong_code": city["행정동코드"],
                "seen": _dates(city["시작일"], "%Y.%m.%d"),
            }
        )
    )

    if (d / "ministry_benefits.csv").exists():
        ministry = pd.read_csv(d / "ministry_benefits.csv", dtype=str, keep_default_na=False)
    else:
        ministry = pd.read_excel(d / "ministry_benefits.xlsx", dtype=str).fillna("")
    masked, full, birth = _rrn_parts(ministry["주민등록번호"])
    parts.append(
        pd.DataFrame(
            {
                "source": "ministry",
                "source_key": ministry["수급자번호"],
                "name": ministry["성명"],
                "birth_date": birth,
                "sex": _sex(ministry["성별코드"]),
                "phone": _digits(ministry["연락처"]),
                "rrn_full": full,
                "rrn_masked": masked,
                "address": ministry["주소"],
                "dong_code": "",
                "seen": _dates(ministry["지급개시일"], "%Y%m%d"),
            }
        )
    )

    facility = pd.read_json(d / "facility_services.jsonl", lines=True, dtype=str)
    parts.append(
        pd.DataFrame(
            {
                "source": "facility",
                "source_key": facility["client_id"],
                "name": facility["name"],
                "birth_date": _dates(facility["dob"], "%m/%d/%Y", "%Y-%m-%d", "%Y%m%d"),
                "sex": _sex(facility["gender"]),
                "phone": _digits(facility["phone"]),
                "rrn_full": "",
                "rrn_masked": "",
                "address": facility["address"],
                "dong_code": "",
                "seen": _dates(facility["since"], "%Y-%m-%d"),
            }
        )
    )

    crisis = pd.read_csv(
        d / "crisis_round.csv", encoding="utf-8-sig", dtype=str, keep_default_na=False
    )
    masked, full, birth = _rrn_parts(crisis["주민등록번호"])
    parts.append(
        pd.DataFrame(
            {
                "source": "crisis",
                "source_key": crisis["대상자번호"],
                "name": crisis["성명"],
                "birth_date": birth,
                "sex": "",
                "phone": "",
                "rrn_full": full,
                "rrn_masked": masked,
                "address": crisis["주소"],
                "dong_code": crisis["행정동코드"],
                "seen": _dates(crisis["기준일"], "%Y-%m-%d"),
            }
        )
    )

    frame = pd.concat(parts, ignore_index=True)
    frame = frame.drop_duplicates(["source", "source_key"], keep="first").reset_index(drop=True)
    full = frame.pop("rrn_full")
    frame["rrn_index"] = file_index(full)
    frame["trust"] = frame["source"].map(FILE_TRUST).astype(np.int16)
    frame["rid"] = np.arange(1, len(frame) + 1, dtype=np.int64)
    frame = frame[COLUMNS]
    # The digits, in memory for this run's slip comparator (compare.rrn_slip); never stored.
    frame["rrn_digits"] = rrn_digits(full)

    truth = pd.read_csv(d / "truth" / "records.csv", dtype=str, keep_default_na=False)
    truth = truth.drop_duplicates(["source", "source_record_id"])
    key = pd.MultiIndex.from_frame(frame[["source", "source_key"]])
    t = truth.set_index(["source", "source_record_id"])
    aligned = t.reindex(key)
    truth_frame = pd.DataFrame(
        {
            "resident": aligned["resident_id"].to_numpy(),
            "noise": aligned["noise"].fillna("").to_numpy(),
        },
        index=frame["rid"].to_numpy(),
    )
    return frame, truth_frame
