"""Scope of residents, cases, visits and referrals: one helper per model (DESIGN.md principle 5).

A user works on what their centres hold (``bigcare.access.centres_for_user``) and on the cases a
live referral or transfer granted them. Everything else is a 404, exactly as if it did not exist.
The user's centre ids, granted case ids and case residents elsewhere are read once per request
(kept on the user object) and written into each query as literal ids: a screen's query count does
not grow with scope, and PostgreSQL plans every arm of the scope on its own index.
"""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.db.models import Q, QuerySet
from django.http import Http404

from bigcare.access import AnyUser, active_roles, centre_ids, memo
from bigcare.models import Role
from cases.models import (
    Case,
    CaseUserObjectPermission,
    Referral,
    ReferralStatus,
    Visit,
)
from matching.models import Resident


def granted_case_ids(user: AnyUser) -> frozenset[int]:
    """Cases granted to the user by a live referral or transfer: guardian's direct-FK table,
    read directly so that global permissions and superuser status never count. Once per
    request; grants go to users, never groups (a receiving centre's staff one by one).

    A grant counts only while its referral is live and goes to a centre the user serves through
    a membership in force (``centre_ids``): a grant nobody withdrew still ends with the job that
    carried it (issue 12 §6)."""
    if not user.is_authenticated or not user.is_active:
        return frozenset()
    ids = memo(user)
    if "cases" not in ids:
        centres = centre_ids(user)
        ids["cases"] = (
            frozenset(
                CaseUserObjectPermission.objects.filter(
                    user=user,
                    permission__codename="serve_case",
                    content_object__in=Referral.objects.live()
                    .filter(to_centre_id__in=centres)
                    .values("case_id"),
                ).values_list("content_object_id", flat=True)
            )
            if centres
            else frozenset()
        )
    return ids["cases"]


def _case_scope(user: AnyUser) -> Q:
    scope = Q(owner_centre_id__in=centre_ids(user))
    granted = granted_case_ids(user)
    return scope | Q(pk__in=granted) if granted else scope


def cases_for_user(user: AnyUser) -> QuerySet[Case]:
    """Cases owned by the user's centres, plus cases granted to them."""
    return Case.objects.filter(_case_scope(user))


def case_for_user(user: AnyUser, pk: int | str, write: bool = False) -> Case:
    """The case, or 404. ``write`` asks for ownership scope: a referral's receiver may read a
    case but not change it (403)."""
    try:
        case = (
            cases_for_user(user)
            .select_related("resident", "owner_centre__district", "owner")
            .get(pk=pk)
        )
    except (Case.DoesNotExist, ValueError, TypeError):
        raise Http404("No such case") from None
    if write and case.owner_centre_id not in centre_ids(user):
        raise PermissionDenied("only the owning centre changes a case")
    return case


def _case_resident_ids(user: AnyUser) -> frozenset[int]:
    """Residents of the user's cases who live outside the user's centres (a transferred case's
    resident may keep the old home centre until matching updates it). Once per request; the
    residents of the user's own centres are in scope anyway, so the list stays short."""
    ids = memo(user)
    if "case_residents" not in ids:
        centres = centre_ids(user)
        ids["case_residents"] = (
            frozenset(
                Case.objects.filter(_case_scope(user))
                .exclude(resident__home_centre_id__in=centres)
                .order_by()
                .values_list("resident_id", flat=True)
                .distinct()
            )
            if centres or granted_case_ids(user)
            else frozenset()
        )
    return ids["case_residents"]


def residents_for_user(user: AnyUser) -> QuerySet[Resident]:
    """Residents of the user's centres, and residents of cases owned by or granted to them."""
    scope = Q(home_centre_id__in=centre_ids(user))
    extra = _case_resident_ids(user)
    return Resident.objects.filter(scope | Q(pk__in=extra) if extra else scope, active=True)


def resident_for_user(user: AnyUser, pk: int | str) -> Resident:
    try:
        return residents_for_user(user).select_related("home_centre__district").get(pk=pk)
    except (Resident.DoesNotExist, ValueError, TypeError):
        raise Http404("No such resident") from None


def visits_for_user(user: AnyUser) -> QuerySet[Visit]:
    """Visits made by the user's centres, and visits of cases granted to them."""
    return Visit.objects.filter(
        Q(centre_id__in=centre_ids(user)) | Q(case__in=cases_for_user(user).values("pk"))
    )


def visit_for_user(user: AnyUser, pk: int | str, write: bool = False) -> Visit:
    try:
        visit = (
            visits_for_user(user)
            .select_related("resident", "centre", "caseworker", "nurse", "case__owner")
            .get(pk=pk)
        )
    except (Visit.DoesNotExist, ValueError, TypeError):
        raise Http404("No such visit") from None
    if write and visit.centre_id not in centre_ids(user):
        raise PermissionDenied("only the visiting centre changes a visit")
    return visit


def referrals_for_user(user: AnyUser) -> QuerySet[Referral]:
    """Referrals of the user's cases, and referrals sent to the user's centres."""
    return Referral.objects.filter(
        Q(case__in=cases_for_user(user).values("pk")) | Q(to_centre_id__in=centre_ids(user))
    )


def referral_for_user(user: AnyUser, pk: int | str) -> Referral:
    try:
        return (
            referrals_for_user(user)
            .select_related(
                "case__resident", "case__owner_centre", "from_centre", "to_centre", "created_by"
            )
            .get(pk=pk)
        )
    except (Referral.DoesNotExist, ValueError, TypeError):
        raise Http404("No such referral") from None


def serves_centre(user: AnyUser, centre_id: int | None, duty: str = "serve") -> bool:
    return centre_id is not None and centre_id in centre_ids(user, duty)


def is_nurse(user: AnyUser) -> bool:
    """Nurses see health notes. Read once per request and kept on the user object."""
    if not user.is_authenticated:
        return False
    return Role.NURSE in active_roles(user)


def accepted_case_ids(user: AnyUser) -> frozenset[int]:
    """Cases referred to the user's centres whose referral the receiver has accepted and that
    have not ended. Once per request, like ``granted_case_ids``."""
    ids = memo(user)
    if "accepted_cases" not in ids:
        centres = centre_ids(user)
        ids["accepted_cases"] = (
            frozenset(
                Referral.objects.filter(
                    to_centre_id__in=centres,
                    status=ReferralStatus.ACCEPTED,
                    ended_at__isnull=True,
                ).values_list("case_id", flat=True)
            )
            if centres
            else frozenset()
        )
    return ids["accepted_cases"]


def may_read_health_notes(user: AnyUser, visit: Visit) -> bool:
    """The owner of the visit's case, and nurses who serve the resident: of the visiting or the
    owning centre, or of a centre that accepted a referral of the case. A referral still pending
    gives the receiving centre the case to decide on, not the health notes (#12 item 14).
    ``visit.resident`` and ``visit.case`` should be loaded with the visit.
    Callers have already scoped the visit."""
    if visit.case is not None and visit.case.owner_id == user.pk:
        return True
    if not is_nurse(user):
        return False
    centres = centre_ids(user)
    if visit.centre_id in centres or visit.resident.home_centre_id in centres:
        return True
    return visit.case is not None and (
        visit.case.owner_centre_id in centres or visit.case_id in accepted_case_ids(user)
    )


def reports_for_user(user: AnyUser) -> QuerySet:
    """Eligibility reports of the centres the user supervises (directly or by district)."""
    from cases.models import EligibilityReport

    return EligibilityReport.objects.filter(centre_id__in=centre_ids(user, "supervise"))


def report_for_user(user: AnyUser, pk: int | str):
    from cases.models import EligibilityReport

    try:
        return reports_for_user(user).select_related("centre__district", "run").get(pk=pk)
    except (EligibilityReport.DoesNotExist, ValueError, TypeError):
        raise Http404("No such report") from None


def report_item_for_user(user: AnyUser, pk: int | str):
    """A report line, for the centre's staff recording the visit's outcome (serve scope)."""
    from cases.models import ReportItem

    try:
        return ReportItem.objects.select_related("report__centre", "resident").get(
            pk=pk, report__centre_id__in=centre_ids(user)
        )
    except (ReportItem.DoesNotExist, ValueError, TypeError):
        raise Http404("No such report item") from None
