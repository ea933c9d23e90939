"""Visit worklists per centre: turning 65 or 70 this year, newborns, crisis signals (§4)."""

from __future__ import annotations

from datetime import timedelta

from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.db.models import Exists, OuterRef, Q, QuerySet
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from bigcare.access import centre_for_user, centres_for_user
from bigcare.accesslog import log_access
from bigcare.models import AccessAction
from cases.access import residents_for_user
from cases.life_events import gone
from cases.models import Visit, VisitReason, WorklistEntry
from intake.models import CrisisSignal
from matching.models import Resident

PAGE_SIZE = 50
SIGNAL_DAYS = 180
BABY_DAYS = 365
# What a person may sort a list by (GET ``sort``), and the order each means.
SORTS = {
    "birth": ("birth_date", "name", "pk"),
    "-birth": ("-birth_date", "name", "pk"),
    "name": ("name", "birth_date", "pk"),
    "address": ("address", "name", "pk"),
}


SORT_LABELS = [
    ("birth", _("Oldest first")),
    ("-birth", _("Youngest first")),
    ("name", _("Name")),
    ("address", _("Address")),
]


def worklists(user, centre, sort: str = "birth") -> dict[str, QuerySet]:
    """One queryset per list, unsliced (the page pages each). A resident visited for the same
    reason this year drops off."""
    today = timezone.localdate()
    # The dead and those who moved out of Seoul are visited by no one (cases.life_events).
    scope = (
        residents_for_user(user).filter(home_centre=centre).exclude(gone()).order_by(*SORTS[sort])
    )

    def not_visited(reason: str, since):
        return ~Exists(
            Visit.objects.filter(resident=OuterRef("pk"), reason=reason, visited_on__gte=since)
        )

    year_start = today.replace(month=1, day=1)
    baby_since = today - timedelta(days=BABY_DAYS)
    # The same signals as the screening report: any signal of a current record linked to the
    # resident. A rolled-back import retracts its records, and its signals leave the list.
    signalled = Exists(
        CrisisSignal.objects.filter(record__link__resident=OuterRef("pk"), record__status="current")
    )
    # A household with a newborn (DOMAIN.md: birth-registration households): the household is
    # the residents sharing a dwelling (unit_key, as the household panel groups them); the visit
    # goes to its eldest member. A baby whose dwelling is unknown stands for its household.
    baby_in_unit = Exists(
        Resident.objects.filter(
            unit_key=OuterRef("unit_key"), active=True, birth_date__gt=baby_since
        )
    )
    elder_in_unit = Exists(
        Resident.objects.filter(
            unit_key=OuterRef("unit_key"), active=True, birth_date__lt=OuterRef("birth_date")
        )
    )
    household_visited = Exists(
        Visit.objects.filter(
            resident__unit_key=OuterRef("unit_key"),
            reason=VisitReason.BIRTH,
            visited_on__gte=baby_since,
        )
    )
    newborn_households = Q(~Q(unit_key=""), baby_in_unit, ~elder_in_unit, ~household_visited) | Q(
        unit_key="", birth_date__gt=baby_since
    ) & not_visited(VisitReason.BIRTH, baby_since)
    return {
        VisitReason.TURNING_65: scope.filter(birth_date__year=today.year - 65).filter(
            not_visited(VisitReason.TURNING_65, year_start)
        ),
        VisitReason.TURNING_70: scope.filter(birth_date__year=today.year - 70).filter(
            not_visited(VisitReason.TURNING_70, year_start)
        ),
        VisitReason.BIRTH: scope.filter(newborn_households),
        VisitReason.CRISIS: scope.filter(signalled).filter(
            not_visited(VisitReason.CRISIS, today - timedelta(days=SIGNAL_DAYS))
        ),
        # Sent from an approved eligibility report; off the list once visited after being sent.
        VisitReason.SCREENING: scope.filter(
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
    sort = request.GET.get("sort") if request.GET.get("sort") in SORTS else "birth"
    lists = worklists(request.user, centre, sort) if centre else {}
    # Each list pages on its own (``<reason>-page``): a count and one page of rows each.
    sections = [
        (
            VisitReason(k).label,
            k,
            Paginator(rows, PAGE_SIZE).get_page(request.GET.get(f"{k}-page")),
        )
        for k, rows in lists.items()
    ]
    shown = [r.pk for _, _, page in sections for r in page.object_list]
    if shown:
        log_access(request, AccessAction.SEARCH, shown, detail=f"worklist centre={centre.code}")
    return render(
        request,
        "cases/worklist.html",
        {
            "centres": centres,
            "centre": centre,
            "sections": sections,
            "sort": sort,
            "sorts": SORT_LABELS,
        },
    )
