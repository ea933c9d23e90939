"""The auditor's screens: the access log with filters, and the monthly review (§8)."""

from __future__ import annotations

import statistics
from datetime import date, datetime, time, timedelta

from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.db.models import Count
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone

from bigcare.access import active_roles
from bigcare.logtext import LogText
from bigcare.models import AccessAction, AccessLog, AdminEvent, Role
from cases.forms import AccessLogFilter

# A user whose looks in a month exceed this multiple of the median user's is flagged for review.
UNUSUAL_FACTOR = 3
UNUSUAL_FLOOR = 50


def _require_auditor(request: HttpRequest) -> None:
    # A global permission (the auditor group's), through an auditor membership in force; what
    # one may not see is a 404 (principle 5).
    user = request.user
    if Role.AUDITOR not in active_roles(user) or not user.has_perm("bigcare.view_accesslog"):
        raise Http404("not an auditor")


def _aware(day: date, end: bool = False):
    moment = datetime.combine(day + timedelta(days=1) if end else day, time.min)
    return timezone.make_aware(moment)


# The administrative events shown beside the log: the latest, under the same user and period.
ADMIN_EVENTS_SHOWN = 50


@login_required
def access_log(request: HttpRequest) -> HttpResponse:
    _require_auditor(request)
    form = AccessLogFilter(request.GET or None)
    rows, events = AccessLog.objects.all(), AdminEvent.objects.all()
    if form.is_valid():
        f = form.cleaned_data
        if f["user"]:
            rows, events = rows.filter(username=f["user"]), events.filter(username=f["user"])
        if f["action"]:
            rows = rows.filter(action=f["action"])
        if f["start"]:
            rows, events = (qs.filter(at__gte=_aware(f["start"])) for qs in (rows, events))
        if f["end"]:
            rows, events = (qs.filter(at__lt=_aware(f["end"], end=True)) for qs in (rows, events))
        if f["resident"]:
            rows = rows.filter(subjects__resident_id=f["resident"])
    page = Paginator(rows.order_by("-at", "-pk"), 50).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    text = LogText()
    for entry in page:
        entry.detail_text = text.detail(entry.detail)
    admin_events = list(events.order_by("-at", "-pk")[:ADMIN_EVENTS_SHOWN])
    for event in admin_events:
        event.before_text, event.after_text = (
            text.snapshot(event.before),
            text.snapshot(event.after),
        )
    return render(
        request,
        "cases/access_log.html",
        {"form": form, "page": page, "query": query.urlencode(), "admin_events": admin_events},
    )


def _month(text: str | None) -> date:
    try:
        return datetime.strptime(text or "", "%Y-%m").date()
    except ValueError:
        today = timezone.localdate()
        # The review covers the last full month by default.
        return (today.replace(day=1) - timedelta(days=1)).replace(day=1)


@login_required
def access_review(request: HttpRequest) -> HttpResponse:
    _require_auditor(request)
    first = _month(request.GET.get("month"))
    nxt = (first + timedelta(days=32)).replace(day=1)
    rows = AccessLog.objects.filter(at__gte=_aware(first), at__lt=_aware(nxt))
    counts = list(
        rows.values("username", "action").annotate(n=Count("pk")).order_by("username", "action")
    )
    per_user: dict[str, int] = {}
    labels = dict(AccessAction.choices)
    for c in counts:
        c["label"] = labels.get(c["action"], c["action"])
        per_user[c["username"]] = per_user.get(c["username"], 0) + c["n"]
    median = statistics.median(per_user.values()) if per_user else 0
    unusual = sorted(
        ((u, n) for u, n in per_user.items() if n >= UNUSUAL_FLOOR and n > UNUSUAL_FACTOR * median),
        key=lambda x: -x[1],
    )
    return render(
        request,
        "cases/access_review.html",
        {
            "month": first,
            "prev": (first - timedelta(days=1)).replace(day=1),
            "next": nxt,
            "counts": counts,
            "per_user": sorted(per_user.items()),
            "median": median,
            "unusual": unusual,
            "unmasks": rows.filter(action=AccessAction.UNMASK)
            .prefetch_related("subjects")
            .order_by("at")[:500],
        },
    )
