"""Content hashes recomputed for the current versions, in the form imports now compute.

The old hash (pandas' SipHash with public keys) covered the RRN's clear digits, so a stored
hash and its row's other fields gave the number back to anyone trying the million possible
back halves. The new one (``intake.pipeline.content_hashes``, BLAKE2b) covers the blind index
instead, and is ~5× cheaper for an import. Only current versions are compared with a new
extract, so only they are rehashed; without this, the next extract of every source would add
a version for every unchanged person.
"""

import pandas as pd
from django.db import migrations

from intake.pipeline import ENROLLMENT_COLUMNS, HASHED_COLUMNS, SIGNAL_COLUMNS, content_hashes

BATCH = 50_000
_ITEMS = {"intake_enrollment": ENROLLMENT_COLUMNS, "intake_crisissignal": SIGNAL_COLUMNS}


def _frame(cursor, sql: str, params: list) -> pd.DataFrame:
    cursor.execute(sql, params)
    return pd.DataFrame(cursor.fetchall(), columns=[c[0] for c in cursor.description])


def stored_hashes(cursor, source_id: int) -> pd.Series:
    """A source's current versions' content hashes computed from their stored rows (by id)."""
    fields = ", ".join(f'r."{c}"' for c in HASHED_COLUMNS)
    records = _frame(cursor, f"SELECT r.id, {fields} FROM intake_sourcerecord r "  # noqa: S608
                     "WHERE r.source_id = %s AND r.status = 'current' ORDER BY r.id", [source_id])
    items, columns = pd.DataFrame(columns=["source_key"]), []
    for table, item_columns in _ITEMS.items():
        listed = ", ".join(f'i."{c}"' for c in item_columns)
        found = _frame(cursor, f"SELECT r.source_key, {listed} FROM {table} i "  # noqa: S608
                       "JOIN intake_sourcerecord r ON r.id = i.record_id "
                       "WHERE r.source_id = %s AND r.status = 'current'", [source_id])
        if len(found):
            items, columns = found, item_columns
    for column in ("household_size", "recognised_income"):
        records[column] = records[column].astype("Int64")
    hashes = content_hashes(records, items, columns) if len(records) else []
    return pd.Series(hashes, index=records["id"].to_numpy(), dtype=object)


def rehash(apps, schema_editor):
    connection = schema_editor.connection
    with connection.cursor() as cursor:
        cursor.execute("SELECT id FROM intake_datasource ORDER BY id")
        for (source_id,) in cursor.fetchall():
            hashes = stored_hashes(cursor, source_id)
            ids, values = [int(i) for i in hashes.index], list(hashes)
            for start in range(0, len(ids), BATCH):
                batch = slice(start, start + BATCH)
                if connection.vendor == "postgresql":  # a statement per batch, not per row
                    cursor.execute(
                        "UPDATE intake_sourcerecord r SET content_hash = v.h FROM "
                        "(SELECT unnest(%s::bigint[]) AS id, unnest(%s::text[]) AS h) v "
                        "WHERE r.id = v.id", [ids[batch], values[batch]])
                else:
                    cursor.executemany("UPDATE intake_sourcerecord SET content_hash = %s "
                                       "WHERE id = %s", list(zip(values[batch], ids[batch],
                                                                 strict=True)))


class Migration(migrations.Migration):

    dependencies = [
        ('intake', '0006_raw_as_text'),
    ]

    operations = [
        migrations.RunPython(rehash, migrations.RunPython.noop),
    ]
