"""The one bulk path (bigcare.bulk): what goes in comes back, on SQLite and on PostgreSQL."""

from __future__ import annotations

import datetime as dt

import numpy as np
import pandas as pd
import pytest
from django.db import connection

from bigcare import bulk

pytestmark = pytest.mark.django_db

DDL = (
    "CREATE TEMP TABLE bulk_people (id bigint PRIMARY KEY, name varchar(20) NOT NULL, "
    "note text, born date, visits integer, flag boolean, ratio double precision)"
)
COLUMNS = ["id", "name", "note", "born", "visits", "flag", "ratio"]
TYPES = {"id": "int64", "born": "date", "visits": "int64", "flag": "bool"}


def _people(ids: list[int], name: str = "김민서") -> pd.DataFrame:
    n = len(ids)
    return pd.DataFrame(
        {
            "id": np.array(ids, dtype=np.int64),
            "name": [f"{name}{i}" for i in ids],
            # A NULL note and an empty one are different things and must stay so.
            "note": [None if i % 3 == 0 else ("" if i % 3 == 1 else "독거") for i in ids],
            "born": [dt.date(1948, 3, 1) + dt.timedelta(days=i) for i in ids],
            "visits": pd.array([None if i % 5 == 0 else i for i in ids], dtype="Int64"),
            "flag": [i % 2 == 0 for i in ids],
            "ratio": [i / 8 for i in ids][:n],
        }
    )


def _plain(values: pd.Series) -> list:
    """Missing as None, whichever missing marker (NaN, NA, None) a dtype uses."""
    return [None if pd.isna(v) else v for v in values]


def _table() -> None:
    with connection.cursor() as cursor:
        cursor.execute(DDL)


def _read() -> pd.DataFrame:
    return bulk.read_frame(
        f"SELECT {', '.join(COLUMNS)} FROM bulk_people ORDER BY id",  # noqa: S608
        COLUMNS,
        types=TYPES,
    )


@pytest.mark.parametrize("rows", [3, 250])  # a few rows, and more than FEW_ROWS
def test_rows_appended_read_back_as_written(rows):
    _table()
    people = _people(list(range(1, rows + 1)))
    bulk.append("bulk_people", COLUMNS, people)

    got = _read()
    assert got["id"].tolist() == people["id"].tolist()
    assert got["name"].tolist() == people["name"].tolist()
    assert _plain(got["note"]) == _plain(people["note"])
    assert [d.date() for d in got["born"]] == people["born"].tolist()
    assert _plain(got["visits"]) == _plain(people["visits"])
    assert got["flag"].tolist() == people["flag"].tolist()
    assert [float(v) for v in got["ratio"]] == people["ratio"].tolist()


@pytest.mark.parametrize("rows", [3, 250])
def test_upsert_inserts_new_keys_and_updates_only_the_named_columns(rows):
    _table()
    ids = list(range(1, rows + 1))
    bulk.append("bulk_people", COLUMNS, _people(ids))
    # Half the keys again with new names and visits, plus as many new keys.
    again = _people(ids[rows // 2 :] + [rows + i for i in range(1, rows + 1)], name="박영수")
    bulk.upsert("bulk_people", again[["id", "name", "visits"]], "id", update=["name"])

    got = _read().set_index("id")
    assert len(got) == 2 * rows
    for i in ids[: rows // 2]:
        assert got.loc[i, "name"] == f"김민서{i}"
    for i in ids[rows // 2 :]:
        assert got.loc[i, "name"] == f"박영수{i}"
        # visits was not among the updated columns: the old value stays.
        assert pd.isna(got.loc[i, "visits"]) == (i % 5 == 0)
    assert got.loc[rows + 1, "name"] == f"박영수{rows + 1}"


def test_a_missing_name_bound_for_a_not_null_column_arrives_empty_on_postgresql():
    """Through the temporary table the NOT NULL of the target decides, as the ORM would."""
    if connection.vendor != "postgresql":
        pytest.skip("SQLite would refuse the NULL itself, as the ORM's save would")
    _table()
    frame = _people(list(range(1, 250)))
    frame.loc[5, "name"] = None
    bulk.upsert("bulk_people", frame[["id", "name"]], "id")
    assert _read().set_index("id").loc[6, "name"] == ""


def test_unless_same_leaves_identical_rows_unwritten():
    if connection.vendor != "postgresql":
        pytest.skip("row versions (ctid) are PostgreSQL's")
    _table()
    people = _people(list(range(1, 250)))
    bulk.append("bulk_people", COLUMNS, people)
    versions = "SELECT id, ctid::text FROM bulk_people ORDER BY id"
    with connection.cursor() as cursor:
        cursor.execute(versions)
        before = dict(cursor.fetchall())
    changed = people[["id", "name"]].copy()
    changed.loc[0, "name"] = "바뀐이름"
    bulk.upsert("bulk_people", changed, "id", update=["name"], unless_same=["name"])
    with connection.cursor() as cursor:
        cursor.execute(versions)
        after = dict(cursor.fetchall())
    assert [i for i in before if before[i] != after[i]] == [1]


def test_an_empty_result_keeps_its_columns_and_types():
    _table()
    got = _read()
    assert list(got.columns) == COLUMNS and got.empty
    assert str(got["visits"].dtype) == "Int64"


def test_side_connections_take_only_libpq_options(monkeypatch):
    """Django hands psycopg 3 options (a "context") when psycopg 3 is importable; the side
    connections of an import (heartbeat, staging ids) are psycopg2's and must not get them."""
    monkeypatch.setattr(
        connection,
        "get_connection_params",
        lambda: {"dbname": "x", "host": "127.0.0.1", "context": object(), "pool": None},
    )
    assert bulk.side_connection_params() == {"dbname": "x", "host": "127.0.0.1"}


def test_an_importable_psycopg_3_is_refused_at_start_up_on_postgresql(monkeypatch):
    """Django would drive PostgreSQL with psycopg 3 and the first COPY of an import would fail
    (``copy_expert`` is psycopg2's): the check says so before any work starts."""
    from django.db.backends.postgresql import psycopg_any

    from bigcare.checks import postgresql_driver_is_psycopg2

    monkeypatch.setattr(psycopg_any, "is_psycopg3", True)
    found = [e.id for e in postgresql_driver_is_psycopg2()]
    assert found == (["bigcare.E102"] if connection.vendor == "postgresql" else [])
    monkeypatch.setattr(psycopg_any, "is_psycopg3", False)
    assert postgresql_driver_is_psycopg2() == []
