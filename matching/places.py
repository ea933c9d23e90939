"""Where residents live: the gazetteer in the database, and home centres from it.

The Django side of :mod:`matching.gazetteer`: loads the official building DB, recomputes the
votes from current records at each linkage run, and places residents (their resolved dong and
home centre) set-wise, a frame at a time (no per-row ORM).
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import numpy as np
import pandas as pd
from django.db import connection, transaction
from django.utils import timezone

from bigcare.models import CommunityCentre
from matching import gazetteer
from matching.address import address_keys
from matching.frames import id_batches, read_frame, upsert
from matching.models import BuildingDbLoad, BuildingDong, Resident

# Up to this many keys the gazetteer is read for the keys only; beyond, whole.
FEW_KEYS = 5000
REJECT_SAMPLE = 50


def table(keys=None) -> pd.DataFrame:
    """The gazetteer (gazetteer.TABLE_COLUMNS), whole or for the given building keys."""
    qs = BuildingDong.objects.all()
    cols = ["building_key", "dong_code", "valid_from", "valid_to", "origin", "votes", "total"]
    fields = [*cols[:-1], "votes_total"]
    if keys is not None:
        keys = sorted({k for k in keys if k})
        if not keys:
            return gazetteer.empty_table()
        if len(keys) <= FEW_KEYS:
            parts = [
                read_frame(qs.filter(building_key__in=b).values_list(*fields), cols)
                for b in _batches(keys)
            ]
            frame = pd.concat(parts, ignore_index=True)
            return _typed(frame)
    return _typed(read_frame(qs.values_list(*fields), cols))


def _batches(keys: list[str]) -> list[list[str]]:
    size = 900 if connection.vendor == "sqlite" else 50_000
    return [keys[i : i + size] for i in range(0, len(keys), size)]


def _typed(frame: pd.DataFrame) -> pd.DataFrame:
    if frame.empty:
        return gazetteer.empty_table()
    for col in ("valid_from", "valid_to"):
        frame[col] = pd.to_datetime(frame[col].replace("", None), errors="coerce")
    return frame


def _write(entries: pd.DataFrame, origin: str) -> int:
    """Replace the ``origin`` rows of the gazetteer with ``entries`` (inside a transaction)."""
    BuildingDong.objects.filter(origin=origin).delete()
    if entries.empty:
        return 0
    now = timezone.now()
    frame = pd.DataFrame(
        {
            "building_key": entries["building_key"].str.slice(0, 120).to_numpy(),
            "dong_code": entries["dong_code"].to_numpy(),
            "valid_from": pd.to_datetime(entries["valid_from"]).dt.date.astype(object),
            "valid_to": pd.to_datetime(entries["valid_to"]).dt.date.astype(object),
            "origin": origin,
            "votes": entries["votes"].astype(np.int64).to_numpy(),
            "votes_total": entries["total"].astype(np.int64).to_numpy(),
            "updated_at": now,
        }
    )
    for col in ("valid_from", "valid_to"):
        frame[col] = frame[col].where(pd.notna(frame[col]), None)
    # No id in the frame: every row is new, and the conflict target is never hit.
    upsert(BuildingDong._meta.db_table, frame, "id")
    return len(frame)


def load_building_db(path: Path, acting_user=None) -> BuildingDbLoad:
    """Load a 도로명주소 건물DB file (``build_<시도>.txt``) as the gazetteer's DB feed, replacing
    the previous load, and place every resident again. Records the load and its rejects."""
    parsed = gazetteer.read_building_db(Path(path).read_bytes())
    with transaction.atomic():
        n = _write(parsed.entries, BuildingDong.Origin.DB)
        load = BuildingDbLoad.objects.create(
            file_name=Path(path).name[:200],
            lines=parsed.lines,
            entries=n,
            rejected=len(parsed.rejects),
            conflicts=parsed.conflicts,
            sample_rejects=parsed.rejects.head(REJECT_SAMPLE).to_dict("records"),
            loaded_by=acting_user,
        )
        place_residents()
    return load


def recompute_votes(records: pd.DataFrame) -> int:
    """Replace the votes with those of ``records`` (every current record: the linkage frame),
    set-wise. Call inside the linkage transaction."""
    # Only records with a code vote: parsing the others' addresses (80 % of a million) was
    # most of this step's time.
    dong = records["dong_code"].fillna("").astype(str)
    voting = records.loc[(dong != "").to_numpy(), "address"].fillna("").astype(str)
    keys = address_keys(voting)["building_key"].to_numpy()
    votes = gazetteer.vote_table(keys, dong[dong != ""].to_numpy())
    return _write(votes, BuildingDong.Origin.VOTES)


def centre_ids(dong: np.ndarray) -> pd.array:
    """Community centre id per dong code (<NA> for "" or a code no centre has)."""
    centres = pd.Series(dict(CommunityCentre.objects.values_list("code", "pk")), dtype=object)
    return pd.Series(np.asarray(dong, dtype=object)).map(centres).astype("Int64").array


def home(
    building: np.ndarray, own: np.ndarray, other: np.ndarray, on: dt.date | None = None
) -> tuple[np.ndarray, np.ndarray]:
    """(dong code, how) per resident: gazetteer.home_dongs over the stored gazetteer."""
    keys = np.asarray(building, dtype=object)
    t = table(None if len(set(keys)) > FEW_KEYS else keys)
    return gazetteer.home_dongs(keys, own, other, t, on)


def place_residents(ids=None, only_unplaced: bool = False) -> int:
    """Resolve the dong and home centre of residents (all, or ``ids``) from their building key
    and stored dong, and write the ones that changed. A resident the gazetteer cannot place
    keeps its dong and centre (never dropped out of every scope). Returns how many changed.

    The stored dong stands in for the address record's own code (linkage wrote it from that
    record, or from another when it had none)."""
    qs = Resident.objects.filter(active=True)
    if only_unplaced:
        qs = qs.filter(home_centre__isnull=True)
    cols = ["id", "building_key", "dong_code", "home_centre_id"]
    frames = (
        [read_frame(qs.filter(pk__in=b).values_list(*cols), cols) for b in id_batches(ids)]
        if ids is not None
        else [read_frame(qs.values_list(*cols), cols)]
    )
    frame = pd.concat(frames, ignore_index=True) if frames else pd.DataFrame(columns=cols)
    if frame.empty:
        return 0
    empty = np.full(len(frame), "", dtype=object)
    dong, _how = home(frame["building_key"].to_numpy(), frame["dong_code"].to_numpy(), empty)
    centre = pd.Series(centre_ids(dong)).fillna(-1).astype(np.int64).to_numpy()
    old = pd.to_numeric(frame["home_centre_id"], errors="coerce").fillna(-1).astype(np.int64)
    changed = (centre >= 0) & ((dong != frame["dong_code"].to_numpy()) | (centre != old))
    rows = list(
        zip(
            dong[changed].tolist(),
            centre[changed].tolist(),
            frame["id"].astype(np.int64).to_numpy()[changed].tolist(),
            strict=True,
        )
    )
    sql = (
        f'UPDATE "{Resident._meta.db_table}" SET dong_code = %s, '  # noqa: S608 — values bound
        f"home_centre_id = %s WHERE id = %s"
    )
    with transaction.atomic(), connection.cursor() as cur:
        for start in range(0, len(rows), 20_000):
            cur.executemany(sql, rows[start : start + 20_000])
    return len(rows)


def unplaced(source_ids, sample: int = 50) -> tuple[list[dict], list[dict]]:
    """Residents no dong places, as their records of the given sources show them: counts per
    source (residents, records) and the most frequent addresses (address text, source, how many
    records), for the data administrator's 「동을 찾지 못한 주소」. Two queries, whatever the size;
    no names or identity numbers."""
    from django.db.models import Count

    from matching.models import RecordLink

    links = RecordLink.objects.filter(
        record__status="current",
        record__source_id__in=source_ids,
        resident__active=True,
        resident__home_centre__isnull=True,
    )
    per_source = list(
        links.values("record__source__name")
        .annotate(residents=Count("resident", distinct=True), records=Count("pk"))
        .order_by("record__source__name")
    )
    addresses = list(
        links.values("record__address", "record__source__name")
        .annotate(records=Count("pk"))
        .order_by("-records", "record__address", "record__source__name")[:sample]
    )
    return per_source, addresses
