"""The one-stop resident page and unmasking the RRN (issue 5 §3)."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_POST

from bigcare.accesslog import log_access
from bigcare.models import AccessAction
from cases import actions
from cases.access import resident_for_user
from cases.forms import UnmaskForm
from cases.profile import build_profile


@login_required
def resident(request: HttpRequest, pk: int) -> HttpResponse:
    person = resident_for_user(request.user, pk)
    profile = build_profile(request.user, person)
    log_access(request, AccessAction.VIEW_PROFILE, [person.pk])
    return render(
        request,
        "cases/resident.html",
        {
            "p": profile,
            "resident": person,
            "unmask_form": UnmaskForm(),
            "may_unmask": request.user.has_perm("cases.unmask_rrn"),
        },
    )


@login_required
@require_POST
def unmask(request: HttpRequest, pk: int) -> HttpResponse:
    person = resident_for_user(request.user, pk)
    form = UnmaskForm(request.POST)
    if not request.user.has_perm("cases.unmask_rrn"):
        raise PermissionDenied
    full, error = None, None
    if form.is_valid():
        try:
            full = actions.unmask_rrn(request, person, form.cleaned_data["reason"])
        except ValidationError as e:
            error = e.messages[0]
    template = "cases/_rrn.html" if request.htmx else "cases/unmask.html"
    response = render(
        request,
        template,
        {
            "resident": person,
            "full": full,
            "error": error,
            "unmask_form": form,
            "may_unmask": True,
        },
    )
    # The full number must not linger in any cache.
    response["Cache-Control"] = "no-store"
    return response
