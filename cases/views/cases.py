"""A case: its stages, plan, approvals and assignment; the overdue list (issue 5 §5)."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.db.models import Case as DbCase
from django.db.models import F, Q, When
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from bigcare.access import centre_ids
from bigcare.accesslog import log_access
from bigcare.models import AccessAction
from cases import actions
from cases.access import case_for_user, cases_for_user, resident_for_user, serves_centre
from cases.forms import (
    CASE_PARTS,
    AssessmentForm,
    AssignForm,
    ConferenceForm,
    ContactForm,
    OpenCaseForm,
    ReturnPlanForm,
    ServiceForm,
    case_forms,
)
from cases.models import Stage

PAGE_SIZE = 50


def saved(request: HttpRequest) -> None:
    messages.success(request, _("Saved."))


def form_errors(request: HttpRequest, form) -> None:
    """Each error as a sentence, named by its field's label."""
    for name, errors in form.errors.items():
        label = form.fields[name].label if name in form.fields else ""
        for error in errors:
            messages.error(request, f"{label}: {error}" if label else error)


def _case_context(request: HttpRequest, case, **extra) -> dict:
    return {
        "case": case,
        "Stage": Stage,
        "stage_index": list(Stage).index(Stage(case.stage)),
        "stages": list(Stage),
        "events": case.events.select_related("by"),
        "assessments": case.assessments.all(),
        "conferences": case.conferences.all(),
        "contacts": case.contacts.select_related("by"),
        "services": case.services.select_related("programme"),
        "referrals": case.referrals.select_related("to_centre"),
        "visits": case.visits.all(),
        "may_write": serves_centre(request.user, case.owner_centre_id),
        "may_approve": case.needs_approval
        and serves_centre(request.user, case.owner_centre_id, "supervise"),
        "service_form": extra.pop("service_form", None) or ServiceForm(),
        "assign_form": AssignForm(centre_id=case.owner_centre_id, initial={"owner": case.owner_id}),
        **case_forms(case),
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
    data = form.cleaned_data if form.is_valid() else {}
    try:
        c = actions.open_case(
            request.user,
            person,
            summary=data.get("summary", ""),
            second_case_reason=data.get("second_case_reason", ""),
        )
    except ValidationError as e:
        for m in e.messages:
            messages.error(request, m)
        return redirect("cases:resident", pk=person.pk)
    saved(request)
    return redirect("cases:case", pk=c.pk)


def _apply(request: HttpRequest, pk: int, do, *, write: bool = True) -> HttpResponse:
    c = case_for_user(request.user, pk, write=write)
    try:
        do(c)
    except ValidationError as e:
        for m in e.messages:
            messages.error(request, m)
    else:
        saved(request)
    return redirect("cases:case", pk=c.pk)


def _apply_form(request: HttpRequest, pk: int, form_class, do) -> HttpResponse:
    """Validate the form, then write through the action; errors come back as messages."""
    c = case_for_user(request.user, pk, write=True)
    form = form_class(request.POST)
    if not form.is_valid():
        form_errors(request, form)
        return redirect("cases:case", pk=c.pk)
    return _apply(request, pk, lambda c: do(c, form.cleaned_data))


@login_required
@require_POST
def case_edit(request: HttpRequest, pk: int) -> HttpResponse:
    """Stage content kept on the case: consultation, goals, closure, follow-up (``part``)."""
    form_class = CASE_PARTS.get(request.POST.get("part", ""))
    if form_class is None:
        case_for_user(request.user, pk, write=True)  # scope first: a 404 says nothing more
        return HttpResponse(status=400)
    return _apply_form(
        request, pk, form_class, lambda c, data: actions.edit_case(request.user, c, **data)
    )


def _content_view(form_class, action):
    """A POST view writing one kind of stage content (a form, then the action)."""

    @login_required
    @require_POST
    def view(request: HttpRequest, pk: int) -> HttpResponse:
        return _apply_form(request, pk, form_class, lambda c, data: action(request.user, c, **data))

    return view


case_assessment = _content_view(AssessmentForm, actions.save_assessment)
case_conference = _content_view(ConferenceForm, actions.add_conference)
case_contact = _content_view(ContactForm, actions.add_contact)


@login_required
@require_POST
def case_submit(request: HttpRequest, pk: int) -> HttpResponse:
    return _apply(request, pk, lambda c: actions.submit_plan(request.user, c))


@login_required
@require_POST
def case_return(request: HttpRequest, pk: int) -> HttpResponse:
    # Supervisors are not owners: return_plan checks the supervise scope itself.
    c = case_for_user(request.user, pk)
    form = ReturnPlanForm(request.POST)
    if not form.is_valid():
        form_errors(request, form)
        return redirect("cases:case", pk=c.pk)
    return _apply(
        request,
        pk,
        lambda c: actions.return_plan(request.user, c, form.cleaned_data["reason"]),
        write=False,
    )


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
        saved(request)
    else:
        form_errors(request, form)
    return redirect("cases:case", pk=c.pk)


@login_required
@require_POST
def service_add(request: HttpRequest, pk: int) -> HttpResponse:
    c = case_for_user(request.user, pk, write=True)
    form = ServiceForm(request.POST)
    if form.is_valid():
        try:
            actions.add_service(request.user, c, **form.cleaned_data)
        except ValidationError as e:
            for m in e.messages:
                messages.error(request, m)
            return redirect("cases:case", pk=c.pk)
        saved(request)
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


@login_required
def my_cases(request: HttpRequest) -> HttpResponse:
    """내 사례: the user's cases still needing work, the next due date first (overdue on top);
    a closed case stays while its follow-up has no result."""
    rows = (
        cases_for_user(request.user)
        .filter(owner=request.user)
        .filter(Q(closed_on__isnull=True) | Q(follow_up_result=""))
        .select_related("resident", "owner_centre")
        .annotate(
            next_due_on=DbCase(
                When(closed_on__isnull=True, then="stage_due"), default="follow_up_due"
            )
        )
        .order_by(F("next_due_on").asc(nulls_last=True), "pk")
    )
    page = Paginator(rows, PAGE_SIZE).get_page(request.GET.get("page"))
    if page.object_list:
        log_access(
            request,
            AccessAction.SEARCH,
            [c.resident_id for c in page.object_list],
            detail="my cases",
        )
    return render(
        request,
        "cases/my_cases.html",
        {"page": page, "today": timezone.localdate()},
    )
