"""Print how many residents reach a caseworker, against the synthetic truth (matching.reach)."""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from matching import reach
from matching.households import household_lines, stored_household_figures


class Command(BaseCommand):
    help = (
        "Share of residents with a home centre, share of those that are right, and share of "
        "planted blind spots on some centre's report; also with the building DB withheld; "
        "household grouping against the true households (pairwise)."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--data", required=True, type=Path, help="the folder make_sources wrote"
        )
        parser.add_argument(
            "--source-code",
            action="append",
            default=[],
            metavar="TRUTH=CODE",
            help="when a source was registered under another code, e.g. ministry=mohw",
        )

    def handle(self, *args, data: Path, source_code: list[str], **options):
        data = Path(data)
        if not (data / "truth" / "residents.csv").exists():
            raise CommandError(f"{data}/truth/residents.csv not found")
        codes = dict(pair.split("=", 1) for pair in source_code)
        lines = reach.stored_reach(data, codes).lines(
            "home centres as stored (building DB + votes)"
        )
        lines += reach.rederived_reach(data, ("votes",), codes).lines(
            "building DB withheld (votes only, re-derived from current records)"
        )
        # Households: grouped by dwelling and 가구번호 (matching.households), pairwise.
        lines += household_lines(stored_household_figures(data, codes))
        self.stdout.write("\n".join(lines))
