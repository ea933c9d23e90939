"""Recording a visit, reading it, opening a case from it (issue 5 §4)."""

from __future__ import annotations

from datetime import date, timedelta

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Q
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_POST

from bigcare.accesslog import log_access
from bigcare.models import AccessAction
from cases import actions
from cases.access import (
    is_nurse,
    may_read_health_notes,
    resident_for_user,
    serves_centre,
    visit_for_user,
    visits_for_user,
)
from cases.forms import OpenCaseForm, VisitEditForm, VisitForm
from cases.models import NeedArea, RiskLevel, Visit, VisitReason, VisitStatus
from cases.views.cases import saved

CHOICES = {
    "reason": VisitReason.choices,
    "risk": RiskLevel.choices,
    "status": VisitStatus.choices,
}


@login_required
def visit_new(request: HttpRequest, pk: int) -> HttpResponse:
    person = resident_for_user(request.user, pk)
    # Visits are the home centre's work; a referral's receiver reads but does not record.
    if not serves_centre(request.user, person.home_centre_id):
        raise PermissionDenied
    form = VisitForm(
        request.POST or None,
        centre_id=person.home_centre_id,
        user=request.user,
        show_health=is_nurse(request.user),
        initial={"reason": request.GET.get("reason")},
    )
    if request.method == "POST" and form.is_valid():
        visit = actions.record_visit(request.user, person, **form.visit_fields())
        saved(request)
        return redirect("cases:visit", pk=visit.pk)
    return render(request, "cases/visit_form.html", {"form": form, "resident": person})


def revision_rows(visit, show_health: bool) -> list[tuple]:
    """Each edit as (when, who, [(field label, value it replaced)]), in the reader's language;
    health notes only for those who may read them."""
    labels = {f.name: f.verbose_name for f in Visit._meta.fields}
    areas = dict(NeedArea.choices)
    rows = []
    for r in visit.revisions.select_related("by"):
        changes = []
        for field, old in r.before.items():
            if field == "health_notes" and not show_health:
                continue
            if field == "findings":
                old = "; ".join(f"{areas.get(a, a)}: {t}" for a, t in (old or {}).items())
            elif field in CHOICES:
                old = dict(CHOICES[field]).get(old, old)
            changes.append((labels.get(field, field), old))
        rows.append((r.at, r.by, changes))
    return rows


def _may_edit(user, visit) -> bool:
    return visit.is_member(user) or serves_centre(user, visit.centre_id)


@login_required
def visit_edit(request: HttpRequest, pk: int) -> HttpResponse:
    """Either member of the pair writes into the visit: the nurse her health notes into the
    visit the caseworker recorded. The old values are kept as a revision."""
    v = visit_for_user(request.user, pk)
    if not _may_edit(request.user, v):
        raise PermissionDenied
    show_health = may_read_health_notes(request.user, v)
    initial = {
        "visited_on": v.visited_on,
        "status": v.status,
        "reason": v.reason,
        "nurse": v.nurse_id,
        "risk": v.risk,
        "notes": v.notes,
        "health_notes": v.health_notes if show_health else "",
        **{f"finding_{a}": v.findings.get(a, "") for a in NeedArea.values},
    }
    form = VisitEditForm(
        request.POST or None,
        centre_id=v.centre_id,
        user=request.user,
        show_health=show_health,
        initial=initial,
    )
    if request.method == "POST" and form.is_valid():
        try:
            actions.edit_visit(request.user, v, **form.visit_fields())
        except ValidationError as e:
            for m in e.messages:
                messages.error(request, m)
        else:
            saved(request)
            return redirect("cases:visit", pk=v.pk)
    log_access(request, AccessAction.VIEW_VISIT, [v.resident_id], detail=f"visit {v.pk} edit")
    return render(
        request, "cases/visit_form.html", {"form": form, "resident": v.resident, "visit": v}
    )


def week_start(text: str | None) -> date:
    try:
        day = date.fromisoformat(text) if text else timezone.localdate()
    except ValueError:
        day = timezone.localdate()
    return day - timedelta(days=day.weekday())


@login_required
def my_visits(request: HttpRequest) -> HttpResponse:
    """The user's visits of one week (Monday to Sunday), planned and done, day by day."""
    start = week_start(request.GET.get("week"))
    end = start + timedelta(days=6)
    rows = list(
        visits_for_user(request.user)
        .filter(Q(caseworker=request.user) | Q(nurse=request.user))
        .filter(visited_on__range=(start, end))
        .select_related("resident", "caseworker", "nurse")
        .order_by("visited_on", "pk")
    )
    days = [(start + timedelta(days=i), []) for i in range(7)]
    for v in rows:
        days[(v.visited_on - start).days][1].append(v)
    if rows:
        log_access(request, AccessAction.SEARCH, [v.resident_id for v in rows], detail="my visits")
    return render(
        request,
        "cases/my_visits.html",
        {
            "days": days,
            "start": start,
            "end": end,
            "previous": start - timedelta(days=7),
            "next": start + timedelta(days=7),
            "today": timezone.localdate(),
            "planned": sum(v.status == "planned" for v in rows),
            "done": sum(v.status == "done" for v in rows),
        },
    )


@login_required
def visit(request: HttpRequest, pk: int) -> HttpResponse:
    v = visit_for_user(request.user, pk)
    show_health = may_read_health_notes(request.user, v)
    log_access(
        request,
        AccessAction.VIEW_VISIT,
        [v.resident_id],
        detail=f"visit {v.pk}" + (" with health notes" if show_health else ""),
    )
    return render(
        request,
        "cases/visit.html",
        {
            "visit": v,
            "show_health": show_health,
            "may_edit": _may_edit(request.user, v),
            "revisions": revision_rows(v, show_health),
            "open_form": OpenCaseForm(),
        },
    )


@login_required
@require_POST
def visit_open_case(request: HttpRequest, pk: int) -> HttpResponse:
    v = visit_for_user(request.user, pk, write=True)
    if v.case_id:
        return redirect("cases:case", pk=v.case_id)
    person = resident_for_user(request.user, v.resident_id)
    try:
        case = actions.open_case(
            request.user,
            person,
            visit=v,
            summary=request.POST.get("summary", "")[:200],
            second_case_reason=request.POST.get("second_case_reason", "")[:300],
        )
    except ValidationError as e:
        for m in e.messages:
            messages.error(request, m)
        return redirect("cases:visit", pk=v.pk)
    saved(request)
    return redirect("cases:case", pk=case.pk)
