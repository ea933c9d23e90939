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
