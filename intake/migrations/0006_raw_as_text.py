"""A record's raw cells as JSON text, not jsonb: provenance is read whole, never queried inside,
and jsonb's parse cost the server ~4 µs a row of an import's COPY (~2.2 s per million rows,
measured with psql; docs/intake.md). Rows keep their content (jsonb's text form is JSON)."""

from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('intake', '0005_drop_item_code_indexes'),
    ]

    operations = [
        migrations.AlterField(
            model_name='sourcerecord',
            name='raw',
            field=models.TextField(default='[]'),
        ),
    ]
