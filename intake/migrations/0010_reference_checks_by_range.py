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

REFERENCES = importlib.import_module("intake.migrations.0002_set_wise_references").REFERENCES
BY_ARRAY = importlib.import_module("intake.migrations.0008_reference_checks_by_array")


def _exact(child: str, column: str, parent: str, lock: bool) -> str:
    """0008's check: the distinct ids as an array, locked if ``lock``, counted, the first
    missing one named."""
    locking = (f"\n    PERFORM 1 FROM {parent} p WHERE p.id = ANY(wanted) FOR KEY SHARE OF p;"
               if lock else "")
    distinct = f"SELECT DISTINCT n.{column} FROM new_rows n WHERE n.{column} IS NOT NULL"
    return f"""
    wanted := ARRAY({distinct});{locking}
    SELECT count(*) INTO found FROM {parent} p WHERE p.id = ANY(wanted);
    IF found < cardinality(wanted) THEN
        SELECT w INTO missing FROM unnest(wanted) w
         WHERE NOT EXISTS (SELECT 1 FROM {parent} p WHERE p.id = w) LIMIT 1;
        RAISE foreign_key_violation USING MESSAGE = format(
            '{child}.{column} = %s: no such row in {parent}', missing);
    END IF;"""


def _by_range(child: str, column: str, parent: str) -> str:
    """Every id in [lowest, highest] exists, or the exact check (the range no wider than twice
    the statement's rows, so counting it never walks more than they would probe)."""
    return f"""
    SELECT min(n.{column}), max(n.{column}), count(*) INTO lo, hi, n_rows FROM new_rows n;
    found := 0;
    IF lo IS NOT NULL AND hi - lo < 2 * n_rows THEN
        SELECT count(*) INTO found FROM {parent} p WHERE p.id BETWEEN lo AND hi;
    END IF;
    IF lo IS NOT NULL AND found < hi - lo + 1 THEN{_exact(child, column, parent, False)}
    END IF;"""


def _function(child: str) -> str:
    checks = [_exact(child, column, parent, lock) if lock else _by_range(child, column, parent)
              for table, column, parent, lock in REFERENCES if table == child]
    body = "\n".join(checks)
    return f"""
CREATE OR REPLACE FUNCTION {child}_check_refs() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE missing bigint; found bigint; wanted bigint[]; lo bigint; hi bigint; n_rows bigint;
BEGIN{body}
    RETURN NULL;
END $$;
"""


def _install(apps, schema_editor) -> None:
    if schema_editor.connection.vendor != "postgresql":
        return
    for child in dict.fromkeys(r[0] for r in REFERENCES):
        schema_editor.execute(_function(child), params=None)


class Migration(migrations.Migration):

    dependencies = [
        ("intake", "0009_items_keyed_by_record_row"),
    ]

    operations = [
        migrations.RunPython(_install, BY_ARRAY._install),
    ]
