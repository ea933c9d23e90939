"""A real Celery worker on Redis against PostgreSQL: SIGKILLed mid-import and restarted, it leaves
the data of one clean run; the same import dispatched five times at once runs once.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from celery import Celery
from django.db import connection

from bench.intake import make_city_csv
from intake.actions import define_source, read_mapping_file
from intake.imports import start_import
from intake.models import CrisisSignal, Enrollment, ImportRun, RejectedRow, RunStatus, SourceRecord
from intake.reference import load_reference
from tests.conftest import requires_postgres, requires_redis
from tests.intake.conftest import MAPPINGS, import_file

pytestmark = [requires_postgres, requires_redis, pytest.mark.worker, pytest.mark.slow]
BROKER = "redis://127.0.0.1:6379/5"
ROOT = Path(__file__).resolve().parents[2]


def _flush_broker() -> None:
    import redis

    redis.Redis.from_url(BROKER).flushdb()


def _worker(concurrency: int = 1) -> subprocess.Popen:
    name = connection.settings_dict["NAME"]
    env = {
        **os.environ,
        "DATABASE_URL": f"postgres://postgres@127.0.0.1:5432/{name}",
        "CELERY_BROKER_URL": BROKER,
        "CELERY_VISIBILITY": "5",
        "LOG_LEVEL": "WARNING",
    }
    return subprocess.Popen(
        [
            sys.executable,
            "-m",
            "celery",
            "-A",
            "bigcare",
            "worker",
            "-c",
            str(concurrency),
            "--without-gossip",
            "--without-mingle",
            "--without-heartbeat",
            "-l",
            "WARNING",
            "-n",
            f"intake-test-{time.monotonic_ns()}@%h",
        ],
        cwd=ROOT,
        env=env,
        start_new_session=True,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )


def _kill(worker: subprocess.Popen) -> None:
    if worker.poll() is None:
        os.killpg(worker.pid, signal.SIGKILL)
        worker.wait(10)


def _wait(run_id: int, statuses: set[str], timeout: float) -> ImportRun:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        run = ImportRun.objects.get(pk=run_id)
        if run.status in statuses:
            return run
        time.sleep(0.1)
    raise AssertionError(f"run {run_id} still {run.status} after {timeout}s: {run.error}")


def _data(run: ImportRun) -> dict:
    records = SourceRecord.objects.filter(run=run)
    return {
        "counts": (run.rows_in, run.accepted, run.rejected, run.records_added),
        "records": sorted(records.values_list("source_key", "version", "status", "content_hash")),
        "enrollments": Enrollment.objects.filter(record__run=run).count(),
        "signals": CrisisSignal.objects.filter(record__run=run).count(),
        "rejected": sorted(
            RejectedRow.objects.filter(run=run).values_list("row_number", "reasons")
        ),
    }


@pytest.fixture
def city_sources(transactional_db, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    load_reference()
    definition = read_mapping_file(MAPPINGS / "city.toml")
    crashy = define_source(definition)[0]
    clean = define_source({**definition, "code": "city-clean"})[0]
    return crashy, clean


def _send(run_id: int, times: int = 1) -> None:
    sender = Celery(broker=BROKER)
    for _ in range(times):
        sender.send_task("intake.tasks.import_run", args=[run_id])
    sender.close()


def test_a_worker_killed_mid_import_leaves_one_clean_runs_data(city_sources, tmp_path):
    crashy, clean = city_sources
    path = make_city_csv(tmp_path / "city.csv", 150_000, seed=3)
    expected = _data(import_file(clean, path))
    _flush_broker()

    worker = _worker()
    try:
        run = start_import(crashy, path, dispatch=False)
        _send(run.pk)
        mid = _wait(run.pk, {RunStatus.VALIDATING, RunStatus.LOADING, RunStatus.DONE}, 60)
        assert mid.status != RunStatus.DONE, "the import finished before it could be killed"
        _kill(worker)
        # Nothing of the half-done run is visible: it was one uncommitted transaction.
        assert not SourceRecord.objects.filter(run=run).exists()
        assert ImportRun.objects.get(pk=run.pk).status != RunStatus.DONE
        worker = _worker()  # the broker redelivers the unacknowledged task to the new worker
        done = _wait(run.pk, {RunStatus.DONE, RunStatus.FAILED}, 180)
    finally:
        _kill(worker)
    assert done.status == RunStatus.DONE, done.error
    got = _data(done)
    assert got == expected
    assert SourceRecord.objects.filter(source=crashy).count() == len(expected["records"])


def test_the_same_import_dispatched_five_times_runs_once(city_sources, tmp_path):
    crashy, clean = city_sources
    path = make_city_csv(tmp_path / "city.csv", 20_000, seed=4)
    expected = _data(import_file(clean, path))
    _flush_broker()
    runs = {start_import(crashy, path, dispatch=False).pk for _ in range(5)}
    assert len(runs) == 1
    run_id = runs.pop()
    worker = _worker(concurrency=2)
    try:
        _send(run_id, times=5)
        done = _wait(run_id, {RunStatus.DONE, RunStatus.FAILED}, 120)
        time.sleep(3)  # let the other four deliveries reach the status gate
    finally:
        _kill(worker)
    assert done.status == RunStatus.DONE, done.error
    assert _data(ImportRun.objects.get(pk=run_id)) == expected
    assert SourceRecord.objects.filter(source=crashy, version__gt=1).count() == 0
