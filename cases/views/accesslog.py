"""The auditor's screens: the access log with filters, and the monthly review (§8)."""

from __future__ import annotations

import statistics
from datetime import date, datetime, time, timedelta

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.db.models import Count
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from bigcare.access import active_roles
from bigcare.accesslog import log_access
from bigcare.logtext import LogText
from bigcare.models import AccessAction, AccessLog, AdminEvent, Role
from cases.forms import AccessLogFilter
from intake.models import AgencyKind

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


def _filtered(form: AccessLogFilter):
    """The log rows and administrative events the filter form selects (all when invalid)."""
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
    return rows.order_by("-at", "-pk"), events.order_by("-at", "-pk")


@login_required
def access_log(request: HttpRequest) -> HttpResponse:
    _require_auditor(request)
    form = AccessLogFilter(request.GET or None)
    rows, events = _filtered(form)
    page = Paginator(rows, 50).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    text = LogText({"agency": dict(AgencyKind.choices)})
    for entry in page:
        entry.detail_text = text.detail(entry.detail)
    admin_events = list(events[:ADMIN_EVENTS_SHOWN])
    for event in admin_events:
        event.before_text, event.after_text = (
            text.snapshot(event.before),
            text.snapshot(event.after),
        )
    return render(
        request,
        "cases/access_log.html",
        {
            "form": form,
            "page": page,
            "query": query.urlencode(),
            "filters": [(k, v) for k, v in query.items() if k in form.fields],
            "admin_events": admin_events,
        },
    )


# An export is for a review or an inquiry, not a copy of the whole log: the filter narrows it.
EXPORT_LIMIT = 50_000


@login_required
@require_POST
def access_log_xlsx(request: HttpRequest) -> HttpResponse:
    """The filtered log as Excel for an audit file; the export is itself an access-log entry."""
    from cases.exports import TitleBlock, xlsx

    _require_auditor(request)
    reason = request.POST.get("reason", "").strip()
    form = AccessLogFilter(request.POST)
    if len(reason) < 5 or not form.is_valid():
        messages.error(request, _("State a reason for the export."))
        return redirect("cases:access_log")
    rows, _events = _filtered(form)
    rows = list(rows[:EXPORT_LIMIT])
    log_access(request, AccessAction.EXPORT, reason=reason, detail="access log xlsx")
    text = LogText()
    header = [
        _("When"),
        _("User"),
        _("Address"),
        _("Action"),
        _("Residents"),
        _("Detail"),
        _("Reason"),
    ]
    body = [
        [
            f"{timezone.localtime(e.at):%Y-%m-%d %H:%M:%S}",
            e.username,
            e.address or "",
            e.get_action_display(),
            e.subject_count,
            text.detail(e.detail),
            e.reason,
        ]
        for e in rows
    ]
    f = form.cleaned_data
    period = " ~ ".join(
        [f"{f['start']:%Y-%m-%d}" if f["start"] else "", f"{f['end']:%Y-%m-%d}" if f["end"] else ""]
    )
    user = request.user
    block = TitleBlock(
        _("Access log"),
        [
            (_("Period"), period if period.strip(" ~") else _("All")),
            (_("User"), f["user"] or _("All")),
            (_("Action"), dict(AccessAction.choices).get(f["action"], _("All"))),
            (_("Exported by"), user.get_full_name() or user.get_username()),
            (_("Exported at"), f"{timezone.localtime():%Y-%m-%d %H:%M}"),
            (_("Reason"), reason),
        ],
    )
    response = HttpResponse(
        xlsx(_("Access log"), header, body, block),
        content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    )
    response["Content-Disposition"] = (
        f'attachment; filename="access-log-{timezone.localdate():%Y%m%d}.xlsx"'
    )
    response["Cache-Control"] = "no-store"
    return response


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
