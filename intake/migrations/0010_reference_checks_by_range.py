"""Items' record references are checked by the range of ids they fall in, when it is dense.

An import's part COPYs its new records with ids drawn together from the sequence, then their
items: every record id the items name lies in one short range, and every id of that range is
a record. Counting the records in [lowest, highest] is one walk of the primary key (7 ms for
34 k ids), where 0008's ``id = ANY(array)`` descends the key once per distinct id (27–38 ms)
after a DISTINCT over the statement's rows. If every id of the range exists, every reference
holds; otherwise (ids from anywhere, a range far wider than the statement) 0008's exact check
runs, with its message. References that take a lock (a run, a source, a programme) keep
0008's check: they name one or two parents per statement.
"""

import importlib

from django.db import migrations

BY_ARRAY = importlib.import_module("intake.migrations.0008_reference_checks_by_array")
REFERENCES = BY_ARRAY.REFERENCES


def _by_range(child: str, column: str, parent: str) -> str:
    """Every id in [lowest, highest] exists, or the exact check (the range no wider than twice
    the statement's rows, so counting it never walks more than they would probe)."""
    return f"""
    SELECT min(n.{column}), max(n.{column}), count(*) INTO lo, hi, n_rows FROM new_rows n;
    found := 0;
    IF lo IS NOT NULL AND hi - lo < 2 * n_rows THEN
        SELECT count(*) INTO found FROM {parent} p WHERE p.id BETWEEN lo AND hi;
    END IF;
    IF lo IS NOT NULL AND found < hi - lo + 1 THEN
    {BY_ARRAY._check(child, column, parent, False)}
    END IF;"""


def _function(child: str) -> str:
    checks = [BY_ARRAY._check(child, column, parent, lock) if lock
              else _by_range(child, column, parent)
              for table, column, parent, lock in REFERENCES if table == child]
    body = "\n    ".join(checks)
    return f"""
CREATE OR REPLACE FUNCTION {child}_check_refs() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE missing bigint; found bigint; wanted bigint[]; lo bigint; hi bigint; n_rows bigint;
BEGIN
    {body}
    RETURN NULL;
END $$;
"""


class Migration(migrations.Migration):

    dependencies = [
        ("intake", "0009_items_keyed_by_record_row"),
    ]

    operations = [
        migrations.RunPython(BY_ARRAY.installer(_function), BY_ARRAY._install),
    ]
