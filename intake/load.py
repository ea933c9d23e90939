"""The load boundary: prepared frames in, rows in the database out, with no per-row ORM.

PostgreSQL gets ``COPY … FROM STDIN`` in the binary format, SQLite batched ``executemany``,
both through the project's one bulk path (bigcare.bulk); on PostgreSQL the staging processes
make the COPY bytes of records and items themselves. Everything runs inside the caller's
transaction, so a failure loads nothing.
A person whose normalised content is unchanged since the current version adds no version.
SQL is composed only from model table and column names (hence the S608 waivers), never input.
"""

from __future__ import annotations

import json
from dataclasses import dataclass

import numpy as np
import pandas as pd
from django.db import connection
from django.utils import timezone

from bigcare.bulk import append, layout, send, side_connection_params
from intake.models import (
    CrisisSignal,
    Enrollment,
    ImportRun,
    RecordStatus,
    RejectedRow,
    Retirement,
    RowWarning,
    SourceRecord,
)
from intake.pipeline import (
    HASHED_COLUMNS,
    HASHED_WHEN_SET,
    ITEM_COLUMNS,
    Prepared,
    content_hashes,
)
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
    "life_event",
    "life_event_on",
    "household_ref",
    "raw",
    "created_at",
]
# Where a part's items go: the table and its columns besides record_id.
ITEM_TABLES = {
    kind: (model, ["row_number", *ITEM_COLUMNS[kind]])
    for kind, model in (("enrollment", Enrollment), ("signal", CrisisSignal))
}


@dataclass
class Loaded:
    records_added: int
    changed_ids: list[int]  # the new versions'
    superseded_ids: list[int]  # the current versions they replace
    seconds: dict[str, float]


def _table(model) -> str:
    return connection.ops.quote_name(model._meta.db_table)


def copy_target(run: ImportRun, item_kind: str, now) -> CopyTarget | None:
    """Where staging sends a run's rows on PostgreSQL (None elsewhere: rows go as frames)."""
    if connection.vendor != "postgresql":
        return None
    item_model, item_columns = ITEM_TABLES.get(item_kind, (None, []))
    return CopyTarget(
        database=side_connection_params(),
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
            send(table, chunks)
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
    append(RejectedRow, ["run_id", "row_number", "raw", "reasons"], rejects)
    warnings = prepared.warnings
    if len(warnings):
        warnings = warnings.assign(
            run_id=run.pk,
            warnings=[json.dumps(w, ensure_ascii=False) for w in warnings["warnings"]],
        )
        append(RowWarning, ["run_id", "row_number", "warnings"], warnings)
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
    append(SourceRecord, RECORD_COLUMNS, new)
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
        append(model, ["record_id", *columns], items)
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


def retire(run: ImportRun, existing: pd.DataFrame, keys: list, rows_in: int) -> list[int]:
    """Retire the current versions whose keys a full extract does not list; their ids.

    ``existing`` is ``existing_versions`` as read under the source's lock at the start of the
    run: a key current then and absent from every part's ``keys`` is no longer the agency's.
    An empty file retires nothing: it is a broken extract, not an agency that serves nobody.
    """
    if rows_in == 0:
        return []
    listed = np.concatenate([np.asarray(k, dtype=object) for k in keys]) if keys else []
    current = existing.loc[existing["current_id"].notna()]
    gone = current.loc[~current["source_key"].isin(listed), "current_id"].astype("int64")
    ids = gone.to_numpy()
    if not len(ids):
        return []
    append(Retirement, ["run_id", "record_id"], pd.DataFrame({"run_id": run.pk, "record_id": ids}))
    for start in range(0, len(ids), BATCH):
        SourceRecord.objects.filter(
            pk__in=ids[start : start + BATCH].tolist(), status=RecordStatus.CURRENT
        ).update(status=RecordStatus.RETIRED)
    return ids.tolist()


def stored_hashes(source_id: int) -> pd.Series:
    """A source's current versions' content hashes computed again from their stored rows (by
    id): what an import compares with, so equal to ``content_hash`` for every version."""
    fields = ", ".join(
        f"r.{connection.ops.quote_name(c)}" for c in HASHED_COLUMNS + HASHED_WHEN_SET
    )
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT r.id, {fields} FROM {_table(SourceRecord)} r "  # noqa: S608
            f"WHERE r.source_id = %s AND r.status = %s ORDER BY r.id",
            [source_id, RecordStatus.CURRENT],
        )
        records = pd.DataFrame(cursor.fetchall(), columns=["id", *HASHED_COLUMNS, *HASHED_WHEN_SET])
        items, columns = pd.DataFrame(columns=["source_key"]), []
        for kind, (model, _) in ITEM_TABLES.items():
            listed = ", ".join(f"i.{connection.ops.quote_name(c)}" for c in ITEM_COLUMNS[kind])
            cursor.execute(
                f"SELECT r.source_key, {listed} FROM {_table(model)} i "  # noqa: S608
                f"JOIN {_table(SourceRecord)} r ON r.id = i.record_id "
                f"WHERE r.source_id = %s AND r.status = %s",
                [source_id, RecordStatus.CURRENT],
            )
            found = pd.DataFrame(cursor.fetchall(), columns=["source_key", *ITEM_COLUMNS[kind]])
            if len(found):
                items, columns = found, ITEM_COLUMNS[kind]
    for column in ("household_size", "recognised_income"):
        records[column] = records[column].astype("Int64")
    hashes = content_hashes(records, items, columns) if len(records) else []
    return pd.Series(hashes, index=records["id"].to_numpy(), dtype=object)
