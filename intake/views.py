"""The data administrator's screens: sources, mapping, upload, progress, history, rollback.

Every view starts with the one access helper (intake.access): a source or run out of the user's
scope is a 404, on reads and on writes alike.
"""

from __future__ import annotations

import csv
import json
import logging
from pathlib import Path

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db.models import Count, Max
from django.http import Http404, HttpRequest, HttpResponse, StreamingHttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import get_language, override
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from bigcare.access import active_roles
from bigcare.accesslog import log_access
from bigcare.cells import neutralise
from bigcare.middleware import polling
from bigcare.models import AccessAction, AdminAction, AdminEvent, Role
from intake.access import run_for_user, source_for_user, sources_for_user
from intake.actions import (
    reimport_run,
    resume_run,
    rollback_run,
    save_programme,
    update_mapping,
)
from intake.errors import IntakeError
from intake.forms import ProgrammeForm
from intake.imports import start_import
from intake.keptfiles import keep_blocks
from intake.models import ImportRun, Programme, RejectedRow
from intake.reasontext import event_detail, reason_text, stage_names

log = logging.getLogger("bigcare.intake")
RUNS_SHOWN = 50
REJECTS_SHOWN = 50


@login_required
@require_GET
def unplaced(request: HttpRequest) -> HttpResponse:
    """「동을 찾지 못한 주소」: residents no dong places (no home centre, so no caseworker sees
    them), as the records of the user's sources show their addresses (docs/matching.md)."""
    from matching.places import unplaced as unplaced_of

    scope = list(sources_for_user(request.user).values_list("pk", flat=True))
    per_source, addresses = unplaced_of(scope) if scope else ([], [])
    return render(
        request,
        "intake/unplaced.html",
        {"per_source": per_source, "addresses": addresses, "has_sources": bool(scope)},
    )


@login_required
@require_GET
def sources(request: HttpRequest) -> HttpResponse:
    rows = sources_for_user(request.user).annotate(
        run_count=Count("runs"), last_run=Max("runs__created_at")
    )
    data_admin = Role.DATA_ADMIN in active_roles(request.user)
    return render(request, "intake/sources.html", {"sources": rows, "data_admin": data_admin})


def _source_page(request, source, mapping_text: str | None = None, status: int = 200):
    runs = source.runs.select_related("started_by").order_by("-created_at")[:RUNS_SHOWN]
    if mapping_text is None:
        mapping_text = json.dumps(source.mapping, ensure_ascii=False, indent=2)
    return render(
        request,
        "intake/source.html",
        {"source": source, "runs": runs, "mapping_text": mapping_text},
        status=status,
    )


@login_required
@require_GET
def source(request: HttpRequest, pk: int) -> HttpResponse:
    return _source_page(request, source_for_user(request.user, pk))


@login_required
@require_POST
def source_mapping(request: HttpRequest, pk: int) -> HttpResponse:
    src = source_for_user(request.user, pk)
    text = request.POST.get("mapping", "")
    try:
        update_mapping(src, json.loads(text), acting_user=request.user)
    except json.JSONDecodeError as e:
        messages.error(request, _("The mapping is not valid JSON: %(e)s") % {"e": e})
        return _source_page(request, src, text, status=400)
    except IntakeError as e:
        messages.error(request, str(e))
        return _source_page(request, src, text, status=400)
    messages.success(request, _("Mapping saved."))
    return redirect("intake:source", pk=src.pk)


@login_required
@require_POST
def upload(request: HttpRequest, pk: int) -> HttpResponse:
    src = source_for_user(request.user, pk)
    upload = request.FILES.get("file")
    if upload is None:
        messages.error(request, _("Choose a file to import."))
        return _source_page(request, src, status=400)
    # The upload handler sealed the file as it arrived (intake.uploads); a file another
    # handler made is sealed here, block by block.
    if hasattr(upload, "keep"):
        kept = upload.keep(src.code)
    else:
        kept = keep_blocks(upload.chunks(), Path(upload.name).suffix, src.code)
    try:
        run = start_import(src, kept, user=request.user, filename=upload.name)
    except Exception:
        # An import run in this request (no broker: Celery is eager) failed in a way no typed
        # error foresaw. Its run says so; the upload is not a 500 (and shows no row).
        log.exception("import of an upload to source %s failed", src.code)
        run = ImportRun.objects.filter(source=src, sha256=kept.sha256).first()
        if run is None:
            messages.error(request, _("The file could not be imported."))
            return _source_page(request, src, status=400)
    if run.is_stale:
        messages.warning(
            request,
            _(
                "This file is already being imported, but its import has "
                "made no progress for a while. You can resume it here."
            ),
        )
    return redirect("intake:run", pk=run.pk)


@login_required
@require_GET
def run(request: HttpRequest, pk: int) -> HttpResponse:
    run = run_for_user(request.user, pk)
    rejects = run.rejected_rows.all()[:REJECTS_SHOWN]
    # The rejected rows shown are people's raw data; they have no resident yet, so the entry
    # names the run (#12 item 14).
    log_access(
        request,
        AccessAction.VIEW_RECORD,
        detail=f"import run {run.pk} ({run.source.code}): "
        f"{min(run.rejected or 0, REJECTS_SHOWN)} rejected rows shown",
    )
    events = list(run.events.select_related("acting_user"))
    for event in events:
        event.detail_text = event_detail(event.detail)
    warnings = run.row_warnings.all()[:REJECTS_SHOWN]
    return render(
        request,
        "intake/run.html",
        {
            "run": run,
            "rejects": [(r.row_number, [reason_text(x) for x in r.reasons]) for r in rejects],
            "warnings": [(w.row_number, [reason_text(x) for x in w.warnings]) for w in warnings],
            "events": events,
            "stages": stage_names(run.stage_seconds),
            "retention_days": settings.BIGCARE_IMPORT_FILE_DAYS,
        },
    )


@login_required
@require_POST
def run_resume(request: HttpRequest, pk: int) -> HttpResponse:
    """Queue a stuck (stale) or failed run again, from its kept file."""
    run = run_for_user(request.user, pk)
    try:
        resume_run(run, acting_user=request.user)
    except IntakeError as e:
        messages.error(request, str(e))
        return redirect("intake:run", pk=run.pk)
    messages.success(request, _("The import was queued again."))
    return redirect("intake:run", pk=run.pk)


@login_required
@require_POST
def run_reimport(request: HttpRequest, pk: int) -> HttpResponse:
    """Import a rolled-back run's file again, from its kept copy, as a new run."""
    run = run_for_user(request.user, pk)
    try:
        again = reimport_run(run, acting_user=request.user)
    except IntakeError as e:
        messages.error(request, str(e))
        return redirect("intake:run", pk=run.pk)
    messages.success(request, _("The file is being imported again."))
    return redirect("intake:run", pk=again.pk)


@polling
@login_required
@require_GET
def run_progress(request: HttpRequest, pk: int) -> HttpResponse:
    """The fragment htmx polls every second until the run finishes."""
    return render(request, "intake/_progress.html", {"run": run_for_user(request.user, pk)})


@login_required
def run_rollback(request: HttpRequest, pk: int) -> HttpResponse:
    run = run_for_user(request.user, pk)
    if request.method != "POST":
        return render(request, "intake/rollback.html", {"run": run})
    try:
        changed = rollback_run(run, request.user)
    except IntakeError as e:
        messages.error(request, str(e))
        return redirect("intake:run", pk=run.pk)
    messages.success(request, _("Run rolled back: %(n)s records changed.") % {"n": len(changed)})
    return redirect("intake:run", pk=run.pk)


def _safe(value: object) -> str:
    """Neutralise cells a spreadsheet would run as a formula (CSV injection)."""
    return neutralise("" if value is None else str(value))


class _Echo:
    def write(self, value: str) -> str:
        return value


@login_required
@require_GET
def run_rejected_csv(request: HttpRequest, pk: int) -> StreamingHttpResponse:
    """The rejected rows as CSV (UTF-8 with BOM, so Excel opens Korean text) to send back."""
    run = run_for_user(request.user, pk)
    rows = RejectedRow.objects.filter(run=run).order_by("row_number")
    # Rejected rows are people's data leaving the system (DESIGN.md principle 7); they have no
    # resident yet, so the entry names the run, and the reason is what the download is for.
    log_access(
        request,
        AccessAction.EXPORT,
        reason=_("rejected rows returned to the agency"),
        detail=f"rejected rows of import run {run.pk} ({run.source.code}, {run.rejected} rows)",
    )
    columns: list[str] = []
    for raw in rows.values_list("raw", flat=True)[:1000]:
        columns.extend(k for k in raw if k not in columns)
    writer = csv.writer(_Echo())
    language = get_language()

    def lines():
        # Streamed after the view returns: the reasons keep the requester's language.
        with override(language):
            yield "\ufeff" + writer.writerow([_("row"), _("reasons"), *columns])
            for number, raw, reasons in rows.values_list("row_number", "raw", "reasons").iterator(
                chunk_size=2000
            ):
                text = "; ".join(reason_text(r) for r in reasons)
                yield writer.writerow(
                    [number, _safe(text), *(_safe(raw.get(c, "")) for c in columns)]
                )

    response = StreamingHttpResponse(lines(), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = (
        f'attachment; filename="rejected-{run.source.code}-run{run.pk}.csv"'
    )
    return response


def _require_data_admin(request: HttpRequest) -> None:
    if Role.DATA_ADMIN not in active_roles(request.user):
        raise Http404("not a data administrator")


def _programmes_page(request: HttpRequest, form: ProgrammeForm, status: int = 200):
    events = AdminEvent.objects.filter(
        action=AdminAction.EDIT_PROGRAMME, object_type="intake.programme"
    ).order_by("-at", "-pk")[:PROGRAMME_EVENTS_SHOWN]
    return render(
        request,
        "intake/programmes.html",
        {"programmes": Programme.objects.all(), "form": form, "events": events},
        status=status,
    )


# The latest changes shown under the list (the auditor's screen has them all).
PROGRAMME_EVENTS_SHOWN = 50


@login_required
@require_GET
def programmes(request: HttpRequest) -> HttpResponse:
    """The programme code list: the data administrator adds or renames a programme here."""
    _require_data_admin(request)
    return _programmes_page(request, ProgrammeForm())


@login_required
@require_POST
def programme_save(request: HttpRequest) -> HttpResponse:
    _require_data_admin(request)
    form = ProgrammeForm(request.POST)
    if not form.is_valid():
        return _programmes_page(request, form, status=400)
    programme, created = save_programme(acting_user=request.user, **form.cleaned_data)
    if created:
        messages.success(request, _("Programme %(code)s added.") % {"code": programme.code})
    else:
        messages.success(request, _("Programme %(code)s saved.") % {"code": programme.code})
    return redirect("intake:programmes")
