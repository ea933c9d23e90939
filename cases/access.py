"""Scope of residents, cases, visits and referrals: one helper per model (DESIGN.md principle 5).

A user works on what their centres hold (``bigcare.access.centres_for_user``) and on the cases a
live referral or transfer granted them. Everything else is a 404, exactly as if it did not exist.
Each helper builds one query with subqueries, so a screen's query count does not grow with scope.
"""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.db.models import BooleanField, F, Func, Q, QuerySet, Subquery
from django.http import Http404

from bigcare.access import AnyUser, centres_for_user
from bigcare.models import Membership, Role
from cases.models import (
    Case,
    CaseUserObjectPermission,
    Referral,
    Visit,
)
from matching.models import Resident


class InScope(Func):
    """``column IN (subquery)``, written ``column = ANY(ARRAY(subquery))`` on PostgreSQL.

    Scope is "in my centres OR in my cases". PostgreSQL turns an IN-subquery under an OR into a
    hashed filter applied to every row, a sequential scan of all residents (0.2–0.3 s at 1 M);
    ``ANY(ARRAY(...))`` runs the subquery once and lets each arm use its index, joined by a
    BitmapOr (a few ms). Other databases keep the plain IN.
    """

    output_field = BooleanField()
    conditional = True
    arity = 2

    def __init__(self, column: str, subquery: QuerySet) -> None:
        super().__init__(F(column), Subquery(subquery.order_by()))

    def _parts(self, compiler, connection) -> tuple[str, str, tuple]:
        lhs, lhs_params = compiler.compile(self.source_expressions[0])
        sub, sub_params = compiler.compile(self.source_expressions[1])
        return lhs, sub, (*lhs_params, *sub_params)

    def as_sql(self, compiler, connection, **extra_context):
        lhs, sub, params = self._parts(compiler, connection)
        return f"{lhs} IN {sub}", params

    def as_postgresql(self, compiler, connection, **extra_context):
        lhs, sub, params = self._parts(compiler, connection)
        return f"{lhs} = ANY(ARRAY{sub})", params


def _granted_case_ids(user: AnyUser) -> QuerySet:
    """Cases granted to the user by a live referral or transfer: guardian's direct-FK tables,
    read directly so that global permissions and superuser status never count."""
    if not user.is_authenticated or not user.is_active:
        return CaseUserObjectPermission.objects.none().values("content_object_id")
    # Grants go to users, never groups: a receiving centre's staff are granted one by one.
    return CaseUserObjectPermission.objects.filter(
        user=user, permission__codename="serve_case"
    ).values("content_object_id")


def _centre_ids(user: AnyUser) -> list[int]:
    """The user's centres as plain ids, read once per user object, that is once per request.

    Inlined as a subquery, guardian's lookups were compiled and planned inside every resident
    and case query: ~6 ms of Python and ~6 ms of planning each at 1 M residents. As a literal
    list they cost one small query, and PostgreSQL sizes the scope from the real centres.
    """
    ids = getattr(user, "_bigcare_centre_ids", None)
    if ids is None:
        ids = list(centres_for_user(user).values_list("pk", flat=True))
        user._bigcare_centre_ids = ids
    return ids


def cases_for_user(user: AnyUser) -> QuerySet[Case]:
    """Cases owned by the user's centres, plus cases granted to them."""
    return Case.objects.filter(
        Q(owner_centre_id__in=_centre_ids(user)) | Q(InScope("pk", _granted_case_ids(user)))
    )


def case_for_user(user: AnyUser, pk: int | str, write: bool = False) -> Case:
    """The case, or 404. ``write`` asks for ownership scope: a referral's receiver may read a
    case but not change it (403)."""
    try:
        case = cases_for_user(user).select_related(
            "resident", "owner_centre__district", "owner"
        ).get(pk=pk)
    except (Case.DoesNotExist, ValueError, TypeError):
        raise Http404("No such case") from None
    if write and not centres_for_user(user).filter(pk=case.owner_centre_id).exists():
        raise PermissionDenied("only the owning centre changes a case")
    return case


def residents_for_user(user: AnyUser) -> QuerySet[Resident]:
    """Residents of the user's centres, and residents of cases owned by or granted to them (a
    transferred case's resident may still have the old home centre until matching updates it)."""
    return Resident.objects.filter(
        Q(home_centre_id__in=_centre_ids(user))
        | Q(InScope("pk", cases_for_user(user).values("resident_id"))),
        active=True,
    )


def resident_for_user(user: AnyUser, pk: int | str) -> Resident:
    try:
        return residents_for_user(user).select_related("home_centre__district").get(pk=pk)
    except (Resident.DoesNotExist, ValueError, TypeError):
        raise Http404("No such resident") from None


def visits_for_user(user: AnyUser) -> QuerySet[Visit]:
    """Visits made by the user's centres, and visits of cases granted to them."""
    centres = centres_for_user(user).values("pk")
    return Visit.objects.filter(
        Q(centre__in=centres) | Q(case__in=cases_for_user(user).values("pk"))
    )


def visit_for_user(user: AnyUser, pk: int | str, write: bool = False) -> Visit:
    try:
        visit = visits_for_user(user).select_related(
            "resident", "centre", "caseworker", "nurse", "case__owner"
        ).get(pk=pk)
    except (Visit.DoesNotExist, ValueError, TypeError):
        raise Http404("No such visit") from None
    if write and not centres_for_user(user).filter(pk=visit.centre_id).exists():
        raise PermissionDenied("only the visiting centre changes a visit")
    return visit


def referrals_for_user(user: AnyUser) -> QuerySet[Referral]:
    """Referrals of the user's cases, and referrals sent to the user's centres."""
    centres = centres_for_user(user).values("pk")
    return Referral.objects.filter(
        Q(case__in=cases_for_user(user).values("pk")) | Q(to_centre__in=centres)
    )


def referral_for_user(user: AnyUser, pk: int | str) -> Referral:
    try:
        return referrals_for_user(user).select_related(
            "case__resident", "case__owner_centre", "from_centre", "to_centre", "created_by"
        ).get(pk=pk)
    except (Referral.DoesNotExist, ValueError, TypeError):
        raise Http404("No such referral") from None


def serves_centre(user: AnyUser, centre_id: int | None, duty: str = "serve") -> bool:
    return centre_id is not None and centres_for_user(user, duty).filter(pk=centre_id).exists()


def is_nurse(user: AnyUser) -> bool:
    """Nurses see health notes. Read once per request and kept on the user object."""
    if not user.is_authenticated:
        return False
    if not hasattr(user, "_bigcare_is_nurse"):
        user._bigcare_is_nurse = Membership.objects.filter(
            user=user, role=Role.NURSE, ended__isnull=True
        ).exists()
    return user._bigcare_is_nurse


def may_read_health_notes(user: AnyUser, visit: Visit) -> bool:
    """Nurses and the owner of the visit's case; callers have already scoped the visit."""
    if is_nurse(user):
        return True
    return visit.case is not None and visit.case.owner_id == user.pk


def reports_for_user(user: AnyUser) -> QuerySet:
    """Eligibility reports of the centres the user supervises (directly or by district)."""
    from cases.models import EligibilityReport

    return EligibilityReport.objects.filter(
        centre__in=centres_for_user(user, "supervise").values("pk"))


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
            pk=pk, report__centre__in=centres_for_user(user).values("pk"))
    except (ReportItem.DoesNotExist, ValueError, TypeError):
        raise Http404("No such report item") from None
