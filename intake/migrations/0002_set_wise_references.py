"""References of the bulk tables checked per statement, not per row (PostgreSQL).

Row-level foreign keys check each inserted row against its parent at commit: for a million-row
import that is ~3 M lookups and ~25 s. These triggers check the same thing once per statement
with the statement's transition table (the distinct parent ids it references, an anti-join), so
every COPY, INSERT and UPDATE of a child row still fails with foreign_key_violation when its
parent is missing, and deleting a parent that still has children fails as PROTECT would. Small
parents (source, run, programme, indicator) are locked FOR KEY SHARE as a real foreign key would
lock them; a source record cannot be deleted by a concurrent import, which holds its source's
row lock. SQLite keeps no database-level check: its loader writes only ids it has just read.
"""

import django.db.models.deletion
from django.db import migrations, models

# child table, column, parent table, lock the parents (few distinct ones per statement)
REFERENCES = [
    ("intake_sourcerecord", "source_id", "intake_datasource", True),
    ("intake_sourcerecord", "run_id", "intake_importrun", True),
    ("intake_enrollment", "record_id", "intake_sourcerecord", False),
    ("intake_enrollment", "programme_id", "intake_programme", True),
    ("intake_crisissignal", "record_id", "intake_sourcerecord", False),
    ("intake_crisissignal", "indicator_id", "intake_crisisindicator", True),
]


def _child_sql(child: str) -> tuple[str, str]:
    checks = []
    for table, column, parent, lock in REFERENCES:
        if table != child:
            continue
        if lock:
            checks.append(
                f"PERFORM 1 FROM {parent} p WHERE p.id IN "
                f"(SELECT DISTINCT n.{column} FROM new_rows n) FOR KEY SHARE OF p;")
        checks.append(f"""
    SELECT v.id INTO missing FROM (SELECT DISTINCT n.{column} AS id FROM new_rows n) v
     WHERE v.id IS NOT NULL AND NOT EXISTS (SELECT 1 FROM {parent} p WHERE p.id = v.id) LIMIT 1;
    IF FOUND THEN
        RAISE foreign_key_violation USING MESSAGE = format(
            '{child}.{column} = %s: no such row in {parent}', missing);
    END IF;""")
    body = "\n    ".join(checks)
    forward = f"""
CREATE FUNCTION {child}_check_refs() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE missing bigint;
BEGIN
    {body}
    RETURN NULL;
END $$;
CREATE TRIGGER {child}_refs_insert AFTER INSERT ON {child}
    REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION {child}_check_refs();
CREATE TRIGGER {child}_refs_update AFTER UPDATE ON {child}
    REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION {child}_check_refs();
"""
    return forward, f"DROP FUNCTION {child}_check_refs() CASCADE;"


def _parent_sql(parent: str) -> tuple[str, str]:
    checks = "\n    ".join(f"""
    SELECT c.{column} INTO still FROM {child} c
     WHERE c.{column} IN (SELECT o.id FROM old_rows o) LIMIT 1;
    IF FOUND THEN
        RAISE foreign_key_violation USING MESSAGE = format(
            '{parent}.id = %s is still referenced from {child}.{column}', still);
    END IF;""" for child, column, table, _ in REFERENCES if table == parent)
    forward = f"""
CREATE FUNCTION {parent}_protect_refs() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE still bigint;
BEGIN
    {checks}
    RETURN NULL;
END $$;
CREATE TRIGGER {parent}_refs_delete AFTER DELETE ON {parent}
    REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT EXECUTE FUNCTION {parent}_protect_refs();
"""
    return forward, f"DROP FUNCTION {parent}_protect_refs() CASCADE;"


def _install(apps, schema_editor) -> None:
    if schema_editor.connection.vendor != "postgresql":
        return
    for child in dict.fromkeys(r[0] for r in REFERENCES):
        schema_editor.execute(_child_sql(child)[0], params=None)
    for parent in dict.fromkeys(r[2] for r in REFERENCES):
        schema_editor.execute(_parent_sql(parent)[0], params=None)


def _remove(apps, schema_editor) -> None:
    if schema_editor.connection.vendor != "postgresql":
        return
    for child in dict.fromkeys(r[0] for r in REFERENCES):
        schema_editor.execute(_child_sql(child)[1], params=None)
    for parent in dict.fromkeys(r[2] for r in REFERENCES):
        schema_editor.execute(_parent_sql(parent)[1], params=None)


class Migration(migrations.Migration):

    dependencies = [
        ('intake', '0001_initial'),
    ]

    operations = [
        migrations.AlterField(
            model_name='crisissignal',
            name='indicator',
            field=models.ForeignKey(db_constraint=False, on_delete=django.db.models.deletion.PROTECT, related_name='signals', to='intake.crisisindicator'),
        ),
        migrations.AlterField(
            model_name='crisissignal',
            name='record',
            field=models.ForeignKey(db_constraint=False, on_delete=django.db.models.deletion.PROTECT, related_name='signals', to='intake.sourcerecord'),
        ),
        migrations.AlterField(
            model_name='enrollment',
            name='programme',
            field=models.ForeignKey(db_constraint=False, on_delete=django.db.models.deletion.PROTECT, related_name='enrollments', to='intake.programme'),
        ),
        migrations.AlterField(
            model_name='enrollment',
            name='record',
            field=models.ForeignKey(db_constraint=False, on_delete=django.db.models.deletion.PROTECT, related_name='enrollments', to='intake.sourcerecord'),
        ),
        migrations.AlterField(
            model_name='sourcerecord',
            name='run',
            field=models.ForeignKey(db_constraint=False, on_delete=django.db.models.deletion.PROTECT, related_name='records', to='intake.importrun'),
        ),
        migrations.AlterField(
            model_name='sourcerecord',
            name='source',
            field=models.ForeignKey(db_constraint=False, db_index=False, on_delete=django.db.models.deletion.PROTECT, related_name='records', to='intake.datasource'),
        ),
        migrations.RunPython(_install, _remove),
    ]
