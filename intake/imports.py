"""An import run's life: the file becomes a run once (by checksum), then one transaction loads it.

Exactly one effect per import (DESIGN.md principle 2): the unique (source, sha256) key makes the
same file the same run; the DataSource row lock makes two imports of one source wait for each
other; the status gate, read under that lock, makes a finished run a no-op. Progress is written by
a heartbeat on its own connection, so it is visible while the load's transaction is still open and
vanishes with nothing else if the worker dies.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import closing
from dataclasses import dataclass, field
from pathlib import Path

from django.conf import settings
from django.db import connection, transaction
from django.db.models import Value
from django.db.models.functions import Coalesce
from django.utils import timezone

from bigcare.logs import redact
from intake import load as loader
from intake import pipeline, staging
from intake.errors import IntakeError
from intake.keptfiles import KeptFile, keep_file, open_kept
from intake.mapping import parse_mapping
from intake.models import DataSource, ImportRun, LinkStatus, RunStatus
from intake.readers import Chunk, read_file
from intake.reference import reference
from intake.signals import records_changed

log = logging.getLogger("bigcare.intake")
HEARTBEAT_SECONDS = 1.0
FINISHED = (RunStatus.DONE, RunStatus.ROLLED_BACK)
# Rows per (full-size) part: the file is staged and loaded in parts of whole source keys so that
# staging parts in worker processes (client CPU) overlaps the COPY of earlier ones (server CPU).
# Smaller parts overlap more of the two; each costs a few fixed column passes more.
ROWS_PER_PART = 60_000
# A file this large will be staged in worker processes: their fork server is started before
# the file is read. A smaller upload may be one part, staged in this process, needing none.
EARLY_FORK_SERVER_BYTES = 8 << 20


def lock_runs_of(source: DataSource) -> None:
    """Serialise run creation per source without touching the row an import locks (PostgreSQL;
    SQLite's one writer serialises anyway)."""
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_xact_lock(%s, %s)", [7301, source.pk])


def start_import(
    source: DataSource,
    file: Path | str | KeptFile,
    user=None,
    filename: str = "",
    dispatch: bool = True,
) -> ImportRun:
    """The run for this file of this source: created once, then queued (again if it failed).

    ``file`` is a path (kept sealed here, block by block) or a file an upload already kept.
    The file's rolled-back run is returned as it is: importing it again is an administrator's
    act (intake.actions.reimport_run).
    """
    from intake.tasks import import_run

    kept = file if isinstance(file, KeptFile) else keep_file(Path(file), source.code)
    name = filename or (Path(file).name if not isinstance(file, KeptFile) else kept.path.name)
    with transaction.atomic():
        lock_runs_of(source)
        same = ImportRun.objects.filter(source=source, sha256=kept.sha256)
        run = (
            same.exclude(status=RunStatus.ROLLED_BACK).first()
            or same.order_by("-created_at").first()
        )
        created = run is None
        if created:
            run = ImportRun.objects.create(
                source=source,
                sha256=kept.sha256,
                filename=name[:255],
                stored_path=str(kept.path),
                started_by=user if user and user.is_authenticated else None,
            )
        elif run.stored_path != str(kept.path) or run.file_destroyed_at:
            # Kept again after retention destroyed it (or kept before files were sealed).
            same.update(stored_path=str(kept.path), file_destroyed_at=None)
            run.stored_path, run.file_destroyed_at = str(kept.path), None
        if not created and run.status == RunStatus.FAILED:
            run.status, run.error, run.error_code = RunStatus.QUEUED, "", ""
            run.progress_at = timezone.now()
            run.save(update_fields=["status", "error", "error_code", "progress_at"])
            created = True
        if created and dispatch:
            import_run.delay_on_commit(run.pk)
    return run


@dataclass
class _Totals:
    rows_in: int = 0
    accepted: int = 0
    rejected: int = 0
    warned: int = 0
    records_added: int = 0
    changed_ids: list[int] = field(default_factory=list)
    keys: list = field(default_factory=list)  # every part's source keys (full extracts)
    columns: list[str] = field(default_factory=list)
    seconds: dict[str, float] = field(default_factory=dict)
    load_detail: dict[str, float] = field(default_factory=dict)

    def add(self, where: dict[str, float], seconds: dict[str, float]) -> None:
        for key, value in seconds.items():
            where[key] = where.get(key, 0.0) + value


def _load_parts(
    run: ImportRun,
    parts: Iterator[Chunk],
    context: staging.Context,
    report: Callable[[str, int], None],
) -> _Totals:
    """Each part COPYed by this thread (the transaction's) while the next ones are staged."""
    totals = _Totals()
    superseded: list[int] = []
    report(RunStatus.VALIDATING, 0)
    with closing(staging.staged_parts(parts, context, settings.INTAKE_WORKERS)) as staged:
        while True:
            t0 = time.perf_counter()
            item = next(staged, None)
            totals.add(totals.seconds, {"waiting for validation": time.perf_counter() - t0})
            if item is None:
                break
            prepared = item.prepared
            totals.add(totals.seconds, prepared.seconds)
            totals.rows_in += prepared.rows_in
            totals.accepted += prepared.accepted
            totals.rejected += len(prepared.rejects)
            totals.warned += len(prepared.warnings)
            totals.columns = totals.columns or prepared.columns
            report(RunStatus.LOADING, totals.rows_in)
            t0 = time.perf_counter()
            loaded = loader.write(run, item)
            totals.add(totals.seconds, {"loading": time.perf_counter() - t0})
            totals.add(totals.load_detail, loaded.seconds)
            totals.records_added += loaded.records_added
            totals.changed_ids.extend(loaded.changed_ids)
            superseded.extend(loaded.superseded_ids)
            totals.keys.append(item.keys)
    t0 = time.perf_counter()
    loader.finish(superseded)
    totals.changed_ids.extend(superseded)
    finished = time.perf_counter() - t0
    totals.add(totals.seconds, {"loading": finished})
    totals.add(totals.load_detail, {"finish": finished})
    return totals


class Heartbeat:
    """Writes a run's stage and rows_done at least every second from its own connection.

    Only on PostgreSQL: SQLite has one writer, and there the import runs in-process anyway.
    """

    def __init__(self, run_id: int):
        self.run_id = run_id
        self.status = RunStatus.READING
        self.rows_done = 0
        self.rows_in = 0
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        if connection.vendor == "postgresql":
            self._thread = threading.Thread(
                target=self._beat, daemon=True, name=f"intake-heartbeat-{run_id}"
            )
            self._thread.start()

    def _beat(self) -> None:
        from bigcare.bulk import side_connection

        conn = side_connection()
        table = connection.ops.quote_name(ImportRun._meta.db_table)
        try:
            while True:
                with conn.cursor() as cursor:
                    cursor.execute(
                        f"UPDATE {table} SET status = %s, rows_done = %s, rows_in = %s, "  # noqa: S608
                        f"progress_at = now(), started_at = COALESCE(started_at, now()), "
                        f"error = '' "
                        f"WHERE id = %s AND status NOT IN (%s, %s, %s)",
                        [
                            self.status,
                            self.rows_done,
                            self.rows_in,
                            self.run_id,
                            RunStatus.DONE,
                            RunStatus.FAILED,
                            RunStatus.ROLLED_BACK,
                        ],
                    )
                if self._stop.wait(HEARTBEAT_SECONDS):
                    return
        finally:
            conn.close()

    def stop(self) -> None:
        self._stop.set()
        if self._thread:
            self._thread.join()


def announce(run: ImportRun, record_ids: list[int]) -> None:
    """Tell listeners (matching) which records changed; a listener's failure is logged, never
    raised into the import or rollback that announced it."""
    if not record_ids:
        return
    for receiver, result in records_changed.send_robust(
        sender=ImportRun, record_ids=record_ids, run=run
    ):
        if isinstance(result, Exception):
            log.error(
                "run %s: %s failed after the import: %s",
                run.pk,
                getattr(receiver, "__name__", receiver),
                redact(str(result)),
            )


def _fail(run_id: int, message: str, code: str) -> None:
    ImportRun.objects.filter(pk=run_id).update(
        status=RunStatus.FAILED,
        error=redact(message)[:2000],
        error_code=code,
        finished_at=timezone.now(),
        progress_at=timezone.now(),
    )


def run_import(run_id: int, progress: Callable[[str, int, int], None] | None = None) -> ImportRun:
    """Import one run; idempotent by run id. ``progress(stage, rows_done, rows_in)`` is optional.

    Typed file problems fail the run with their message; anything else fails it too and is
    re-raised for the worker's log (with identity numbers redacted by the logging filter).
    """
    run = ImportRun.objects.select_related("source").get(pk=run_id)
    if run.status in FINISHED:
        return run
    beat = Heartbeat(run_id)

    def report(stage: str, rows: int) -> None:
        beat.status, beat.rows_done = stage, rows
        if progress:
            progress(stage, rows, beat.rows_in)

    started = time.perf_counter()
    try:
        with transaction.atomic():
            source = DataSource.objects.select_for_update().get(pk=run.source_id)
            run = ImportRun.objects.get(pk=run_id)
            if run.status in FINISHED:  # another worker finished it while we waited
                beat.stop()
                return run
            # No write to the run's row here: the heartbeat's connection writes it until the
            # end, and a row lock taken by this transaction would block it.
            mapping = parse_mapping(source.mapping)
            ref = reference()
            report(RunStatus.READING, 0)
            if not run.file_kept or not Path(run.stored_path).exists():
                raise IntakeError(
                    "the kept copy of this file was destroyed (retention): upload the file again"
                )
            with open_kept(run.stored_path) as stream:
                if stream.seek(0, 2) > EARLY_FORK_SERVER_BYTES:
                    staging.start_fork_server(settings.INTAKE_WORKERS)
                _, chunks = read_file(stream, source.encoding, mapping.required_columns())
                reading = {"reading": 0.0}
                parts = pipeline.partitions(chunks, mapping, ROWS_PER_PART, reading)
                context = staging.Context(
                    mapping,
                    ref,
                    loader.existing_versions(run.source_id),
                    loader.copy_target(run, mapping.item_kind, timezone.now()),
                )
                totals = _load_parts(run, parts, context, report)
                retired = []
                if source.full_extract:
                    # Absent from the file: retired by this run (recorded, undone by rollback).
                    retired = loader.retire(run, context.existing, totals.keys, totals.rows_in)
                    totals.changed_ids.extend(retired)
            seconds = {**totals.seconds, **reading, "load_detail": totals.load_detail}
            accepted, rejected, warned = totals.accepted, totals.rejected, totals.warned
            beat.rows_in = totals.rows_in
            if totals.rows_in != accepted + rejected + warned:  # principle 1: every row counted
                raise IntakeError(
                    f"{totals.rows_in} rows in but {accepted} accepted + "
                    f"{warned} kept with warnings + {rejected} rejected"
                )
            beat.stop()  # before the final write, so the heartbeat never overwrites "done"
            seconds["total"] = time.perf_counter() - started
            ImportRun.objects.filter(pk=run_id).update(
                started_at=Coalesce("started_at", Value(timezone.now())),
                status=RunStatus.DONE,
                link_status=LinkStatus.NONE,
                link_error="",
                rows_in=totals.rows_in,
                accepted=accepted,
                rejected=rejected,
                warned=warned,
                rows_done=totals.rows_in,
                records_added=totals.records_added,
                retired=len(retired),
                columns=totals.columns,
                finished_at=timezone.now(),
                progress_at=timezone.now(),
                stage_seconds={
                    k: (
                        round(v, 3)
                        if isinstance(v, float)
                        else {a: round(b, 3) for a, b in v.items()}
                    )
                    for k, v in seconds.items()
                },
            )
            run = ImportRun.objects.select_related("source").get(pk=run_id)
            changed = totals.changed_ids
        # After the commit and outside the failure handling below: what follows an import
        # (linkage) has its own status on the run and never rewrites the import's outcome.
        announce(run, changed)
        run.refresh_from_db()
        if progress:
            progress(RunStatus.DONE, run.rows_in, run.rows_in)
        log.info(
            "import run %s done: %s in, %s accepted, %s rejected",
            run_id,
            run.rows_in,
            run.accepted,
            run.rejected,
        )
        return run
    except IntakeError as e:
        beat.stop()
        _fail(run_id, str(e), e.code)
        log.warning("import run %s failed: %s", run_id, e)
    except Exception as e:
        beat.stop()
        _fail(run_id, f"unexpected error ({type(e).__name__}): {e}", "unexpected")
        raise
    return ImportRun.objects.select_related("source").get(pk=run_id)
