"""Which resident each source record is linked to, as CSV on standard output.

The links say who is who across agencies: personal data leaving the system. The command names
the user it runs for (only the sources granted to them are exported) and why, and writes an
access-log row naming every resident exported before the first line (DESIGN.md principle 7).
"""

import csv
import sys

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError

from bigcare.accesslog import record_access
from bigcare.cells import neutralise
from bigcare.models import AccessAction
from intake.access import sources_for_user
from matching.models import RecordLink

MIN_REASON = 5


class Command(BaseCommand):
    help = (
        "Write source, source record id and resident id of every linked record of the "
        "sources granted to --user as CSV; logged with --reason."
    )

    def add_arguments(self, parser):
        parser.add_argument("--user", required=True, help="username the export is made for")
        parser.add_argument("--reason", required=True, help="why the links leave the system")

    def handle(self, *args, user: str, reason: str, **options):
        try:
            account = get_user_model().objects.get(username=user, is_active=True)
        except get_user_model().DoesNotExist:
            raise CommandError(f"no active user {user!r}") from None
        if len(reason.strip()) < MIN_REASON:
            raise CommandError("state why the links are exported (--reason)")
        sources = sources_for_user(account)
        rows = (
            RecordLink.objects.filter(record__source__in=sources.values("pk"))
            .values_list("record__source__code", "record__source_key", "resident_id")
            .order_by("record_id")
        )
        resident_ids = rows.values_list("resident_id", flat=True).order_by().distinct()
        codes = ",".join(sorted(sources.values_list("code", flat=True)))
        record_access(
            account,
            AccessAction.EXPORT,
            resident_ids.iterator(chunk_size=10000),
            path="manage.py export_links",
            reason=reason,
            detail=f"record links of sources {codes}"[:300],
        )
        out = csv.writer(sys.stdout)
        out.writerow(["source", "source_record_id", "resident_id"])
        for row in rows.iterator(chunk_size=10000):
            out.writerow([neutralise(cell) for cell in row])
