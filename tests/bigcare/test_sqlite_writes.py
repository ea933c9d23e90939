"""On SQLite (the demo) two people saving at once both succeed: the later one waits (#12 item 15).

A transaction that reads and then writes while another holds the write lock used to fail at
once with "database is locked" (a 500 for the loser), whatever the busy timeout: SQLite cannot
upgrade a read transaction that another writer has overtaken. Transactions that begin IMMEDIATE
take the write lock first and wait their turn instead.
"""

from __future__ import annotations

import threading
import time

import pytest
from django.conf import settings
from django.db import connections, transaction
from django.db.backends.sqlite3.base import DatabaseWrapper

pytestmark = pytest.mark.skipif(
    not settings.DATABASES["default"]["ENGINE"].endswith("sqlite3"), reason="SQLite only"
)


def _connection(path) -> DatabaseWrapper:
    """A connection configured as settings.DATABASES configures the application's, on a file."""
    config = {**settings.DATABASES["default"], "NAME": str(path), "TEST": {}}
    config.setdefault("TIME_ZONE", None)
    config.setdefault("AUTOCOMMIT", True)
    config.setdefault("CONN_HEALTH_CHECKS", False)
    config.setdefault("ATOMIC_REQUESTS", False)
    return DatabaseWrapper(config, alias="sqlite_writes")


def _atomic(db: DatabaseWrapper):
    """``transaction.atomic`` on ``db``, as a request's transaction runs (this thread only)."""
    connections[db.alias] = db
    return transaction.atomic(using=db.alias)


@pytest.fixture
def unblocked(django_db_blocker):
    """Connections of the test's own, to a file of its own (not the test database)."""
    with django_db_blocker.unblock():
        yield


def test_a_concurrent_read_then_write_waits_instead_of_failing(tmp_path, unblocked):
    path = tmp_path / "concurrent.sqlite3"
    setup = _connection(path)
    with setup.cursor() as cursor:
        cursor.execute("CREATE TABLE counter (n INTEGER)")
        cursor.execute("INSERT INTO counter VALUES (0)")
    setup.close()

    first_writing, errors = threading.Event(), []

    def first():
        db = _connection(path)
        try:
            with _atomic(db):
                db.cursor().execute("UPDATE counter SET n = n + 1")
                first_writing.set()
                time.sleep(0.5)
        except Exception as e:  # reported below
            errors.append(e)
        finally:
            db.close()

    def second():
        db = _connection(path)
        first_writing.wait(5)
        try:
            with _atomic(db):
                cursor = db.cursor()
                cursor.execute("SELECT n FROM counter")
                (n,) = cursor.fetchone()
                cursor.execute("UPDATE counter SET n = %s", [n + 10])
        except Exception as e:  # reported below
            errors.append(e)
        finally:
            db.close()

    threads = [threading.Thread(target=first), threading.Thread(target=second)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(30)
    assert errors == []
    check = _connection(path)
    with check.cursor() as cursor:
        cursor.execute("SELECT n FROM counter")
        assert cursor.fetchone() == (11,)
    check.close()
