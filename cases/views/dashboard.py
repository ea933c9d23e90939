"""The supervisor's dashboard (issue 6 §4): visit targets, crisis follow-up, caseload, blind
spots, and a map of Seoul's dongs shaded by a chosen figure. Every figure is one aggregate query
over the supervised centres; the charts are inline SVG drawn by the template."""

from __future__ import annotations

from datetime import timedelta

from django.contrib.auth.decorators import login_required
from django.db.models import Count, Exists, OuterRef, Q, Subquery, Sum
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import gettext as _

from bigcare.access import centre_ids, centres_for_user
from cases.dongmap import ATTRIBUTION, focus_box, shaded
from cases.models import Case, Outcome, ReportItem, ScreeningCount, ScreeningRun, Visit
from cases.models import VisitReason as R
from intake.models import CrisisSignal
from matching.models import Resident

CRISIS_DAYS = 180
CONTACT_BUCKETS = [(7, "≤ 7"), (14, "8–14"), (30, "15–30"), (10_000, "> 30")]


def _bars(rows: list[tuple[str, float, float | None]]) -> list[dict]:
    """Label, value and an optional target → widths in % of the largest, for the SVG bars."""
    top = max([max(v, t or 0) for _, v, t in rows] + [1])
    return [
        {"label": label, "value": v, "target": t, "w": 100 * v / top, "tw": 100 * (t or 0) / top}
        for label, v, t in rows
    ]


def universal_visits(supervised, today) -> list[dict]:
    """Residents due a universal visit this year (turning 65 or 70, born in the last year)
    against those visited for it: one query."""
    year_start = today.replace(month=1, day=1)

    def visited(reason, since):
        return Exists(
            Visit.objects.filter(resident=OuterRef("pk"), reason=reason, visited_on__gte=since)
        )

    born_65, born_70 = Q(birth_date__year=today.year - 65), Q(birth_date__year=today.year - 70)
    newborn = Q(birth_date__gt=today - timedelta(days=365))
    agg = (
        Resident.objects.filter(home_centre__in=supervised, active=True)
        .annotate(
            v65=visited(R.TURNING_65, year_start),
            v70=visited(R.TURNING_70, year_start),
            vb=visited(R.BIRTH, today - timedelta(days=365)),
        )
        .aggregate(
            due65=Count("pk", filter=born_65),
            done65=Count("pk", filter=born_65 & Q(v65=True)),
            due70=Count("pk", filter=born_70),
            done70=Count("pk", filter=born_70 & Q(v70=True)),
            dueb=Count("pk", filter=newborn),
            doneb=Count("pk", filter=newborn & Q(vb=True)),
        )
    )
    return _bars(
        [
            (str(R.TURNING_65.label), agg["done65"], agg["due65"]),
            (str(R.TURNING_70.label), agg["done70"], agg["due70"]),
            (str(R.BIRTH.label), agg["doneb"], agg["dueb"]),
        ]
    )


def crisis_contact(supervised, today) -> tuple[list[dict], float | None]:
    """Days from a resident's first recent crisis signal to the first visit after it: one
    query; the buckets and median are computed here."""
    since = today - timedelta(days=CRISIS_DAYS)
    first_signal = (
        CrisisSignal.objects.filter(
            record__link__resident=OuterRef("pk"),
            observed_on__gte=since,
        )
        .order_by("observed_on")
        .values("observed_on")[:1]
    )
    rows = (
        Resident.objects.filter(home_centre__in=supervised, active=True)
        .annotate(signal=Subquery(first_signal))
        .filter(signal__isnull=False)
        .annotate(
            contact=Subquery(
                Visit.objects.filter(
                    resident=OuterRef("pk"),
                    visited_on__gte=OuterRef("signal"),
                )
                .order_by("visited_on")
                .values("visited_on")[:1]
            ),
        )
        .values_list("signal", "contact")[:20_000]
    )
    days, waiting = [], 0
    for signal, contact in rows:
        if contact is None:
            waiting += 1
        else:
            days.append((contact - signal).days)
    counts = [
        sum(1 for d in days if lo < d <= hi)
        for lo, hi in zip(
            [-1] + [b for b, _ in CONTACT_BUCKETS[:-1]],
            [b for b, _ in CONTACT_BUCKETS],
            strict=True,
        )
    ]
    bars = [
        (_("%(d)s days") % {"d": label}, n, None)
        for (_b, label), n in zip(CONTACT_BUCKETS, counts, strict=True)
    ]
    bars.append((_("not contacted yet"), waiting, None))
    median = sorted(days)[len(days) // 2] if days else None
    return _bars(bars), median


def caseload(supervised, today) -> list[dict]:
    rows = (
        Case.objects.filter(owner_centre__in=supervised)
        .open()
        .values("owner__username")
        .annotate(n=Count("pk"), late=Count("pk", filter=Q(stage_due__lt=today)))
        .order_by("-n")[:30]
    )
    top = max([r["n"] for r in rows] + [1])
    return [
        {
            "label": r["owner__username"] or "—",
            "n": r["n"],
            "late": r["late"],
            "w": 100 * r["n"] / top,
            "lw": 100 * r["late"] / top,
        }
        for r in rows
    ]


def blind_spot_flow(supervised) -> list[dict]:
    agg = ReportItem.objects.filter(report__centre__in=supervised).aggregate(
        found=Count("pk"),
        sent=Count("pk", filter=Q(sent_at__isnull=False)),
        enrolled=Count("pk", filter=Q(outcome=Outcome.ENROLLED)),
    )
    return _bars(
        [
            (_("Blind spots found"), agg["found"], None),
            (_("Sent to visits"), agg["sent"], None),
            (_("Enrolled"), agg["enrolled"], None),
        ]
    )


FIGURES = {
    "blind_spots": lambda: _("Blind spots (latest screening)"),
    "unknown": lambda: _("Undecided for missing data (latest screening)"),
    "open_cases": lambda: _("Open cases"),
    "overdue_cases": lambda: _("Overdue cases"),
}


def map_values(figure: str, supervised, today) -> dict[str, float]:
    """Dong code → figure for the supervised centres (one query); other dongs stay grey."""
    if figure in ("blind_spots", "unknown"):
        run = ScreeningRun.latest()
        if run is None:
            return {}
        field = "blind_spots" if figure == "blind_spots" else "unknown"
        rows = (
            ScreeningCount.objects.filter(run=run, centre__in=supervised)
            .values("centre__code")
            .annotate(v=Sum(field))
            .values_list("centre__code", "v")
        )
    else:
        cases = Case.objects.filter(owner_centre__in=supervised).open()
        if figure == "overdue_cases":
            cases = cases.filter(stage_due__lt=today)
        rows = (
            cases.values("owner_centre__code")
            .annotate(v=Count("pk"))
            .values_list("owner_centre__code", "v")
        )
    return {code: float(v or 0) for code, v in rows}


def dong_figures(centre, today) -> list[tuple[str, float]]:
    """Every map figure of one supervised centre, for the panel a tap on its dong opens."""
    return [
        (label(), map_values(key, [centre.pk], today).get(centre.code, 0.0))
        for key, label in FIGURES.items()
    ]


@login_required
def dashboard(request: HttpRequest) -> HttpResponse:
    ids = centre_ids(request.user, "supervise")
    if not ids:
        raise Http404("not a supervisor")
    supervised = {c.code: c for c in centres_for_user(request.user, "supervise")}
    today = timezone.localdate()
    figure = request.GET.get("figure", "blind_spots")
    if figure not in FIGURES:
        figure = "blind_spots"
    values = map_values(figure, ids, today)
    # Supervised centres without a figure are a real zero, not "no data".
    for code in supervised:
        values.setdefault(code, 0.0)
    dongs, view_box, legend = shaded(values, focus_box(supervised))
    for d in dongs:
        d["mine"] = d["code"] in supervised
    # A dong outside the user's supervision opens nothing: its figures are not theirs.
    chosen = supervised.get(request.GET.get("dong", ""))
    contact, median = crisis_contact(ids, today)
    return render(
        request,
        "cases/dashboard.html",
        {
            "visits": universal_visits(ids, today),
            "contact": contact,
            "median": median,
            "caseload": caseload(ids, today),
            "flow": blind_spot_flow(ids),
            "figures": [(k, f()) for k, f in FIGURES.items()],
            "figure": figure,
            "figure_label": FIGURES[figure](),
            "dongs": dongs,
            "mine": sorted((d for d in dongs if d["mine"]), key=lambda d: d["name"]),
            "view_box": view_box,
            "legend": legend,
            "chosen": chosen,
            "chosen_figures": dong_figures(chosen, today) if chosen else [],
            "attribution": ATTRIBUTION,
        },
    )
