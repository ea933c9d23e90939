"""The load boundary: prepared frames in, rows in the database out, with no per-row ORM.

PostgreSQL gets ``COPY … FROM STDIN`` in the binary format (psycopg2 ``copy_expert``, bytes
from intake.pgbinary); SQLite gets batched ``executemany``. Everything runs inside the
caller's transaction, so a failure loads nothing.
A person whose normalised content is unchanged since the current version adds no version.
SQL is composed only from model table and column names (hence the S608 waivers), never input.
"""

from __future__ import annotations

import io
import json
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
import pandas as pd
import pyarrow as pa
from django.db import connection
from django.utils import timezone

from bigcare.crypto import blind_index_many, encrypt_many
from intake.models import (
    CrisisSignal,
    Enrollment,
    ImportRun,
    RecordStatus,
    RejectedRow,
    SourceRecord,
)
from intake.pgbinary import encode
from intake.pipeline import ITEM_COLUMNS, Prepared, content_hashes

BATCH = 5_000
COPY_ROWS = 200_000
RECORD_COLUMNS = ["source_id", "run_id", "row_number", "source_key", "version", "status",
                  "content_hash", "name", "birth_date", "sex", "phone", "rrn_enc", "rrn_index",
                  "rrn_masked", "address", "dong_code", "household_size", "recognised_income",
                  "disability", "raw", "created_at"]
# (database, table) → column → (pg_type.typname, NOT NULL), read once per process.
_COLUMN_TYPES: dict[tuple[str, str], dict[str, tuple[str, bool]]] = {}


@dataclass
class Loaded:
    records_added: int
    changed_ids: list[int]
    seconds: dict[str, float]


def _table(model) -> str:
    return connection.ops.quote_name(model._meta.db_table)


def _column_types(model, columns: list[str]) -> tuple[list[str], list[bool]]:
    """The columns' types and NOT NULL flags as the database has them, not as the code thinks.

    Binary COPY must encode each field as its column's type (a JSON text is jsonb's version
    byte and text, or plain text), and a migration may change that type. Read once per process:
    a schema change comes with a deploy, which restarts the workers.
    """
    table = model._meta.db_table
    key = (connection.settings_dict["NAME"], table)
    if key not in _COLUMN_TYPES:
        with connection.cursor() as cursor:
            cursor.execute("SELECT a.attname, t.typname, a.attnotnull FROM pg_attribute a "
                           "JOIN pg_type t ON t.oid = a.atttypid WHERE a.attrelid = %s::regclass "
                           "AND a.attnum > 0 AND NOT a.attisdropped",
                           [connection.ops.quote_name(table)])
            _COLUMN_TYPES[key] = {name: (typ, nn) for name, typ, nn in cursor.fetchall()}
    found = _COLUMN_TYPES[key]
    return [found[c][0] for c in columns], [found[c][1] for c in columns]


def _write(model, columns: list[str], frame: pd.DataFrame) -> None:
    """Append a frame to a table: COPY on PostgreSQL, batched executemany elsewhere."""
    if frame.empty:
        return
    frame = frame[columns]
    quoted = ", ".join(connection.ops.quote_name(c) for c in columns)
    if connection.vendor == "postgresql":
        types, not_null = _column_types(model, columns)
        sql = f"COPY {_table(model)} ({quoted}) FROM STDIN WITH (FORMAT binary)"
        table = pa.Table.from_pandas(frame, preserve_index=False)
        with connection.cursor() as cursor:
            # Slices keep the bytes small; they are COPYs in the same transaction.
            for start in range(0, table.num_rows, COPY_ROWS):
                data = encode(table.slice(start, COPY_ROWS), types, not_null)
                # One read of the whole slice: psycopg2 reads ``size`` bytes per call and
                # needs the GIL for each, which the validating thread holds most of the time
                # (8 KB reads made the COPY wait for the GIL instead of the server). BytesIO
                # hands back ``data`` itself for a whole read, without a copy.
                cursor.cursor.copy_expert(sql, io.BytesIO(data), size=len(data))
        return
    rows = _python_rows(frame)
    marks = ", ".join(["%s"] * len(columns))
    with connection.cursor() as cursor:
        for start in range(0, len(rows), BATCH):
            cursor.executemany(f"INSERT INTO {_table(model)} ({quoted}) VALUES ({marks})",  # noqa: S608
                               rows[start:start + BATCH])


def _python_rows(frame: pd.DataFrame) -> list[tuple]:
    cols = []
    for name in frame.columns:
        col = frame[name]
        if isinstance(col.dtype, pd.DatetimeTZDtype):
            # Django's own SQLite form of an aware time: naive UTC.
            values = col.dt.tz_convert("UTC").dt.strftime("%Y-%m-%d %H:%M:%S.%f").astype(
                object).where(col.notna(), None)
        elif pd.api.types.is_datetime64_any_dtype(col):
            values = col.dt.strftime("%Y-%m-%d").astype(object).where(col.notna(), None)
        elif str(col.dtype) == "Int64":
            values = col.astype(object).where(col.notna(), None)
        elif str(col.dtype) == "bool":
            values = col.astype(object)
        else:
            values = col.astype(object).where(col.notna(), None)
        cols.append(values.tolist())
    return list(zip(*cols, strict=True))


def _reserve_ids(model, count: int) -> np.ndarray:
    """``count`` ids from the table's id sequence, as one text (a row per id costs more)."""
    if count == 0:
        return np.array([], dtype=np.int64)
    table = model._meta.db_table
    with connection.cursor() as cursor:
        cursor.execute("SELECT string_agg(nextval(pg_get_serial_sequence(%s, 'id'))::text, ',') "
                       "FROM generate_series(1, %s)", [table, count])
        text = cursor.fetchone()[0]
    return np.array(text.split(","), dtype=np.int64)


def existing_versions(source_id: int) -> pd.DataFrame:
    """Per source key: the highest version number and the current version's content hash."""
    table = _table(SourceRecord)
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT source_key, MAX(version), "  # noqa: S608
            f"MAX(CASE WHEN status = %s THEN content_hash END) "
            f"FROM {table} WHERE source_id = %s GROUP BY source_key",
            [RecordStatus.CURRENT, source_id],
        )
        rows = cursor.fetchall()
    return pd.DataFrame(rows, columns=["source_key", "max_version", "current_hash"])


@dataclass
class Staged:
    """A part's new versions, diffed and encrypted, ready to write (no database touched)."""

    prepared: Prepared
    new: pd.DataFrame
    seconds: dict[str, float]


def stage(prepared: Prepared, existing: pd.DataFrame) -> Staged:
    """Hash, diff against the current versions and encrypt the RRNs: pure column work.

    Runs outside the load's thread (intake.imports overlaps it with the previous part's COPY),
    so it reads nothing from the database; ``existing`` was read under the source's lock.
    """
    import time

    seconds: dict[str, float] = {}
    t0 = time.perf_counter()
    records = prepared.records
    digits = records["rrn_digits"].to_numpy(dtype=object)
    present = digits != ""
    index = np.full(len(records), "", dtype=object)
    index[present] = blind_index_many([str(d) for d in digits[present]])
    records["rrn_index"] = index
    records["content_hash"] = content_hashes(records, prepared.items,
                                             ITEM_COLUMNS[prepared.item_kind])
    seconds["hash"] = time.perf_counter() - t0

    t0 = time.perf_counter()
    merged = records.merge(existing, on="source_key", how="left")
    changed = merged["current_hash"].isna() | (merged["current_hash"] != merged["content_hash"])
    new = merged.loc[changed].copy()
    new["version"] = new["max_version"].fillna(0).astype("int64") + 1
    seconds["diff"] = time.perf_counter() - t0

    t0 = time.perf_counter()
    digits = new["rrn_digits"].to_numpy(dtype=object)
    present = digits != ""
    enc = np.full(len(new), "", dtype=object)
    enc[present] = encrypt_many([str(d) for d in digits[present]])
    new["rrn_enc"] = enc
    # The clear digits go no further than this frame: they are not written anywhere.
    new = new.drop(columns=["rrn_digits"])
    del digits
    seconds["encrypt"] = time.perf_counter() - t0
    return Staged(prepared, new, seconds)


def write(run: ImportRun, staged: Staged, now=None) -> Loaded:
    """One staged part into the tables: its new versions, their items, its rejected rows."""
    import time

    seconds = dict(staged.seconds)
    prepared, new = staged.prepared, staged.new
    now = now or timezone.now()
    t0 = time.perf_counter()
    new["source_id"], new["run_id"] = run.source_id, run.pk
    new["status"], new["created_at"] = RecordStatus.CURRENT, now
    if connection.vendor == "postgresql":
        # Ids drawn from the table's own sequence before the COPY: the items need them, and
        # reading them back afterwards costs a query of every new row's key.
        new["id"] = _reserve_ids(SourceRecord, len(new))
        _write(SourceRecord, ["id", *RECORD_COLUMNS], new)
        ids = pd.Series(new["id"].to_numpy(), index=new["source_key"].to_numpy())
    else:
        _write(SourceRecord, RECORD_COLUMNS, new)
        keys = new["source_key"].tolist()
        with connection.cursor() as cursor:
            cursor.execute(f"SELECT source_key, id FROM {_table(SourceRecord)} "  # noqa: S608
                           f"WHERE run_id = %s", [run.pk])
            ids = pd.Series(dict(cursor.fetchall()), dtype="int64")
        # The run's earlier parts are in the table too; this part's items map to its keys.
        ids = ids.reindex(keys).dropna().astype("int64")
    seconds["records"] = time.perf_counter() - t0

    t0 = time.perf_counter()
    items = prepared.items
    if prepared.item_kind and len(items):
        items = items.assign(record_id=items["source_key"].map(ids))
        # Items of a person whose version is unchanged already hang off that version.
        items = items.loc[items["record_id"].notna()].copy()
        items["record_id"] = items["record_id"].astype("int64")
        if prepared.item_kind == "enrollment":
            _write(Enrollment, ["record_id", "row_number", "programme_id", "active", "start",
                                "end", "monthly_amount"], items)
        else:
            _write(CrisisSignal, ["record_id", "row_number", "indicator_id", "round",
                                  "observed_on", "months", "amount"], items)
    seconds["items"] = time.perf_counter() - t0

    t0 = time.perf_counter()
    rejects = prepared.rejects.assign(
        run_id=run.pk,
        reasons=[json.dumps(r, ensure_ascii=False) for r in prepared.rejects["reasons"]],
    )
    _write(RejectedRow, ["run_id", "row_number", "raw", "reasons"], rejects)
    seconds["rejects"] = time.perf_counter() - t0
    return Loaded(len(new), ids.tolist(), seconds)


def finish(run: ImportRun) -> list[int]:
    """Mark the versions this run's records supersede; their ids (matching re-links them)."""
    table = _table(SourceRecord)
    where = (f"source_id = %s AND status = %s AND run_id <> %s AND source_key IN "  # noqa: S608
             f"(SELECT source_key FROM {table} WHERE run_id = %s)")
    params = [run.source_id, RecordStatus.CURRENT, run.pk, run.pk]
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT id FROM {table} WHERE {where}", params)  # noqa: S608
        superseded = [r[0] for r in cursor.fetchall()]
        cursor.execute(f"UPDATE {table} SET status = %s WHERE {where}",  # noqa: S608
                       [RecordStatus.SUPERSEDED, *params])
    return superseded


def load(run: ImportRun, prepared: Prepared,
         tick: Callable[[], None] | None = None) -> Loaded:
    """One prepared file (or part) in one go: stage, write, finish."""
    import time

    staged = stage(prepared, existing_versions(run.source_id))
    if tick:
        tick()
    loaded = write(run, staged)
    if tick:
        tick()
    t0 = time.perf_counter()
    superseded = finish(run)
    loaded.seconds["finish"] = time.perf_counter() - t0
    return Loaded(loaded.records_added, [*loaded.changed_ids, *superseded], loaded.seconds)
