"""Frames in and out of the database: the project's one bulk path (issue 15 item 1).

Intake, matching and screening move hundreds of thousands of rows at a time; none of them does
it one ORM object per row (DESIGN.md principle 4), and all of them do it here:

- :func:`read_frame`: a SELECT (SQL or a ``values_list`` queryset) as a frame. PostgreSQL:
  ``COPY (…) TO STDOUT`` as CSV parsed by pyarrow's multi-threaded reader. SQLite: fetched rows.
- :func:`append`: a frame's rows added to a table. PostgreSQL: binary ``COPY`` whose bytes are
  built column by column (:mod:`bigcare.pgbinary`). SQLite: batched ``executemany``.
- :func:`upsert`: rows inserted or updated by a key. PostgreSQL: binary ``COPY`` into a temporary
  table, then one ``INSERT … ON CONFLICT``. SQLite: one ``executemany`` of the same statement.

Why these and not a driver's own bulk API: ``python -m bench.bulk_paths`` measured psycopg 3's
``write_row`` 1.7× slower than the binary encoder, and ADBC no faster while on a connection of
its own, outside the caller's transaction (bench/results/bulk_paths.md). Everything here runs in
the caller's transaction on Django's connection, so a failure writes nothing.

SQL is composed only from model table and column names (hence the S608 waivers), never input.
"""

from __future__ import annotations

import io
from collections.abc import Sequence

import pandas as pd
from django.db import connection

from bigcare.pgbinary import Layout

# Rows per executemany on SQLite, and per COPY slice on PostgreSQL.
BATCH = 5_000
COPY_ROWS = 200_000
# Up to this many rows an upsert is one executemany on PostgreSQL too: the temporary table
# costs five statements, more than a manual merge's few residents do.
FEW_ROWS = 100
# (database, table) → column → (pg_type.typname, NOT NULL), read once per process.
_COLUMN_TYPES: dict[tuple[str, str], dict[str, tuple[str, bool]]] = {}


def table_name(model_or_table) -> str:
    return model_or_table if isinstance(model_or_table, str) else model_or_table._meta.db_table


def _quoted(names: Sequence[str]) -> str:
    return ", ".join(connection.ops.quote_name(c) for c in names)


def column_types(model_or_table, columns: Sequence[str]) -> tuple[list[str], list[bool]]:
    """The columns' types and NOT NULL flags as the database has them, not as the code thinks.

    Binary COPY must encode each field as its column's type (a JSON text is jsonb's version
    byte and text, or plain text), and a migration may change that type. Read once per process:
    a schema change comes with a deploy, which restarts the workers.
    """
    table = table_name(model_or_table)
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


def layout(model_or_table, columns: Sequence[str], into: str | None = None) -> Layout:
    """How ``columns`` of a table are COPYed (PostgreSQL), typed as that table has them;
    ``into`` sends the rows to another table of the same columns (an upsert's temporary one)."""
    types, not_null = column_types(model_or_table, columns)
    target = connection.ops.quote_name(into or table_name(model_or_table))
    return Layout(
        f"COPY {target} ({_quoted(columns)}) FROM STDIN WITH (FORMAT binary)",
        tuple(columns),
        tuple(types),
        tuple(not_null),
    )


# Options of Django's PostgreSQL backend that are not libpq's: psycopg2.connect refuses them.
# Django passes "context" and friends when psycopg 3 is importable, which a deployment may have.
_NOT_LIBPQ = {"context", "cursor_factory", "prepare_threshold", "server_side_binding", "pool"}


def side_connection():
    """A psycopg2 connection of its own to Django's database, in autocommit: for what must not
    wait for the caller's transaction (an import's heartbeat, sequence ids for staging)."""
    import psycopg2

    conn = psycopg2.connect(**side_connection_params())
    conn.autocommit = True
    return conn


def side_connection_params() -> dict:
    """The libpq keywords of :func:`side_connection`, picklable for a staging process."""
    return {k: v for k, v in connection.get_connection_params().items() if k not in _NOT_LIBPQ}


def send(layout: Layout, chunks: Sequence[bytes]) -> None:
    """COPY data made by :meth:`Layout.encode` (here or in a staging process) into its table."""
    with connection.cursor() as cursor:
        for data in chunks:
            # One read of the whole slice: psycopg2 reads ``size`` bytes per call and needs the
            # GIL for each. BytesIO hands back ``data`` itself for a whole read, without a copy.
            cursor.cursor.copy_expert(layout.sql, io.BytesIO(data), size=len(data))


def python_rows(frame: pd.DataFrame) -> list[tuple]:
    """A frame's rows as tuples of Python scalars in the forms Django gives SQLite (None for
    missing, aware times as naive UTC text): sqlite3 binds no numpy scalars."""
    cols = []
    for name in frame.columns:
        col = frame[name]
        if isinstance(col.dtype, pd.DatetimeTZDtype):
            values = col.dt.tz_convert("UTC").dt.strftime("%Y-%m-%d %H:%M:%S.%f")
        elif pd.api.types.is_datetime64_any_dtype(col):
            values = col.dt.strftime("%Y-%m-%d")
        else:
            values = col
        cols.append(values.astype(object).where(col.notna(), None).tolist())
    return list(zip(*cols, strict=True))


def _executemany(sql: str, rows: list[tuple], batch: int = BATCH, raw: bool = False) -> None:
    """``sql`` (with %s marks) once per batch of ``rows``. ``raw`` hands SQLite's batches to
    sqlite3 itself: Django's wrapper rewrites and logs every batch, which costs more than
    SQLite's insert at a million rows. Small writes that screens make (a merge's residents)
    go through the wrapper, so query counts see them."""
    with connection.cursor() as cursor:
        if raw and connection.vendor == "sqlite":
            cursor, sql = cursor.cursor, sql.replace("%s", "?")
        for start in range(0, len(rows), batch):
            cursor.executemany(sql, rows[start : start + batch])


def append(model_or_table, columns: Sequence[str], frame: pd.DataFrame) -> None:
    """Add ``frame``'s ``columns`` to a table. Call inside a transaction."""
    if frame.empty:
        return
    columns = list(columns)
    if connection.vendor == "postgresql":
        target = layout(model_or_table, columns)
        send(target, target.encode(frame, rows=COPY_ROWS))
        return
    marks = ", ".join(["%s"] * len(columns))
    _executemany(
        f"INSERT INTO {connection.ops.quote_name(table_name(model_or_table))} "  # noqa: S608
        f"({_quoted(columns)}) VALUES ({marks})",
        python_rows(frame[columns]),
        raw=True,
    )


def upsert(
    model_or_table,
    frame: pd.DataFrame,
    key: str,
    update: Sequence[str] | None = None,
    unless_same: Sequence[str] | None = None,
) -> None:
    """Insert ``frame``'s rows, updating the ``update`` columns where ``key`` already exists.

    With ``unless_same``, PostgreSQL leaves a row alone when those columns already hold the
    values (no new row version, no index writes): a full relink rewrites few residents.
    Call inside a transaction.
    """
    if frame.empty:
        return
    table = table_name(model_or_table)
    cols = list(frame.columns)
    update = [c for c in cols if c != key] if update is None else list(update)
    quoted_table = connection.ops.quote_name(table)
    action = (
        "DO UPDATE SET " + ", ".join(f'"{c}" = EXCLUDED."{c}"' for c in update)
        if update
        else "DO NOTHING"
    )
    if unless_same and update:
        same = ", ".join(f'{quoted_table}."{c}"' for c in unless_same)
        new = ", ".join(f'EXCLUDED."{c}"' for c in unless_same)
        action += f" WHERE ({same}) IS DISTINCT FROM ({new})"
    conflict = f'ON CONFLICT ("{key}") {action}'
    if connection.vendor == "postgresql" and len(frame) > FEW_ROWS:
        temporary = f"upsert_{table}"
        with connection.cursor() as cursor:
            cursor.execute(f'DROP TABLE IF EXISTS "{temporary}"')
            cursor.execute(
                f'CREATE TEMP TABLE "{temporary}" AS SELECT {_quoted(cols)} '  # noqa: S608
                f"FROM {quoted_table} WITH NO DATA"
            )
        # Typed and NOT NULL as the target table is (the temporary table keeps no NOT NULL):
        # a missing text bound for a NOT NULL column arrives as "", as the ORM would save it.
        rows = layout(table, cols, into=temporary)
        send(rows, rows.encode(frame, rows=COPY_ROWS))
        with connection.cursor() as cursor:
            cursor.execute(
                f"INSERT INTO {quoted_table} ({_quoted(cols)}) "  # noqa: S608
                f'SELECT {_quoted(cols)} FROM "{temporary}" {conflict}'
            )
            cursor.execute(f'DROP TABLE "{temporary}"')
        return
    marks = ", ".join(["%s"] * len(cols))
    _executemany(
        f"INSERT INTO {quoted_table} ({_quoted(cols)}) VALUES ({marks}) {conflict}",  # noqa: S608
        python_rows(frame),
        batch=20_000,
    )


def read_frame(
    query,
    columns: Sequence[str],
    params: Sequence | None = None,
    types: dict[str, str] | None = None,
) -> pd.DataFrame:
    """The rows of a SELECT as a frame with ``columns``.

    ``query`` is SQL (with ``params``) or a ``values_list`` queryset. ``types`` names a column's
    type: "int64" (nullable Int64), "date" (datetime64), "bool"; the rest come back as strings
    on PostgreSQL and as the driver gives them on SQLite. NULL is missing (None/NaN), an empty
    text is "".
    """
    import pyarrow as pa
    from pyarrow import csv as pacsv

    columns, types = list(columns), types or {}
    if not isinstance(query, str):
        query, params = query.query.sql_with_params()
    params = list(params or [])
    with connection.cursor() as cursor:
        if connection.vendor != "postgresql":
            cursor.execute(query, params)
            frame = pd.DataFrame(cursor.fetchall(), columns=columns)
            for name, kind in types.items():
                if kind == "int64":
                    frame[name] = pd.to_numeric(frame[name]).astype("Int64")
                elif kind == "date":
                    frame[name] = pd.to_datetime(frame[name], errors="coerce", format="%Y-%m-%d")
                elif kind == "bool":
                    frame[name] = frame[name].astype(bool)
            return frame
        sql = cursor.cursor.mogrify(query, params).decode()
        buffer = io.BytesIO()
        cursor.cursor.copy_expert(f"COPY ({sql}) TO STDOUT WITH (FORMAT csv)", buffer)
    arrow = {"int64": pa.int64(), "date": pa.date32(), "bool": pa.bool_()}
    if not buffer.getbuffer().nbytes:  # pyarrow refuses an empty file
        pd_types = {"int64": "Int64", "date": "datetime64[ms]", "bool": "bool"}
        return pd.DataFrame(
            {c: pd.Series([], dtype=pd_types.get(types.get(c), object)) for c in columns}
        )
    table = pacsv.read_csv(
        io.BytesIO(buffer.getvalue()),
        read_options=pacsv.ReadOptions(column_names=columns),
        # Quoted empty strings stay "", unquoted empties (COPY's NULL) are null.
        convert_options=pacsv.ConvertOptions(
            column_types={c: arrow[k] for c, k in types.items()}
            | {c: pa.string() for c in columns if c not in types},
            strings_can_be_null=True,
            quoted_strings_can_be_null=False,
            true_values=["t"],
            false_values=["f"],
        ),
    )
    return table.to_pandas(types_mapper={pa.int64(): pd.Int64Dtype()}.get, date_as_object=False)
