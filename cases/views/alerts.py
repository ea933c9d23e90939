"""The in-app inbox: a user's own alerts, marked read one by one or all at once."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_POST

from cases.alerts import alert_for_user, alerts_for_user, mark_read

PAGE_SIZE = 50


@login_required
def inbox(request: HttpRequest) -> HttpResponse:
    page = Paginator(alerts_for_user(request.user), PAGE_SIZE).get_page(request.GET.get("page"))
    return render(request, "cases/alerts.html", {"page": page})


@login_required
@require_POST
def alert_read(request: HttpRequest, pk: int) -> HttpResponse:
    """Mark one alert read and follow it to what it is about."""
    alert = alert_for_user(request.user, pk)
    mark_read(request.user, alerts_for_user(request.user).filter(pk=alert.pk))
    if alert.url and url_has_allowed_host_and_scheme(alert.url, allowed_hosts=None):
        return redirect(alert.url)
    return redirect("cases:alerts")


@login_required
@require_POST
def alerts_read_all(request: HttpRequest) -> HttpResponse:
    mark_read(request.user, alerts_for_user(request.user))
    return redirect("cases:alerts")
