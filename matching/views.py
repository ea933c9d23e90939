"""The review queue, and manual merge, split and undo of residents, for supervisors.

Every view reads its objects through matching.access (the queue through
``review_items_for_user``: both records' residents in the user's supervised scope), so scope is
checked on every request, reads and writes alike, and again under the lock by the actions; every
view logs whom it showed or changed (AccessAction.REVIEW_LINK). An action refused (different
RRNs, something changed meanwhile) is a message on the page, never a 500.
"""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from bigcare.accesslog import log_access
from bigcare.models import AccessAction
from matching.access import (
    change_to_undo,
    changes_for_user,
    resident_to_change,
    review_item_for_user,
    review_items_for_user,
)
from matching.actions import (
    ChangedMeanwhile,
    LinkConflict,
    decide_review_item,
    merge_residents,
    split_resident,
    undo_change,
)
from matching.models import RecordLink, Resident

# What each part of a review item's total is called on the screen. A comparison field added
# later (matching.compare.FIELDS) shows under its own name until it is given one here.
PART_LABELS = {
    "surname": gettext_lazy("surname"),
    "given": gettext_lazy("given name"),
    "birth": gettext_lazy("birth date"),
    "sex": gettext_lazy("sex"),
    "rrn": "RRN",
    "phone": gettext_lazy("phone"),
    "address": gettext_lazy("address"),
    "dong": gettext_lazy("administrative dong"),
    "combo": gettext_lazy("same name and birth date within one source"),
    "prior": gettext_lazy("prior (how rare a match is among all pairs)"),
}


def score_parts(item) -> tuple[list[tuple[str, str, str]], str]:
    """(label, level, bits) of every part of ``item.total``, the prior last, and the total, as
    the screen shows them (two decimals).

    Each part shown is the difference of the rounded running sums, so the parts shown add up
    exactly to the total shown; rounding each part alone can miss it by a few hundredths. The
    parts' exact sum and the total differ by float rounding only (a test holds them together).
    """
    weights = dict(item.weights)
    prior = weights.pop("prior", None)
    keys = [*weights, *(["prior"] if prior is not None else [])]
    values = [*weights.values(), *([prior] if prior is not None else [])]
    parts, running, shown = [], 0.0, 0
    for k, (key, bits) in enumerate(zip(keys, values, strict=True)):
        last = k == len(keys) - 1
        running = float(item.total) if last else running + float(bits)
        cents = round(running * 100)
        parts.append(
            (PART_LABELS.get(key, key), item.levels.get(key, ""), f"{(cents - shown) / 100:.2f}")
        )
        shown = cents
    return parts, f"{round(float(item.total) * 100) / 100:.2f}"


def _residents_of(items) -> dict[int, int]:
    """record id → resident id for the records of ``items``: one query."""
    ids = [r for i in items for r in (i.record_a_id, i.record_b_id)]
    return dict(
        RecordLink.objects.filter(record_id__in=ids).values_list("record_id", "resident_id")
    )


@login_required
def queue(request: HttpRequest) -> HttpResponse:
    items = list(
        review_items_for_user(request.user).select_related("record_a__source", "record_b__source")[
            :50
        ]
    )
    owner = _residents_of(items)
    for i in items:
        # The merge form is offered when the two records sit in two residents.
        i.resident_a, i.resident_b = owner.get(i.record_a_id), owner.get(i.record_b_id)
        i.parts, i.total_shown = score_parts(i)
    log_access(request, AccessAction.REVIEW_LINK, owner.values(), detail="review queue")
    return render(request, "matching/queue.html", {"items": items})


@login_required
@require_POST
def decide(request: HttpRequest, pk: int) -> HttpResponse:
    item = review_item_for_user(request.user, pk)
    same = request.POST.get("decision") == "same"
    log_access(
        request,
        AccessAction.REVIEW_LINK,
        _residents_of([item]).values(),
        detail=f"review item {item.pk}: {'same' if same else 'different'}",
    )
    try:
        decide_review_item(item, acting_user=request.user, same=same)
    except (LinkConflict, ChangedMeanwhile) as exc:
        messages.error(request, _("Not applied: %(why)s") % {"why": exc})
    return redirect("matching:queue")


def _records(resident: Resident) -> list[RecordLink]:
    return list(
        RecordLink.objects.filter(resident=resident)
        .select_related("record__source")
        .order_by("record__source__code", "record_id")
    )


@login_required
def merge(request: HttpRequest, pk: int) -> HttpResponse:
    """Merge another resident (by id) into this one: GET previews both, POST merges."""
    keep = resident_to_change(request.user, pk)
    other_id = (request.POST if request.method == "POST" else request.GET).get("other", "")
    other = resident_to_change(request.user, other_id) if other_id.strip() else None
    error = ""
    if other is not None and other.pk == keep.pk:
        error, other = _("Choose another resident: a resident cannot be merged with itself."), None
    shown = [keep.pk, *([other.pk] if other else [])]
    if request.method == "POST" and other is not None:
        reason = request.POST.get("reason", "")[:200]
        log_access(
            request, AccessAction.REVIEW_LINK, shown, detail=f"merge {other.pk} into {keep.pk}"
        )
        try:
            merge_residents(keep, other, acting_user=request.user, reason=reason)
        except (LinkConflict, ChangedMeanwhile) as exc:
            error = _("Not merged: %(why)s") % {"why": exc}
        else:
            messages.success(
                request,
                _("Merged resident #%(other)s into #%(keep)s.")
                % {"other": other.pk, "keep": keep.pk},
            )
            return redirect("matching:changes", keep.pk)
    else:
        log_access(request, AccessAction.REVIEW_LINK, shown, detail="merge form")
    return render(
        request,
        "matching/merge.html",
        {
            "keep": keep,
            "other": other,
            "error": error,
            "keep_records": _records(keep),
            "other_records": _records(other) if other else [],
        },
    )


@login_required
def split(request: HttpRequest, pk: int) -> HttpResponse:
    """Move the ticked records of a resident into a new resident."""
    resident = resident_to_change(request.user, pk)
    records = _records(resident)
    error = ""
    if request.method == "POST":
        held = {link.record_id for link in records}
        try:
            chosen = {int(r) for r in request.POST.getlist("records")}
        except ValueError:
            chosen = set()
        log_access(
            request,
            AccessAction.REVIEW_LINK,
            [resident.pk],
            detail=f"split {len(chosen)} records from {resident.pk}",
        )
        if not chosen or not chosen <= held or chosen == held:
            error = _("Tick at least one of this resident's records, and not all of them.")
        else:
            try:
                change = split_resident(
                    resident,
                    sorted(chosen),
                    acting_user=request.user,
                    reason=request.POST.get("reason", "")[:200],
                )
            except ChangedMeanwhile as exc:
                error = _("Not split: %(why)s") % {"why": exc}
            else:
                new = change.moves[str(min(chosen))][1]
                messages.success(
                    request,
                    _("Moved %(n)s records into new resident #%(new)s.")
                    % {"n": len(chosen), "new": new},
                )
                return redirect("matching:changes", resident.pk)
    else:
        log_access(request, AccessAction.REVIEW_LINK, [resident.pk], detail="split form")
    return render(
        request, "matching/split.html", {"resident": resident, "records": records, "error": error}
    )


@login_required
def changes(request: HttpRequest, pk: int) -> HttpResponse:
    """Merges, splits and undos that touched this resident, newest first, with undo."""
    resident = resident_to_change(request.user, pk)
    history = list(
        changes_for_user(request.user)
        .filter(residents=resident)
        .select_related("user")
        .prefetch_related("residents")[:100]
    )
    log_access(request, AccessAction.REVIEW_LINK, [resident.pk], detail="change history")
    return render(request, "matching/changes.html", {"resident": resident, "history": history})


@login_required
@require_POST
def undo(request: HttpRequest, pk: int) -> HttpResponse:
    resident = resident_to_change(request.user, pk)
    change = change_to_undo(request.user, resident, request.POST.get("change"))
    touched = list(change.residents.values_list("pk", flat=True))
    log_access(request, AccessAction.REVIEW_LINK, touched, detail=f"undo change {change.pk}")
    try:
        undo_change(change, acting_user=request.user)
    except ChangedMeanwhile as exc:
        messages.error(request, _("Not undone: %(why)s") % {"why": exc})
    else:
        messages.success(request, _("Change #%(n)s undone.") % {"n": change.pk})
    return redirect("matching:changes", resident.pk)
