"""Visit worklists per centre: turning 65 or 70 this year, newborns, crisis signals (§4)."""

from __future__ import annotations

from datetime import timedelta

from django.contrib.auth.decorators import login_required
from django.db.models import Exists, OuterRef
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone

from bigcare.access import centre_for_user, centres_for_user
from bigcare.accesslog import log_access
from bigcare.models import AccessAction
from cases.access import residents_for_user
from cases.models import Visit, VisitReason, WorklistEntry
from intake.models import CrisisSignal

LIST_LIMIT = 50
SIGNAL_DAYS = 180


def worklists(user, centre) -> dict[str, list]:
    """One query per list. A resident visited for the same reason this year drops off."""
    today = timezone.localdate()
    scope = residents_for_user(user).filter(home_centre=centre).order_by("birth_date", "name")

    def not_visited(reason: str, since):
        return ~Exists(
            Visit.objects.filter(resident=OuterRef("pk"), reason=reason, visited_on__gte=since)
        )

    year_start = today.replace(month=1, day=1)
    recent_signal = Exists(
        CrisisSignal.objects.filter(
            record__link__resident=OuterRef("pk"),
            observed_on__gte=today - timedelta(days=SIGNAL_DAYS),
        )
    )
    return {
        VisitReason.TURNING_65: list(
            scope.filter(birth_date__year=today.year - 65).filter(
                not_visited(VisitReason.TURNING_65, year_start)
            )[:LIST_LIMIT]
        ),
        VisitReason.TURNING_70: list(
            scope.filter(birth_date__year=today.year - 70).filter(
                not_visited(VisitReason.TURNING_70, year_start)
            )[:LIST_LIMIT]
        ),
        VisitReason.BIRTH: list(
            scope.filter(birth_date__gt=today - timedelta(days=365)).filter(
                not_visited(VisitReason.BIRTH, today - timedelta(days=365))
            )[:LIST_LIMIT]
        ),
        VisitReason.CRISIS: list(
            scope.filter(recent_signal).filter(
                not_visited(VisitReason.CRISIS, today - timedelta(days=SIGNAL_DAYS))
            )[:LIST_LIMIT]
        ),
        # Sent from an approved eligibility report; off the list once visited after being sent.
        VisitReason.SCREENING: list(
            scope.filter(
                Exists(
                    WorklistEntry.objects.filter(
                        resident=OuterRef("pk"),
                        centre=centre,
                        reason=VisitReason.SCREENING,
                    ).exclude(
                        Exists(
                            Visit.objects.filter(
                                resident=OuterRef("resident"),
                                reason=VisitReason.SCREENING,
                                visited_on__gte=OuterRef("added_on"),
                            )
                        )
                    )
                )
            )[:LIST_LIMIT]
        ),
    }


@login_required
def worklist(request: HttpRequest) -> HttpResponse:
    centres = list(centres_for_user(request.user).select_related("district")[:50])
    centre = None
    if request.GET.get("centre"):
        centre = centre_for_user(request.user, request.GET["centre"])
    elif centres:
        centre = centres[0]
    lists = worklists(request.user, centre) if centre else {}
    sections = [(VisitReason(k).label, k, v) for k, v in lists.items()]
    shown = [r.pk for _, _, rows in sections for r in rows]
    if shown:
        log_access(request, AccessAction.SEARCH, shown, detail=f"worklist centre={centre.code}")
    return render(
        request,
        "cases/worklist.html",
        {
            "centres": centres,
            "centre": centre,
            "sections": sections,
        },
    )
