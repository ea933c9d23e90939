"""Template helpers of the caseworker screens."""

from __future__ import annotations

from django import template

from bigcare.access import active_roles

register = template.Library()


@register.simple_tag(takes_context=True)
def user_roles(context) -> set[str]:
    """The signed-in user's active roles, read once per request: what the menu offers.
    Menus only guide; every screen checks scope itself."""
    return set(active_roles(context["request"].user))


@register.filter
def sex_label(code: str) -> str:
    """ "M"/"F" as a person reads them, in the current language."""
    from django.utils.translation import gettext

    return {"M": gettext("Male"), "F": gettext("Female")}.get(code or "", "—")


@register.filter
def phone(digits: str) -> str:
    """Digits as Koreans write a number: 010-1234-5678, 02-123-4567, 031-123-4567."""
    d = "".join(ch for ch in (digits or "") if ch.isdigit())
    if not d:
        return "—"
    head = 2 if d.startswith("02") else 3
    if len(d) in (9, 10, 11) and d.startswith("0"):
        body = d[head:]
        split = len(body) - 4
        return f"{d[:head]}-{body[:split]}-{body[split:]}"
    return d


@register.filter
def won(amount) -> str:
    """₩1,234,000; blank stays blank."""
    if amount in (None, ""):
        return ""
    return f"₩{int(amount):,}"


@register.simple_tag(takes_context=True)
def unread_alerts(context) -> int:
    """The header's unread count: one COUNT per page, whatever the inbox holds."""
    from cases.alerts import unread_count

    return unread_count(context["request"].user)
