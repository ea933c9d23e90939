"""Recording a visit, reading it, opening a case from it (issue 5 §4)."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
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
)
from cases.forms import VisitForm


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
        return redirect("cases:visit", pk=visit.pk)
    return render(request, "cases/visit_form.html", {"form": form, "resident": person})


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
    return render(request, "cases/visit.html", {"visit": v, "show_health": show_health})


@login_required
@require_POST
def visit_open_case(request: HttpRequest, pk: int) -> HttpResponse:
    v = visit_for_user(request.user, pk, write=True)
    if v.case_id:
        return redirect("cases:case", pk=v.case_id)
    person = resident_for_user(request.user, v.resident_id)
    case = actions.open_case(
        request.user, person, visit=v, summary=request.POST.get("summary", "")[:200]
    )
    return redirect("cases:case", pk=case.pk)
