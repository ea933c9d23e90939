from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from cases.evaluate import score
from cases.models import ScreeningResult, ScreeningRun
from cases.screening import read_frame


class Command(BaseCommand):
    help = (
        "Recall and precision of the latest screening's blind spots against "
        "DIR/truth/blind_spots.csv (synthetic sources only)."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--truth",
            required=True,
            type=Path,
            help="the folder make_sources wrote (holding truth/)",
        )
        parser.add_argument(
            "--source-code",
            action="append",
            default=[],
            metavar="TRUTH=CODE",
            help="when a source was registered under another code, e.g. ministry=mohw (repeatable)",
        )
        parser.add_argument("--run", type=int, help="a screening run id (default: latest)")

    def handle(self, *args, truth: Path, source_code: list[str], run: int | None, **options):
        truth = Path(truth)  # call_command passes options as given
        if not (truth / "truth" / "blind_spots.csv").exists():
            raise CommandError(f"{truth}/truth/blind_spots.csv not found")
        screening = ScreeningRun.objects.get(pk=run) if run else ScreeningRun.latest()
        if screening is None:
            raise CommandError("no screening run yet: python manage.py screen_eligibility")
        codes = dict(pair.split("=", 1) for pair in source_code)
        table = ScreeningResult._meta.db_table
        predicted = read_frame(
            f"SELECT resident_id, programme FROM {table} "  # noqa: S608
            f"WHERE run_id = %s AND receiving = %s",
            ["resident", "programme"],
            [screening.pk, False],
        )
        predicted["resident"] = predicted["resident"].astype("int64")
        s = score(truth, predicted, codes)
        self.stdout.write(
            f"screening #{screening.pk} as of {screening.on}\n"
            f"truth blind spots: {s.truth} ({s.truth_known} of residents some source knows)\n"
            f"predicted blind spots (planted programmes): {s.predicted}\n"
            f"recall (known residents): {s.recall_known:.4f}  ({s.found_known}/{s.truth_known})\n"
            f"recall (all residents):   {s.recall_all:.4f}  ({s.found}/{s.truth})\n"
            f"precision:                {s.precision:.4f}  ({s.correct}/{s.predicted})"
        )
