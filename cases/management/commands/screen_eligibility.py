from datetime import date

from django.core.management.base import BaseCommand

from cases.rules import load_rules
from cases.screening import prune_results, run_screening


class Command(BaseCommand):
    help = "Screen every resident against the programme rules in force and store the results."

    def add_arguments(self, parser):
        parser.add_argument(
            "--on",
            type=date.fromisoformat,
            default=None,
            help="screen as of this date (YYYY-MM-DD; default today)",
        )

    def handle(self, *args, on: date | None, **options):
        if isinstance(on, str):  # call_command passes options as given
            on = date.fromisoformat(on)
        # The rules must exist before the first run; adding the missing ones is idempotent.
        load_rules()
        run = run_screening(on)
        pruned = prune_results()
        self.stdout.write(
            f"screening #{run.pk} as of {run.on}: {run.residents} residents, "
            f"{run.eligible} eligible, {run.blind_spots} blind spots, {run.unknown} unknown "
            f"in {run.seconds.get('total', 0):.1f} s "
            f"(read {run.seconds.get('read', 0):.1f}, screen {run.seconds.get('screen', 0):.1f}, "
            f"write {run.seconds.get('write', 0):.1f}); {pruned} old result rows pruned"
        )
