"""A case: its stages, plan, approvals and assignment; the overdue list (issue 5 §5)."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from bigcare.access import centre_ids
from bigcare.accesslog import log_access
from bigcare.models import AccessAction
from cases import actions
from cases.access import case_for_user, cases_for_user, resident_for_user, serves_centre
from cases.forms import AssignForm, OpenCaseForm, ServiceForm


def _case_context(request: HttpRequest, case, **extra) -> dict:
    return {
        "case": case,
        "events": case.events.select_related("by"),
        "services": case.services.select_related("programme"),
        "referrals": case.referrals.select_related("to_centre"),
        "visits": case.visits.all(),
        "may_write": serves_centre(request.user, case.owner_centre_id),
        "may_approve": case.needs_approval
        and serves_centre(request.user, case.owner_centre_id, "supervise"),
        "service_form": extra.pop("service_form", None) or ServiceForm(),
        "assign_form": AssignForm(centre_id=case.owner_centre_id, initial={"owner": case.owner_id}),
        **extra,
    }


@login_required
def case(request: HttpRequest, pk: int) -> HttpResponse:
    c = case_for_user(request.user, pk)
    log_access(request, AccessAction.VIEW_CASE, [c.resident_id], detail=f"case {c.pk}")
    return render(request, "cases/case.html", _case_context(request, c))


@login_required
@require_POST
def case_open(request: HttpRequest, pk: int) -> HttpResponse:
    person = resident_for_user(request.user, pk)
    form = OpenCaseForm(request.POST)
    summary = form.cleaned_data["summary"] if form.is_valid() else ""
    c = actions.open_case(request.user, person, summary=summary)
    return redirect("cases:case", pk=c.pk)


def _apply(request: HttpRequest, pk: int, do, *, write: bool = True) -> HttpResponse:
    c = case_for_user(request.user, pk, write=write)
    try:
        do(c)
    except ValidationError as e:
        messages.error(request, e.messages[0])
    return redirect("cases:case", pk=c.pk)


@login_required
@require_POST
def case_advance(request: HttpRequest, pk: int) -> HttpResponse:
    return _apply(request, pk, lambda c: actions.advance_case(request.user, c))


@login_required
@require_POST
def case_approve(request: HttpRequest, pk: int) -> HttpResponse:
    # Supervisors are not owners: approve_case checks the supervise scope itself.
    return _apply(request, pk, lambda c: actions.approve_case(request.user, c), write=False)


@login_required
@require_POST
def case_assign(request: HttpRequest, pk: int) -> HttpResponse:
    c = case_for_user(request.user, pk, write=True)
    form = AssignForm(request.POST, centre_id=c.owner_centre_id)
    if form.is_valid():
        actions.assign_case(request.user, c, form.cleaned_data["owner"])
    else:
        messages.error(request, form.errors.as_text())
    return redirect("cases:case", pk=c.pk)


@login_required
@require_POST
def service_add(request: HttpRequest, pk: int) -> HttpResponse:
    c = case_for_user(request.user, pk, write=True)
    form = ServiceForm(request.POST)
    if form.is_valid():
        actions.add_service(request.user, c, **form.cleaned_data)
        if request.htmx:
            return render(
                request,
                "cases/_services.html",
                {
                    "case": c,
                    "services": c.services.select_related("programme"),
                    "may_write": True,
                    "service_form": ServiceForm(),
                },
            )
        return redirect("cases:case", pk=c.pk)
    if request.htmx:
        return render(
            request,
            "cases/_services.html",
            {
                "case": c,
                "services": c.services.select_related("programme"),
                "may_write": True,
                "service_form": form,
            },
        )
    return render(request, "cases/case.html", _case_context(request, c, service_form=form))


@login_required
def overdue(request: HttpRequest) -> HttpResponse:
    rows = (
        cases_for_user(request.user)
        .overdue()
        .filter(owner_centre_id__in=centre_ids(request.user))
        .select_related("resident", "owner", "owner_centre")
        .order_by("stage_due")[:200]
    )
    return render(request, "cases/overdue.html", {"cases": rows})
