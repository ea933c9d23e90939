"""Writing the access log: one call per look at personal data (DESIGN.md principle 7)."""

from __future__ import annotations

from collections.abc import Iterable

from django.db import connection, transaction
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
    """Append one entry for a look made through a request (who, from where, which page)."""
    return record_access(
        request.user,
        action,
        resident_ids,
        address=client_address(request),
        path=request.get_full_path(),
        reason=reason,
        detail=detail,
    )


def record_access(
    user,
    action: AccessAction | str,
    resident_ids: Iterable[int] = (),
    *,
    address: str | None = None,
    path: str = "",
    reason: str = "",
    detail: str = "",
) -> AccessLog:
    """Append one entry and its residents, whatever their number: on PostgreSQL one statement,
    elsewhere two INSERTs in one transaction. ``path`` is a URL or, for a command, its name."""
    ids = sorted({int(i) for i in resident_ids})
    signed_in = user is not None and user.is_authenticated
    entry = AccessLog(
        user=user if signed_in else None,
        username=user.get_username() if signed_in else "",
        address=address,
        action=action,
        # Redacted: a query string can carry an identity number (#12 item 3).
        path=redact(path)[:300],
        detail=redact(detail)[:300],
        reason=redact(reason)[:300],
        subject_count=len(ids),
    )
    if connection.vendor == "postgresql":
        _insert_with_subjects(entry, ids)
        return entry
    if not ids:
        entry.save()
        return entry
    with transaction.atomic():
        entry.save()
        AccessLogSubject.objects.bulk_create(
            [AccessLogSubject(entry=entry, resident_id=i) for i in ids], batch_size=1000
        )
    return entry


def _insert_with_subjects(entry: AccessLog, ids: list[int]) -> None:
    """The entry and its residents in one round trip: every page view writes one, so the
    ORM's two INSERTs in a transaction (four statements) were a tenth of the page's queries."""
    fields = [f for f in AccessLog._meta.concrete_fields if not f.primary_key]
    qn = connection.ops.quote_name
    columns = ", ".join(qn(f.column) for f in fields)
    marks = ", ".join(["%s"] * len(fields))
    values = [f.get_db_prep_save(f.pre_save(entry, add=True), connection) for f in fields]
    log, subjects = qn(AccessLog._meta.db_table), qn(AccessLogSubject._meta.db_table)
    with connection.cursor() as cursor:
        # Composed from the models' own table and column names only.
        cursor.execute(
            f"WITH e AS (INSERT INTO {log} ({columns}) VALUES ({marks}) RETURNING id), "  # noqa: S608
            f"s AS (INSERT INTO {subjects} (entry_id, resident_id) "
            f"SELECT e.id, r FROM e, unnest(%s::bigint[]) AS r) "
            f"SELECT id FROM e",
            [*values, ids],
        )
        entry.pk = cursor.fetchone()[0]
    entry._state.adding = False
    entry._state.db = connection.alias


def recently_viewed_ids(user, limit: int = 10) -> list[int]:
    """The residents whose one-stop page the user opened last, newest first: read from the log
    itself (its (username, at) index), so viewing a page writes nothing but its log entry."""
    if not user.is_authenticated:
        return []
    recent = (
        AccessLogSubject.objects.filter(
            entry__username=user.get_username(), entry__action=AccessAction.VIEW_PROFILE
        )
        .order_by("-entry__at", "-entry_id")
        .values_list("resident_id", flat=True)[: limit * 5]
    )
    return list(dict.fromkeys(recent))[:limit]
