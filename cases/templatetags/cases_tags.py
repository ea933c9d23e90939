"""Template helpers of the caseworker screens."""

from __future__ import annotations

from django import template

from bigcare.models import Membership

register = template.Library()


@register.simple_tag(takes_context=True)
def user_roles(context) -> set[str]:
    """The signed-in user's active roles, read once per request: what the menu offers.
    Menus only guide; every screen checks scope itself."""
    user = context["request"].user
    if not user.is_authenticated:
        return set()
    if not hasattr(user, "_bigcare_roles"):
        user._bigcare_roles = set(Membership.objects.filter(
            user=user, ended__isnull=True).values_list("role", flat=True))
    return user._bigcare_roles
