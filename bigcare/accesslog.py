"""Writing the access log: one call per look at personal data (DESIGN.md principle 7)."""

from __future__ import annotations

from collections.abc import Iterable

from django.http import HttpRequest

from bigcare.logs import redact
from bigcare.models import AccessAction, AccessLog, AccessLogSubject


def client_address(request: HttpRequest) -> str | None:
    # REMOTE_ADDR only: a forwarded-for header is set by the client and proves nothing, unless a
    # trusted proxy rewrites it, which a deployment configures in front of the app.
    return request.META.get("REMOTE_ADDR") or None


def log_access(
    request: HttpRequest,
    action: AccessAction | str,
    resident_ids: Iterable[int] = (),
    *,
    reason: str = "",
    detail: str = "",
) -> AccessLog:
    """Append one entry and its residents: two INSERTs whatever the number of residents."""
    ids = sorted({int(i) for i in resident_ids})
    entry = AccessLog.objects.create(
        user=request.user if request.user.is_authenticated else None,
        username=request.user.get_username() if request.user.is_authenticated else "",
        address=client_address(request),
        action=action,
        path=request.get_full_path()[:300],
        detail=redact(detail)[:300],
        reason=redact(reason)[:300],
        subject_count=len(ids),
    )
    if ids:
        AccessLogSubject.objects.bulk_create(
            [AccessLogSubject(entry=entry, resident_id=i) for i in ids], batch_size=1000
        )
    return entry
