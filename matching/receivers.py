"""Incremental linkage when an import changes records (intake announces, matching reacts)."""

from __future__ import annotations

from django.dispatch import receiver

from intake.signals import records_changed


@receiver(records_changed)
def link_changed_records(sender, record_ids=(), run=None, **kwargs) -> None:
    from matching.actions import run_linkage

    if record_ids:
        run_linkage(full=False)
