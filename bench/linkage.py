"""Benchmark: link N source records from scratch (column core, no database), then a delta.

    python -m bench.linkage --records 1000000 [--data DIR] [--delta 100000] [--runs 2]
    DATABASE_URL=postgres://…/bigcare_match_bench python -m bench.linkage --db --records 1000000

With ``--db`` it times the database path instead: the records are bulk-loaded as SourceRecords
with ``COPY`` (setup), then ``matching.actions.run_linkage(full=True)`` reads, links and writes
them, and the read / link / write seconds are printed.

Generates a synthetic Seoul big enough for ``--records`` (or reads ``--data``). Parsing the
generator's files is setup, not linkage: it runs once in a child process that leaves a compact
Parquet copy of the record frame beside the files, so the linking process starts from the frame
alone. Prints wall time per stage, peak memory of the linkage (the peak resident set is reset
just before linking, so it counts the input frame plus everything linkage allocates), candidate
pairs, F1 against truth and recall per noise kind (``--blocking-recall``: blocking recall per
kind and rule); with ``--runs`` the median wall time. The delta run links the last
``--delta`` records into the linked rest with the trained model (matching.incremental).
"""

from __future__ import annotations

import argparse
import gc
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
import pandas as pd

from matching.blocking import block
from matching.evaluate import evaluate, report
from matching.incremental import link_delta
from matching.noise_recall import blocking_by_noise, blocking_table, noise_table, recall_by_noise
from matching.pipeline import link_frame

RECORDS_PER_RESIDENT = 0.81  # distinct source records per generated resident at default noise


def _status_mb(field: str) -> float:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith(field + ":"):
            return int(line.split()[1]) / 1024
    return float("nan")


def reset_peak() -> None:
    """Start a new peak resident-set measurement (Linux: "5" to clear_refs resets VmHWM)."""
    gc.collect()
    Path("/proc/self/clear_refs").write_text("5")


def parse_once(data: Path) -> tuple[Path, Path]:
    """The parsed record frame and truth as Parquet, parsed in a child process the first time."""
    records, truth = data / "parsed-records.parquet", data / "parsed-truth.parquet"
    if not records.exists():
        code = (
            "import sys; from pathlib import Path; from matching.frames import "
            "records_from_sources as r; f, t = r(Path(sys.argv[1])); "
            "f.to_parquet(sys.argv[2]); t.reset_index(names='rid').to_parquet(sys.argv[3])"
        )
        t = time.perf_counter()
        subprocess.run(
            [sys.executable, "-c", code, str(data), str(records), str(truth)], check=True
        )
        print(f"parsed the source files in {time.perf_counter() - t:.1f}s (setup, not linkage)")
    return records, truth


def load_source_records(records: pd.DataFrame) -> None:
    """Empty the linkage and intake tables, then COPY ``records`` in as current SourceRecords of
    one import run per source (what intake would leave after importing the four files)."""
    import io

    from django.db import connection, transaction

    from bigcare.centres import load_centres
    from intake.models import DataSource, ImportRun
    from matching.frames import FILE_TRUST

    load_centres()
    with connection.cursor() as cur:
        cur.execute(
            "TRUNCATE matching_recordlink, matching_recordform, matching_reviewitem, "
            "matching_residentchange_decisions, matching_residentchange_residents, "
            "matching_residentchange, matching_linkdecision, matching_linkagerun, "
            "matching_linkagemodel, bigcare_accesslogsubject, matching_resident, "
            "intake_sourcerecord, intake_importrun, intake_datasource CASCADE"
        )
    runs = {}
    for code, trust in FILE_TRUST.items():
        src = DataSource.objects.create(
            code=code, name=code, kind=code, file_format="csv", trust=trust
        )
        runs[code] = ImportRun.objects.create(source=src, sha256=code * 4, filename=code)
    frame = pd.DataFrame(
        {
            "source_id": records["source"].map({c: r.source_id for c, r in runs.items()}),
            "run_id": records["source"].map({c: r.pk for c, r in runs.items()}),
            "row_number": np.arange(1, len(records) + 1),
            "source_key": records["source_key"],
            "version": 1,
            "status": "current",
            "content_hash": "x",
            "name": records["name"].fillna("").str.slice(0, 100),
            "birth_date": pd.to_datetime(records["birth_date"]).dt.strftime("%Y-%m-%d"),
            "sex": records["sex"].fillna(""),
            "phone": records["phone"].fillna(""),
            "rrn_enc": "",
            "rrn_index": records["rrn_index"].fillna(""),
            "rrn_masked": records["rrn_masked"].fillna(""),
            "address": records["address"].fillna("").str.slice(0, 200),
            "dong_code": records["dong_code"].fillna(""),
            "disability": "",
            "raw": "{}",
            "created_at": pd.to_datetime(records["seen"]).dt.strftime("%Y-%m-%d %H:%M:%S+00"),
        }
    )
    buf = io.StringIO()
    frame.to_csv(buf, index=False, header=False, na_rep="\\N")
    buf.seek(0)
    cols = ", ".join(frame.columns)
    with transaction.atomic(), connection.cursor() as cur:
        cur.cursor.copy_expert(
            f"COPY intake_sourcerecord ({cols}) FROM STDIN WITH (FORMAT csv, NULL '\\N')", buf
        )
        cur.execute("ANALYZE intake_sourcerecord")


def db_benchmark(records: pd.DataFrame, truth_labels: np.ndarray, runs: int = 1) -> None:
    """Time run_linkage(full=True) on the database: read, link, write. The first run writes
    into empty linkage tables; further runs relink over the linked tables (ids stable, only
    changed links written)."""
    import os

    import django

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "bigcare.settings")
    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)
    t = time.perf_counter()
    load_source_records(records)
    print(f"COPY of {len(records):,} SourceRecords in {time.perf_counter() - t:.1f}s (setup)")

    for k in range(runs):
        print(
            f"run {k + 1}: "
            + ("into empty linkage tables" if k == 0 else "again over the linked tables")
        )
        _db_run(truth_labels)


def _db_run(truth_labels: np.ndarray) -> None:
    from matching.actions import run_linkage
    from matching.models import RecordLink

    marks: dict[str, float] = {}

    def progress(stage: str) -> None:
        marks.setdefault(stage, time.perf_counter())

    reset_peak()
    t0 = time.perf_counter()
    run = run_linkage(full=True, progress=progress)
    end = time.perf_counter()
    linking = sum(run.seconds.values())
    first = min(v for k, v in marks.items() if k not in ("load", "save"))
    read = first - marks["load"] - run.seconds.get("normalise", 0.0)
    review = marks["save"] - first - (linking - run.seconds.get("normalise", 0.0))
    write = end - marks["save"]
    print(
        f"DB PATH: run_linkage(full=True) on {run.records:,} records in {end - t0:.1f}s: "
        f"read {read:.1f}s, link {linking:.1f}s ("
        + ", ".join(f"{k} {v:.1f}" for k, v in run.seconds.items())
        + f"), review items {review:.1f}s, write {write:.1f}s (forms, residents, links, "
        f"review items; one transaction); peak RSS {_status_mb('VmHWM'):,.0f} MB; "
        f"{run.pairs:,} pairs, {run.residents:,} residents, {run.review_items:,} review items"
    )
    steps = sorted((v, k) for k, v in marks.items() if k.startswith(("save", "retire")))
    ends = [t for t, _ in steps[1:]] + [end]
    print(
        "  write: " + ", ".join(f"{k} {e - t:.1f}s" for (t, k), e in zip(steps, ends, strict=True))
    )
    from matching.frames import read_frame

    got = read_frame(
        RecordLink.objects.order_by("record_id").values_list("record_id", "resident_id"),
        ["rid", "resident"],
        dtype={"rid": np.int64, "resident": np.int64},
    )
    labels = pd.factorize(got["resident"])[0]
    print(report(evaluate(labels, truth_labels[: len(labels)])))


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--records", type=int, default=1_000_000)
    ap.add_argument("--data", type=Path)
    ap.add_argument("--delta", type=int, default=100_000)
    ap.add_argument("--runs", type=int, default=1)
    ap.add_argument("--seed", type=int, default=2026)
    ap.add_argument("--db", action="store_true", help="time run_linkage on the database")
    ap.add_argument(
        "--blocking-recall", action="store_true", help="blocking recall per noise kind and rule"
    )
    args = ap.parse_args()
    data = args.data or Path(tempfile.gettempdir()) / f"bigcare-bench-{args.records}"
    if not (data / "truth" / "records.csv").exists():
        from seoulgen.generate import generate

        t = time.perf_counter()
        generate(int(args.records / RECORDS_PER_RESIDENT), args.seed, data)
        print(f"generated in {time.perf_counter() - t:.1f}s → {data}")
    records_path, truth_path = parse_once(data)
    t = time.perf_counter()
    records = pd.read_parquet(records_path).head(args.records)
    truth = pd.read_parquet(truth_path).head(args.records)
    truth_labels = pd.factorize(truth["resident"])[0]
    print(
        f"loaded {len(records):,} records in {time.perf_counter() - t:.1f}s; "
        f"frame {records.memory_usage(deep=True).sum() / 2**20:,.0f} MB"
    )
    if args.db:
        db_benchmark(records, truth_labels, args.runs)
        return

    walls, peaks = [], []
    for _ in range(args.runs):
        result = None
        reset_peak()
        before = _status_mb("VmRSS")
        t = time.perf_counter()
        result = link_frame(records)
        walls.append(time.perf_counter() - t)
        peaks.append(_status_mb("VmHWM"))
        print(
            f"FULL: {len(records):,} records linked in {walls[-1]:.1f}s; peak RSS "
            f"{peaks[-1]:,.0f} MB (RSS before linking {before:,.0f} MB)"
        )
        print("  stages: " + ", ".join(f"{k} {v:.2f}s" for k, v in result.seconds.items()))
    if args.runs > 1:
        print(
            f"  median of {args.runs}: {statistics.median(walls):.1f}s, "
            f"peak {statistics.median(peaks):,.0f} MB"
        )
    residents = len(np.unique(result.labels))
    print(
        f"  candidate pairs {len(result.left):,}  links {int(result.links.sum()):,}  "
        f"review pairs {int(result.reviews.sum()):,}  residents {residents:,}"
    )
    print("  per rule: " + ", ".join(f"{k} {v:,}" for k, v in result.per_rule.items()))
    figures = evaluate(result.labels, truth_labels, truth["noise"].to_numpy())
    print(report(figures))
    noise = truth["noise"].to_numpy()
    print(noise_table(recall_by_noise(result.labels, truth_labels, noise)))
    if args.blocking_recall:
        cands = block(result.forms, keep_rule_pairs=True)
        print(blocking_table(blocking_by_noise(cands, cands.rule_pairs, truth_labels, noise)))

    if args.delta:
        n_old = len(records) - args.delta
        old = records.iloc[:n_old].reset_index(drop=True)
        model = result.model
        del result
        base = link_frame(old, model=model)
        new = records.iloc[n_old:].reset_index(drop=True)
        dwalls = []
        for _ in range(args.runs):
            reset_peak()
            t = time.perf_counter()
            labels, stats, _review, _forms = link_delta(old, base.forms, base.labels, new, model)
            dwalls.append(time.perf_counter() - t)
            print(
                f"DELTA: {args.delta:,} records into {n_old:,} in {dwalls[-1]:.1f}s; "
                f"peak RSS {_status_mb('VmHWM'):,.0f} MB; {stats}"
            )
        if args.runs > 1:
            print(f"  median of {args.runs}: {statistics.median(dwalls):.1f}s")
        f2 = evaluate(labels, truth_labels)
        print(f"  F1 after delta {f2['f1']:.4f}")


if __name__ == "__main__":
    main()
