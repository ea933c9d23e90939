"""How to move a frame in and out of PostgreSQL: ``python -m bench.bulk_paths --rows 1000000``.

Issue 15 item 1 asks for one bulk path, and whether psycopg 3 or an ADBC driver should replace
the hand-written binary COPY encoder (bigcare/pgbinary.py). This times, on one frame of the shapes
linkage and screening move (an id, two Korean texts, a date, an integer, a flag), every way the
project writes and reads today beside the two candidates, median of ``--repeat`` each, in a
scratch database ``bigcare_bulkbench`` that it drops and creates:

- writes: the hand-written binary encoder + psycopg2 ``copy_expert`` (intake), pyarrow CSV +
  COPY (screening), pandas CSV + COPY (matching's upsert), ADBC ``adbc_ingest`` (binary COPY
  from arrow), psycopg 3 binary ``copy.write_row`` (its C encoder, rows from Python lists);
- reads: COPY TO STDOUT as CSV parsed by pandas (matching) or by pyarrow (screening), and ADBC
  ``fetch_arrow_table`` (binary COPY straight into arrow).

Needs the optional packages ``psycopg[binary]`` and ``adbc-driver-postgresql``, in a virtual
environment of its own: where psycopg 3 is importable Django drives PostgreSQL with it, and Big
Care refuses to start (check bigcare.E102; bench/results/bulk_paths.md says why).
"""

from __future__ import annotations

import argparse
import io
import statistics
import time
from collections.abc import Callable

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.csv as pacsv

from bench.machine import LoadSampler
from bigcare.pgbinary import encode

SERVER = "postgresql://postgres@127.0.0.1:5432/"
DSN = SERVER + "bigcare_bulkbench"
DDL = (
    "CREATE TABLE t (id bigint, name text NOT NULL, address text NOT NULL, birth date, "
    "code integer, flag boolean)"
)
PG_TYPES = ["int8", "text", "text", "date", "int4", "bool"]
NOT_NULL = [False, True, True, False, False, False]
SLICE = 200_000  # intake's slice: each slice its own COPY


def make_frame(rows: int, seed: int = 1) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    syllables = np.array(
        list("김이박최정강조윤장임한오서신권황안송류홍민서지현수영준우하은도예진성호경미숙희철태")
    )

    def pick() -> np.ndarray:
        return syllables[rng.integers(0, len(syllables), rows)]

    name = pd.Series(pick()) + pick() + pick()
    address = (
        "서울특별시 종로구 세종대로 "
        + pd.Series(rng.integers(1, 300, rows)).astype(str)
        + " "
        + pd.Series(rng.integers(100, 2000, rows)).astype(str)
        + "호"
    )
    birth = np.datetime64("1940-01-01") + rng.integers(0, 30_000, rows).astype("timedelta64[D]")
    return pd.DataFrame(
        {
            "id": np.arange(rows, dtype=np.int64),
            "name": name.to_numpy(),
            "address": address.to_numpy(),
            "birth": pd.Series(birth.astype("datetime64[s]")).dt.date,
            "code": rng.integers(0, 1000, rows).astype(np.int32),
            "flag": rng.random(rows) < 0.5,
        }
    )


def _psycopg2():
    import psycopg2

    return psycopg2.connect(DSN)


def _fresh(conn) -> None:
    with conn.cursor() as cursor:
        cursor.execute("DROP TABLE IF EXISTS t")
        cursor.execute(DDL)
    conn.commit()


def _timed_write(connect: Callable, send: Callable) -> float:
    conn = connect()
    _fresh(conn)
    started = time.perf_counter()
    send(conn)
    conn.commit()
    seconds = time.perf_counter() - started
    conn.close()
    return seconds


def writers(frame: pd.DataFrame) -> dict[str, Callable[[], float]]:
    import adbc_driver_postgresql.dbapi as adbc
    import psycopg

    table = pa.Table.from_pandas(frame, preserve_index=False)

    def pgbinary(conn) -> None:
        with conn.cursor() as cursor:
            for start in range(0, len(frame), SLICE):
                data = encode(table.slice(start, SLICE), PG_TYPES, NOT_NULL)
                cursor.copy_expert(
                    "COPY t FROM STDIN WITH (FORMAT binary)", io.BytesIO(data), size=len(data)
                )

    def arrow_csv(conn) -> None:
        buffer = io.BytesIO()
        pacsv.write_csv(table, buffer, pacsv.WriteOptions(include_header=False))
        buffer.seek(0)
        with conn.cursor() as cursor:
            cursor.copy_expert("COPY t FROM STDIN WITH (FORMAT csv)", buffer)

    def pandas_csv(conn) -> None:
        buffer = io.StringIO()
        frame.to_csv(buffer, index=False, header=False)
        buffer.seek(0)
        with conn.cursor() as cursor:
            cursor.copy_expert("COPY t FROM STDIN WITH (FORMAT csv)", buffer)

    def adbc_ingest(conn) -> None:
        with conn.cursor() as cursor:
            cursor.adbc_ingest("t", table, mode="append")

    def psycopg3_rows(conn) -> None:
        columns = [frame[c].tolist() for c in frame.columns]
        with (
            conn.cursor() as cursor,
            cursor.copy("COPY t FROM STDIN WITH (FORMAT binary)") as copy,
        ):
            copy.set_types(PG_TYPES)
            for row in zip(*columns, strict=True):
                copy.write_row(row)

    return {
        "write: hand-written binary + psycopg2 (intake today)": lambda: _timed_write(
            _psycopg2, pgbinary
        ),
        "write: pyarrow CSV + psycopg2 (screening today)": lambda: _timed_write(
            _psycopg2, arrow_csv
        ),
        "write: pandas CSV + psycopg2 (matching today)": lambda: _timed_write(
            _psycopg2, pandas_csv
        ),
        "write: ADBC adbc_ingest (binary)": lambda: _timed_write(
            lambda: adbc.connect(DSN), adbc_ingest
        ),
        "write: psycopg 3 copy.write_row (binary)": lambda: _timed_write(
            lambda: psycopg.connect(DSN), psycopg3_rows
        ),
    }


def readers(columns: list[str], rows: int) -> dict[str, Callable[[], float]]:
    import adbc_driver_postgresql.dbapi as adbc

    def via_csv(parse: Callable[[io.BytesIO], pd.DataFrame]) -> float:
        conn = _psycopg2()
        started = time.perf_counter()
        buffer = io.BytesIO()
        with conn.cursor() as cursor:
            cursor.copy_expert("COPY (SELECT * FROM t) TO STDOUT WITH (FORMAT csv)", buffer)
        buffer.seek(0)
        frame = parse(buffer)
        seconds = time.perf_counter() - started
        conn.close()
        assert len(frame) == rows
        return seconds

    def pandas_parse(buffer: io.BytesIO) -> pd.DataFrame:
        return pd.read_csv(buffer, names=columns, dtype=str, keep_default_na=False)

    def arrow_parse(buffer: io.BytesIO) -> pd.DataFrame:
        options = pacsv.ReadOptions(column_names=columns)
        return pacsv.read_csv(buffer, read_options=options).to_pandas()

    def adbc_fetch() -> float:
        conn = adbc.connect(DSN)
        started = time.perf_counter()
        with conn.cursor() as cursor:
            cursor.execute("SELECT * FROM t")
            frame = cursor.fetch_arrow_table().to_pandas()
        seconds = time.perf_counter() - started
        conn.close()
        assert len(frame) == rows
        return seconds

    return {
        "read: COPY CSV + pandas (matching today)": lambda: via_csv(pandas_parse),
        "read: COPY CSV + pyarrow (screening today)": lambda: via_csv(arrow_parse),
        "read: ADBC fetch_arrow_table (binary)": adbc_fetch,
    }


def _scratch_database() -> None:
    import psycopg2

    conn = psycopg2.connect(SERVER + "postgres")
    conn.autocommit = True
    with conn.cursor() as cursor:
        cursor.execute("DROP DATABASE IF EXISTS bigcare_bulkbench")
        cursor.execute("CREATE DATABASE bigcare_bulkbench")
    conn.close()


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args(argv)
    _scratch_database()
    frame = make_frame(args.rows)
    ways = writers(frame) | readers(list(frame.columns), args.rows)
    print(f"{args.rows:,} rows × {len(frame.columns)} columns, median of {args.repeat}\n")
    print("| way | median (s) | each run (s) | rows/s |\n|---|---:|---|---:|")
    with LoadSampler() as load:
        for label, way in ways.items():
            times = [way() for _ in range(args.repeat)]
            median = statistics.median(times)
            each = " / ".join(f"{t:.2f}" for t in times)
            print(f"| {label} | {median:.2f} | {each} | {args.rows / median:,.0f} |", flush=True)
    print(f"\nLoad average (1 min) during the runs: {load.summary()}")


if __name__ == "__main__":
    main()
