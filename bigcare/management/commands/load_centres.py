from django.core.management.base import BaseCommand

from bigcare.actions import ensure_role_groups
from bigcare.centres import DONGS_CSV, load_centres


class Command(BaseCommand):
    help = "Load Seoul's 25 districts and one community centre per administrative dong."

    def add_arguments(self, parser):
        parser.add_argument("--csv", default=str(DONGS_CSV), help="the dongs reference CSV")

    def handle(self, *args, csv: str, **options):
        from pathlib import Path

        districts, centres = load_centres(Path(csv))
        ensure_role_groups()
        self.stdout.write(f"{districts} districts, {centres} community centres loaded")
