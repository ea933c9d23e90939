"""Referrals and transfers between centres and to facilities (issue 5 §6)."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.db.models import Q
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from bigcare.access import centre_ids
from bigcare.accesslog import log_access
from bigcare.models import AccessAction
from cases import actions
from cases.access import case_for_user, referral_for_user, referrals_for_user, serves_centre
from cases.forms import ReferralForm
from cases.models import ReferralStatus


@login_required
def referral_new(request: HttpRequest, pk: int) -> HttpResponse:
    c = case_for_user(request.user, pk, write=True)
    form = ReferralForm(request.POST or None, initial={"kind": request.GET.get("kind")})
    if request.method == "POST" and form.is_valid():
        try:
            r = actions.refer_case(request.user, c, **form.cleaned_data)
        except ValidationError as e:
            form.add_error(None, e.messages[0])
        else:
            return redirect("cases:referral", pk=r.pk)
    return render(request, "cases/referral_form.html", {"form": form, "case": c})


@login_required
def referral(request: HttpRequest, pk: int) -> HttpResponse:
    r = referral_for_user(request.user, pk)
    log_access(
        request,
        AccessAction.VIEW_REFERRAL,
        [r.case.resident_id],
        detail=f"referral {r.pk} of case {r.case_id}",
    )
    receiver = r.to_centre_id or r.from_centre_id
    return render(
        request,
        "cases/referral.html",
        {
            "r": r,
            "may_decide": r.status == ReferralStatus.PENDING
            and serves_centre(request.user, receiver),
            "may_end": r.is_live
            and (
                serves_centre(request.user, r.case.owner_centre_id)
                or serves_centre(request.user, r.to_centre_id)
            ),
        },
    )


@login_required
@require_POST
def referral_decide(request: HttpRequest, pk: int) -> HttpResponse:
    r = referral_for_user(request.user, pk)
    try:
        actions.decide_referral(request.user, r, accept=request.POST.get("accept") == "1")
    except ValidationError as e:
        messages.error(request, e.messages[0])
    return redirect("cases:referral", pk=r.pk)


@login_required
@require_POST
def referral_end(request: HttpRequest, pk: int) -> HttpResponse:
    r = referral_for_user(request.user, pk)
    try:
        actions.end_referral(request.user, r)
    except ValidationError as e:
        messages.error(request, e.messages[0])
    return redirect("cases:referral", pk=r.pk)


@login_required
def referrals(request: HttpRequest) -> HttpResponse:
    centres = centre_ids(request.user)
    rows = referrals_for_user(request.user).select_related(
        "case__resident", "from_centre", "to_centre"
    )
    return render(
        request,
        "cases/referrals.html",
        {
            "incoming": rows.filter(to_centre_id__in=centres).filter(
                Q(status=ReferralStatus.PENDING)
                | Q(status=ReferralStatus.ACCEPTED, ended_at__isnull=True)
            )[:100],
            "outgoing": rows.filter(from_centre_id__in=centres).order_by("-created_at")[:100],
        },
    )
