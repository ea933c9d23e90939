"""Celery tasks of matching. Arguments are ids only (DESIGN.md principle 6)."""

from __future__ import annotations

from celery import shared_task
from django.db import InterfaceError, OperationalError


@shared_task(
    name="matching.tasks.link_import",
    acks_late=True,
    reject_on_worker_lost=True,
    # A lost connection is worth a bounded retry: the linkage lock and the upserts make a
    # repeated run harmless.
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

        runs.update(
            link_status=LinkStatus.FAILED, link_error=redact(f"{type(exc).__name__}: {exc}")[:2000]
        )
        raise
    runs.update(link_status=LinkStatus.DONE, link_error="")
    return linkage.pk


@shared_task(name="matching.tasks.retrain_nightly", acks_late=True, reject_on_worker_lost=True)
def retrain_nightly() -> int | None:
    """Retrain the linkage model every night (CELERY_BEAT_SCHEDULE) when records changed since
    it was trained; returns the retraining run's id, None when nothing changed.

    Between nights an incremental run retrains at once when drift crosses a threshold
    (matching.drift); the schedule catches slow drift no single import shows."""
    from django.db.models import Q

    from matching.actions import retrain_linkage
    from matching.models import LinkageModel, LinkageRun

    current = LinkageModel.current()
    if current is not None:
        # Incremental runs with this version that found something to link or a population of
        # another size (the retraining run itself excluded).
        since = (
            LinkageRun.objects.filter(
                status=LinkageRun.Status.DONE,
                model=current,
                full=False,
                finished_at__gt=current.created_at,
            )
            .filter(Q(pairs__gt=0) | ~Q(records=current.trained_on))
            .exclude(drift__has_key="retrained")
        )
        if not since.exists():
            return None
    return retrain_linkage(reason=LinkageModel.Reason.SCHEDULE).pk
