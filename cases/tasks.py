"""Celery tasks of cases: the nightly eligibility screening (CELERY_BEAT_SCHEDULE)."""

from __future__ import annotations

from celery import shared_task

from cases.rules import load_rules
from cases.screening import prune_results, run_screening


@shared_task(name="cases.screen_eligibility", acks_late=True, max_retries=2)
def screen_eligibility() -> int:
    """Screen everyone as of today; returns the run id (an int: JSON-safe, no personal data)."""
    load_rules()
    run = run_screening()
    prune_results()
    return run.pk


@shared_task(name="cases.nightly_alerts", acks_late=True, max_retries=2)
def nightly_alerts() -> int:
    """Due dates within three days and new crisis signals; idempotent by each alert's key."""
    from cases.alerts import crisis_alerts, due_date_alerts

    return due_date_alerts() + crisis_alerts()
