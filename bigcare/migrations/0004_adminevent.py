"""The administrative audit trail (issue 12 §16), append-only like the access log: on
PostgreSQL a trigger refuses every UPDATE and DELETE of its rows."""

import django.db.models.deletion
import django.utils.timezone
from django.conf import settings
from django.db import migrations, models

FORWARD = """
CREATE OR REPLACE FUNCTION bigcare_admin_event_append_only() RETURNS trigger AS $$
BEGIN
    RAISE EXCEPTION 'the administrative audit trail is append-only (% refused on %)',
        TG_OP, TG_TABLE_NAME USING ERRCODE = 'insufficient_privilege';
END;
$$ LANGUAGE plpgsql;
CREATE TRIGGER admin_event_append_only BEFORE UPDATE OR DELETE ON bigcare_adminevent
    FOR EACH ROW EXECUTE FUNCTION bigcare_admin_event_append_only();
"""

BACKWARD = """
DROP TRIGGER IF EXISTS admin_event_append_only ON bigcare_adminevent;
DROP FUNCTION IF EXISTS bigcare_admin_event_append_only();
"""


def forward(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(FORWARD, params=None)


def backward(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(BACKWARD, params=None)


class Migration(migrations.Migration):
    dependencies = [
        ("bigcare", "0003_accesslog_casework_actions"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.CreateModel(
            name="AdminEvent",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                (
                    "at",
                    models.DateTimeField(
                        db_index=True, default=django.utils.timezone.now, verbose_name="at"
                    ),
                ),
                ("username", models.CharField(blank=True, max_length=150, verbose_name="by")),
                (
                    "action",
                    models.CharField(
                        choices=[
                            ("grant_membership", "Granted a membership"),
                            ("end_membership", "Ended a membership"),
                            ("grant_source", "Granted a data source"),
                            ("revoke_source", "Revoked a data source"),
                            ("define_source", "Registered or redefined a data source"),
                            ("edit_mapping", "Edited a column mapping"),
                            ("edit_rule", "Edited a programme rule"),
                            ("edit_median", "Edited the median income table"),
                        ],
                        max_length=20,
                        verbose_name="action",
                    ),
                ),
                ("object_type", models.CharField(max_length=60, verbose_name="object type")),
                (
                    "object_id",
                    models.CharField(blank=True, max_length=40, verbose_name="object id"),
                ),
                ("object_repr", models.CharField(max_length=200, verbose_name="object")),
                ("before", models.JSONField(blank=True, null=True, verbose_name="before")),
                ("after", models.JSONField(blank=True, null=True, verbose_name="after")),
                (
                    "user",
                    models.ForeignKey(
                        null=True,
                        on_delete=django.db.models.deletion.SET_NULL,
                        related_name="+",
                        to=settings.AUTH_USER_MODEL,
                    ),
                ),
            ],
            options={
                "verbose_name": "administrative event",
                "verbose_name_plural": "administrative events",
                "ordering": ["-at"],
                "indexes": [
                    models.Index(fields=["username", "at"], name="adminevent_user_at"),
                    models.Index(fields=["object_type", "object_id"], name="adminevent_object"),
                ],
            },
        ),
        migrations.RunPython(forward, backward),
    ]
