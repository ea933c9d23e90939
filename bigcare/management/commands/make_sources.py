"""``manage.py make_sources``: write a synthetic Seoul (docs/synthetic-sources.md)."""

from __future__ import annotations

import time
from pathlib import Path

from django.core.management.base import BaseCommand, CommandParser

from seoulgen.generate import DEFAULT_DONGS_CSV, generate


class Command(BaseCommand):
    help = "Write the four synthetic source extracts and their truth to a directory."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--residents", type=int, required=True)
        parser.add_argument("--seed", type=int, default=1)
        parser.add_argument("--out", type=Path, required=True)
        parser.add_argument("--ministry-format", choices=["auto", "csv", "xlsx"], default="auto")
        parser.add_argument("--dongs", type=Path, default=DEFAULT_DONGS_CSV)
        parser.add_argument(
            "--district",
            action="append",
            dest="districts",
            metavar="GU_CODE",
            help="keep residents in this district (MOIS code, e.g. 11110); "
            "repeat for several; default all of Seoul",
        )

    def handle(self, *args: object, **options: object) -> None:
        started = time.perf_counter()
        manifest = generate(
            options["residents"],
            options["seed"],
            options["out"],
            dongs_csv=options["dongs"],
            ministry_format=options["ministry_format"],
            progress=self.stdout.write,
            districts=options["districts"],
        )
        elapsed = time.perf_counter() - started
        for source, count in manifest["counts"].items():
            self.stdout.write(f"{manifest['files'][source]:<28} {count:>10,} rows")
        self.stdout.write(f"{'blind spots':<28} {manifest['blind_spots']:>10,}")
        self.stdout.write(
            self.style.SUCCESS(
                f"{manifest['residents']:,} residents, {manifest['records_total']:,} records "
                f"in {elapsed:.1f}s → {options['out']}"
            )
        )
