"""Scope: which centres and districts a user may work in (DESIGN.md principle 5).

Grants sit on CommunityCentre and District only. Every later view, export and action asks these
helpers; global permissions and superuser status never widen scope, and what a user may not see is
a 404, the same answer as for something that does not exist.
"""

from __future__ import annotations

from functools import cache
from typing import Literal

from django.contrib.auth import get_user_model
from django.contrib.auth.models import AbstractBaseUser, AnonymousUser, Permission
from django.db import connection
from django.db.models import Q, QuerySet
from django.http import Http404
from django.utils import timezone

from bigcare.models import (
    CentreGroupObjectPermission,
    CentreUserObjectPermission,
    CommunityCentre,
    District,
    DistrictGroupObjectPermission,
    DistrictUserObjectPermission,
    Membership,
    Role,
)

Duty = Literal["serve", "supervise"]
AnyUser = AbstractBaseUser | AnonymousUser
# Scope reads are memoised on the user object, which Django makes anew for every request. Any
# change of a grant in this process (a permission row, a membership, a group) starts a new
# generation, so a user object that lives longer (a test, a command, a task) never reads stale
# grants; other processes' changes reach a request through its fresh user object.
_MEMO = "_bigcare_scope"
_generation = 0


def grants_changed(**kwargs) -> None:
    """Signal receiver: every memo of scope made before now is stale."""
    global _generation
    _generation += 1


def memo(user: AnyUser) -> dict:
    """The user object's memo of scope reads, empty again after any grant changed."""
    found = getattr(user, _MEMO, None)
    if found is None or found.get("generation") != _generation:
        found = {"generation": _generation}
        setattr(user, _MEMO, found)
    return found


def _granted_sql(user_table, group_table) -> str:
    """SQL for the ids of ``content_object`` granted to a user (%s) under a codename (%s),
    directly or through a group (%s, %s): guardian's direct-FK tables read as guardian's
    ``get_objects_for_user(accept_global_perms=False, with_superuser=False)`` would. The table
    fixes the model, so the codename alone names the permission."""
    qn = connection.ops.quote_name
    perm = qn(Permission._meta.db_table)
    groups = get_user_model().groups.through._meta
    member, group = groups.get_field("user").column, groups.get_field("group").column
    # Composed from the models' table and column names only; the user and codename are params.
    return (
        f"SELECT u.content_object_id FROM {qn(user_table._meta.db_table)} u "  # noqa: S608
        f"JOIN {perm} p ON p.id = u.permission_id WHERE u.user_id = %s AND p.codename = %s "
        f"UNION SELECT g.content_object_id FROM {qn(group_table._meta.db_table)} g "
        f"JOIN {perm} p ON p.id = g.permission_id "
        f"JOIN {qn(groups.db_table)} ug ON ug.{qn(group)} = g.group_id "
        f"WHERE ug.{qn(member)} = %s AND p.codename = %s"
    )


# The roles whose membership carries each duty's grants.
_DUTY_ROLES = {
    "serve": (Role.CASEWORKER, Role.NURSE, Role.SUPERVISOR),
    "supervise": (Role.SUPERVISOR,),
}


def _in_force_sql(column: str, duty: Duty) -> str:
    """SQL for the ``column`` (centre_id or district_id) of the user's (%s) memberships in force
    on a day (%s, %s) in a role that carries ``duty``: a grant counts only through one."""
    qn = connection.ops.quote_name
    roles = ", ".join(f"'{r.value}'" for r in _DUTY_ROLES[duty])  # our own enum's values
    return (
        f"SELECT m.{qn(column)} FROM {qn(Membership._meta.db_table)} m "  # noqa: S608
        f"WHERE m.user_id = %s AND m.role IN ({roles}) AND m.started <= %s "
        f"AND (m.ended IS NULL OR m.ended > %s) AND m.{qn(column)} IS NOT NULL"
    )


@cache
def _scope_sql(duty: Duty) -> tuple[str, str]:
    """(districts, centres) SQL, built once per process from the models' table names: built by
    the ORM on every request, these queries cost more Python than the rest of a search.

    A grant counts only while a membership in force places the user there (a district's own, or
    a centre's or its district's): a membership whose end date has come ends its scope on that
    day even if nobody withdrew the grant (issue 12 §6)."""
    qn = connection.ops.quote_name
    centre = qn(CommunityCentre._meta.db_table)
    in_district = _in_force_sql("district_id", duty)
    districts = (
        f"SELECT d.content_object_id FROM "  # noqa: S608
        f"({_granted_sql(DistrictUserObjectPermission, DistrictGroupObjectPermission)}) d "
        f"WHERE d.content_object_id IN ({in_district})"
    )
    by_district = f" UNION SELECT c.id FROM {centre} c WHERE c.district_id IN ({districts})"  # noqa: S608
    granted = _granted_sql(CentreUserObjectPermission, CentreGroupObjectPermission) + by_district
    centres = (
        f"SELECT g.content_object_id FROM ({granted}) g "  # noqa: S608
        f"WHERE g.content_object_id IN ({_in_force_sql('centre_id', duty)}) "
        f"OR g.content_object_id IN (SELECT c.id FROM {centre} c "
        f"WHERE c.district_id IN ({in_district}))"
    )
    return districts, centres


def _read_ids(sql: str, params: list) -> frozenset[int]:
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return frozenset(row[0] for row in cursor.fetchall())


def district_ids(user: AnyUser, duty: Duty = "serve") -> frozenset[int]:
    """Ids of the districts granted to the user as a whole; one query, once per request."""
    if not user.is_authenticated or not user.is_active:
        return frozenset()
    key = ("districts", duty)
    ids = memo(user)
    if key not in ids:
        codename, today = f"{duty}_district", timezone.localdate()
        ids[key] = _read_ids(_scope_sql(duty)[0], [user.pk, codename] * 2 + [user.pk, today, today])
    return ids[key]


def centre_ids(user: AnyUser, duty: Duty = "serve") -> frozenset[int]:
    """Ids of the centres granted directly plus every centre of a granted district.

    Read once per request (one small query) and kept on the user object: a page asks many
    times, and as literal ids the scoped queries stay simple to build and to plan.
    """
    if not user.is_authenticated or not user.is_active:
        return frozenset()
    key = ("centres", duty)
    ids = memo(user)
    if key not in ids:
        centre, district, today = f"{duty}_centre", f"{duty}_district", timezone.localdate()
        in_force = [user.pk, today, today]
        districts = [user.pk, district] * 2 + in_force
        ids[key] = _read_ids(
            _scope_sql(duty)[1], [user.pk, centre] * 2 + districts + in_force + in_force
        )
    return ids[key]


def active_roles(user: AnyUser) -> frozenset[str]:
    """The user's roles in memberships in force today; one query, once per request."""
    if not user.is_authenticated:
        return frozenset()
    found = memo(user)
    if "roles" not in found:
        found["roles"] = frozenset(
            Membership.objects.in_force().filter(user=user).values_list("role", flat=True)
        )
    return found["roles"]


def districts_for_user(user: AnyUser, duty: Duty = "serve") -> QuerySet[District]:
    """Districts granted to the user as a whole (a district supervisor's)."""
    return District.objects.filter(pk__in=district_ids(user, duty))


def centres_for_user(user: AnyUser, duty: Duty = "serve") -> QuerySet[CommunityCentre]:
    """Centres granted directly, plus every centre of a granted district."""
    return CommunityCentre.objects.filter(Q(pk__in=centre_ids(user, duty)))


def centre_for_user(user: AnyUser, pk: int, duty: Duty = "serve") -> CommunityCentre:
    try:
        return centres_for_user(user, duty).select_related("district").get(pk=pk)
    except (CommunityCentre.DoesNotExist, ValueError, TypeError):
        raise Http404("No such community centre") from None


def district_for_user(user: AnyUser, pk: int, duty: Duty = "serve") -> District:
    """A district the user may work in as a whole (granted the district itself)."""
    try:
        return districts_for_user(user, duty).get(pk=pk)
    except (District.DoesNotExist, ValueError, TypeError):
        raise Http404("No such district") from None
