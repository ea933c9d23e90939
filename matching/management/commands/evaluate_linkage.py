from pathlib import Path

import pandas as pd
from django.core.management.base import BaseCommand, CommandError

from matching.evaluate import evaluate, report
from matching.models import RecordLink
from matching.noise_recall import noise_table, recall_by_noise
from matching.truth import TRUTH_COLUMNS, TruthFileError, align, read_truth


class Command(BaseCommand):
    help = (
        "Pairwise and cluster-level quality of the current links against a truth file "
        "(source, record id, true id per record; the generator's truth/records.csv by default)."
    )

    def add_arguments(self, parser):
        parser.add_argument("--truth", type=Path, required=True)
        parser.add_argument("--source-column", default=TRUTH_COLUMNS["source"])
        parser.add_argument("--record-column", default=TRUTH_COLUMNS["record"])
        parser.add_argument("--truth-column", default=TRUTH_COLUMNS["truth"])
        parser.add_argument("--noise-column", default="noise", help="optional; '' for none")

    def handle(self, *args, truth: Path, **options):
        try:
            table = read_truth(
                truth,
                source=options["source_column"],
                record=options["record_column"],
                truth=options["truth_column"],
                noise=options["noise_column"] or None,
            )
        except (TruthFileError, OSError) as exc:
            raise CommandError(str(exc)) from exc
        # The newest version of each record first: it is the one the truth describes.
        links = pd.DataFrame.from_records(
            list(
                RecordLink.objects.order_by("-record__version").values_list(
                    "record__source__code", "record__source_key", "resident_id"
                )
            ),
            columns=["source", "record", "resident"],
        )
        aligned = align(table, links)
        figures = evaluate(
            aligned.predicted,
            aligned.truth,
            aligned.noise if (aligned.noise != "").any() else None,
        )
        self.stdout.write(
            f"truth records {len(table):,}: linked {aligned.linked:,}, "
            f"not linked (rejected at import; counted as missed) {aligned.missed:,}"
        )
        if aligned.skipped_sources:
            self.stdout.write(
                "sources in the truth never imported (left out): "
                + ", ".join(aligned.skipped_sources)
            )
        self.stdout.write(report(figures))
        if (aligned.noise != "").any():
            # Every kind the truth names, the issue-14 ones included (matching.noise_recall).
            self.stdout.write(
                noise_table(recall_by_noise(aligned.predicted, aligned.truth, aligned.noise))
            )
