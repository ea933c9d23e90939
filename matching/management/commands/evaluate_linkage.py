from pathlib import Path

import numpy as np
import pandas as pd
from django.core.management.base import BaseCommand

from matching.evaluate import evaluate, report
from matching.models import RecordLink


class Command(BaseCommand):
    help = "Pairwise and cluster-level quality of the current links against truth/records.csv."

    def add_arguments(self, parser):
        parser.add_argument("--truth", type=Path, required=True)

    def handle(self, *args, truth: Path, **options):
        t = pd.read_csv(truth, dtype=str, keep_default_na=False).drop_duplicates(
            ["source", "source_record_id"]
        )
        links = pd.DataFrame.from_records(
            list(
                RecordLink.objects.values_list(
                    "record__source__code", "record__source_key", "resident_id"
                )
            ),
            columns=["source", "source_record_id", "resident"],
        )
        joined = links.merge(t, on=["source", "source_record_id"], how="inner")
        figures = evaluate(
            joined["resident"].to_numpy(np.int64),
            joined["resident_id"].to_numpy(),
            joined["noise"].to_numpy(),
        )
        self.stdout.write(report(figures))
