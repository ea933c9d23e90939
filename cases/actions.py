"""Writes with side effects on visits, cases and referrals.

Views call these after fetching the objects through ``cases.access``; each function checks the
rule that is its own (who may approve, who may accept) again, so a command or a task calling it
cannot skip scope (DESIGN.md principle 5: scope on every write).
"""

from __future__ import annotations

from datetime import date

from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.http import HttpRequest
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from guardian.shortcuts import assign_perm, remove_perm

from bigcare import crypto
from bigcare.accesslog import log_access
from bigcare.models import AccessAction, CommunityCentre, Membership, Role
from cases.access import serves_centre
from cases.alerts import notify, staff_ids
from cases.models import (
    AlertKind,
    Assessment,
    Case,
    CaseEvent,
    CaseUserObjectPermission,
    Conference,
    Contact,
    PlannedService,
    Referral,
    ReferralKind,
    ReferralStatus,
    Stage,
    Visit,
    VisitRevision,
    stage_due,
)
from matching.models import Resident

User = get_user_model()


def _event(case: Case, by, what: str, before: str = "") -> None:
    CaseEvent.objects.create(case=case, by=by, what=what[:200], before=before)


def _case_url(case: Case) -> str:
    return reverse("cases:case", args=[case.pk])


def _refuse(problems: list[str]) -> None:
    if problems:
        raise ValidationError(problems)


def _require_owner_scope(user, case: Case) -> None:
    if not serves_centre(user, case.owner_centre_id):
        raise PermissionDenied("only the owning centre changes a case")


@transaction.atomic
def record_visit(user, resident: Resident, **fields) -> Visit:
    centre_id = resident.home_centre_id
    if not serves_centre(user, centre_id):
        raise PermissionDenied("visits are recorded by the resident's centre")
    fields["findings"] = {k: v for k, v in (fields.get("findings") or {}).items() if v}
    visit = Visit(resident=resident, centre_id=centre_id, created_by=user, **fields)
    visit.clean()
    visit.save()
    return visit


# What a visit edit may change; health notes only by those who may read them.
VISIT_FIELDS = ("visited_on", "status", "reason", "risk", "findings", "notes", "nurse")


@transaction.atomic
def edit_visit(user, visit: Visit, **changes) -> Visit:
    """Either member of the pair (or staff of the visiting centre) writes into the visit; the
    values replaced are kept as a revision. Health notes stay with nurses and the case owner."""
    from cases.access import may_read_health_notes

    # Lock the visit row only: PostgreSQL locks no nullable side of an outer join (the case).
    visit = (
        Visit.objects.select_for_update(of=("self",))
        .select_related("resident", "case")
        .get(pk=visit.pk)
    )
    if not (visit.is_member(user) or serves_centre(user, visit.centre_id)):
        raise PermissionDenied("only the pair or the visiting centre edits a visit")
    allowed = set(VISIT_FIELDS)
    if may_read_health_notes(user, visit):
        allowed.add("health_notes")
    if "findings" in changes:
        changes["findings"] = {k: v for k, v in (changes["findings"] or {}).items() if v}
    before = {}
    for field, value in changes.items():
        if field not in allowed:
            continue
        old = getattr(visit, field + "_id" if field == "nurse" else field)
        new = getattr(value, "pk", value)
        if old != new:
            if field == "nurse":
                old = str(visit.nurse) if visit.nurse_id else ""
            before[field] = old.isoformat() if hasattr(old, "isoformat") else old
            setattr(visit, field, value)
    if not before:
        return visit
    visit.clean()
    visit.save(update_fields=[f for f in before])
    VisitRevision.objects.create(visit=visit, by=user, before=before)
    return visit


@transaction.atomic
def open_case(
    user,
    resident: Resident,
    *,
    summary: str = "",
    visit: Visit | None = None,
    on: date | None = None,
    second_case_reason: str = "",
) -> Case:
    """Open a case owned by the resident's centre, with the user as its caseworker. A resident
    has one open case unless the caseworker states why another is needed."""
    if not serves_centre(user, resident.home_centre_id):
        raise PermissionDenied("cases are opened by the resident's centre")
    if visit is not None and visit.resident_id != resident.pk:
        raise ValidationError("the visit is of another resident")
    second_case_reason = second_case_reason.strip()
    if not second_case_reason and Case.objects.open().filter(resident=resident).exists():
        raise ValidationError(
            _("This resident already has an open case: state why another one is needed.")
        )
    on = on or timezone.localdate()
    case = Case.objects.create(
        resident=resident,
        owner_centre_id=resident.home_centre_id,
        owner=user,
        summary=summary,
        stage=Stage.INTAKE,
        opened_on=on,
        stage_started=on,
        stage_due=stage_due(Stage.INTAKE, on, on),
        second_case_reason=second_case_reason[:300],
    )
    if visit is not None:
        visit.case = case
        visit.save(update_fields=["case"])
    _event(case, user, _("Case opened") + (_(" from a visit") if visit else ""))
    return case


@transaction.atomic
def advance_case(user, case: Case, *, on: date | None = None) -> Case:
    """Move a case to its next stage; a plan and a closure need a supervisor's approval first."""
    case = Case.objects.select_for_update().get(pk=case.pk)
    _require_owner_scope(user, case)
    nxt = case.next_stage
    if nxt is None:
        raise ValidationError(_("The case is at its last stage."))
    _refuse(case.advance_problems())
    if case.needs_approval:
        raise ValidationError(_("A supervisor must approve this stage first."))
    on = on or timezone.localdate()
    case.stage, case.stage_started = nxt, on
    case.stage_due = stage_due(nxt, on, case.opened_on)
    fields = ["stage", "stage_started", "stage_due"]
    if nxt == Stage.FOLLOW_UP:
        case.closed_on = on
        fields.append("closed_on")
    case.save(update_fields=fields)
    _event(case, user, _("Moved to %(stage)s") % {"stage": case.get_stage_display()})
    return case


@transaction.atomic
def approve_case(user, case: Case) -> Case:
    """A supervisor of the owning centre approves the service plan or the closure."""
    case = Case.objects.select_for_update().get(pk=case.pk)
    if not serves_centre(user, case.owner_centre_id, "supervise"):
        raise PermissionDenied("only a supervisor of the owning centre approves")
    now = timezone.now()
    if case.stage == Stage.SERVICE_PLAN and case.plan_approved_at is None:
        if case.plan_submitted_at is None:
            raise ValidationError(_("The caseworker has not submitted the plan yet."))
        # The plan is checked again: services may have changed since it was submitted.
        _refuse(case.plan_problems())
        case.plan_approved_by, case.plan_approved_at = user, now
        case.save(update_fields=["plan_approved_by", "plan_approved_at"])
        _event(case, user, _("Service plan approved"))
        what = _("The service plan of case #%(pk)s was approved.")
    elif case.stage == Stage.CLOSURE and case.closure_approved_at is None:
        _refuse(case.closure_problems())
        case.closure_approved_by, case.closure_approved_at = user, now
        case.save(update_fields=["closure_approved_by", "closure_approved_at"])
        _event(case, user, _("Closure approved"))
        what = _("The closure of case #%(pk)s was approved.")
    else:
        raise ValidationError(_("Nothing to approve at this stage."))
    if case.owner_id:
        notify([case.owner_id], AlertKind.APPROVED, what % {"pk": case.pk}, _case_url(case))
    return case


def _supervisors_of(case: Case):
    return staff_ids([case.owner_centre_id], [Role.SUPERVISOR])


@transaction.atomic
def submit_plan(user, case: Case) -> Case:
    """The caseworker sends the service plan to the supervisors: never an empty one."""
    case = Case.objects.select_for_update().get(pk=case.pk)
    _require_owner_scope(user, case)
    if case.stage != Stage.SERVICE_PLAN or case.plan_approved_at is not None:
        raise ValidationError(_("Only a service plan waiting for approval can be submitted."))
    _refuse(case.plan_problems())
    case.plan_submitted_at, case.plan_returned_reason = timezone.now(), ""
    case.save(update_fields=["plan_submitted_at", "plan_returned_reason"])
    _event(case, user, _("Service plan submitted for approval"))
    notify(
        _supervisors_of(case),
        AlertKind.APPROVAL_NEEDED,
        _("The service plan of case #%(pk)s needs your approval.") % {"pk": case.pk},
        _case_url(case),
    )
    return case


@transaction.atomic
def return_plan(user, case: Case, reason: str) -> Case:
    """A supervisor sends a submitted plan back to the caseworker, saying why."""
    case = Case.objects.select_for_update().get(pk=case.pk)
    if not serves_centre(user, case.owner_centre_id, "supervise"):
        raise PermissionDenied("only a supervisor of the owning centre returns a plan")
    reason = reason.strip()
    if not reason:
        raise ValidationError(_("Say why the plan is returned."))
    if case.stage != Stage.SERVICE_PLAN or case.plan_submitted_at is None or case.plan_approved_at:
        raise ValidationError(_("Only a submitted plan can be returned."))
    case.plan_submitted_at, case.plan_returned_reason = None, reason[:300]
    case.save(update_fields=["plan_submitted_at", "plan_returned_reason"])
    _event(case, user, _("Service plan returned: %(reason)s") % {"reason": reason})
    if case.owner_id:
        notify(
            [case.owner_id],
            AlertKind.RETURNED,
            _("The service plan of case #%(pk)s was returned: %(reason)s")
            % {"pk": case.pk, "reason": reason},
            _case_url(case),
        )
    return case


# Case fields a caseworker edits, with the label their history shows.
CASE_TEXT = {
    "consultation": gettext_lazy("Initial consultation"),
    "plan_goals": gettext_lazy("Goals of the plan"),
    "closure_reason": gettext_lazy("Closure reason"),
    "closure_outcome": gettext_lazy("Outcome"),
    "follow_up_due": gettext_lazy("Follow-up due"),
    "follow_up_result": gettext_lazy("Follow-up result"),
    "summary": gettext_lazy("Summary"),
}


@transaction.atomic
def edit_case(user, case: Case, **changes) -> Case:
    """Write stage content kept on the case itself; each changed field leaves an event holding
    the value it replaced. The plan cannot change under a supervisor's approval."""
    case = Case.objects.select_for_update().get(pk=case.pk)
    _require_owner_scope(user, case)
    changed = []
    for field, value in changes.items():
        if field not in CASE_TEXT:
            raise ValueError(field)
        old = getattr(case, field)
        if (old or "") == (value or ""):
            continue
        if field == "plan_goals" and (case.plan_submitted_at or case.plan_approved_at):
            raise ValidationError(_("The plan is with the supervisor: it cannot change now."))
        setattr(case, field, value)
        changed.append(field)
        _event(
            case,
            user,
            _("%(what)s saved") % {"what": CASE_TEXT[field]},
            before=str(old or ""),
        )
    if changed:
        case.full_clean(exclude=["resident", "owner_centre", "owner"])
        case.save(update_fields=changed)
        closure = {"closure_reason", "closure_outcome", "follow_up_due"}
        if (
            closure & set(changed)
            and case.stage == Stage.CLOSURE
            and case.closure_approved_at is None
            and not case.closure_problems()
        ):
            notify(
                _supervisors_of(case),
                AlertKind.APPROVAL_NEEDED,
                _("The closure of case #%(pk)s needs your approval.") % {"pk": case.pk},
                _case_url(case),
            )
    return case


@transaction.atomic
def save_assessment(user, case: Case, *, area: str, level: str, note: str) -> Assessment:
    """One need area's level and note; a second save of the area replaces it, keeping the old."""
    _require_owner_scope(user, case)
    row = Assessment.objects.filter(case=case, area=area).first()
    before = f"{row.get_level_display()}: {row.note}" if row else ""
    row = row or Assessment(case=case, area=area)
    row.level, row.note = level, note
    row.full_clean()
    row.save()
    _event(
        case,
        user,
        _("Assessed %(area)s: %(level)s")
        % {"area": row.get_area_display(), "level": row.get_level_display()},
        before=before,
    )
    return row


@transaction.atomic
def add_conference(user, case: Case, *, held_on: date, participants: str, decisions: str):
    _require_owner_scope(user, case)
    if held_on > timezone.localdate():
        raise ValidationError(_("A case conference cannot be recorded before it is held."))
    row = Conference(case=case, held_on=held_on, participants=participants, decisions=decisions)
    row.full_clean()
    row.save()
    _event(case, user, _("Case conference recorded (%(on)s)") % {"on": held_on.isoformat()})
    return row


@transaction.atomic
def add_contact(user, case: Case, *, on: date, kind: str, note: str) -> Contact:
    _require_owner_scope(user, case)
    if on > timezone.localdate():
        raise ValidationError(_("A contact cannot be logged before it happens."))
    row = Contact(case=case, on=on, kind=kind, note=note, by=user)
    row.full_clean()
    row.save()
    _event(case, user, _("Contact logged: %(kind)s") % {"kind": row.get_kind_display()})
    return row


@transaction.atomic
def assign_case(user, case: Case, owner) -> Case:
    """Give the case to another caseworker of the owning centre."""
    _require_owner_scope(user, case)
    if owner is not None and not serves_centre(owner, case.owner_centre_id):
        raise ValidationError(_("The caseworker does not work at the owning centre."))
    case.owner = owner
    case.save(update_fields=["owner"])
    _event(case, user, _("Assigned to %(name)s") % {"name": owner.get_username()})
    return case


@transaction.atomic
def add_service(user, case: Case, **fields) -> PlannedService:
    _require_owner_scope(user, case)
    if case.plan_submitted_at or case.plan_approved_at:
        raise ValidationError(_("The plan is with the supervisor: it cannot change now."))
    service = PlannedService(case=case, **fields)
    service.full_clean()
    service.save()
    _event(
        case,
        user,
        _("Service planned: %(what)s") % {"what": service.programme or service.facility_name},
    )
    return service


def staff_of_centre(centre_id: int, roles=(Role.CASEWORKER, Role.NURSE, Role.SUPERVISOR)):
    """Staff placed at one centre by a membership in force: whom a referral to it is granted
    to."""
    placed = Membership.objects.in_force().filter(centre_id=centre_id, role__in=roles)
    return User.objects.filter(pk__in=placed.values("user_id"), is_active=True)


def sync_case_grants(case: Case) -> None:
    """Make the case's guardian grants exactly those its live referrals and transfers call for:
    staff of each receiving centre, while the referral lasts and while their membership there is
    in force (principle 5)."""
    centres = {r.to_centre_id for r in case.referrals.all() if r.is_live and r.to_centre_id}
    centres.discard(case.owner_centre_id)
    placed = Membership.objects.in_force().filter(
        centre_id__in=centres, role__in=[Role.CASEWORKER, Role.NURSE, Role.SUPERVISOR]
    )
    wanted = (
        set(
            User.objects.filter(
                pk__in=placed.values("user_id"),
                is_active=True,
            ).values_list("pk", flat=True)
        )
        if centres
        else set()
    )
    have = set(
        CaseUserObjectPermission.objects.filter(
            content_object=case, permission__codename="serve_case"
        ).values_list("user_id", flat=True)
    )
    for user in User.objects.filter(pk__in=wanted - have):
        assign_perm("cases.serve_case", user, case)
    for user in User.objects.filter(pk__in=have - wanted):
        remove_perm("cases.serve_case", user, case)


@transaction.atomic
def refer_case(
    user,
    case: Case,
    *,
    kind: str,
    to_centre: CommunityCentre | None,
    facility_name: str,
    reason: str,
    consent_on: date,
    consent_note: str,
) -> Referral:
    """Ask another centre or a facility to serve the resident; consent is required."""
    _require_owner_scope(user, case)
    if case.closed_on:
        raise ValidationError(_("The case is closed."))
    if not consent_note.strip():
        raise ValidationError(_("Record how the resident consented."))
    if to_centre is not None and to_centre.pk == case.owner_centre_id:
        raise ValidationError(_("The case already belongs to that centre."))
    if kind == ReferralKind.TRANSFER and (
        to_centre is None
        or case.referrals.filter(kind=ReferralKind.TRANSFER, status=ReferralStatus.PENDING).exists()
    ):
        raise ValidationError(_("A transfer goes to one centre at a time."))
    referral = Referral(
        case=case,
        kind=kind,
        from_centre_id=case.owner_centre_id,
        to_centre=to_centre,
        facility_name=facility_name,
        reason=reason,
        consent_on=consent_on,
        consent_note=consent_note,
        created_by=user,
    )
    referral.full_clean()
    referral.save()
    _event(
        case,
        user,
        _("%(kind)s to %(to)s")
        % {"kind": referral.get_kind_display(), "to": to_centre or facility_name},
    )
    sync_case_grants(case)
    if to_centre is not None:
        notify(
            staff_ids([to_centre.pk], [Role.CASEWORKER, Role.SUPERVISOR]),
            AlertKind.TRANSFER if kind == ReferralKind.TRANSFER else AlertKind.REFERRAL,
            (
                _("A transfer of case #%(pk)s arrived from %(centre)s.")
                if kind == ReferralKind.TRANSFER
                else _("A referral of case #%(pk)s arrived from %(centre)s.")
            )
            % {"pk": case.pk, "centre": case.owner_centre},
            reverse("cases:referral", args=[referral.pk]),
        )
    return referral


@transaction.atomic
def decide_referral(user, referral: Referral, accept: bool) -> Referral:
    """The receiver accepts or declines. A facility is not a user: its answer is recorded by the
    sending centre. Accepting a transfer passes ownership to the receiving centre."""
    referral = Referral.objects.select_for_update().select_related("case").get(pk=referral.pk)
    receiver = referral.to_centre_id or referral.from_centre_id
    if not serves_centre(user, receiver):
        raise PermissionDenied("only the receiver decides")
    if referral.status != ReferralStatus.PENDING:
        raise ValidationError(_("This referral has already been decided."))
    referral.status = ReferralStatus.ACCEPTED if accept else ReferralStatus.DECLINED
    referral.decided_by, referral.decided_at = user, timezone.now()
    fields = ["status", "decided_by", "decided_at"]
    case = referral.case
    if accept and referral.kind == ReferralKind.TRANSFER:
        case.owner_centre_id, case.owner = referral.to_centre_id, user
        case.save(update_fields=["owner_centre", "owner"])
        # A transfer is done once accepted: its grant ends, ownership now gives access.
        referral.status, referral.ended_at = ReferralStatus.ACCEPTED, referral.decided_at
        fields.append("ended_at")
    referral.save(update_fields=fields)
    _event(
        case,
        user,
        _("%(kind)s %(status)s")
        % {"kind": referral.get_kind_display(), "status": referral.get_status_display()},
    )
    sync_case_grants(case)
    return referral


@transaction.atomic
def end_referral(user, referral: Referral) -> Referral:
    """Either side ends a referral (or withdraws a pending one); the receiver's grant ends."""
    referral = Referral.objects.select_for_update().select_related("case").get(pk=referral.pk)
    if not (
        serves_centre(user, referral.case.owner_centre_id)
        or serves_centre(user, referral.to_centre_id)
    ):
        raise PermissionDenied("only the sender or the receiver ends a referral")
    if not referral.is_live:
        raise ValidationError(_("This referral has already ended."))
    referral.status, referral.ended_at = ReferralStatus.ENDED, timezone.now()
    referral.save(update_fields=["status", "ended_at"])
    _event(referral.case, user, _("%(kind)s ended") % {"kind": referral.get_kind_display()})
    sync_case_grants(referral.case)
    return referral


def withdraw_case_grants(sender, membership, acting_user, **kwargs) -> None:
    """``membership_ended`` receiver: the cases granted to the user are granted again from
    their memberships in force only, so grants carried by the one that ended go with it."""
    cases = Case.objects.filter(
        pk__in=CaseUserObjectPermission.objects.filter(user=membership.user).values(
            "content_object_id"
        )
    ).prefetch_related("referrals")
    for case in cases:
        sync_case_grants(case)


def unmask_rrn(request: HttpRequest, resident: Resident, reason: str) -> str:
    """The full RRN, for a user with the permission and a stated reason; logged first."""
    if not request.user.has_perm("cases.unmask_rrn"):
        raise PermissionDenied("unmasking needs the cases.unmask_rrn permission")
    reason = reason.strip()
    if len(reason) < 5:
        raise ValidationError(_("State why you need the full number."))
    if not resident.rrn_enc:
        raise ValidationError(_("No full number is known for this resident."))
    log_access(request, AccessAction.UNMASK, [resident.pk], reason=reason)
    digits = crypto.decrypt(resident.rrn_enc)
    return f"{digits[:6]}-{digits[6:]}"


# ---------------------------------------------------------------------------------------------
# Eligibility reports (issue 6 §3)


def make_reports(month: date, run=None, centres=None) -> int:
    """Each centre's report for ``month`` from ``run`` (the latest done run by default), with
    its blind spots copied in: idempotent per centre and month. Three queries and two bulk
    inserts whatever the number of centres. Returns the number of reports created."""
    from cases.models import EligibilityReport, ReportItem, ScreeningResult, ScreeningRun

    run = run or ScreeningRun.latest()
    if run is None:
        raise ValidationError(_("No screening has been run yet."))
    month = month.replace(day=1)
    blind = ScreeningResult.objects.filter(run=run, receiving=False, centre__isnull=False)
    if centres is not None:
        blind = blind.filter(centre__in=centres)
    wanted = set(blind.values_list("centre_id", flat=True).distinct())
    have = set(
        EligibilityReport.objects.filter(month=month, centre__in=wanted).values_list(
            "centre_id", flat=True
        )
    )
    new = sorted(wanted - have)
    with transaction.atomic():
        EligibilityReport.objects.bulk_create(
            [EligibilityReport(centre_id=c, month=month, run=run) for c in new],
            ignore_conflicts=True,
        )
        ids = dict(
            EligibilityReport.objects.filter(month=month, centre__in=new, run=run).values_list(
                "centre_id", "pk"
            )
        )
        rows = (
            blind.filter(centre__in=new)
            .values_list(
                "centre_id",
                "resident_id",
                "programme",
                "priority",
                "household_size",
                "income",
                "line",
                "percent",
            )
            .iterator(chunk_size=5000)
        )
        ReportItem.objects.bulk_create(
            (
                ReportItem(
                    report_id=ids[c],
                    resident_id=r,
                    programme=p,
                    priority=pr,
                    household_size=hs,
                    income=inc,
                    line=ln,
                    percent=pc,
                )
                for c, r, p, pr, hs, inc, ln, pc in rows
                if c in ids
            ),
            batch_size=2000,
        )
    return len(new)


def _require_supervisor(user, centre_id: int) -> None:
    if not serves_centre(user, centre_id, "supervise"):
        raise PermissionDenied("only a supervisor of the centre handles its report")


@transaction.atomic
def advance_report(user, report, comment: str = ""):
    """draft → reviewed → approved, with an optional comment kept at the status it was made."""
    from cases.models import REPORT_NEXT, EligibilityReport, ReportComment

    report = EligibilityReport.objects.select_for_update().get(pk=report.pk)
    _require_supervisor(user, report.centre_id)
    nxt = REPORT_NEXT.get(report.status)
    if nxt is None:
        raise ValidationError(_("The report is already approved."))
    if comment.strip():
        ReportComment.objects.create(
            report=report, by=user, status=report.status, text=comment.strip()[:2000]
        )
    now = timezone.now()
    report.status = nxt
    if nxt == "reviewed":
        report.reviewed_by, report.reviewed_at = user, now
        report.save(update_fields=["status", "reviewed_by", "reviewed_at"])
    else:
        report.approved_by, report.approved_at = user, now
        report.save(update_fields=["status", "approved_by", "approved_at"])
    return report


def comment_report(user, report, text: str):
    from cases.models import ReportComment

    _require_supervisor(user, report.centre_id)
    if not text.strip():
        raise ValidationError(_("A comment cannot be empty."))
    return ReportComment.objects.create(
        report=report, by=user, status=report.status, text=text.strip()[:2000]
    )


@transaction.atomic
def send_to_visits(user, report, item_ids) -> int:
    """Put the chosen residents of an approved report on the centre's visit worklist (reason
    "screening"); a resident already sent is not sent twice. Returns how many were sent."""
    from cases.models import EligibilityReport, ReportItem, ReportStatus, VisitReason, WorklistEntry

    report = EligibilityReport.objects.select_for_update().get(pk=report.pk)
    _require_supervisor(user, report.centre_id)
    if report.status != ReportStatus.APPROVED:
        raise ValidationError(_("Approve the report before sending residents to visits."))
    items = list(
        ReportItem.objects.select_for_update().filter(
            report=report, pk__in=[int(i) for i in item_ids], sent_at__isnull=True
        )
    )
    if not items:
        return 0
    # One worklist entry per resident, even when several of their programmes were chosen.
    first = {}
    for item in items:
        first.setdefault(item.resident_id, item)
    WorklistEntry.objects.bulk_create(
        [
            WorklistEntry(
                resident_id=r,
                centre_id=report.centre_id,
                reason=VisitReason.SCREENING,
                item=item,
                added_by=user,
            )
            for r, item in first.items()
        ]
    )
    ReportItem.objects.filter(pk__in=[i.pk for i in items]).update(
        sent_at=timezone.now(), sent_by=user
    )
    notify(
        staff_ids([report.centre_id], [Role.CASEWORKER]),
        AlertKind.SENT_TO_VISITS,
        _("%(n)s residents of the eligibility report were sent to visits.") % {"n": len(first)},
        reverse("cases:worklist") + f"?reason={VisitReason.SCREENING}",
    )
    return len(items)


def record_outcome(user, item, outcome: str):
    """What the visit found: enrolled, not eligible after the visit, or refused."""
    from cases.models import Outcome, ReportItem

    if not serves_centre(user, item.report.centre_id):
        raise PermissionDenied("outcomes are recorded by the report's centre")
    if outcome not in Outcome.values:
        raise ValidationError(_("Unknown outcome."))
    if item.sent_at is None:
        raise ValidationError(_("Only residents sent to visits have an outcome."))
    ReportItem.objects.filter(pk=item.pk).update(
        outcome=outcome, outcome_at=timezone.now(), outcome_by=user
    )
    item.outcome = outcome
    return item
