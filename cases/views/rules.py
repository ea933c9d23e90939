"""The data administrator's screen for programme rules and the median income table (issue 6
§1): an edit is a new version with an effective date, validated by ``cases.rules``."""

from __future__ import annotations

from datetime import date

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from cases import ruleparams
from cases.models import Confidence, MedianIncome, ProgrammeRule
from cases.rules import edit_median, edit_rule, may_edit_rules


def _require_admin(request: HttpRequest) -> None:
    # Not theirs to see at all: a 404, like every other screen outside a user's role.
    if not may_edit_rules(request.user):
        raise Http404("not a data administrator")


@login_required
def rules(request: HttpRequest) -> HttpResponse:
    _require_admin(request)
    versions = list(
        ProgrammeRule.objects.select_related("created_by").order_by(
            "programme", "-valid_from", "-version"
        )[:500]
    )
    for v in versions:
        v.described = ruleparams.described(v.params)
        if v.replaced_at is None:
            v.fields = ruleparams.fields(v.test, v.params)
    return render(
        request,
        "cases/rules.html",
        {
            "versions": versions,
            "confidences": Confidence.choices,
            "medians": MedianIncome.objects.order_by("-year", "household_size", "-version")[:200],
        },
    )


def _date(value: str) -> date | None:
    return date.fromisoformat(value) if value else None


@login_required
@require_POST
def rule_edit(request: HttpRequest) -> HttpResponse:
    _require_admin(request)
    try:
        rule = ProgrammeRule.objects.get(pk=int(request.POST.get("rule", "")))
    except (ValueError, ProgrammeRule.DoesNotExist):
        raise Http404("No such rule") from None
    try:
        params = ruleparams.from_post(request.POST, rule.test, rule.params)
        new = edit_rule(
            rule,
            acting_user=request.user,
            params=params,
            valid_from=_date(request.POST.get("valid_from", "")) or rule.valid_from,
            valid_to=_date(request.POST.get("valid_to", "")),
            confidence=request.POST.get("confidence") or None,
            note=request.POST.get("note", ""),
        )
        messages.success(
            request,
            _("Saved as version %(v)s from %(d)s.") % {"v": new.version, "d": new.valid_from},
        )
    except ValueError:
        messages.error(
            request, _("Amounts, percentages and ages must be numbers, and dates real dates.")
        )
    except (ValidationError, PermissionDenied) as e:
        messages.error(request, "; ".join(getattr(e, "messages", [str(e)])))
    return redirect("cases:rules")


@login_required
@require_POST
def median_edit(request: HttpRequest) -> HttpResponse:
    _require_admin(request)
    try:
        new = edit_median(
            int(request.POST.get("year", "")),
            int(request.POST.get("household_size", "")),
            int(request.POST.get("amount", "")),
            acting_user=request.user,
        )
        messages.success(
            request, _("Saved as version %(v)s from %(d)s.") % {"v": new.version, "d": new.year}
        )
    except ValueError:
        messages.error(request, _("Year, household size and amount must be whole numbers."))
    except ValidationError as e:
        messages.error(request, "; ".join(e.messages))
    return redirect("cases:rules")
