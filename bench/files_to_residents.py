"""Files on disk → residents a caseworker can see: ``python -m bench.files_to_residents``.

What a data administrator waits for (issue 15, benchmarks (a), (b) and (c)): the synthetic
extracts of ``make_sources --residents N`` imported one after another into a fresh PostgreSQL
database, each followed by the incremental link its import queues (the same
``matching.tasks.link_import`` a worker runs), then ``link --full``. Per step: wall time, rows/s
and the peak resident memory of this process and its children (intake's staging processes).

Baseline in the same run, on the same file: a raw ``COPY`` of it into a plain table of text
columns (CSV as CSV in its own encoding; JSON lines one line a row), the fastest a database can
take the bytes in with no validation, no normalisation and no linkage. The ratio printed is the
import's rows/s over COPY's. An Excel file has no raw COPY; its baseline is left out and said so.

Each repeat starts from an empty database (created, migrated, centres and reference loaded, the
four mappings added: not timed). Uses ``DATABASE_URL`` or
postgres://postgres@127.0.0.1/bigcare_e2e, which it drops and re-creates: a scratch database.
Generated files go to ``$TMPDIR/e2e-bench/`` (never into the repository).
"""

from __future__ import annotations

import argparse
import contextlib
import os
import statistics
import sys
import tempfile
import threading
import time
from pathlib import Path

from bench.machine import LoadSampler

DEFAULT_URL = "postgres://postgres@127.0.0.1:5432/bigcare_e2e"
# The order a deployment meets them: the city's own register first, the crisis round last.
IMPORTS = [
    ("city", "city_welfare.csv"),
    ("ministry", "ministry_benefits.xlsx"),
    ("ministry", "ministry_benefits.csv"),
    ("facility", "facility_services.jsonl"),
    ("crisis", "crisis_round.csv"),
]


class PeakMemory:
    """Peak resident set size of this process plus its children, sampled every 0.1 s."""

    def __init__(self) -> None:
        import psutil

        self._me = psutil.Process()
        self.peak = 0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def _rss(self) -> int:
        import psutil

        total = self._me.memory_info().rss
        for child in self._me.children(recursive=True):
            with contextlib.suppress(psutil.Error):  # ended between the listing and the read
                total += child.memory_info().rss
        return total

    def _run(self) -> None:
        while True:
            self.peak = max(self.peak, self._rss())
            if self._stop.wait(0.1):
                return

    def __enter__(self) -> PeakMemory:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._thread.join()
        self.peak = max(self.peak, self._rss())


def _admin_connection(url: str):
    import dj_database_url
    import psycopg2

    params = dj_database_url.parse(url)
    conn = psycopg2.connect(
        host=params["HOST"],
        port=params["PORT"] or 5432,
        user=params["USER"],
        password=params["PASSWORD"] or None,
        dbname="postgres",
    )
    conn.autocommit = True
    return conn, params["NAME"]


def fresh_database(url: str) -> None:
    """Drop and create the scratch database, so every repeat starts from nothing."""
    from psycopg2 import sql

    conn, name = _admin_connection(url)
    try:
        with conn.cursor() as cursor:
            cursor.execute(
                "SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
                "WHERE datname = %s AND pid <> pg_backend_pid()",
                [name],
            )
            cursor.execute(sql.SQL("DROP DATABASE IF EXISTS {}").format(sql.Identifier(name)))
            cursor.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
    finally:
        conn.close()


def _prepare() -> None:
    """Schema, centres, reference lists and the packaged mappings (not timed)."""
    from django.conf import settings
    from django.core.management import call_command

    call_command("migrate", verbosity=0)
    call_command("load_centres", verbosity=0, stdout=open(os.devnull, "w"))  # noqa: SIM115
    call_command("load_reference", verbosity=0, stdout=open(os.devnull, "w"))  # noqa: SIM115
    mappings = sorted((Path(settings.BASE_DIR) / "intake" / "mappings").glob("*.toml"))
    call_command("add_source", mapping=[str(m) for m in mappings], stdout=open(os.devnull, "w"))  # noqa: SIM115


def _csv_header(path: Path, encoding: str) -> list[str]:
    import csv

    with path.open(encoding=encoding, newline="") as f:
        return next(csv.reader(f))


def _file_encoding(path: Path) -> str:
    """CP949 or UTF-8 (with or without BOM), as intake's reader would decide it."""
    head = path.read_bytes()[: 1 << 20]
    if head.startswith(b"\xef\xbb\xbf"):
        return "utf-8-sig"
    try:
        head.decode("utf-8")
        return "utf-8"
    except UnicodeDecodeError as exc:
        if exc.start > len(head) - 4:  # a character cut by the 1 MiB window
            return "utf-8"
        return "cp949"


def raw_copy(path: Path) -> tuple[int, float] | None:
    """Rows and seconds of ``COPY`` of the file into a fresh table of text columns; None for
    a file COPY cannot read (Excel)."""
    from django.db import connection

    if path.suffix == ".xlsx":
        return None
    table = "bench_raw_copy"
    with connection.cursor() as cursor:
        cursor.execute(f"DROP TABLE IF EXISTS {table}")
        if path.suffix == ".jsonl":
            cursor.execute(f"CREATE TABLE {table} (line text)")
            # One line a row: CSV with quote and delimiter bytes no JSON line contains.
            statement = (
                f"COPY {table} FROM STDIN WITH (FORMAT csv, QUOTE E'\\x01', DELIMITER E'\\x02')"
            )
        else:
            encoding = _file_encoding(path)
            columns = _csv_header(path, encoding)
            cursor.execute(
                f"CREATE TABLE {table} ("
                + ", ".join(f"c{i} text" for i in range(len(columns)))
                + ")"
            )
            pg_encoding = "UHC" if encoding == "cp949" else "UTF8"
            statement = (
                f"COPY {table} FROM STDIN WITH (FORMAT csv, HEADER true, ENCODING '{pg_encoding}')"
            )
        raw = cursor.connection  # psycopg2's connection under Django's wrapper
        started = time.perf_counter()
        with path.open("rb") as f, raw.cursor() as pg:
            pg.copy_expert(statement, f, size=1 << 20)
        raw.commit()
        seconds = time.perf_counter() - started
        cursor.execute(f"SELECT count(*) FROM {table}")  # noqa: S608
        rows = cursor.fetchone()[0]
        cursor.execute(f"DROP TABLE {table}")
    return rows, seconds


def _import_and_link(code: str, path: Path) -> dict[str, float]:
    from intake.imports import run_import, start_import
    from intake.models import DataSource
    from matching.tasks import link_import

    source = DataSource.objects.get(code=code)
    with PeakMemory() as memory:
        t0 = time.perf_counter()
        run = start_import(source, path, dispatch=False)
        run = run_import(run.pk)
        t1 = time.perf_counter()
        if run.status != "done":
            raise SystemExit(f"{path.name}: import failed: {run.error}")
        link_import(run.pk)
        t2 = time.perf_counter()
    return {
        "rows": run.rows_in,
        "accepted": run.accepted,
        "import": t1 - t0,
        "link": t2 - t1,
        "total": t2 - t0,
        "peak_gb": memory.peak / 1e9,
    }


def _full_link() -> dict[str, float]:
    from django.core.management import call_command

    with PeakMemory() as memory:
        t0 = time.perf_counter()
        call_command("link", full=True, stdout=open(os.devnull, "w"))  # noqa: SIM115
        seconds = time.perf_counter() - t0
    return {"total": seconds, "peak_gb": memory.peak / 1e9}


def _residents_visible() -> tuple[int, int]:
    """Active residents, and those with a home centre (the ones a caseworker can reach)."""
    from matching.models import Resident

    active = Resident.objects.filter(active=True)
    return active.count(), active.exclude(home_centre=None).count()


def one_repeat(url: str, data: Path, files: list[tuple[str, str]]) -> dict:
    from django.db import connections

    from intake.signals import records_changed

    connections.close_all()
    fresh_database(url)
    _prepare()
    # The bench calls link_import itself after each import, to time the two apart; the receiver
    # would run the same link a second time inside the import's commit.
    records_changed.receivers.clear()
    records_changed.sender_receivers_cache.clear()
    steps: dict[str, dict] = {}
    for code, name in files:
        path = data / name
        copy = raw_copy(path)
        result = _import_and_link(code, path)
        if copy is not None:
            result["copy_rows"], result["copy"] = copy
        steps[name] = result
        print(
            f"  {name}: import {result['import']:.1f}s + link {result['link']:.1f}s"
            + (f" (raw COPY {copy[1]:.1f}s)" if copy else ""),
            file=sys.stderr,
        )
    full = _full_link()
    residents, reachable = _residents_visible()
    print(f"  link --full: {full['total']:.1f}s", file=sys.stderr)
    return {"steps": steps, "full": full, "residents": residents, "reachable": reachable}


def _median(values) -> float:
    return statistics.median(list(values))


def report(args: argparse.Namespace, runs: list[dict], load: str, settings_now: dict) -> str:
    names = list(runs[0]["steps"])
    lines = [
        f"# Files → residents: {args.residents:,} synthetic residents on PostgreSQL",
        "",
        f"`python -m bench.files_to_residents --residents {args.residents} --repeat "
        f"{args.repeat}` · median of {len(runs)} · {os.cpu_count()} CPUs · "
        f"{time.strftime('%Y-%m-%d %H:%M')} · load average (1 min): {load}",
        "",
        "Server: " + ", ".join(f"{k} = {v}" for k, v in settings_now.items()) + ".",
        "",
        "| file | rows | import (s) | rows/s | raw COPY (s) | COPY rows/s | import ÷ COPY "
        "| incremental link (s) | import + link (s) | peak memory (GB) |",
        "|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|",
    ]
    total = 0.0
    peak = 0.0
    for name in names:
        steps = [r["steps"][name] for r in runs]
        rows = steps[0]["rows"]
        imp = _median(s["import"] for s in steps)
        link = _median(s["link"] for s in steps)
        both = _median(s["total"] for s in steps)
        mem = max(s["peak_gb"] for s in steps)
        total += both
        peak = max(peak, mem)
        if "copy" in steps[0]:
            copy = _median(s["copy"] for s in steps)
            copy_cells = f"{copy:.2f} | {rows / copy:,.0f} | {copy / imp:.2f}"
        else:
            copy_cells = "– | – | – (Excel: COPY cannot read it)"
        lines.append(
            f"| {name} | {rows:,} | {imp:.2f} | {rows / imp:,.0f} | {copy_cells} | {link:.2f} "
            f"| {both:.2f} | {mem:.2f} |"
        )
    full = _median(r["full"]["total"] for r in runs)
    full_mem = max(r["full"]["peak_gb"] for r in runs)
    lines += [
        "",
        f"**Files → residents (every import and its incremental link): {total:.1f} s**, peak "
        f"{peak:.2f} GB (this process and its staging children; PostgreSQL's own memory not "
        "counted).  ",
        f"`link --full` afterwards, reads and writes included: {full:.1f} s, peak "
        f"{full_mem:.2f} GB.  ",
        f"Residents: {runs[0]['residents']:,}, of whom {runs[0]['reachable']:,} have a home "
        "centre.",
        "",
        "Import ÷ COPY is the share of raw COPY's rows/s the import reaches (COPY's time over "
        "the import's).",
    ]
    return "\n".join(lines) + "\n"


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--residents", type=int, default=1_000_000)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--data", type=Path, default=None, help="reuse these extracts")
    parser.add_argument("--results", type=Path, default=None, help="write markdown here")
    args = parser.parse_args(argv)

    url = os.environ.setdefault("DATABASE_URL", DEFAULT_URL)
    if not url.startswith(("postgres://", "postgresql://")):
        raise SystemExit("this benchmark needs PostgreSQL: set DATABASE_URL=postgres://…")
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "bigcare.settings")
    data = args.data or (
        Path(tempfile.gettempdir()) / "e2e-bench" / f"seed{args.seed}-n{args.residents}"
    )
    if not (data / "truth" / "manifest.json").exists():
        from seoulgen import generate

        t0 = time.perf_counter()
        generate(args.residents, args.seed, data)
        print(f"generated {data} in {time.perf_counter() - t0:.0f}s", file=sys.stderr)
    files = [(code, name) for code, name in IMPORTS if (data / name).exists()]
    import django

    django.setup()
    from bench.intake import server_settings

    runs = []
    with LoadSampler() as load:
        for i in range(args.repeat):
            print(f"repeat {i + 1} of {args.repeat}", file=sys.stderr)
            runs.append(one_repeat(url, data, files))
        settings_now = server_settings()
    text = report(args, runs, load.summary(), settings_now)
    print(text)
    if args.results:
        args.results.parent.mkdir(parents=True, exist_ok=True)
        args.results.write_text(text, encoding="utf-8")


if __name__ == "__main__":
    main()
