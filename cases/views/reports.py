"""Monthly eligibility reports: the supervisor's review, sending to visits, outcomes, roll-ups
(issue 6 §3). Every object comes through ``cases.access``; every write goes through an action
that checks scope again."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.db.models import Count, Q, Sum
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from bigcare.access import centre_ids, centres_for_user
from bigcare.accesslog import log_access
from bigcare.models import AccessAction
from cases import actions
from cases.access import report_for_user, report_item_for_user, reports_for_user
from cases.explain import explain, programme_name
from cases.models import Outcome, ReportItem, ScreeningCount, ScreeningRun

ITEM_LIMIT = 500


def _supervised(request: HttpRequest):
    if not centre_ids(request.user, "supervise"):
        raise Http404("not a supervisor")
    return centres_for_user(request.user, "supervise")


def report_rows(report, limit: int | None = ITEM_LIMIT) -> list[dict]:
    """The report's lines, crisis first, each with its explanation: one query."""
    items = report.items.select_related("resident").order_by(
        "-priority", "resident__name", "resident_id", "programme"
    )
    items = list(items[:limit] if limit else items)
    rules = report.run.rules
    rows = []
    for item in items:
        meta = rules.get(item.programme, {})
        rows.append(
            {
                "item": item,
                "resident": item.resident,
                "programme": programme_name(meta) or item.programme,
                "unverified": meta.get("confidence") == "U",
                "text": explain(
                    meta,
                    "eligible",
                    household_size=item.household_size,
                    income=item.income,
                    line=item.line,
                    percent=item.percent,
                    crisis=item.priority == 2,
                ),
            }
        )
    return rows


@login_required
def reports(request: HttpRequest) -> HttpResponse:
    _supervised(request)
    rows = (
        reports_for_user(request.user)
        .select_related("centre__district")
        .annotate(
            n=Count("items"),
            sent=Count("items", filter=Q(items__sent_at__isnull=False)),
        )
        .order_by("-month", "centre__code")[:200]
    )
    return render(
        request,
        "cases/reports.html",
        {
            "reports": rows,
            "latest": ScreeningRun.latest(),
            "this_month": timezone.localdate().replace(day=1),
        },
    )


@login_required
@require_POST
def reports_make(request: HttpRequest) -> HttpResponse:
    supervised = _supervised(request)
    try:
        n = actions.make_reports(timezone.localdate(), centres=supervised.values("pk"))
        messages.success(request, _("%(n)s reports created.") % {"n": n})
    except ValidationError as e:
        messages.error(request, e.messages[0])
    return redirect("cases:reports")


@login_required
def report(request: HttpRequest, pk: int) -> HttpResponse:
    rep = report_for_user(request.user, pk)
    rows = report_rows(rep)
    log_access(
        request,
        AccessAction.SEARCH,
        [r["resident"].pk for r in rows],
        detail=f"eligibility report {rep.pk}",
    )
    return render(
        request,
        "cases/report.html",
        {
            "report": rep,
            "rows": rows,
            "comments": rep.comments.select_related("by"),
            "outcomes": Outcome.choices,
            "truncated": len(rows) >= ITEM_LIMIT,
        },
    )


@login_required
@require_POST
def report_advance(request: HttpRequest, pk: int) -> HttpResponse:
    rep = report_for_user(request.user, pk)
    try:
        actions.advance_report(request.user, rep, request.POST.get("comment", ""))
    except ValidationError as e:
        messages.error(request, e.messages[0])
    return redirect("cases:report", pk=rep.pk)


@login_required
@require_POST
def report_comment(request: HttpRequest, pk: int) -> HttpResponse:
    rep = report_for_user(request.user, pk)
    try:
        actions.comment_report(request.user, rep, request.POST.get("text", ""))
    except ValidationError as e:
        messages.error(request, e.messages[0])
    return redirect("cases:report", pk=rep.pk)


@login_required
@require_POST
def report_send(request: HttpRequest, pk: int) -> HttpResponse:
    rep = report_for_user(request.user, pk)
    try:
        actions.send_to_visits(request.user, rep, request.POST.getlist("item"))
    except (ValidationError, ValueError) as e:
        messages.error(request, getattr(e, "messages", [str(e)])[0])
    return redirect("cases:report", pk=rep.pk)


@login_required
@require_POST
def item_outcome(request: HttpRequest, pk: int) -> HttpResponse:
    item = report_item_for_user(request.user, pk)
    try:
        actions.record_outcome(request.user, item, request.POST.get("outcome", ""))
    except ValidationError as e:
        messages.error(request, e.messages[0])
    if reports_for_user(request.user).filter(pk=item.report_id).exists():
        return redirect("cases:report", pk=item.report_id)
    return redirect("cases:resident", pk=item.resident_id)


@login_required
def rollup(request: HttpRequest) -> HttpResponse:
    """Counts per district and centre of the latest run within the user's supervision, and the
    city's totals (aggregates only: no resident is named)."""
    supervised = _supervised(request)
    run = ScreeningRun.latest()
    sums = {"eligible": Sum("eligible"), "blind": Sum("blind_spots"), "unknown": Sum("unknown")}
    counts = ScreeningCount.objects.filter(run=run) if run else ScreeningCount.objects.none()
    centres = (
        counts.filter(centre__in=supervised.values("pk"))
        .values("centre__district__name_ko", "centre__name_ko")
        .annotate(**sums)
        .order_by("centre__district__name_ko", "centre__name_ko")
    )
    districts = (
        counts.filter(centre__in=supervised.values("pk"))
        .values("centre__district__name_ko")
        .annotate(**sums)
        .order_by("centre__district__name_ko")
    )
    outcomes = ReportItem.objects.filter(
        report__centre__in=supervised.values("pk"), report__run=run
    ).aggregate(
        found=Count("pk"),
        sent=Count("pk", filter=Q(sent_at__isnull=False)),
        enrolled=Count("pk", filter=Q(outcome=Outcome.ENROLLED)),
        not_eligible=Count("pk", filter=Q(outcome=Outcome.NOT_ELIGIBLE)),
        refused=Count("pk", filter=Q(outcome=Outcome.REFUSED)),
    )
    rules = run.rules if run else {}
    return render(
        request,
        "cases/rollup.html",
        {
            "run": run,
            "centres": centres,
            "districts": districts,
            "city": counts.aggregate(**sums),
            # The supervised area's own total, which its district and centre rows add up to.
            "total": counts.filter(centre__in=supervised.values("pk")).aggregate(**sums),
            "outcomes": outcomes,
            "programmes": [
                {**row, "name": programme_name(rules.get(row["programme"], {})) or row["programme"]}
                for row in counts.values("programme").annotate(**sums).order_by("programme")
            ],
        },
    )


def _export_rows(report) -> tuple[list[str], list[list], list[int]]:
    rows = report_rows(report, limit=None)
    header = [
        _("Priority"),
        _("Name"),
        _("RRN"),
        _("Birth date"),
        _("Centre"),
        _("Programme"),
        _("Why"),
        _("Unverified rule"),
        _("Sent to visits"),
        _("Outcome"),
    ]
    body = [
        [
            _("Crisis") if r["item"].priority == 2 else _("Normal"),
            r["resident"].name,
            r["resident"].rrn_masked,
            r["resident"].birth_date.isoformat() if r["resident"].birth_date else "",
            report.centre.name_ko,
            r["programme"],
            r["text"],
            _("yes") if r["unverified"] else "",
            r["item"].sent_at.date().isoformat() if r["item"].sent_at else "",
            r["item"].get_outcome_display(),
        ]
        for r in rows
    ]
    return header, body, [r["resident"].pk for r in rows]


def _title_block(request: HttpRequest, report, reason: str):
    from cases.exports import TitleBlock

    user = request.user
    who = user.get_full_name() or user.get_username()
    return TitleBlock(
        f"{_('Eligibility report')} ({report.get_status_display()})",
        [
            (_("Centre"), f"{report.centre.district.name_ko} {report.centre.name_ko}"),
            (_("Period"), f"{report.month:%Y-%m}"),
            (_("Exported by"), who),
            (_("Exported at"), f"{timezone.localtime():%Y-%m-%d %H:%M}"),
            (_("Reason"), reason),
        ],
    )


def _reason(request: HttpRequest) -> str:
    reason = request.POST.get("reason", "").strip()
    return reason if len(reason) >= 5 else ""


@login_required
@require_POST
def report_xlsx(request: HttpRequest, pk: int) -> HttpResponse:
    from cases.exports import xlsx

    rep = report_for_user(request.user, pk)
    reason = _reason(request)
    if not reason:
        messages.error(request, _("State a reason for the export."))
        return redirect("cases:report", pk=rep.pk)
    header, body, ids = _export_rows(rep)
    log_access(
        request, AccessAction.EXPORT, ids, reason=reason, detail=f"eligibility report {rep.pk} xlsx"
    )
    response = HttpResponse(
        xlsx(f"{rep.month:%Y-%m}", header, body, _title_block(request, rep, reason)),
        content_type=("application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"),
    )
    response["Content-Disposition"] = (
        f'attachment; filename="eligibility-{rep.centre.code}-{rep.month:%Y-%m}.xlsx"'
    )
    response["Cache-Control"] = "no-store"
    return response


@login_required
@require_POST
def report_pdf(request: HttpRequest, pk: int) -> HttpResponse:
    from cases.exports import FontMissing, korean_fonts, pdf

    rep = report_for_user(request.user, pk)
    reason = _reason(request)
    if not reason:
        messages.error(request, _("State a reason for the export."))
        return redirect("cases:report", pk=rep.pk)
    try:
        korean_fonts()
    except FontMissing:
        # Checked before logging: no file leaves, so nothing was exported.
        messages.error(request, _("No Korean font for PDF: install fonts-nanum."))
        return redirect("cases:report", pk=rep.pk)
    header, body, ids = _export_rows(rep)
    log_access(
        request, AccessAction.EXPORT, ids, reason=reason, detail=f"eligibility report {rep.pk} pdf"
    )
    response = HttpResponse(
        pdf(
            _title_block(request, rep, reason),
            header,
            body,
            (14, 20, 30, 20, 22, 28, 74, 16, 20, 24),
        ),
        content_type="application/pdf",
    )
    response["Content-Disposition"] = (
        f'attachment; filename="eligibility-{rep.centre.code}-{rep.month:%Y-%m}.pdf"'
    )
    response["Cache-Control"] = "no-store"
    return response
