"""In-app notifications (DESIGN.md ``Alert``): who is told what, made by actions and by the
nightly job, never by a page view. Every producer writes in bulk, and a ``key`` makes the
nightly job's alerts idempotent: running it twice tells nobody twice."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date, timedelta

from django.contrib.auth import get_user_model
from django.db.models import Q, QuerySet
from django.http import Http404
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from bigcare.models import CommunityCentre, Membership, Role
from cases.models import Alert, AlertKind, Case, Stage

User = get_user_model()
DUE_WITHIN_DAYS = 3
# Signals of imports finished this many days back count as new for the nightly job (a missed
# night is caught up; the key keeps an alert from repeating).
CRISIS_NEW_DAYS = 2


def notify(users: Iterable, kind: str, text: str, url: str = "", key: str = "") -> int:
    """One alert per user (ids or users); with a ``key``, an alert already made is not made
    again. Returns how many were asked for."""
    ids = {getattr(u, "pk", u) for u in users}
    Alert.objects.bulk_create(
        [Alert(user_id=i, kind=kind, text=text[:300], url=url, key=key) for i in ids],
        ignore_conflicts=bool(key),
    )
    return len(ids)


def staff_ids(centre_ids: Iterable[int], roles: Iterable[str]) -> QuerySet:
    """Users placed at the centres by a membership in force, in the roles; a supervisor of a
    centre's district counts as one of the centre."""
    centre_ids = list(centre_ids)
    placed = Membership.objects.in_force().filter(role__in=list(roles))
    district_ids = CommunityCentre.objects.filter(pk__in=centre_ids).values("district_id")
    placed = placed.filter(Q(centre_id__in=centre_ids) | Q(district_id__in=district_ids))
    return User.objects.filter(pk__in=placed.values("user_id"), is_active=True).values_list(
        "pk", flat=True
    )


def unread_count(user) -> int:
    """The header's count: one query per page, whatever the inbox holds."""
    if not user.is_authenticated:
        return 0
    return Alert.objects.filter(user=user, read_at__isnull=True).count()


def alerts_for_user(user) -> QuerySet[Alert]:
    return Alert.objects.filter(user=user) if user.is_authenticated else Alert.objects.none()


def alert_for_user(user, pk: int | str) -> Alert:
    """The user's own alert, or 404: an alert is nobody else's business."""
    try:
        return alerts_for_user(user).get(pk=pk)
    except (Alert.DoesNotExist, ValueError, TypeError):
        raise Http404("No such alert") from None


def mark_read(user, alerts: QuerySet[Alert]) -> int:
    return alerts.filter(user=user, read_at__isnull=True).update(read_at=timezone.now())


# ---------------------------------------------------------------------------------------------
# The nightly job: due dates and new crisis signals (CELERY_BEAT_SCHEDULE).


def due_date_alerts(on: date | None = None) -> int:
    """Tell each case owner about a stage or follow-up due within three days (or overdue and
    not told yet). One query to read, one bulk insert."""
    on = on or timezone.localdate()
    until = on + timedelta(days=DUE_WITHIN_DAYS)
    cases = (
        Case.objects.filter(owner__isnull=False)
        .filter(
            Q(closed_on__isnull=True, stage_due__lte=until)
            | Q(closed_on__isnull=False, follow_up_result="", follow_up_due__lte=until)
        )
        .values_list("pk", "owner_id", "stage", "stage_due", "closed_on", "follow_up_due")
    )
    alerts = []
    for pk, owner, stage, stage_due, closed, follow_up in cases.iterator(chunk_size=2000):
        due = follow_up if closed else stage_due
        what = _("Follow-up") if closed else Stage(stage).label
        alerts.append(
            Alert(
                user_id=owner,
                kind=AlertKind.DUE_SOON,
                text=_("Case #%(pk)s: %(what)s is due on %(due)s.")
                % {"pk": pk, "what": what, "due": due.isoformat()},
                url=reverse("cases:case", args=[pk]),
                key=f"due:{pk}:{'follow' if closed else stage}:{due.isoformat()}",
            )
        )
    Alert.objects.bulk_create(alerts, ignore_conflicts=True, batch_size=2000)
    return len(alerts)


def crisis_alerts(on: date | None = None) -> int:
    """Tell the caseworkers of a resident's centre about a crisis signal newly imported for them
    (the same current-record signals as the screening report; a rolled-back import's are
    retracted and never counted). Three queries and one bulk insert."""
    from intake.models import CrisisSignal

    since = timezone.now() - timedelta(days=CRISIS_NEW_DAYS)
    rows = set(
        CrisisSignal.objects.filter(
            record__status="current",
            record__run__finished_at__gte=since,
            record__link__resident__active=True,
            record__link__resident__home_centre__isnull=False,
        ).values_list(
            "record__link__resident_id",
            "record__link__resident__home_centre_id",
            "round",
        )
    )
    if not rows:
        return 0
    centres = {c for _, c, _ in rows}
    by_centre: dict[int, list[int]] = {}
    for user_id, centre_id in (
        Membership.objects.in_force()
        .filter(role=Role.CASEWORKER, centre_id__in=centres, user__is_active=True)
        .values_list("user_id", "centre_id")
    ):
        by_centre.setdefault(centre_id, []).append(user_id)
    alerts = [
        Alert(
            user_id=u,
            kind=AlertKind.CRISIS,
            # No name in the text: the inbox is no look at a person; the resident page it
            # leads to is, and logs it.
            text=_("A resident of your centre has a new crisis signal (%(round)s).")
            % {"round": rnd},
            url=reverse("cases:resident", args=[resident]),
            key=f"crisis:{resident}:{rnd}"[:100],
        )
        for resident, centre, rnd in sorted(rows)
        for u in by_centre.get(centre, [])
    ]
    Alert.objects.bulk_create(alerts, ignore_conflicts=True, batch_size=2000)
    return len(alerts)
