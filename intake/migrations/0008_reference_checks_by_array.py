"""The set-wise reference checks (migration 0002) look their parents up by one array of ids.

0002's anti-join (``NOT EXISTS`` over the statement's distinct ids) is planned per statement
from table statistics, which lag a bulk load: on a 1.7 M-record table it was planned as a hash
anti-join over a sequential scan of every record, 3.4 s for one 60 k-row part's items, and at
best as a nested loop of index probes (116 ms for 34 k ids). ``id = ANY(array)`` is one sorted
walk of the primary key whatever the statistics say (58 ms), and counting what it finds tells
whether any parent is missing; only then is the missing id looked for, for the message.
The checks, errors and locks are otherwise those of 0002; the reverse keeps the functions,
which 0002's reverse drops.
"""

import importlib

from django.db import migrations

REFERENCES = importlib.import_module("intake.migrations.0002_set_wise_references").REFERENCES


def _check(child: str, column: str, parent: str, lock: bool) -> str:
    """One reference: the statement's distinct ids as an array, locked if ``lock``, counted,
    and the first missing one named."""
    lines = [f"wanted := ARRAY(SELECT DISTINCT n.{column} FROM new_rows n "
             f"WHERE n.{column} IS NOT NULL);"]
    if lock:
        lines.append(f"PERFORM 1 FROM {parent} p WHERE p.id = ANY(wanted) "
                     f"FOR KEY SHARE OF p;")
    lines.append(f"""
    SELECT count(*) INTO found FROM {parent} p WHERE p.id = ANY(wanted);
    IF found < cardinality(wanted) THEN
        SELECT w INTO missing FROM unnest(wanted) w
         WHERE NOT EXISTS (SELECT 1 FROM {parent} p WHERE p.id = w) LIMIT 1;
        RAISE foreign_key_violation USING MESSAGE = format(
            '{child}.{column} = %s: no such row in {parent}', missing);
    END IF;""")
    return "\n    ".join(lines)


def _function(child: str) -> str:
    body = "\n    ".join(_check(child, column, parent, lock)
                          for table, column, parent, lock in REFERENCES if table == child)
    return f"""
CREATE OR REPLACE FUNCTION {child}_check_refs() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE missing bigint; found bigint; wanted bigint[];
BEGIN
    {body}
    RETURN NULL;
END $$;
"""


def installer(function):
    """A RunPython step that (re)creates every child table's check function from ``function``
    (a later migration passes its own)."""
    def install(apps, schema_editor) -> None:
        if schema_editor.connection.vendor != "postgresql":
            return
        for child in dict.fromkeys(r[0] for r in REFERENCES):
            schema_editor.execute(function(child), params=None)
    return install


_install = installer(_function)


class Migration(migrations.Migration):

    dependencies = [
        ('intake', '0007_content_hash_v2'),
    ]

    operations = [
        migrations.RunPython(_install, migrations.RunPython.noop),
    ]
