"""COPY BINARY bytes built from arrow columns read back from PostgreSQL as the values they were,
each encoded as its target column's type."""

from __future__ import annotations

import datetime as dt
import io
import json

import pandas as pd
import pyarrow as pa
import pytest
from django.db import connection

from bigcare.pgbinary import encode
from tests.conftest import requires_postgres

TEXTS = ["서울특별시 종로구 세종대로 209", None, "", "a\tb\nc\r\n\"q\" 's' \\N \\ ,;|", "x" * 5000]
JSONS = ['["홍길동", "850101-1******"]', None, "[]", '{"a": "\\t\\n\\"\\\\"}', '[""]']
COLUMNS = {
    # name: (SQL type, pg_type.typname, values)
    "big": ("bigint", "int8", pd.array([1, None, -(2**63), 2**63 - 1, 0], dtype="Int64")),
    "num": ("integer", "int4", pd.array([-1, None, -(2**31), 2**31 - 1, 0], dtype="Int64")),
    "small": ("smallint", "int2", pd.array([5, None, -(2**15), 2**15 - 1, 0], dtype="Int64")),
    "flag": ("boolean", "bool", pd.array([True, None, False, True, False], dtype="boolean")),
    "day": (
        "date",
        "date",
        pd.Series(
            pd.to_datetime(["1999-12-31", None, "2000-01-01", "1935-02-28", "2031-07-09"])
        ).astype("datetime64[s]"),
    ),
    "at": (
        "timestamptz",
        "timestamptz",
        pd.Series(
            pd.to_datetime(
                [
                    "1999-12-31T23:59:59.999999Z",
                    None,
                    "2000-01-01T00:00:00Z",
                    "1969-07-20T20:17:40Z",
                    "2026-11-24T09:30:00.5+09:00",
                ],
                utc=True,
                format="ISO8601",
            )
        ),
    ),
    "ratio": (
        "double precision",
        "float8",
        pd.array([0.1, None, -1.5e300, 123.456, 0.0], dtype="Float64"),
    ),
    "single": ("real", "float4", pd.array([0.5, None, -2.0, 1024.0, 0.0], dtype="Float32")),
    "txt": ("text", "text", TEXTS),
    "var": ("varchar(5000)", "varchar", TEXTS),
    "doc": ("jsonb", "jsonb", JSONS),
    "doc_as_text": ("text", "text", JSONS),
}


def _copy(table: str, frame: pd.DataFrame, pg_types: list[str], not_null: list[bool]) -> None:
    data = encode(pa.Table.from_pandas(frame, preserve_index=False), pg_types, not_null)
    columns = ", ".join(frame.columns)
    with connection.cursor() as cursor:
        cursor.cursor.copy_expert(
            f"COPY {table} ({columns}) FROM STDIN WITH (FORMAT binary)", io.BytesIO(data)
        )


def _expected(name: str, value):
    if pd.isna(value):  # pandas keeps a missing text as NaN, a missing number as NA
        return None
    if name == "day":
        return value.date()
    if name == "at":
        return value.to_pydatetime()
    if name == "doc":
        return json.loads(value)
    return value.item() if hasattr(value, "item") else value


@requires_postgres
@pytest.mark.django_db
def test_every_type_reads_back_as_written_nulls_and_empty_texts_apart():
    with connection.cursor() as cursor:
        cursor.execute(
            "CREATE TEMP TABLE every_type (pos integer, "
            + ", ".join(f"{n} {sql}" for n, (sql, _, _) in COLUMNS.items())
            + ")"
        )
    frame = pd.DataFrame({"pos": range(5), **{n: v for n, (_, _, v) in COLUMNS.items()}})
    _copy(
        "every_type",
        frame,
        ["int4", *(t for _, t, _ in COLUMNS.values())],
        [False] * frame.shape[1],
    )

    with connection.cursor() as cursor:
        cursor.execute(f"SELECT {', '.join(COLUMNS)} FROM every_type ORDER BY pos")  # noqa: S608
        # jsonb comes back as its own spelling of the text: compared as the value it holds.
        doc = list(COLUMNS).index("doc")
        got = [
            (*r[:doc], None if r[doc] is None else json.loads(r[doc]), *r[doc + 1 :])
            for r in cursor.fetchall()
        ]
    want = [tuple(_expected(n, frame[n].iloc[i]) for n in COLUMNS) for i in range(5)]
    assert got == want
    assert got[1] == (None,) * len(COLUMNS)
    assert got[2][-4:] == ("", "", [], "[]")  # txt, var, doc, doc_as_text


@requires_postgres
@pytest.mark.django_db
def test_the_column_type_not_the_name_chooses_the_encoding():
    """The same JSON texts go into a jsonb and a text ``raw`` (intake_sourcerecord.raw moves
    from one to the other) and read back as the same text."""
    with connection.cursor() as cursor:
        cursor.execute("CREATE TEMP TABLE as_jsonb (raw jsonb)")
        cursor.execute("CREATE TEMP TABLE as_text (raw text)")
    frame = pd.DataFrame({"raw": ['["김민서", "010-1234-5678"]', "[]"]})
    _copy("as_jsonb", frame, ["jsonb"], [True])
    _copy("as_text", frame, ["text"], [True])
    with connection.cursor() as cursor:
        cursor.execute("SELECT raw::text FROM as_jsonb UNION ALL SELECT raw FROM as_text")
        assert [r[0] for r in cursor.fetchall()] == frame["raw"].tolist() * 2


@requires_postgres
@pytest.mark.django_db
def test_a_missing_text_in_a_not_null_column_is_sent_as_empty():
    with connection.cursor() as cursor:
        cursor.execute("CREATE TEMP TABLE required (name text NOT NULL, n bigint)")
    _copy(
        "required",
        pd.DataFrame({"name": ["a", None], "n": pd.array([None, 2], "Int64")}),
        ["text", "int8"],
        [True, False],
    )
    with connection.cursor() as cursor:
        cursor.execute("SELECT name, n FROM required ORDER BY name")
        assert cursor.fetchall() == [("", 2), ("a", None)]


@requires_postgres
@pytest.mark.django_db
def test_many_rows_in_slices_of_a_larger_table():
    """A slice of an arrow table starts at an offset inside its buffers."""
    with connection.cursor() as cursor:
        cursor.execute("CREATE TEMP TABLE many (n bigint, t text, d date)")
    frame = pd.DataFrame(
        {
            "n": range(10_000),
            "t": [f"행 {i}" if i % 7 else None for i in range(10_000)],
            "d": pd.date_range("1990-01-01", periods=10_000).astype("datetime64[s]"),
        }
    )
    table = pa.Table.from_pandas(frame, preserve_index=False)
    with connection.cursor() as cursor:
        for start in range(0, 10_000, 3_000):
            data = encode(table.slice(start, 3_000), ["int8", "text", "date"], [False] * 3)
            cursor.cursor.copy_expert("COPY many FROM STDIN WITH (FORMAT binary)", io.BytesIO(data))
        cursor.execute(
            "SELECT count(*), sum(n), count(t), min(d), max(d), bool_and(t = '행 ' || n) FROM many"
        )
        assert cursor.fetchone() == (
            10_000,
            sum(range(10_000)),
            10_000 - 1_429,
            dt.date(1990, 1, 1),
            dt.date(2017, 5, 18),
            True,
        )


def test_an_empty_table_is_the_header_and_the_trailer():
    table = pa.table({"n": pa.array([], pa.int64())})
    # Signature, flags 0, header extension 0; then the trailer's field count -1.
    assert encode(table, ["int8"], [False]) == b"PGCOPY\n\xff\r\n\x00" + bytes(8) + b"\xff\xff"


def test_a_type_without_an_encoding_is_refused_not_guessed():
    with pytest.raises(TypeError, match="numeric"):
        encode(pa.table({"n": [1.5]}), ["numeric"], [False])


def test_a_naive_time_for_a_timestamptz_is_refused():
    naive = pa.table({"at": pa.array([dt.datetime(2026, 1, 1)], pa.timestamp("us"))})
    with pytest.raises(TypeError, match="timezone-aware"):
        encode(naive, ["timestamptz"], [False])
