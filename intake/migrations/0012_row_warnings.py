"""Rows kept with a value left out: RowWarning and ImportRun.warned (issue 12 item 13)."""

import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("intake", "0011_run_link_status_kept_files_events"),
    ]

    operations = [
        migrations.AddField(
            model_name="importrun",
            name="warned",
            field=models.PositiveIntegerField(default=0, verbose_name="kept with warnings"),
        ),
        migrations.CreateModel(
            name="RowWarning",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                ("row_number", models.PositiveIntegerField()),
                ("warnings", models.JSONField()),
                (
                    "run",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="row_warnings",
                        to="intake.importrun",
                    ),
                ),
            ],
            options={
                "ordering": ["run", "row_number"],
            },
        ),
    ]
