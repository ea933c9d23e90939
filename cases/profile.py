"""Everything known about one resident, read in a fixed number of queries.

The one-stop page must cost the same whatever a resident's history (DESIGN.md's p95 target), so
each kind of thing is one query (or one prefetch) and the timeline is merged in Python.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime
from itertools import groupby

from django.db.models import Exists, OuterRef, Prefetch
from django.utils import timezone
from django.utils.translation import gettext as _

from cases.access import cases_for_user, may_read_health_notes, residents_for_user
from cases.life_events import Gone, gone, life_event_of
from cases.models import Case, Referral, Visit
from cases.rules import rules_in_force
from cases.screening import household_size, household_size_from_sources, screen_one
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
class Household:
    """Who lives in the resident's dwelling (same unit key, matching.address), as the page shows
    it and screening counts it: members in the user's scope by name with the sources that know
    them, the others only counted."""

    members: list[Resident] = field(default_factory=list)  # in scope; .known_from = [sources]
    everyone: list[Resident] = field(default_factory=list)  # in scope or not: for screening
    outside: int = 0  # members outside the user's scope
    grouped: int | None = None  # the resident and everyone at the unit key; None without a key
    reported: int | None = None  # 가구원수 of the resident's current records
    size: int | None = None  # what screening uses (cases.screening.household_size)

    @property
    def disagree(self) -> bool:
        return None not in (self.grouped, self.reported) and self.grouped != self.reported


@dataclass
class Profile:
    resident: Resident
    household: Household
    agencies: list[tuple[str, list]] = field(default_factory=list)  # (agency label, records)
    signals: list[CrisisSignal] = field(default_factory=list)
    visits: list[Visit] = field(default_factory=list)
    cases: list[Case] = field(default_factory=list)
    referrals: list[Referral] = field(default_factory=list)
    timeline: list[Event] = field(default_factory=list)
    screening: list = field(default_factory=list)  # cases.explain.Verdict per programme
    gone: Gone | None = None  # a death or move out of Seoul a current record gives

    @property
    def has_open_case(self) -> bool:
        """Opening another case then needs a stated reason (cases.actions.open_case)."""
        return any(c.closed_on is None for c in self.cases)


def _day(value: date | datetime | None) -> date | None:
    if isinstance(value, datetime):
        return timezone.localdate(value)
    return value


def build_profile(user, resident: Resident, on: date | None = None) -> Profile:
    """Twelve queries at most, whatever the history: links (+ enrollments, signals), household
    (its dwelling, its members' sources), visits,
    cases, referrals, and the rules in force (median table, rules) for the screening, which
    works on what the other queries loaded."""
    links = list(
        RecordLink.objects.filter(resident=resident)
        .select_related("record__source", "record__run")
        # The page shows none of these; decoding their JSON was most of the query's cost.
        .defer(
            "record__raw",
            "record__rrn_enc",
            "record__source__mapping",
            "record__run__columns",
            "record__run__stage_seconds",
            "record__run__error",
        )
        .prefetch_related(
            Prefetch(
                "record__enrollments",
                queryset=Enrollment.objects.select_related("programme").order_by("start"),
            ),
            Prefetch(
                "record__signals",
                queryset=CrisisSignal.objects.select_related("indicator").order_by("-observed_on"),
            ),
        )
        .order_by(
            "record__source__kind", "record__source__name", "record__source_key", "-record__version"
        )
    )
    records = [link.record for link in links]
    household = _household(user, resident, records)
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
        cases_for_user(user)
        .filter(resident=resident)
        .select_related("owner", "owner_centre")
        .order_by("-opened_on", "-pk")
    )
    referrals = (
        list(
            Referral.objects.filter(case__in=[c.pk for c in cases])
            .select_related("to_centre", "from_centre")
            .order_by("-created_at")
        )
        if cases
        else []
    )

    profile = Profile(
        resident=resident, household=household, visits=visits, cases=cases, referrals=referrals
    )
    for kind, group in groupby(records, key=lambda r: r.source.get_kind_display()):
        profile.agencies.append((kind, list(group)))
    profile.signals = [s for r in records for s in r.signals.all()]
    day = on or timezone.localdate()
    for r in records:
        for e in r.enrollments.all():
            # Received on the day asked, from a record the source still lists.
            e.active_now = r.status == "current" and e.active_on(day)
    profile.gone = life_event_of(records)
    profile.timeline = _timeline(records, visits, cases, referrals)
    rules = rules_in_force(day)
    # The dead and those who moved out of Seoul are not screened (as in screening's run).
    if rules is not None and profile.gone is None:
        profile.screening = screen_one(
            resident, records, household.everyone, rules, grouped_size=household.grouped
        )
    return profile


def _household(user, resident: Resident, records: list) -> Household:
    """Two queries when the resident has a household key (everyone there, flagged in scope or not;
    the sources of those in scope), none otherwise."""
    out = Household(reported=household_size_from_sources(records))
    if resident.household_key:
        # Screening's grouping (cases.screening.read_inputs): one household key, alive and
        # still in Seoul.
        out.everyone = list(
            Resident.objects.filter(household_key=resident.household_key, active=True)
            .exclude(pk=resident.pk)
            .exclude(gone())
            .annotate(in_scope=Exists(residents_for_user(user).filter(pk=OuterRef("pk"))))
            .order_by("birth_date", "pk")[:HOUSEHOLD_LIMIT]
        )
        out.members = [m for m in out.everyone if m.in_scope]
        out.outside = len(out.everyone) - len(out.members)
        out.grouped = 1 + len(out.everyone)
        known: dict[int, list[str]] = {m.pk: [] for m in out.members}
        if known:
            for rid, source in (
                RecordLink.objects.filter(resident_id__in=list(known), record__status="current")
                .order_by("resident_id", "record__source__name")
                .values_list("resident_id", "record__source__name")
                .distinct()
            ):
                known[rid].append(source)
        for m in out.members:
            m.known_from = known[m.pk]
    out.size = household_size(out.reported, out.grouped)
    return out


def _timeline(records, visits, cases, referrals) -> list[Event]:
    events: list[Event] = []
    for record in records:
        for e in record.enrollments.all():
            if e.start:
                events.append(
                    Event(
                        e.start,
                        "benefit",
                        _("%(prog)s started (%(src)s)")
                        % {"prog": e.programme, "src": record.source},
                    )
                )
            if e.end:
                events.append(
                    Event(
                        e.end,
                        "benefit",
                        _("%(prog)s ended (%(src)s)") % {"prog": e.programme, "src": record.source},
                    )
                )
        for s in record.signals.all():
            if s.observed_on:
                events.append(
                    Event(
                        s.observed_on, "signal", _("Crisis signal: %(ind)s") % {"ind": s.indicator}
                    )
                )
    for v in visits:
        events.append(
            Event(
                v.visited_on, "visit", _("Visit: %(reason)s") % {"reason": v.get_reason_display()}
            )
        )
    for c in cases:
        events.append(Event(c.opened_on, "case", _("Case #%(id)s opened") % {"id": c.pk}))
        if c.closed_on:
            events.append(Event(c.closed_on, "case", _("Case #%(id)s closed") % {"id": c.pk}))
    for r in referrals:
        events.append(Event(_day(r.created_at), "referral", str(r)))
    events.sort(key=lambda e: e.on, reverse=True)
    return events
