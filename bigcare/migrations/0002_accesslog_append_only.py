"""On PostgreSQL, refuse UPDATE and DELETE on the access log (DESIGN.md principle 7).

DELETE is allowed only for rows past the two-year retention (PIPA safety standard Art. 8), so the
retention purge needs no way around the trigger. TRUNCATE is not caught by row triggers: the
application's database role must not hold the TRUNCATE privilege in production.
"""

from django.db import migrations

FORWARD = """
CREATE OR REPLACE FUNCTION bigcare_access_log_append_only() RETURNS trigger AS $$
BEGIN
    IF TG_OP = 'DELETE' AND OLD.at < now() - interval '2 years' THEN
        RETURN OLD;
    END IF;
    RAISE EXCEPTION 'the access log is append-only (% refused on %)', TG_OP, TG_TABLE_NAME
        USING ERRCODE = 'insufficient_privilege';
END;
$$ LANGUAGE plpgsql;
CREATE OR REPLACE FUNCTION bigcare_access_log_subject_append_only() RETURNS trigger AS $$
BEGIN
    IF TG_OP = 'DELETE' THEN
        IF EXISTS (SELECT 1 FROM bigcare_accesslog e
                   WHERE e.id = OLD.entry_id AND e.at < now() - interval '2 years') THEN
            RETURN OLD;
        END IF;
    END IF;
    RAISE EXCEPTION 'the access log is append-only (% refused on %)', TG_OP, TG_TABLE_NAME
        USING ERRCODE = 'insufficient_privilege';
END;
$$ LANGUAGE plpgsql;
CREATE TRIGGER access_log_append_only BEFORE UPDATE OR DELETE ON bigcare_accesslog
    FOR EACH ROW EXECUTE FUNCTION bigcare_access_log_append_only();
CREATE TRIGGER access_log_subject_append_only BEFORE UPDATE OR DELETE ON bigcare_accesslogsubject
    FOR EACH ROW EXECUTE FUNCTION bigcare_access_log_subject_append_only();
"""

BACKWARD = """
DROP TRIGGER IF EXISTS access_log_append_only ON bigcare_accesslog;
DROP TRIGGER IF EXISTS access_log_subject_append_only ON bigcare_accesslogsubject;
DROP FUNCTION IF EXISTS bigcare_access_log_append_only();
DROP FUNCTION IF EXISTS bigcare_access_log_subject_append_only();
"""


def forward(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(FORWARD, params=None)


def backward(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(BACKWARD, params=None)


class Migration(migrations.Migration):
    dependencies = [("bigcare", "0001_initial")]
    operations = [migrations.RunPython(forward, backward)]
