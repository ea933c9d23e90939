"""Load the official road-name address building DB (도로명주소 건물DB) into the gazetteer."""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from matching.places import load_building_db


class Command(BaseCommand):
    help = (
        "Load a build_<시도>.txt of 도로명주소 건물DB (pipe-delimited CP949, 31 fields) as the "
        "gazetteer's building → dong feed, replacing the previous load, and place residents."
    )

    def add_arguments(self, parser):
        parser.add_argument("file", type=Path)

    def handle(self, *args, file: Path, **options):
        if not Path(file).is_file():
            raise CommandError(f"{file}: no such file")
        load = load_building_db(Path(file))
        self.stdout.write(
            f"{load.file_name}: lines {load.lines:,}  buildings keyed {load.entries:,}  "
            f"rejected {load.rejected:,}  keys in two dongs (left out) {load.conflicts:,}"
        )
        for r in load.sample_rejects[:10]:
            self.stdout.write(f"  line {r['line']}: {r['reason']}")
