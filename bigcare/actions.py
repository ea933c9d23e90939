"""Writes with side effects on the organisation: granting and ending staff memberships.

Each takes the keyword-only ``acting_user`` (None: the command line) and writes its
``AdminEvent`` in the same transaction.
"""

from __future__ import annotations

from django.contrib.auth.models import Group, Permission
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from guardian.shortcuts import assign_perm, remove_perm

from bigcare.audit import record_admin_event
from bigcare.models import AdminAction, CommunityCentre, District, Membership, Role
from bigcare.signals import membership_ended

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


def _summary(membership: Membership) -> dict:
    return {
        "user": membership.user.get_username(),
        "role": membership.role,
        "centre": membership.centre.code if membership.centre else None,
        "district": membership.district.code if membership.district else None,
        "started": membership.started.isoformat(),
        "ended": membership.ended.isoformat() if membership.ended else None,
    }


@transaction.atomic
def grant_membership(
    user,
    role: Role | str,
    *,
    centre: CommunityCentre | None = None,
    district: District | None = None,
    acting_user,
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
    record_admin_event(
        acting_user, AdminAction.GRANT_MEMBERSHIP, membership, after=_summary(membership)
    )
    return membership


@transaction.atomic
def end_membership(membership: Membership, *, acting_user) -> Membership:
    """End a membership today, and everything it carried: its centre and district grants
    (unless another membership in force gives them too) and, through ``membership_ended``, the
    per-object grants other apps gave through it (a referral's case, a data source)."""
    membership = (
        Membership.objects.select_for_update(of=("self",))
        .select_related("user", "centre", "district")
        .get(pk=membership.pk)
    )
    today = timezone.localdate()
    if membership.ended is not None and membership.ended <= today:
        raise ValidationError("this membership has already ended")
    before = _summary(membership)
    membership.ended = today
    membership.save(update_fields=["ended"])
    others = Membership.objects.in_force().filter(user=membership.user).exclude(pk=membership.pk)
    role = Role(membership.role)
    if membership.centre:
        kept = {
            p
            for m in others.filter(centre=membership.centre)
            for p in _CENTRE_PERMS.get(Role(m.role), [])
        }
        for perm in set(_CENTRE_PERMS.get(role, [])) - kept:
            remove_perm(f"bigcare.{perm}", membership.user, membership.centre)
    if membership.district:
        kept = {
            p
            for m in others.filter(district=membership.district)
            for p in _DISTRICT_PERMS.get(Role(m.role), [])
        }
        for perm in set(_DISTRICT_PERMS.get(role, [])) - kept:
            remove_perm(f"bigcare.{perm}", membership.user, membership.district)
    if not others.filter(role=role).exists():
        membership.user.groups.remove(ensure_role_groups()[role])
    record_admin_event(
        acting_user,
        AdminAction.END_MEMBERSHIP,
        membership,
        before=before,
        after=_summary(membership),
    )
    membership_ended.send(sender=Membership, membership=membership, acting_user=acting_user)
    return membership
