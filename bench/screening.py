"""Benchmark: screen N residents end to end (read, screen, write), median of 3 runs.

    python -m bench.screening --residents 1000000 [--runs 3] [--out bench/results/screening.md]

Uses ``DATABASE_URL`` (PostgreSQL) or, when unset, its own SQLite file in /tmp. Its setup is its
own and fast: residents, one current ministry record each (household size, recognised income,
disability), their links, enrolments and crisis signals are generated with numpy and loaded with
COPY (PostgreSQL) or executemany (SQLite), not through the importers, so the figure is the
screening's alone. The setup is kept between invocations when it already holds N residents.
"""

from __future__ import annotations

import argparse
import io
import os
import platform
import statistics
import subprocess
import time
from datetime import date, datetime
from pathlib import Path

import numpy as np
import pandas as pd

ON = date(2026, 6, 1)
SQLITE = "/tmp/bigcare-bench-screening.sqlite3"  # noqa: S108 - a scratch benchmark database


def _setup_django() -> None:
    os.environ.setdefault("DATABASE_URL", f"sqlite:///{SQLITE}")
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "bigcare.settings")
    url = os.environ["DATABASE_URL"]
    if url.startswith(("postgres://", "postgresql://")):
        import psycopg2

        name = url.rsplit("/", 1)[1].split("?")[0]
        admin = psycopg2.connect(url.rsplit("/", 1)[0] + "/postgres")
        admin.autocommit = True
        with admin.cursor() as c:
            c.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name])
            if not c.fetchone():
                c.execute(f'CREATE DATABASE "{name}"')
        admin.close()
    import django

    django.setup()


def _copy(model, frame: pd.DataFrame) -> None:
    """Append a frame to a model's table, filling every other column with its default."""
    from django.db import connection

    fields = [
        f
        for f in model._meta.concrete_fields
        if not (f.primary_key and f.column == "id" and "id" not in frame)
    ]
    for f in fields:
        if f.column not in frame:
            default = f.get_default()
            if isinstance(default, dict):
                default = "{}"
            elif callable(getattr(default, "isoformat", None)):
                default = default.isoformat()
            frame[f.column] = default
    cols = [f.column for f in fields]
    frame = frame[cols]
    quoted = ", ".join(connection.ops.quote_name(c) for c in cols)
    table = connection.ops.quote_name(model._meta.db_table)
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            buffer = io.StringIO()
            frame.to_csv(buffer, header=False, index=False, lineterminator="\n")
            buffer.seek(0)
            # An empty field is NULL in COPY's CSV unless the column is FORCE_NOT_NULL.
            text = [
                connection.ops.quote_name(f.column)
                for f in fields
                if not f.null and f.get_internal_type() in ("CharField", "TextField")
            ]
            force = f", FORCE_NOT_NULL ({', '.join(text)})" if text else ""
            cursor.cursor.copy_expert(
                f"COPY {table} ({quoted}) FROM STDIN WITH (FORMAT csv{force})", buffer
            )
        else:
            rows = list(
                frame.astype(object).where(frame.notna(), None).itertuples(index=False, name=None)
            )
            marks = ", ".join(["%s"] * len(cols))
            for i in range(0, len(rows), 50_000):
                cursor.executemany(
                    f"INSERT INTO {table} ({quoted}) VALUES ({marks})",  # noqa: S608
                    rows[i : i + 50_000],
                )


def build(n: int, seed: int = 2026) -> None:
    """N residents in households of 1-5 at shared addresses, each with one linked record."""
    from django.db import connection, transaction

    from bigcare.centres import load_centres
    from bigcare.models import CommunityCentre
    from cases.rules import load_rules
    from intake.models import (
        CrisisIndicator,
        CrisisSignal,
        DataSource,
        Enrollment,
        ImportRun,
        Programme,
        SourceRecord,
    )
    from matching.models import RecordLink, Resident

    rng = np.random.default_rng(seed)
    load_centres()
    load_rules()
    centres = np.array(list(CommunityCentre.objects.values_list("pk", flat=True)))
    # Households: sizes 1-5, consecutive residents share an address.
    sizes = rng.choice([1, 2, 3, 4, 5], p=[0.33, 0.28, 0.2, 0.15, 0.04], size=n)
    hh = np.repeat(np.arange(n), sizes)[:n]
    size = np.bincount(hh)[hh]
    # Household income around the median for its size (lognormal), so that the shares under
    # 32/40/48/50/85 % of the median look like a city's: about 4/7/10/11/40 %.
    median = np.array([2564238, 4199292, 5359036, 6494738, 7556719])
    ratio_hh = rng.lognormal(0.15, 0.75, size=hh.max() + 1)
    ratio = ratio_hh[hh]
    income = (median[size - 1] * ratio).astype(np.int64)
    birth = (np.datetime64("1930-01-01") + rng.integers(0, 96 * 365, n)).astype("datetime64[D]")
    sex = np.where(rng.random(n) < 0.5, "M", "F")
    centre = centres[rng.integers(0, len(centres), hh.max() + 1)][hh]
    address = pd.Series(hh).map(lambda h: f"서울특별시 가상구 벤치로 {h}")
    ids = np.arange(1, n + 1)
    now = datetime.now().isoformat()

    with transaction.atomic():
        source, _ = DataSource.objects.get_or_create(
            code="ministry", defaults={"name": "bench", "kind": "ministry", "file_format": "csv"}
        )
        run = ImportRun.objects.create(
            source=source, sha256=f"bench-{n}-{time.time()}", filename="bench", status="done"
        )
        programmes = {
            c: Programme.objects.get_or_create(
                code=c, defaults={"name_ko": c, "name_en": c, "agency": "ministry"}
            )[0].pk
            for c in ["B01", "B02", "B03", "P01", "C01"]
        }
        indicator, _ = CrisisIndicator.objects.get_or_create(
            code="ELEC_CUT", defaults={"label_ko": "단전", "label_en": "Power cut"}
        )
        _copy(
            Resident,
            pd.DataFrame(
                {
                    "id": ids,
                    "name": "벤치",
                    "birth_date": birth.astype(str),
                    "sex": sex,
                    "address": address,
                    "home_centre_id": centre,
                    "active": True,
                    "created_at": now,
                    "updated_at": now,
                }
            ),
        )
        missing = rng.random(n) < 0.04
        _copy(
            SourceRecord,
            pd.DataFrame(
                {
                    "id": ids,
                    "source_id": source.pk,
                    "run_id": run.pk,
                    "row_number": ids,
                    "source_key": pd.Series(ids).map("M{:09d}".format),
                    "version": 1,
                    "status": "current",
                    "content_hash": "x",
                    "name": "벤치",
                    "birth_date": birth.astype(str),
                    "sex": sex,
                    "household_size": size,
                    "recognised_income": pd.Series(income).astype("Int64").mask(missing),
                    "disability": np.where(rng.random(n) < 0.03, "severe", ""),
                    "raw": "{}",
                    "created_at": now,
                }
            ),
        )
        _copy(RecordLink, pd.DataFrame({"record_id": ids, "resident_id": ids, "linked_at": now}))
        # Take-up 80 % of the national benefits a resident qualifies for (as the generator).
        age = (np.datetime64(ON) - birth).astype(int) // 365
        rows = []
        # One row per benefit, as an import makes them: (record, row) is an item's key.
        for row, (code, ok) in enumerate(
            (
                ("B01", ratio <= 0.32),
                ("B02", ratio <= 0.40),
                ("B03", ratio <= 0.48),
                ("P01", (age >= 65) & (income <= 2_470_000)),
            ),
            1,
        ):
            sel = ok & (rng.random(n) < 0.8)
            rows.append(
                pd.DataFrame(
                    {"record_id": ids[sel], "row_number": row, "programme_id": programmes[code]}
                )
            )
        _copy(Enrollment, pd.concat(rows, ignore_index=True).assign(active=True))
        crisis = rng.random(n) < 0.03
        _copy(
            CrisisSignal,
            pd.DataFrame(
                {
                    "record_id": ids[crisis],
                    "indicator_id": indicator.pk,
                    "round": "2026-05",
                    "observed_on": "2026-05-01",
                }
            ),
        )
    if connection.vendor == "postgresql":
        with connection.cursor() as c:
            for model in (Resident, SourceRecord, RecordLink, Enrollment, CrisisSignal):
                c.execute(f"ANALYZE {model._meta.db_table}")
            c.execute(
                "SELECT setval(pg_get_serial_sequence(%s, 'id'), %s)",
                [Resident._meta.db_table, n + 1],
            )
            c.execute(
                "SELECT setval(pg_get_serial_sequence(%s, 'id'), %s)",
                [SourceRecord._meta.db_table, n + 1],
            )


def reset() -> None:
    from django.db import connection

    from cases.models import ScreeningCount, ScreeningResult, ScreeningRun
    from intake.models import CrisisSignal, Enrollment, ImportRun, SourceRecord
    from matching.models import RecordLink, Resident

    with connection.cursor() as c:
        for model in (
            ScreeningResult,
            ScreeningCount,
            ScreeningRun,
            CrisisSignal,
            Enrollment,
            RecordLink,
            SourceRecord,
            ImportRun,
            Resident,
        ):
            c.execute(f"DELETE FROM {model._meta.db_table}")  # noqa: S608


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--residents", type=int, default=1_000_000)
    ap.add_argument("--runs", type=int, default=3)
    ap.add_argument("--out", type=Path, default=Path(__file__).parent / "results" / "screening.md")
    args = ap.parse_args()
    _setup_django()
    from django.core.management import call_command
    from django.db import connection

    from cases.models import ScreeningResult, ScreeningRun
    from cases.screening import run_screening
    from matching.models import Resident

    call_command("migrate", interactive=False, verbosity=0)
    if Resident.objects.count() != args.residents:
        reset()
        t = time.perf_counter()
        build(args.residents)
        print(f"setup: {args.residents:,} residents loaded in {time.perf_counter() - t:.1f}s")
    load = os.getloadavg()
    runs = []
    for i in range(args.runs):
        # Each run starts from an empty result table (production prunes old runs the same way:
        # a DELETE of 1 M rows would leave the next COPY fighting dead tuples).
        with connection.cursor() as c:
            table = ScreeningResult._meta.db_table
            c.execute(
                f"TRUNCATE {table}" if connection.vendor == "postgresql" else f"DELETE FROM {table}"  # noqa: S608
            )
        t = time.perf_counter()
        run = run_screening(ON)
        wall = time.perf_counter() - t
        runs.append((wall, run))
        print(
            f"run {i + 1}: {wall:.2f}s  "
            + ", ".join(f"{k} {v:.2f}s" for k, v in run.seconds.items())
            + f"  eligible {run.eligible:,}, blind spots {run.blind_spots:,}, "
            f"unknown {run.unknown:,}"
        )
    median = statistics.median(w for w, _ in runs)
    mid = sorted(runs, key=lambda r: r[0])[len(runs) // 2][1]
    print(
        f"MEDIAN of {len(runs)}: {median:.2f}s for {args.residents:,} residents "
        f"({connection.vendor}); target ≤ 30 s"
    )
    ScreeningRun.objects.exclude(pk=mid.pk).delete()
    commit = subprocess.run(
        ["git", "rev-parse", "--short", "HEAD"], capture_output=True, text=True
    ).stdout.strip()
    args.out.parent.mkdir(parents=True, exist_ok=True)
    with args.out.open("a", encoding="utf-8") as f:
        f.write(
            f"\n## {date.today()} · {args.residents:,} residents · {connection.vendor} · "
            f"commit {commit}\n\n"
            f"- median of {len(runs)} runs: **{median:.2f} s** end to end (target ≤ 30 s); "
            f"runs: {', '.join(f'{w:.2f}' for w, _ in runs)} s\n"
            f"- stages of the median run: "
            + ", ".join(f"{k} {v:.2f} s" for k, v in mid.seconds.items())
            + "\n"
            f"- eligible rows written {mid.eligible:,}, blind spots {mid.blind_spots:,}, "
            f"unknown (counted) {mid.unknown:,}\n"
            f"- machine: {platform.processor() or platform.machine()}, {os.cpu_count()} cores, "
            f"load average before the runs {load[0]:.2f} / {load[1]:.2f} / {load[2]:.2f} "
            f"(shared with other engineers)\n"
        )


if __name__ == "__main__":
    main()
