"""Writes with side effects on the organisation: granting and ending staff memberships."""

from __future__ import annotations

from django.contrib.auth.models import Group, Permission
from django.db import transaction
from django.utils import timezone
from guardian.shortcuts import assign_perm, remove_perm

from bigcare.models import CommunityCentre, District, Membership, Role

# What each role may do where it is placed. Data administrators' grants sit on DataSource
# (intake); auditors read the access log city-wide through a global permission.
_CENTRE_PERMS = {
    Role.CASEWORKER: ["serve_centre"],
    Role.NURSE: ["serve_centre"],
    Role.SUPERVISOR: ["serve_centre", "supervise_centre"],
}
_DISTRICT_PERMS = {Role.SUPERVISOR: ["serve_district", "supervise_district"]}
_GLOBAL_PERMS = {Role.AUDITOR: ["bigcare.view_accesslog"]}


def ensure_role_groups() -> dict[str, Group]:
    """One group per role (DESIGN.md's five roles); idempotent."""
    groups = {}
    for role in Role:
        group, _ = Group.objects.get_or_create(name=role.value)
        groups[role.value] = group
    for role, perms in _GLOBAL_PERMS.items():
        for perm in perms:
            app_label, codename = perm.split(".")
            groups[role].permissions.add(
                Permission.objects.get(content_type__app_label=app_label, codename=codename)
            )
    return groups


@transaction.atomic
def grant_membership(
    user,
    role: Role | str,
    *,
    centre: CommunityCentre | None = None,
    district: District | None = None,
) -> Membership:
    role = Role(role)
    membership = Membership(user=user, role=role, centre=centre, district=district)
    membership.full_clean()
    membership.save()
    user.groups.add(ensure_role_groups()[role])
    for perm in _CENTRE_PERMS.get(role, []) if centre else []:
        assign_perm(f"bigcare.{perm}", user, centre)
    for perm in _DISTRICT_PERMS.get(role, []) if district else []:
        assign_perm(f"bigcare.{perm}", user, district)
    return membership


@transaction.atomic
def end_membership(membership: Membership) -> None:
    """End a membership; withdraw its grants unless another active membership gives them too."""
    membership.ended = timezone.localdate()
    membership.save(update_fields=["ended"])
    others = Membership.objects.filter(user=membership.user, ended__isnull=True).exclude(
        pk=membership.pk
    )
    role = Role(membership.role)
    if membership.centre:
        kept = {p for m in others.filter(centre=membership.centre)
                for p in _CENTRE_PERMS.get(Role(m.role), [])}
        for perm in set(_CENTRE_PERMS.get(role, [])) - kept:
            remove_perm(f"bigcare.{perm}", membership.user, membership.centre)
    if membership.district:
        kept = {p for m in others.filter(district=membership.district)
                for p in _DISTRICT_PERMS.get(Role(m.role), [])}
        for perm in set(_DISTRICT_PERMS.get(role, [])) - kept:
            remove_perm(f"bigcare.{perm}", membership.user, membership.district)
    if not others.filter(role=role).exists():
        membership.user.groups.remove(ensure_role_groups()[role])
