"""Scope for data sources: the ONE place that decides which sources a user may manage.

Grants are guardian object permissions (``intake.manage_source``) on DataSource, given by
``intake.actions.grant_source``. Global permissions and superuser status never widen scope, and a
source out of scope is a 404, the same answer as one that does not exist (DESIGN.md principle 5).
"""

from __future__ import annotations

from django.db.models import Exists, QuerySet
from django.http import Http404
from guardian.shortcuts import get_objects_for_user

from bigcare.access import AnyUser
from bigcare.models import Membership, Role
from intake.models import DataSource, ImportRun

PERM = "intake.manage_source"


def sources_for_user(user: AnyUser) -> QuerySet[DataSource]:
    """Sources granted to the user, while a data administrator membership is in force (a
    condition of the same query: the progress fragment polls every second)."""
    if not user.is_authenticated or not user.is_active:
        return DataSource.objects.none()
    in_office = Membership.objects.in_force().filter(user=user, role=Role.DATA_ADMIN)
    return get_objects_for_user(
        user, PERM, klass=DataSource, accept_global_perms=False, with_superuser=False
    ).filter(Exists(in_office))


def source_for_user(user: AnyUser, pk: int | str) -> DataSource:
    try:
        return sources_for_user(user).get(pk=pk)
    except (DataSource.DoesNotExist, ValueError, TypeError):
        raise Http404("No such data source") from None


def run_for_user(user: AnyUser, pk: int | str) -> ImportRun:
    """A run of a source the user manages; the same 404 otherwise."""
    try:
        return ImportRun.objects.select_related("source", "started_by").get(
            pk=pk, source__in=sources_for_user(user).values("pk")
        )
    except (ImportRun.DoesNotExist, ValueError, TypeError):
        raise Http404("No such import run") from None
