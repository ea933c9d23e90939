"""Everything known about one resident, read in a fixed number of queries.

The one-stop page must cost the same whatever a resident's history (DESIGN.md's p95 target), so
each kind of thing is one query (or one prefetch) and the timeline is merged in Python.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime
from itertools import groupby

from django.db.models import Prefetch
from django.utils import timezone
from django.utils.translation import gettext as _

from cases.access import cases_for_user, may_read_health_notes, residents_for_user
from cases.models import Case, Referral, Visit
from cases.rules import rules_in_force
from cases.screening import screen_one
from intake.models import CrisisSignal, Enrollment
from matching.models import RecordLink, Resident

HOUSEHOLD_LIMIT = 20


@dataclass
class Event:
    on: date
    kind: str
    text: str
    url: str = ""


@dataclass
class Profile:
    resident: Resident
    household: list[Resident]
    agencies: list[tuple[str, list]] = field(default_factory=list)  # (agency label, records)
    signals: list[CrisisSignal] = field(default_factory=list)
    visits: list[Visit] = field(default_factory=list)
    cases: list[Case] = field(default_factory=list)
    referrals: list[Referral] = field(default_factory=list)
    timeline: list[Event] = field(default_factory=list)
    screening: list = field(default_factory=list)  # cases.explain.Verdict per programme


def _day(value: date | datetime | None) -> date | None:
    if isinstance(value, datetime):
        return timezone.localdate(value)
    return value


def build_profile(user, resident: Resident, on: date | None = None) -> Profile:
    """Eleven queries, whatever the history: links (+ enrollments, signals), household, visits,
    cases, referrals, and the rules in force (median table, rules) for the screening, which
    works on what the other queries loaded."""
    links = list(
        RecordLink.objects.filter(resident=resident)
        .select_related("record__source", "record__run")
        # The page shows none of these; decoding their JSON was most of the query's cost.
        .defer("record__raw", "record__rrn_enc", "record__source__mapping",
               "record__run__columns", "record__run__stage_seconds", "record__run__error")
        .prefetch_related(
            Prefetch("record__enrollments",
                     queryset=Enrollment.objects.select_related("programme").order_by("start")),
            Prefetch("record__signals",
                     queryset=CrisisSignal.objects.select_related("indicator")
                     .order_by("-observed_on")),
        )
        .order_by("record__source__kind", "record__source__name", "record__source_key",
                  "-record__version")
    )
    records = [link.record for link in links]
    household = []
    if resident.address:
        household = list(
            residents_for_user(user).filter(address=resident.address).exclude(pk=resident.pk)
            .order_by("birth_date")[:HOUSEHOLD_LIMIT]
        )
    visits = list(
        Visit.objects.filter(resident=resident)
        .select_related("caseworker", "nurse", "case__owner", "centre")
        .order_by("-visited_on", "-pk")
    )
    for visit in visits:
        visit.resident = resident
        # Decided here, not in the template: the template never sees notes it may not show.
        if not may_read_health_notes(user, visit):
            visit.health_notes = ""
            visit.health_hidden = True
    cases = list(
        cases_for_user(user).filter(resident=resident)
        .select_related("owner", "owner_centre").order_by("-opened_on", "-pk")
    )
    referrals = list(
        Referral.objects.filter(case__in=[c.pk for c in cases])
        .select_related("to_centre", "from_centre").order_by("-created_at")
    ) if cases else []

    profile = Profile(resident=resident, household=household, visits=visits, cases=cases,
                      referrals=referrals)
    for kind, group in groupby(records, key=lambda r: r.source.get_kind_display()):
        profile.agencies.append((kind, list(group)))
    profile.signals = [s for r in records for s in r.signals.all()]
    profile.timeline = _timeline(records, visits, cases, referrals)
    rules = rules_in_force(on or timezone.localdate())
    if rules is not None:
        profile.screening = screen_one(resident, records, household, rules)
    return profile


def _timeline(records, visits, cases, referrals) -> list[Event]:
    events: list[Event] = []
    for record in records:
        for e in record.enrollments.all():
            if e.start:
                events.append(Event(e.start, "benefit", _("%(prog)s started (%(src)s)")
                                    % {"prog": e.programme, "src": record.source}))
            if e.end:
                events.append(Event(e.end, "benefit", _("%(prog)s ended (%(src)s)")
                                    % {"prog": e.programme, "src": record.source}))
        for s in record.signals.all():
            if s.observed_on:
                events.append(Event(s.observed_on, "signal", _("Crisis signal: %(ind)s")
                                    % {"ind": s.indicator}))
    for v in visits:
        events.append(Event(v.visited_on, "visit", _("Visit: %(reason)s")
                            % {"reason": v.get_reason_display()}))
    for c in cases:
        events.append(Event(c.opened_on, "case", _("Case #%(id)s opened") % {"id": c.pk}))
        if c.closed_on:
            events.append(Event(c.closed_on, "case", _("Case #%(id)s closed") % {"id": c.pk}))
    for r in referrals:
        events.append(Event(_day(r.created_at), "referral", str(r)))
    events.sort(key=lambda e: e.on, reverse=True)
    return events
