"""Incremental linkage when an import changes records (intake announces, matching reacts)."""

from __future__ import annotations

from django.dispatch import receiver

from intake.signals import records_changed


@receiver(records_changed)
def link_changed_records(sender, record_ids=(), run=None, **kwargs) -> None:
    """Queue a linkage task once the import's transaction commits: never link inside it (a
    rolled-back import must not leave links) and never make the import wait for linkage."""
    from matching.tasks import link_records

    if record_ids:
        link_records.delay_on_commit(sorted(int(r) for r in record_ids))
