from django.core.management.base import BaseCommand, CommandError

from intake.actions import define_source, read_mapping_file
from intake.errors import MappingError


class Command(BaseCommand):
    help = "Create or update a data source from a mapping file (TOML); the same code updates."

    def add_arguments(self, parser):
        parser.add_argument("--mapping", required=True, nargs="+", help="mapping file(s)")

    def handle(self, *args, **options):
        for path in options["mapping"]:
            try:
                source, created = define_source(read_mapping_file(path), acting_user=None)
            except (MappingError, OSError) as e:
                raise CommandError(f"{path}: {e}") from None
            self.stdout.write(f"{'created' if created else 'updated'} source {source.code}")
