import sys
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from tqdm import tqdm

from intake.imports import run_import, start_import
from intake.models import DataSource, LinkStatus, RunStatus


class Command(BaseCommand):
    help = "Import one file for a data source, in this process, with a progress bar."

    def add_arguments(self, parser):
        parser.add_argument("source", help="the source's code, e.g. city")
        parser.add_argument("file", type=Path)

    def handle(self, *args, **options):
        try:
            source = DataSource.objects.get(code=options["source"])
        except DataSource.DoesNotExist:
            raise CommandError(f"no data source {options['source']!r} (see add_source)") from None
        if not options["file"].is_file():
            raise CommandError(f"{options['file']} is not a file")
        run = start_import(source, options["file"], dispatch=False)
        if run.status in (RunStatus.DONE, RunStatus.ROLLED_BACK):
            self.stdout.write(
                f"this file was already imported as run {run.pk} "
                f"({run.get_status_display()}): nothing to do"
            )
        else:
            bar = tqdm(total=0, unit=" rows", file=sys.stderr, disable=options["verbosity"] < 1)

            def progress(stage: str, rows: int, total: int) -> None:
                bar.set_description(stage)
                bar.update(rows - bar.n)

            run = run_import(run.pk, progress=progress)
            bar.close()
        self.stdout.write(
            f"run {run.pk}: {run.get_status_display()} · {run.rows_in} rows in, "
            f"{run.accepted} accepted, {run.rejected} rejected, "
            f"{run.records_added} versions added"
        )
        if run.status == RunStatus.FAILED:
            raise CommandError(run.error)
        # The link that follows has its own outcome: the import stands (exit status 0) either way.
        if run.link_status == LinkStatus.FAILED:
            self.stderr.write(
                f"run {run.pk}: the import succeeded, but linking its records "
                f"failed: {run.link_error}. Run `manage.py link` to link them."
            )
        elif run.link_status:
            self.stdout.write(f"run {run.pk}: linkage {run.get_link_status_display()}")
