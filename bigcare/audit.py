"""The administrative audit trail: who changed scope, a mapping or a rule, and how (issue 12 §16).

Every action that grants or ends a membership or a source grant, or edits a mapping, a rule or
the median income table, calls ``record_admin_event`` inside its own transaction, the way
``cases.actions`` writes case events: no change without its row, no row without its change.
"""

from __future__ import annotations

from typing import Any

from django.db import models

from bigcare.models import AdminAction, AdminEvent


def record_admin_event(
    acting_user,
    action: AdminAction | str,
    obj: models.Model,
    *,
    before: dict[str, Any] | None = None,
    after: dict[str, Any] | None = None,
) -> AdminEvent:
    """Append one event about ``obj``; ``acting_user=None`` is the command line."""
    return AdminEvent.objects.create(
        user=acting_user,
        username=acting_user.get_username() if acting_user is not None else "",
        action=action,
        object_type=obj._meta.label_lower,
        object_id=str(obj.pk or ""),
        object_repr=str(obj)[:200],
        before=before,
        after=after,
    )
