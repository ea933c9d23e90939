"""Celery tasks of intake. Arguments are ids only: never a file's rows, never an identity number."""

from __future__ import annotations

from celery import shared_task
from django.db import InterfaceError, OperationalError

from intake.imports import run_import


@shared_task(
    name="intake.tasks.import_run",
    acks_late=True,
    reject_on_worker_lost=True,
    # A lost database connection is worth a bounded retry; the status gate makes it safe.
    autoretry_for=(OperationalError, InterfaceError),
    max_retries=3,
    retry_backoff=True,
)
def import_run(run_id: int) -> str:
    """Import one run; a run already done (or rolled back) is a no-op."""
    return run_import(run_id).status


@shared_task(name="intake.tasks.destroy_expired_files", acks_late=True, max_retries=2)
def destroy_expired_files() -> int:
    """Nightly (Celery beat): kept import files past their retention are destroyed."""
    from intake.actions import destroy_expired_files as destroy

    return len(destroy())
