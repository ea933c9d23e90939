"""Recompute every resident's building and unit keys from its address (matching.address), then
its dong and home centre from the gazetteer (matching.places.place_residents).

Linkage writes both with the residents; this fills them for residents linked before the keys or
the gazetteer existed (after migrations 0007/0008) or after a change to the parser. Safe to run
again.
"""

from django.core.management.base import BaseCommand
from django.db import connection, transaction

from matching.address import address_keys
from matching.frames import read_frame
from matching.models import Resident
from matching.places import place_residents

BATCH = 20_000


class Command(BaseCommand):
    help = "Recompute residents' building and unit keys from their addresses."

    def handle(self, *args, **options):
        frame = read_frame(
            Resident.objects.values_list("id", "address", "building_key", "unit_key"),
            ["id", "address", "building_key", "unit_key"],
            {"id": "int64"},
        )
        keys = address_keys(frame["address"])
        changed = (
            (keys["building_key"] != frame["building_key"])
            | (keys["unit_key"] != frame["unit_key"])
        ).to_numpy()
        rows = list(
            zip(
                keys["building_key"][changed],
                keys["unit_key"][changed],
                frame["id"][changed].astype(int),
                strict=True,
            )
        )
        sql = (
            f'UPDATE "{Resident._meta.db_table}" SET building_key = %s, '  # noqa: S608
            f"unit_key = %s WHERE id = %s"
        )
        with transaction.atomic(), connection.cursor() as cur:
            for start in range(0, len(rows), BATCH):
                cur.executemany(sql, rows[start : start + BATCH])
        with_key = int((keys["unit_key"] != "").sum())
        placed = place_residents()
        self.stdout.write(
            f"residents {len(frame):,}  updated {len(rows):,}  with a unit key {with_key:,}  "
            f"dong or home centre changed {placed:,}"
        )
