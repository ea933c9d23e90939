"""Incremental linkage when an import changes records (intake announces, matching reacts)."""

from __future__ import annotations

import functools

from django.db import transaction
from django.dispatch import receiver

from intake.signals import records_changed


@receiver(records_changed)
def link_changed_records(sender, record_ids=(), run=None, **kwargs) -> None:
    """Queue a linkage task once the import's transaction commits: never link inside it (a
    rolled-back import must not leave links) and never make the import wait for linkage.
    The task takes the run's id; its outcome is the run's ``link_status``."""
    from intake.models import ImportRun, LinkStatus
    from matching.tasks import link_import

    if not record_ids or run is None:
        return
    ImportRun.objects.filter(pk=run.pk).update(link_status=LinkStatus.QUEUED, link_error="")
    # Robust: run eagerly (no broker), a failing link is logged and left on the run's
    # link_status; it never fails the import or rollback that committed.
    transaction.on_commit(functools.partial(link_import.delay, run.pk), robust=True)
