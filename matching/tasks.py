"""Celery tasks of matching. Arguments are ids only (DESIGN.md principle 6)."""

from __future__ import annotations

from celery import shared_task
from django.db import InterfaceError, OperationalError


@shared_task(
    name="matching.tasks.link_records",
    acks_late=True,
    reject_on_worker_lost=True,
    # A lost connection is worth a bounded retry: the linkage lock and the upserts make a
    # repeated run harmless.
    autoretry_for=(OperationalError, InterfaceError),
    max_retries=3,
    retry_backoff=True,
)
def link_records(record_ids: list[int]) -> int | None:
    """Link changed records into the residents incrementally; returns the LinkageRun id.

    Idempotent: the run links every current record that has no link yet, whoever announced it,
    so a duplicate delivery (or a second task for an overlapping import) finds nothing new and
    rewrites nothing. ``record_ids`` is what the import announced; the run itself reads the
    database, since by the time a worker takes the task a later import may have added more.
    """
    from matching.actions import run_linkage

    if not record_ids:
        return None
    return run_linkage(full=False).pk


@shared_task(
    name="matching.tasks.link_import",
    acks_late=True,
    reject_on_worker_lost=True,
    autoretry_for=(OperationalError, InterfaceError),
    max_retries=3,
    retry_backoff=True,
)
def link_import(run_id: int) -> int | None:
    """Link what an import (or its rollback) changed; returns the LinkageRun id.

    Takes the run's id, not its records' (a million ids is no task argument). The outcome is
    the run's ``link_status``, apart from its import status: a failed link leaves the import's
    data committed and its run done. Idempotent by run id: a run already linked is a no-op, and
    the linkage itself links whatever current record has no link yet.
    """
    from intake.models import ImportRun, LinkStatus
    from matching.actions import run_linkage

    runs = ImportRun.objects.filter(pk=run_id)
    if not runs.exclude(link_status=LinkStatus.DONE).update(link_status=LinkStatus.RUNNING):
        return None
    try:
        linkage = run_linkage(full=False)
    except Exception as exc:
        from bigcare.logs import redact

        runs.update(link_status=LinkStatus.FAILED,
                    link_error=redact(f"{type(exc).__name__}: {exc}")[:2000])
        raise
    runs.update(link_status=LinkStatus.DONE, link_error="")
    return linkage.pk
