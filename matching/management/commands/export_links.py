import csv
import sys

from django.core.management.base import BaseCommand

from matching.models import RecordLink


class Command(BaseCommand):
    help = "Write source, source record id and resident id of every linked record as CSV."

    def handle(self, *args, **options):
        out = csv.writer(sys.stdout)
        out.writerow(["source", "source_record_id", "resident_id"])
        rows = RecordLink.objects.values_list("record__source__code", "record__source_key",
                                              "resident_id").order_by("record_id")
        for row in rows.iterator(chunk_size=10000):
            out.writerow(row)
