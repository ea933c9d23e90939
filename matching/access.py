"""Scope of the review queue, manual merges, splits and their undo (DESIGN.md principle 5).

Changing who a record belongs to is a supervisor's act: a user may merge, split or undo only
residents whose home centre they supervise (``centre_ids(user, "supervise")``), and a merge,
an undo or a review decision needs every resident it touches in scope. A review item is seen
and decided only when the residents of *both* its records are in scope: showing one would show
the other resident's name, birth date, phone and address. No global permission widens this.
Anything else is a 404, the same answer as for something that does not exist, so ids outside
one's scope reveal nothing.
"""

from __future__ import annotations

from django.db.models import QuerySet
from django.http import Http404

from bigcare.access import AnyUser, centre_ids
from matching.models import Resident, ResidentChange, ReviewItem


def supervised_residents(user: AnyUser) -> QuerySet[Resident]:
    """Residents (active or merged away) whose home centre the user supervises."""
    return Resident.objects.filter(home_centre_id__in=centre_ids(user, "supervise"))


def resident_to_change(user: AnyUser, pk: int | str | None) -> Resident:
    """An active resident the user may merge or split, or 404."""
    try:
        return (
            supervised_residents(user)
            .filter(active=True)
            .select_related("home_centre__district")
            .get(pk=pk)
        )
    except (Resident.DoesNotExist, ValueError, TypeError):
        raise Http404("No such resident") from None


def changes_for_user(user: AnyUser) -> QuerySet[ResidentChange]:
    """Changes every one of whose residents the user supervises: one query with subqueries."""
    outside = Resident.objects.exclude(pk__in=supervised_residents(user).values("pk"))
    return ResidentChange.objects.exclude(residents__in=outside.values("pk"))


def change_to_undo(user: AnyUser, resident: Resident, pk: int | str | None) -> ResidentChange:
    """A change of ``resident`` that the user may undo (every resident it touched in scope)."""
    try:
        return changes_for_user(user).filter(residents=resident).get(pk=pk)
    except (ResidentChange.DoesNotExist, ValueError, TypeError):
        raise Http404("No such change") from None


def review_items_for_user(user: AnyUser) -> QuerySet[ReviewItem]:
    """Open items both of whose records belong to residents of centres the user supervises."""
    centres = centre_ids(user, "supervise")
    return ReviewItem.objects.filter(
        status=ReviewItem.Status.OPEN,
        record_a__link__resident__home_centre_id__in=centres,
        record_b__link__resident__home_centre_id__in=centres,
    )


def review_item_for_user(user: AnyUser, pk: int | str) -> ReviewItem:
    """An open item the user may see and decide, or 404."""
    try:
        return review_items_for_user(user).select_related("record_a", "record_b").get(pk=pk)
    except (ReviewItem.DoesNotExist, ValueError, TypeError):
        raise Http404("No such review item") from None
