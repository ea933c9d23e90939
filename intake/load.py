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
from dataclasses import dataclass

import pandas as pd
from django.db import connection
from django.utils import timezone

from intake.models import (
    CrisisSignal,
    Enrollment,
    ImportRun,
    RecordStatus,
    RejectedRow,
    RowWarning,
    SourceRecord,
)
from intake.pgbinary import Layout
from intake.pipeline import ITEM_COLUMNS, Prepared
from intake.staging import CopyTarget, Staged

BATCH = 5_000
RECORD_COLUMNS = [
    "source_id",
    "run_id",
    "row_number",
    "source_key",
    "version",
    "status",
    "content_hash",
    "name",
    "birth_date",
    "sex",
    "phone",
    "rrn_enc",
    "rrn_index",
    "rrn_masked",
    "address",
    "dong_code",
    "household_size",
    "recognised_income",
    "disability",
    "raw",
    "created_at",
]
# Where a part's items go: the table and its columns besides record_id.
ITEM_TABLES = {
    kind: (model, ["row_number", *ITEM_COLUMNS[kind]])
    for kind, model in (("enrollment", Enrollment), ("signal", CrisisSignal))
}
# (database, table) → column → (pg_type.typname, NOT NULL), read once per process.
_COLUMN_TYPES: dict[tuple[str, str], dict[str, tuple[str, bool]]] = {}


@dataclass
class Loaded:
    records_added: int
    changed_ids: list[int]  # the new versions'
    superseded_ids: list[int]  # the current versions they replace
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
            cursor.execute(
                "SELECT a.attname, t.typname, a.attnotnull FROM pg_attribute a "
                "JOIN pg_type t ON t.oid = a.atttypid WHERE a.attrelid = %s::regclass "
                "AND a.attnum > 0 AND NOT a.attisdropped",
                [connection.ops.quote_name(table)],
            )
            _COLUMN_TYPES[key] = {name: (typ, nn) for name, typ, nn in cursor.fetchall()}
    found = _COLUMN_TYPES[key]
    return [found[c][0] for c in columns], [found[c][1] for c in columns]


def layout(model, columns: list[str]) -> Layout:
    """How ``columns`` of ``model``'s table are COPYed here (PostgreSQL)."""
    types, not_null = _column_types(model, columns)
    quoted = ", ".join(connection.ops.quote_name(c) for c in columns)
    return Layout(
        f"COPY {_table(model)} ({quoted}) FROM STDIN WITH (FORMAT binary)",
        tuple(columns),
        tuple(types),
        tuple(not_null),
    )


def copy_target(run: ImportRun, item_kind: str, now) -> CopyTarget | None:
    """Where staging sends a run's rows on PostgreSQL (None elsewhere: rows go as frames)."""
    if connection.vendor != "postgresql":
        return None
    item_model, item_columns = ITEM_TABLES.get(item_kind, (None, []))
    return CopyTarget(
        database=connection.get_connection_params(),
        sequence=_sequence(SourceRecord),
        records=layout(SourceRecord, ["id", *RECORD_COLUMNS]),
        items=layout(item_model, ["record_id", *item_columns]) if item_model else None,
        constants={
            "source_id": run.source_id,
            "run_id": run.pk,
            "status": str(RecordStatus.CURRENT),
            "created_at": now,
        },
    )


def _sequence(model) -> str:
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_get_serial_sequence(%s, 'id')", [model._meta.db_table])
        return cursor.fetchone()[0]


def _send(layout: Layout, chunks: list[bytes]) -> None:
    with connection.cursor() as cursor:
        for data in chunks:
            # One read of the whole slice: psycopg2 reads ``size`` bytes per call and needs the
            # GIL for each. BytesIO hands back ``data`` itself for a whole read, without a copy.
            cursor.cursor.copy_expert(layout.sql, io.BytesIO(data), size=len(data))


def _write(model, columns: list[str], frame: pd.DataFrame) -> None:
    """Append a frame to a table: COPY on PostgreSQL, batched executemany elsewhere."""
    if frame.empty:
        return
    if connection.vendor == "postgresql":
        table = layout(model, columns)
        _send(table, table.encode(frame))
        return
    frame = frame[columns]
    quoted = ", ".join(connection.ops.quote_name(c) for c in columns)
    rows = _python_rows(frame)
    marks = ", ".join(["%s"] * len(columns))
    with connection.cursor() as cursor:
        for start in range(0, len(rows), BATCH):
            cursor.executemany(
                f"INSERT INTO {_table(model)} ({quoted}) VALUES ({marks})",  # noqa: S608
                rows[start : start + BATCH],
            )


def _python_rows(frame: pd.DataFrame) -> list[tuple]:
    cols = []
    for name in frame.columns:
        col = frame[name]
        if isinstance(col.dtype, pd.DatetimeTZDtype):
            # Django's own SQLite form of an aware time: naive UTC.
            values = (
                col.dt.tz_convert("UTC")
                .dt.strftime("%Y-%m-%d %H:%M:%S.%f")
                .astype(object)
                .where(col.notna(), None)
            )
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


def existing_versions(source_id: int) -> pd.DataFrame:
    """Per source key: the highest version number, the current version's content hash and id."""
    table = _table(SourceRecord)
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT source_key, MAX(version), "  # noqa: S608
            f"MAX(CASE WHEN status = %s THEN content_hash END), "
            f"MAX(CASE WHEN status = %s THEN id END) "
            f"FROM {table} WHERE source_id = %s GROUP BY source_key",
            [RecordStatus.CURRENT, RecordStatus.CURRENT, source_id],
        )
        rows = cursor.fetchall()
    return pd.DataFrame(rows, columns=["source_key", "max_version", "current_hash", "current_id"])


def write(run: ImportRun, staged: Staged) -> Loaded:
    """One staged part into the tables: its new versions, their items, its rejected rows."""
    import time

    seconds = dict(staged.seconds)
    prepared = staged.prepared
    if staged.copies is not None:  # PostgreSQL: staging made the COPY data
        for (table, chunks), what in zip(staged.copies, ("records", "items"), strict=False):
            t0 = time.perf_counter()
            _send(table, chunks)
            seconds[what] = time.perf_counter() - t0
        ids = staged.ids.tolist()
    else:
        t0 = time.perf_counter()
        ids = _insert(run, staged.new, prepared)
        seconds["records and items"] = time.perf_counter() - t0

    t0 = time.perf_counter()
    rejects = prepared.rejects.assign(
        run_id=run.pk,
        reasons=[json.dumps(r, ensure_ascii=False) for r in prepared.rejects["reasons"]],
    )
    _write(RejectedRow, ["run_id", "row_number", "raw", "reasons"], rejects)
    warnings = prepared.warnings
    if len(warnings):
        warnings = warnings.assign(
            run_id=run.pk,
            warnings=[json.dumps(w, ensure_ascii=False) for w in warnings["warnings"]],
        )
        _write(RowWarning, ["run_id", "row_number", "warnings"], warnings)
    seconds["rejects"] = time.perf_counter() - t0
    return Loaded(staged.records_added, ids, staged.superseded.tolist(), seconds)


def _insert(run: ImportRun, new: pd.DataFrame, prepared: Prepared) -> list[int]:
    """New versions and their items by batched inserts (SQLite); the versions' ids."""
    new = new.assign(
        source_id=run.source_id,
        run_id=run.pk,
        status=RecordStatus.CURRENT,
        created_at=timezone.now(),
    )
    _write(SourceRecord, RECORD_COLUMNS, new)
    keys = new["source_key"].tolist()
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT source_key, id FROM {_table(SourceRecord)} "  # noqa: S608
            f"WHERE run_id = %s",
            [run.pk],
        )
        ids = pd.Series(dict(cursor.fetchall()), dtype="int64")
    # The run's earlier parts are in the table too; this part's items map to its keys.
    ids = ids.reindex(keys).dropna().astype("int64")
    items = prepared.items
    model, columns = ITEM_TABLES.get(prepared.item_kind, (None, []))
    if model is not None and len(items):
        items = items.assign(record_id=items["source_key"].map(ids))
        # Items of a person whose version is unchanged already hang off that version.
        items = items.loc[items["record_id"].notna()].copy()
        items["record_id"] = items["record_id"].astype("int64")
        _write(model, ["record_id", *columns], items)
    return ids.tolist()


def finish(superseded: list[int]) -> None:
    """Mark superseded the current versions that this run's new versions replace.

    Their ids come from staging's diff against ``existing_versions``, read under the source's
    lock, which every import and roll-back of the source takes: no other version of these keys
    can have become current since.
    """
    for start in range(0, len(superseded), BATCH):
        SourceRecord.objects.filter(
            pk__in=superseded[start : start + BATCH],
            status=RecordStatus.CURRENT,
        ).update(status=RecordStatus.SUPERSEDED)
