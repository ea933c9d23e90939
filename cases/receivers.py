"""Cases, visits, worklist entries and report items follow their resident through a manual merge
(matching announces it, cases moves its own rows: matching never imports cases).

Referrals, case events and planned services hang on the case and follow it. Screening results
are not carried: the next screening run derives them anew from the merged profile.
"""

from __future__ import annotations

from django.db.models import CharField, Value
from django.dispatch import receiver

from cases.models import Case, ReportItem, Visit, WorklistEntry
from matching.signals import merge_undone, residents_merged

CARRIED = (Case, Visit, WorklistEntry, ReportItem)


@receiver(residents_merged, dispatch_uid="cases.follow_merge")
def carry_to_survivor(sender, survivor: int, merged: int, **kwargs) -> dict[str, list[int]]:
    """Move what the merged-away resident holds to the survivor; say what moved. One query
    finds it all, then one UPDATE per kind of thing there is to move."""
    held = [
        model.objects.filter(resident_id=merged)
        .order_by()
        .annotate(kind=Value(model._meta.label, output_field=CharField()))
        .values_list("kind", "pk")
        for model in CARRIED
    ]
    carried: dict[str, list[int]] = {}
    for label, pk in held[0].union(*held[1:], all=True):
        carried.setdefault(label, []).append(pk)
    for model in CARRIED:
        if ids := carried.get(model._meta.label):
            model.objects.filter(pk__in=ids).update(resident_id=survivor)
    return carried


@receiver(merge_undone, dispatch_uid="cases.follow_undo")
def carry_back(sender, carried: dict, back_to: int, survivor: int, **kwargs) -> None:
    """Move back what the merge carried (and is still on the survivor)."""
    for model in CARRIED:
        ids = carried.get(model._meta.label)
        if ids:
            model.objects.filter(pk__in=ids, resident_id=survivor).update(resident_id=back_to)
