"""The supervisor's start page: approvals waiting, overdue cases, caseload, visits (§5)."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.db.models import Count, Q
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone

from bigcare.access import centre_ids
from cases.access import cases_for_user, visits_for_user
from cases.models import VisitReason


@login_required
def supervisor(request: HttpRequest) -> HttpResponse:
    supervised = centre_ids(request.user, "supervise")
    if not supervised:
        raise Http404("not a supervisor")
    # Through the case helper, narrowed to the centres the user supervises.
    cases = cases_for_user(request.user).filter(owner_centre_id__in=supervised)
    today = timezone.localdate()
    reasons = dict(VisitReason.choices)
    return render(
        request,
        "cases/supervisor.html",
        {
            "awaiting": cases.awaiting_approval()
            .select_related("resident", "owner", "owner_centre")
            .order_by("stage_due")[:100],
            "overdue": cases.overdue()
            .select_related("resident", "owner", "owner_centre")
            .order_by("stage_due")[:100],
            "caseload": cases.open()
            .values("owner__username", "owner_centre__name_ko")
            .annotate(
                n=Count("pk"),
                late=Count("pk", filter=Q(stage_due__lt=today)),
            )
            .order_by("owner_centre__name_ko", "owner__username"),
            "visits": [
                {**row, "reason": reasons.get(row["reason"], row["reason"])}
                for row in visits_for_user(request.user)
                .filter(centre_id__in=supervised, visited_on__year=today.year)
                .values("centre__name_ko", "reason")
                .annotate(n=Count("pk"))
                .order_by("centre__name_ko", "reason")
            ],
        },
    )
