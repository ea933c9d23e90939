"""Intake benchmark: ``python -m bench.intake --rows 1000000``.

Writes a city-shaped CSV (CP949, CRLF, the contract's columns, ~60 % masked RRNs, ~1.3 services
per person, 0.5 % repeated rows) with numpy, imports it into PostgreSQL through the same path as
``import_source`` (checksum, stored copy, read, validate, COPY) and prints rows/s per stage and
end to end, the median of ``--repeat`` runs. Each run imports into a fresh source, so every row
is new (the full-load case). Uses ``DATABASE_URL`` or postgres://postgres@127.0.0.1/bigcare_intake.
The generated CSV goes to ``$TMPDIR/intake-bench/`` (never into the repository).
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
import pandas as pd

from bench.machine import LoadSampler

SURNAMES = list("김이박최정강조윤장임한오서신권황안송류홍")
GIVEN = list("민서지현수영준우하은도윤예진성호경미숙희철태")
ROADS = ["세종대로", "종로", "테헤란로", "월계로", "수유로19길", "교남로", "강남대로", "올림픽로"]
SERVICES = [
    ("SEOUL_BASIC", "서울형기초보장"),
    ("SEOUL_DIDIMDOL", "서울디딤돌소득"),
    ("SEOUL_EMERGENCY", "서울형긴급복지"),
    ("SEOUL_HOUSING", "서울형주택바우처"),
]
DONGS_CSV = Path(__file__).resolve().parents[1] / "fixtures" / "seoul_admin_dongs.csv"


def _pick(rng: np.random.Generator, values: list[str], n: int) -> np.ndarray:
    return np.array(values, dtype=object)[rng.integers(0, len(values), n)]


def make_city_csv(path: Path, rows: int, seed: int = 1) -> Path:
    """A city-shaped CP949 CSV with ``rows`` data rows, built column by column."""
    rng = np.random.default_rng(seed)
    persons = max(1, int(rows / 1.3))
    person = np.sort(rng.integers(0, persons, rows))
    p_ids = np.char.add("SC", np.char.zfill(np.arange(persons).astype(str), 8))
    names = (
        pd.Series(_pick(rng, SURNAMES, persons))
        + _pick(rng, GIVEN, persons)
        + _pick(rng, GIVEN, persons)
    ).to_numpy(dtype=object)
    born = np.datetime64("1935-01-01") + rng.integers(0, 365 * 85, persons).astype("timedelta64[D]")
    born_s = pd.Series(born).dt
    yy, mm, dd = (born_s.strftime("%y"), born_s.strftime("%m"), born_s.strftime("%d"))
    male = rng.random(persons) < 0.5
    after2000 = born_s.year.to_numpy() >= 2000
    sex_digit = np.where(after2000, np.where(male, "3", "4"), np.where(male, "1", "2"))
    back = pd.Series(rng.integers(0, 1_000_000, persons)).astype(str).str.zfill(6)
    masked = rng.random(persons) < 0.6
    rrn = (yy + mm + dd + "-" + sex_digit + pd.Series(np.where(masked, "******", back))).to_numpy()
    birth = born_s.strftime("%Y.%m.%d").to_numpy()
    phone = (
        "010-"
        + pd.Series(rng.integers(1000, 9999, persons)).astype(str)
        + "-"
        + pd.Series(rng.integers(1000, 9999, persons)).astype(str)
    ).to_numpy()
    phone[rng.random(persons) < 0.08] = ""
    dongs = pd.read_csv(DONGS_CSV, dtype=str)
    d = rng.integers(0, len(dongs), persons)
    address = (
        "서울특별시 "
        + dongs["gu_name_ko"].to_numpy()[d]
        + " "
        + _pick(rng, ROADS, persons)
        + " "
        + pd.Series(rng.integers(1, 300, persons)).astype(str)
    ).to_numpy()
    dong = dongs["dong_code"].to_numpy()[d].astype(object)
    service = rng.integers(0, len(SERVICES), rows)
    start = np.datetime64("2016-01-01") + rng.integers(0, 3800, rows).astype("timedelta64[D]")
    ended = rng.random(rows) < 0.1
    end = np.where(ended, pd.Series(start + 200).dt.strftime("%Y.%m.%d"), "")
    frame = pd.DataFrame(
        {
            "관리번호": p_ids[person],
            "성명": names[person],
            "주민등록번호": rrn[person],
            "생년월일": birth[person],
            "성별": np.where(male, "남", "여")[person],
            "전화번호": phone[person],
            "주소": address[person],
            "행정동코드": np.where(rng.random(rows) < 0.1, "", dong[person]),
            "가구원수": rng.integers(1, 6, persons).astype(str)[person],
            "소득인정액": (rng.integers(0, 400_000, persons) * 10).astype(str)[person],
            "서비스코드": np.array([s[0] for s in SERVICES], dtype=object)[service],
            "서비스명": np.array([s[1] for s in SERVICES], dtype=object)[service],
            "지원금액": (rng.integers(10_000, 150_000, rows) * 10).astype(str),
            "시작일": pd.Series(start).dt.strftime("%Y.%m.%d").to_numpy(),
            "종료일": end,
        }
    )
    # 0.5 % of rows repeat an earlier row verbatim, as the contract's repeated_row defect does.
    order = np.arange(rows)
    repeat = np.flatnonzero((rng.random(rows) < 0.005) & (order > 50))
    order[repeat] = repeat - rng.integers(1, 50, len(repeat))
    frame = frame.iloc[order]
    frame.to_csv(path, index=False, encoding="cp949", lineterminator="\r\n")
    return path


# Server settings that change bulk-load speed: printed next to the figures, because a figure
# means little without them (docs/intake.md names the deployment values).
SERVER_SETTINGS = (
    "shared_buffers",
    "max_wal_size",
    "wal_compression",
    "checkpoint_timeout",
    "synchronous_commit",
    "fsync",
    "full_page_writes",
    "wal_level",
)


def _create_database(url: str) -> None:
    """The benchmark's own database, created on first use (it is a scratch database)."""
    import dj_database_url
    import psycopg2
    from psycopg2 import sql

    params = dj_database_url.parse(url)
    conn = psycopg2.connect(
        host=params["HOST"],
        port=params["PORT"] or 5432,
        user=params["USER"],
        password=params["PASSWORD"] or None,
        dbname="postgres",
    )
    conn.autocommit = True
    try:
        with conn.cursor() as cursor:
            cursor.execute("SELECT 1 FROM pg_database WHERE datname = %s", [params["NAME"]])
            if cursor.fetchone() is None:
                cursor.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(params["NAME"])))
    finally:
        conn.close()


def server_settings() -> dict[str, str]:
    from django.db import connection

    if connection.vendor != "postgresql":
        return {"database": connection.vendor}
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT name, current_setting(name) FROM pg_settings WHERE name = ANY(%s)",
            [list(SERVER_SETTINGS)],
        )
        found = dict(cursor.fetchall())
        cursor.execute("SHOW server_version")
        found["server_version"] = cursor.fetchone()[0]
    return found


def _backend_cpu() -> float | None:
    """CPU seconds of this connection's server process (same machine only), else None."""
    from django.db import connection

    if connection.vendor != "postgresql":
        return None

    try:
        import psutil  # the bench extra; without it the figure is left out
    except ImportError:
        return None
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_backend_pid()")
        pid = cursor.fetchone()[0]
    try:
        times = psutil.Process(pid).cpu_times()
    except psutil.Error:  # another machine's server, or not ours to read
        return None
    return times.user + times.system


def records_in_table() -> int:
    from intake.models import SourceRecord

    return SourceRecord.objects.count()


def _setup_django() -> None:
    os.environ.setdefault("DATABASE_URL", "postgres://postgres@127.0.0.1:5432/bigcare_intake")
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "bigcare.settings")
    if os.environ["DATABASE_URL"].startswith(("postgres://", "postgresql://")):
        _create_database(os.environ["DATABASE_URL"])
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)
    from intake.signals import records_changed

    # The import announces its changed records after commit and matching links them; that is
    # linkage's benchmark (bench.matching), not this one, so nobody listens here.
    records_changed.receivers.clear()
    records_changed.sender_receivers_cache.clear()


def _one_run(path: Path, label: str) -> dict[str, float]:
    import tomllib

    from intake.actions import define_source
    from intake.imports import run_import, start_import

    definition = tomllib.loads(
        (Path(__file__).resolve().parents[1] / "intake" / "mappings" / "city.toml").read_text(
            encoding="utf-8"
        )
    )
    definition["code"] = label
    source, _ = define_source(definition)
    server0 = _backend_cpu()
    cpu0 = time.process_time()
    t0 = time.perf_counter()
    run = start_import(source, path, dispatch=False)
    t1 = time.perf_counter()
    run = run_import(run.pk)
    t2 = time.perf_counter()
    if run.status != "done":
        raise SystemExit(f"run failed: {run.error}")
    # Each run is a new source, so its stored copy (160 MB per million rows) is never read
    # again; removed after the clock stops, so runs do not fill the disk.
    Path(run.stored_path).unlink(missing_ok=True)
    s = run.stage_seconds
    return {
        "rows_in": run.rows_in,
        "accepted": run.accepted,
        "rejected": run.rejected,
        "checksum+store": t1 - t0,
        "reading": s["reading"],
        "validating": s["validating"],
        "loading": s["loading"],
        # Validation and COPY overlap (part by part); this is the COPY thread's idle time.
        "waiting for validation": s.get("waiting for validation", 0.0),
        **{f"  load: {k}": v for k, v in s["load_detail"].items()},
        # The run's stages end before its transaction commits.
        "commit": (t2 - t1) - s["total"],
        "end to end": t2 - t0,
        # This process's CPU (all its threads); the server's is the rest of the wall time.
        "cpu (this process)": time.process_time() - cpu0,
        # The processes that staged the parts (intake.staging), as they measured it.
        "cpu (staging workers)": s.get("cpu (workers)", 0.0),
        "cpu (server backend)": ((_backend_cpu() or 0.0) - server0) if server0 is not None else 0.0,
    }


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--file", type=Path, default=None, help="reuse this CSV")
    parser.add_argument("--results", type=Path, default=None, help="write markdown here")
    args = parser.parse_args(argv)

    path = args.file or Path(tempfile.gettempdir()) / "intake-bench" / f"city_{args.rows}.csv"
    path.parent.mkdir(parents=True, exist_ok=True)
    if not path.exists():
        t0 = time.perf_counter()
        make_city_csv(path, args.rows)
        print(
            f"wrote {path} ({path.stat().st_size / 1e6:.0f} MB) in {time.perf_counter() - t0:.1f}s",
            file=sys.stderr,
        )
    _setup_django()
    from intake.reference import load_reference

    load_reference()
    stamp = time.strftime("%Y%m%d%H%M%S")
    settings_now = server_settings()
    before = records_in_table()
    runs = []
    with LoadSampler() as load:
        for i in range(args.repeat):
            result = _one_run(path, f"bench-{stamp}-{i}")
            runs.append(result)
            print(
                f"run {i + 1}: {result['end to end']:.2f}s end to end "
                f"(cpu {result['cpu (this process)']:.1f}s)",
                file=sys.stderr,
            )
    rows = runs[0]["rows_in"]
    ends = " / ".join(f"{r['end to end']:.1f}" for r in runs)
    lines = [
        f"# Intake benchmark: {rows:,} city rows (CP949 CSV) into PostgreSQL",
        "",
        f"`python -m bench.intake --rows {args.rows}` · median of {len(runs)} runs · "
        f"{os.cpu_count()} CPUs · {time.strftime('%Y-%m-%d %H:%M')}",
        "",
        f"{runs[0]['accepted']:,} accepted, {runs[0]['rejected']:,} rejected (repeated rows).",
        "",
        f"Load average (1 min, every 5 s during the runs): {load.summary()}.  ",
        f"Records in the table before the first run: {before:,}.  ",
        f"End to end per run: {ends} s.  ",
        "Server: " + ", ".join(f"{k} = {v}" for k, v in settings_now.items()) + ".",
        "",
        "| stage | seconds (median) | rows/s |",
        "|---|---:|---:|",
    ]
    for key in runs[0]:
        if key in ("rows_in", "accepted", "rejected"):
            continue
        value = statistics.median(r.get(key, 0.0) for r in runs)
        rate = f"{rows / value:,.0f}" if value > 0 and not key.startswith("cpu") else "–"
        lines.append(f"| {key} | {value:.2f} | {rate} |")
    text = "\n".join(lines) + "\n"
    print(text)
    if args.results:
        args.results.parent.mkdir(parents=True, exist_ok=True)
        args.results.write_text(text, encoding="utf-8")


if __name__ == "__main__":
    main()
