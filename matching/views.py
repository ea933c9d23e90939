"""The review queue: uncertain pairs side by side, decided by supervisors and data admins."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.db.models import Q, QuerySet
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from bigcare.access import centres_for_user
from bigcare.accesslog import log_access
from bigcare.models import AccessAction
from matching.actions import decide_review_item
from matching.models import RecordLink, ReviewItem


def review_items_for_user(user) -> QuerySet[ReviewItem]:
    """Open items the user may decide: a supervisor's centres; a data admin by the global
    permission for now (intake's per-source access helper is not on this branch yet)."""
    items = ReviewItem.objects.filter(status=ReviewItem.Status.OPEN)
    if not user.is_authenticated:
        return items.none()
    if user.has_perm("matching.review_links"):
        return items
    centres = centres_for_user(user, "supervise").values("pk")
    residents = RecordLink.objects.filter(resident__home_centre__in=centres).values("record_id")
    return items.filter(Q(record_a__in=residents) | Q(record_b__in=residents))


def review_item_for_user(user, pk: int) -> ReviewItem:
    try:
        return review_items_for_user(user).select_related("record_a", "record_b").get(pk=pk)
    except (ReviewItem.DoesNotExist, ValueError, TypeError):
        raise Http404("No such review item") from None


def _residents(items) -> list[int]:
    ids = [r for i in items for r in (i.record_a_id, i.record_b_id)]
    return list(RecordLink.objects.filter(record_id__in=ids).values_list("resident_id",
                                                                          flat=True))


@login_required
def queue(request: HttpRequest) -> HttpResponse:
    items = list(review_items_for_user(request.user).select_related(
        "record_a__source", "record_b__source")[:50])
    log_access(request, AccessAction.REVIEW_LINK, _residents(items), detail="review queue")
    return render(request, "matching/queue.html", {"items": items})


@login_required
@require_POST
def decide(request: HttpRequest, pk: int) -> HttpResponse:
    item = review_item_for_user(request.user, pk)
    same = request.POST.get("decision") == "same"
    log_access(request, AccessAction.REVIEW_LINK, _residents([item]),
               detail=f"review item {item.pk}: {'same' if same else 'different'}")
    decide_review_item(item, request.user, same)
    return redirect("matching:queue")
