"""Benchmark: a synthetic Seoul imported source by source with default settings, against a full
relink of the same records measured in the same run.

    DATABASE_URL=postgres://…/bigcare_retrain python -m bench.retrain --residents 100000 \
        [--data DIR] [--seed 11] [--no-retrain]

The records are COPYed in once (setup, bench.linkage's loader) and every source but the first
set aside (status "retracted": linkage does not read them). Each source is then made current in
turn and ``run_linkage(full=False)`` links it, as the task after an import does: the first run
trains, later runs measure drift and retrain when it crosses a threshold (matching.drift). F1
is printed after the last source, then after ``run_linkage(full=True)`` (the baseline: a manual
full relink). ``--no-retrain`` gives the behaviour before retraining existed (the first model
kept). PostgreSQL only (COPY).
"""

from __future__ import annotations

import argparse
import os
import tempfile
import time
from pathlib import Path

import numpy as np
import pandas as pd

from bench.linkage import load_source_records, parse_once
from matching.evaluate import evaluate

ORDER = ("city", "ministry", "facility", "crisis")


def figures(records: pd.DataFrame, truth: np.ndarray) -> dict:
    from matching.frames import read_frame
    from matching.models import RecordLink

    links = read_frame(
        RecordLink.objects.values_list("record__source__code", "record__source_key", "resident_id"),
        ["source", "source_key", "resident"],
    )
    joined = (
        records[["source", "source_key"]]
        .assign(t=truth)
        .merge(links, on=["source", "source_key"], how="left")
    )
    assert joined["resident"].notna().all(), "a record was left unlinked"
    return evaluate(joined["resident"].to_numpy(np.int64), joined["t"].to_numpy())


def line(name: str, f: dict) -> str:
    return (
        f"{name}: F1 {f['f1']:.4f} (P {f['precision']:.4f}, R {f['recall']:.4f}; "
        f"fp {f['fp']:,}, fn {f['fn']:,})"
    )


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--residents", type=int, default=100_000)
    ap.add_argument("--data", type=Path)
    ap.add_argument("--seed", type=int, default=11)
    ap.add_argument("--no-retrain", action="store_true", help="keep the first model (old way)")
    args = ap.parse_args()
    data = args.data or Path(tempfile.gettempdir()) / f"bigcare-retrain-{args.residents}"
    if not (data / "truth" / "records.csv").exists():
        from seoulgen.generate import generate

        generate(args.residents, args.seed, data)
    records_path, truth_path = parse_once(data)
    records = pd.read_parquet(records_path)
    truth = pd.read_parquet(truth_path)["resident"].to_numpy()

    import django

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "bigcare.settings")
    django.setup()
    from django.core.management import call_command

    from intake.models import SourceRecord
    from matching.actions import run_linkage
    from matching.management.commands.link import describe

    call_command("migrate", verbosity=0)
    load_source_records(records)
    SourceRecord.objects.exclude(source__code=ORDER[0]).update(status="retracted")
    print(
        f"{len(records):,} records of {args.residents:,} residents (seed {args.seed}): "
        + ", ".join(f"{c} {int((records['source'] == c).sum()):,}" for c in ORDER)
    )
    from matching.models import LinkageRun

    for k, code in enumerate(ORDER):
        if k:
            SourceRecord.objects.filter(source__code=code).update(status="current")
        before = LinkageRun.objects.order_by("-pk").values_list("pk", flat=True).first() or 0
        t = time.perf_counter()
        run_linkage(full=False, auto_retrain=not args.no_retrain)
        print(f"import of {code}: linked in {time.perf_counter() - t:.1f}s")
        for run in LinkageRun.objects.filter(pk__gt=before).order_by("pk"):
            print("  " + describe(run).replace("\n", "\n  "))
    by_source = figures(records, truth)
    t = time.perf_counter()
    run_linkage(full=True)
    full = figures(records, truth)
    print(f"full relink in {time.perf_counter() - t:.1f}s (baseline)")
    mode = "first model kept" if args.no_retrain else "default settings"
    print(line(f"source by source, {mode}", by_source))
    print(line("after a full relink (baseline)", full))
    print(f"difference {full['f1'] - by_source['f1']:+.4f}")


if __name__ == "__main__":
    main()
