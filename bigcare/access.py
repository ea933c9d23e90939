"""Scope: which centres and districts a user may work in (DESIGN.md principle 5).

Grants sit on CommunityCentre and District only. Every later view, export and action asks these
helpers; global permissions and superuser status never widen scope, and what a user may not see is
a 404, the same answer as for something that does not exist.
"""

from __future__ import annotations

from typing import Literal

from django.contrib.auth.models import AbstractBaseUser, AnonymousUser
from django.db.models import Q, QuerySet
from django.http import Http404
from guardian.shortcuts import get_objects_for_user

from bigcare.models import CommunityCentre, District

Duty = Literal["serve", "supervise"]
AnyUser = AbstractBaseUser | AnonymousUser


def _scoped(user: AnyUser, perm: str, klass: type) -> QuerySet:
    if not user.is_authenticated or not user.is_active:
        return klass.objects.none()
    return get_objects_for_user(
        user, perm, klass=klass, accept_global_perms=False, with_superuser=False
    )


def districts_for_user(user: AnyUser, duty: Duty = "serve") -> QuerySet[District]:
    """Districts granted to the user as a whole (a district supervisor's)."""
    return _scoped(user, f"bigcare.{duty}_district", District)


def centres_for_user(user: AnyUser, duty: Duty = "serve") -> QuerySet[CommunityCentre]:
    """Centres granted directly, plus every centre of a granted district. One query when read.

    The (unevaluated) query is built once per user object, that is once per request: building
    guardian's two lookups costs a few milliseconds of Python, and one page asks several times.
    Callers get a fresh copy; grants are still read when the query runs.
    """
    key = (duty, user.pk, user.is_active)
    built = getattr(user, "_bigcare_centres", None)
    if built is None:
        built = user._bigcare_centres = {}
    if key not in built:
        direct = _scoped(user, f"bigcare.{duty}_centre", CommunityCentre)
        built[key] = CommunityCentre.objects.filter(
            Q(pk__in=direct.values("pk"))
            | Q(district__in=districts_for_user(user, duty).values("pk"))
        )
    return built[key].all()


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
