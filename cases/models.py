"""Visits, cases, planned services, referrals and transfers (issue 5, DESIGN.md "Casework")."""

from __future__ import annotations

from datetime import date, timedelta

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from guardian.models import UserObjectPermissionBase

from bigcare.models import CommunityCentre
from intake.models import Programme
from matching.models import Resident


class VisitReason(models.TextChoices):
    # DOMAIN.md §5: universal visits (65, 70, birth) and targeted ones.
    TURNING_65 = "turning_65", _("Turning 65 (65세 도래)")
    TURNING_70 = "turning_70", _("Turning 70 (70세 도래)")
    BIRTH = "birth", _("Birth (출산)")
    CRISIS = "crisis", _("Crisis / discovery (위기·발굴)")
    APPLICATION = "application", _("Application (신청)")
    NEIGHBOUR = "neighbour", _("Neighbour report (이웃 제보)")
    # Sent from an approved eligibility report: a possible blind spot to verify at home.
    SCREENING = "screening", _("Eligibility screening (발굴)")


class NeedArea(models.TextChoices):
    INCOME = "income", _("Income")
    HOUSING = "housing", _("Housing")
    HEALTH = "health", _("Health")
    CARE = "care", _("Care")
    EMPLOYMENT = "employment", _("Employment")
    SAFETY = "safety", _("Safety")


class RiskLevel(models.TextChoices):
    LOW = "low", _("Low")
    MEDIUM = "medium", _("Medium")
    HIGH = "high", _("High")
    URGENT = "urgent", _("Urgent")


class VisitStatus(models.TextChoices):
    PLANNED = "planned", _("Planned")
    DONE = "done", _("Done")


class Visit(models.Model):
    """A home visit by a caseworker and a nurse in a pair, and what they found. Both members
    write into the same visit (the nurse her health notes); every edit keeps a revision."""

    resident = models.ForeignKey(Resident, models.PROTECT, related_name="visits")
    # The centre that made the visit: scope of the visit even after the resident moves.
    centre = models.ForeignKey(CommunityCentre, models.PROTECT, related_name="visits")
    visited_on = models.DateField(_("date"), default=timezone.localdate)
    caseworker = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        models.PROTECT,
        related_name="visits_as_caseworker",
        verbose_name=_("caseworker"),
    )
    nurse = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        models.PROTECT,
        null=True,
        blank=True,
        related_name="visits_as_nurse",
        verbose_name=_("nurse"),
    )
    reason = models.CharField(_("reason"), max_length=20, choices=VisitReason.choices)
    status = models.CharField(
        _("status"), max_length=10, choices=VisitStatus.choices, default=VisitStatus.DONE
    )
    # One short text per need area (NeedArea values as keys); empty areas are left out.
    findings = models.JSONField(_("findings"), default=dict, blank=True)
    risk = models.CharField(
        _("risk level"), max_length=10, choices=RiskLevel.choices, default=RiskLevel.LOW
    )
    notes = models.TextField(_("notes"), blank=True)
    # Seen only by nurses and the owner of the visit's case (DESIGN.md "Who uses it").
    health_notes = models.TextField(_("health notes"), blank=True)
    case = models.ForeignKey("Case", models.SET_NULL, null=True, blank=True, related_name="visits")
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, models.PROTECT, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-visited_on", "-pk"]
        indexes = [
            # The worklists exclude residents already visited this year for the same reason.
            models.Index(fields=["resident", "reason", "visited_on"], name="visit_resident_reason"),
        ]

    def __str__(self) -> str:
        return f"{self.visited_on} · {self.get_reason_display()}"

    def clean(self) -> None:
        if self.status == VisitStatus.DONE and self.visited_on > timezone.localdate():
            raise ValidationError(
                {"visited_on": _("A visit dated in the future cannot be recorded as done.")}
            )

    def is_member(self, user) -> bool:
        """The caseworker and the nurse of the pair: both write into the visit."""
        return user.pk in (self.caseworker_id, self.nurse_id)

    def findings_by_area(self) -> list[tuple[str, str]]:
        return [(label, self.findings[a]) for a, label in NeedArea.choices if self.findings.get(a)]


class VisitRevision(models.Model):
    """An edit of a visit: who changed it, when, and the values it replaced (field → old)."""

    visit = models.ForeignKey(Visit, models.CASCADE, related_name="revisions")
    by = models.ForeignKey(settings.AUTH_USER_MODEL, models.PROTECT, related_name="+")
    at = models.DateTimeField(default=timezone.now)
    before = models.JSONField(default=dict)

    class Meta:
        ordering = ["at", "pk"]


class Stage(models.TextChoices):
    INTAKE = "intake", _("Intake")
    ASSESSMENT = "assessment", _("Needs and crisis assessment")
    CONFERENCE = "conference", _("Case conference")
    SERVICE_PLAN = "service_plan", _("Service plan")
    DELIVERY = "delivery", _("Delivery and monitoring")
    CLOSURE = "closure", _("Closure")
    FOLLOW_UP = "follow_up", _("Follow-up")


STAGE_ORDER = list(Stage)
# Days allowed for a stage, counted from when it starts (integrated case management).
STAGE_DAYS = {Stage.INTAKE: 10, Stage.ASSESSMENT: 10, Stage.CONFERENCE: 5, Stage.SERVICE_PLAN: 15}
PLAN_DAYS_FROM_INTAKE = 30


def stage_due(stage: str, started: date, opened: date) -> date | None:
    """When a stage must be finished. Intake and assessment share the 10 days from intake;
    the plan is also due at most 30 days from intake."""
    if stage in (Stage.INTAKE, Stage.ASSESSMENT):
        return opened + timedelta(days=STAGE_DAYS[Stage.ASSESSMENT])
    if stage == Stage.CONFERENCE:
        return started + timedelta(days=STAGE_DAYS[Stage.CONFERENCE])
    if stage == Stage.SERVICE_PLAN:
        return min(
            started + timedelta(days=STAGE_DAYS[Stage.SERVICE_PLAN]),
            opened + timedelta(days=PLAN_DAYS_FROM_INTAKE),
        )
    return None


class ClosureReason(models.TextChoices):
    GOALS_MET = "goals_met", _("Goals met")
    MOVED = "moved", _("Moved away")
    REFUSED = "refused", _("Refused further services")
    DIED = "died", _("Died")
    OTHER = "other", _("Other")


class CaseQuerySet(models.QuerySet):
    def open(self) -> CaseQuerySet:
        return self.filter(closed_on__isnull=True)

    def overdue(self, on: date | None = None) -> CaseQuerySet:
        return self.open().filter(stage_due__lt=on or timezone.localdate())

    def awaiting_approval(self) -> CaseQuerySet:
        return self.open().filter(
            Q(
                stage=Stage.SERVICE_PLAN,
                plan_approved_at__isnull=True,
                plan_submitted_at__isnull=False,
            )
            | Q(stage=Stage.CLOSURE, closure_approved_at__isnull=True)
        )


class Case(models.Model):
    """Integrated case management of one resident, owned by one centre."""

    resident = models.ForeignKey(Resident, models.PROTECT, related_name="cases")
    owner_centre = models.ForeignKey(
        CommunityCentre, models.PROTECT, related_name="cases", verbose_name=_("owning centre")
    )
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        models.PROTECT,
        null=True,
        blank=True,
        related_name="cases_owned",
        verbose_name=_("caseworker"),
    )
    summary = models.CharField(_("summary"), max_length=200, blank=True)
    stage = models.CharField(_("stage"), max_length=20, choices=Stage.choices, default=Stage.INTAKE)
    opened_on = models.DateField(_("opened"), default=timezone.localdate)
    stage_started = models.DateField(default=timezone.localdate)
    stage_due = models.DateField(_("due"), null=True, blank=True)
    plan_approved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, models.PROTECT, null=True, blank=True, related_name="+"
    )
    plan_approved_at = models.DateTimeField(null=True, blank=True)
    closure_approved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, models.PROTECT, null=True, blank=True, related_name="+"
    )
    closure_approved_at = models.DateTimeField(null=True, blank=True)
    closed_on = models.DateField(_("closed"), null=True, blank=True)
    # Stage content (integrated case management): what each stage needs before it moves on.
    consultation = models.TextField(_("initial consultation"), blank=True)
    plan_goals = models.TextField(_("goals of the plan"), blank=True)
    plan_submitted_at = models.DateTimeField(null=True, blank=True)
    plan_returned_reason = models.CharField(
        _("why the plan was returned"), max_length=300, blank=True
    )
    closure_reason = models.CharField(
        _("closure reason"), max_length=20, choices=ClosureReason.choices, blank=True
    )
    closure_outcome = models.TextField(_("outcome"), blank=True)
    follow_up_due = models.DateField(_("follow-up due"), null=True, blank=True)
    follow_up_result = models.TextField(_("follow-up result"), blank=True)
    # A second open case of the same resident needs a stated reason.
    second_case_reason = models.CharField(_("why another open case"), max_length=300, blank=True)

    objects = CaseQuerySet.as_manager()

    class Meta:
        ordering = ["-opened_on", "-pk"]
        permissions = [
            ("serve_case", _("Serve this case (referral or transfer receiver)")),
            ("unmask_rrn", _("Unmask identity numbers, with a reason")),
        ]
        indexes = [
            # The overdue list: open cases of a centre past their stage's due date.
            models.Index(fields=["owner_centre", "closed_on", "stage_due"], name="case_centre_due"),
        ]

    def __str__(self) -> str:
        return f"#{self.pk} {self.get_stage_display()}"

    @property
    def next_stage(self) -> str | None:
        i = STAGE_ORDER.index(Stage(self.stage))
        return STAGE_ORDER[i + 1] if i + 1 < len(STAGE_ORDER) else None

    @property
    def is_overdue(self) -> bool:
        return (
            self.closed_on is None
            and self.stage_due is not None
            and self.stage_due < timezone.localdate()
        )

    def plan_problems(self) -> list[str]:
        """Why the plan cannot go to (or be approved by) a supervisor: empty means it can."""
        found = []
        if not self.plan_goals.strip():
            found.append(_("The plan has no goals."))
        services = list(self.services.select_related("programme"))
        if not services:
            found.append(_("The plan has no services."))
        for service in services:
            found += service.problems()
        return [str(f) for f in found]

    def advance_problems(self) -> list[str]:
        """What the current stage still lacks before the case may move on, as sentences."""
        found = []
        if self.stage == Stage.INTAKE and not self.consultation.strip():
            found.append(_("Record the initial consultation before moving on."))
        elif self.stage == Stage.ASSESSMENT and not self.assessments.exists():
            found.append(_("Assess at least one need area before moving on."))
        elif self.stage == Stage.CONFERENCE and not self.conferences.exists():
            found.append(_("Record the case conference before moving on."))
        elif self.stage == Stage.DELIVERY and not self.contacts.exists():
            found.append(_("Log at least one contact before closing the case."))
        elif self.stage == Stage.CLOSURE:
            found += self.closure_problems()
        return [str(f) for f in found]

    def closure_problems(self) -> list[str]:
        found = []
        if not self.closure_reason or not self.closure_outcome.strip():
            found.append(_("Record the reason for closing and the outcome."))
        if not self.follow_up_due:
            found.append(_("Set the follow-up due date."))
        if self.referrals.filter(status=ReferralStatus.PENDING).exists():
            found.append(_("The case cannot close while a referral is still pending."))
        return [str(f) for f in found]

    @property
    def next_due(self) -> date | None:
        """The next date the caseworker must meet: the stage's, or the follow-up's."""
        if self.closed_on is None:
            return self.stage_due
        return None if self.follow_up_result else self.follow_up_due

    @property
    def needs_approval(self) -> bool:
        """The stage cannot move on until a supervisor approves it."""
        return (self.stage == Stage.SERVICE_PLAN and self.plan_approved_at is None) or (
            self.stage == Stage.CLOSURE and self.closure_approved_at is None
        )


# Per-case grants for cross-centre referrals and transfers (DESIGN.md principle 5).
class CaseUserObjectPermission(UserObjectPermissionBase):
    content_object = models.ForeignKey(Case, models.CASCADE)


class CaseEvent(models.Model):
    """What happened to a case, for its history and the resident's timeline."""

    case = models.ForeignKey(Case, models.CASCADE, related_name="events")
    at = models.DateTimeField(default=timezone.now)
    by = models.ForeignKey(settings.AUTH_USER_MODEL, models.PROTECT, related_name="+")
    what = models.CharField(max_length=200)
    # An edit keeps the value it replaced here: the case's history reads back every version.
    before = models.TextField(blank=True)

    class Meta:
        ordering = ["at", "pk"]


class Assessment(models.Model):
    """Needs and crisis assessment: one level and note per need area."""

    case = models.ForeignKey(Case, models.CASCADE, related_name="assessments")
    area = models.CharField(_("need area"), max_length=20, choices=NeedArea.choices)
    level = models.CharField(_("level"), max_length=10, choices=RiskLevel.choices)
    note = models.TextField(_("note"), blank=True)

    class Meta:
        ordering = ["pk"]
        constraints = [
            models.UniqueConstraint(fields=["case", "area"], name="one_assessment_per_area")
        ]


class Conference(models.Model):
    """A case conference: when, who took part, what was decided."""

    case = models.ForeignKey(Case, models.CASCADE, related_name="conferences")
    held_on = models.DateField(_("date"))
    participants = models.CharField(_("participants"), max_length=300)
    decisions = models.TextField(_("decisions"))

    class Meta:
        ordering = ["held_on", "pk"]


class ContactKind(models.TextChoices):
    PHONE = "phone", _("By phone")
    VISIT = "visit", _("Home visit")
    OFFICE = "office", _("At the centre")
    PROVIDER = "provider", _("With a provider")


class Contact(models.Model):
    """Delivery and monitoring: one contact with the resident or a provider."""

    case = models.ForeignKey(Case, models.CASCADE, related_name="contacts")
    on = models.DateField(_("date"), default=timezone.localdate)
    kind = models.CharField(_("kind"), max_length=10, choices=ContactKind.choices)
    note = models.TextField(_("what happened"))
    by = models.ForeignKey(settings.AUTH_USER_MODEL, models.PROTECT, related_name="+")

    class Meta:
        ordering = ["-on", "-pk"]


class PlannedService(models.Model):
    """A service in the plan: a programme (public benefit) or a private facility's service."""

    case = models.ForeignKey(Case, models.CASCADE, related_name="services")
    programme = models.ForeignKey(
        Programme,
        models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("programme"),
    )
    facility_name = models.CharField(_("facility"), max_length=120, blank=True)
    description = models.CharField(_("description"), max_length=200, blank=True)
    start = models.DateField(_("start"), null=True, blank=True)
    end = models.DateField(_("end"), null=True, blank=True)
    provider = models.CharField(_("who provides it"), max_length=120, blank=True)

    class Meta:
        ordering = ["pk"]
        constraints = [
            models.CheckConstraint(
                name="service_names_a_programme_or_facility",
                condition=Q(programme__isnull=False) | ~Q(facility_name=""),
                violation_error_message=_("Name a programme or a facility."),
            ),
            models.CheckConstraint(
                name="service_ends_after_it_starts",
                condition=Q(start__isnull=True) | Q(end__isnull=True) | Q(end__gte=F("start")),
                violation_error_message=_("A service cannot end before it starts."),
            ),
        ]

    def __str__(self) -> str:
        return str(self.programme or self.facility_name)

    def problems(self) -> list[str]:
        """What keeps this service out of an approvable plan, as sentences."""
        name = str(self)
        found = []
        if not self.start or not self.end:
            found.append(_("Give the service %(name)s a start and an end date.") % {"name": name})
        elif self.end < self.start:
            found.append(_("The service %(name)s ends before it starts.") % {"name": name})
        if not self.provider.strip():
            found.append(_("Say who provides the service %(name)s.") % {"name": name})
        return found


class ReferralKind(models.TextChoices):
    REFERRAL = "referral", _("Referral (ownership stays)")
    TRANSFER = "transfer", _("Transfer (ownership passes)")


class ReferralStatus(models.TextChoices):
    PENDING = "pending", _("Pending")
    ACCEPTED = "accepted", _("Accepted")
    DECLINED = "declined", _("Declined")
    ENDED = "ended", _("Ended")


class ReferralQuerySet(models.QuerySet):
    def live(self) -> ReferralQuerySet:
        """Referrals that still give their receiver access to the case (``is_live``)."""
        return self.filter(
            Q(kind=ReferralKind.TRANSFER, status=ReferralStatus.PENDING)
            | (
                ~Q(kind=ReferralKind.TRANSFER)
                & Q(status__in=[ReferralStatus.PENDING, ReferralStatus.ACCEPTED])
            )
        )


class Referral(models.Model):
    """A request to another centre or a facility to serve the resident of a case."""

    case = models.ForeignKey(Case, models.PROTECT, related_name="referrals")
    kind = models.CharField(_("kind"), max_length=10, choices=ReferralKind.choices)
    from_centre = models.ForeignKey(CommunityCentre, models.PROTECT, related_name="+")
    to_centre = models.ForeignKey(
        CommunityCentre,
        models.PROTECT,
        null=True,
        blank=True,
        related_name="referrals_in",
        verbose_name=_("to centre"),
    )
    facility_name = models.CharField(_("to facility"), max_length=120, blank=True)
    reason = models.CharField(_("reason"), max_length=300)
    consent_on = models.DateField(_("consent given on"))
    consent_note = models.CharField(_("how consent was given"), max_length=200)
    status = models.CharField(
        _("status"), max_length=10, choices=ReferralStatus.choices, default=ReferralStatus.PENDING
    )
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, models.PROTECT, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, models.PROTECT, null=True, blank=True, related_name="+"
    )
    decided_at = models.DateTimeField(null=True, blank=True)
    ended_at = models.DateTimeField(null=True, blank=True)

    objects = ReferralQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-pk"]
        constraints = [
            models.CheckConstraint(
                name="referral_has_a_receiver",
                condition=Q(to_centre__isnull=False) | ~Q(facility_name=""),
            ),
            models.CheckConstraint(
                name="transfer_goes_to_a_centre",
                condition=~Q(kind="transfer") | Q(to_centre__isnull=False),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} → {self.to_centre or self.facility_name}"

    @property
    def is_live(self) -> bool:
        """Still gives the receiver access to the case."""
        if self.kind == ReferralKind.TRANSFER:
            return self.status == ReferralStatus.PENDING
        return self.status in (ReferralStatus.PENDING, ReferralStatus.ACCEPTED)


# ---------------------------------------------------------------------------------------------
# Eligibility: programme rules as versioned data, screening runs and their results (issue 6).


class Confidence(models.TextChoices):
    # DOMAIN.md's labels: U rules are loaded as data and flagged wherever they are shown.
    VERIFIED = "V", _("Verified")
    SINGLE_SOURCE = "S", _("One source")
    UNVERIFIED = "U", _("Unverified")


class RuleTest(models.TextChoices):
    INCOME_VS_MEDIAN = "income_vs_median", _("Income against a share of the median")
    INCOME_VS_AMOUNT = "income_vs_amount", _("Income against a fixed line (single/couple)")
    AGE_ONLY = "age_only", _("Age only")


class VersionedQuerySet(models.QuerySet):
    def live(self) -> VersionedQuerySet:
        """The versions not replaced by a later edit."""
        return self.filter(replaced_at__isnull=True)


class MedianIncome(models.Model):
    """기준중위소득 for one year and household size. An edit adds a version and marks the old
    one replaced, so what a past screening used can always be read back."""

    year = models.PositiveSmallIntegerField(_("year"))
    household_size = models.PositiveSmallIntegerField(_("household size"))
    amount = models.BigIntegerField(_("median income (KRW/month)"))
    source = models.CharField(_("source"), max_length=200, blank=True)
    confidence = models.CharField(
        _("confidence"), max_length=1, choices=Confidence.choices, default=Confidence.VERIFIED
    )
    version = models.PositiveIntegerField(default=1)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)
    replaced_at = models.DateTimeField(null=True, blank=True)

    objects = VersionedQuerySet.as_manager()

    class Meta:
        ordering = ["year", "household_size", "-version"]
        constraints = [
            models.UniqueConstraint(
                fields=["year", "household_size", "version"], name="one_median_version"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.year} · {self.household_size} · v{self.version}"


class ProgrammeRule(models.Model):
    """One programme's selection rule from ``valid_from``. The rule in force on a date is the
    live version with the latest ``valid_from`` not after it (and not past ``valid_to``); an
    edit with the same start replaces a version, one with a later start adds the next period."""

    programme = models.CharField(_("programme code"), max_length=30)
    name_ko = models.CharField(_("Korean name"), max_length=60)
    name_en = models.CharField(_("English name"), max_length=80)
    test = models.CharField(_("test"), max_length=20, choices=RuleTest.choices)
    params = models.JSONField(_("parameters"), default=dict)
    valid_from = models.DateField(_("valid from"))
    valid_to = models.DateField(_("valid to"), null=True, blank=True)
    confidence = models.CharField(
        _("confidence"), max_length=1, choices=Confidence.choices, default=Confidence.VERIFIED
    )
    note = models.CharField(_("note"), max_length=300, blank=True)
    version = models.PositiveIntegerField(default=1)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)
    replaced_at = models.DateTimeField(null=True, blank=True)
    replaced_by = models.ForeignKey(
        "self", models.SET_NULL, null=True, blank=True, related_name="+"
    )

    objects = VersionedQuerySet.as_manager()

    class Meta:
        ordering = ["programme", "-valid_from", "-version"]
        permissions = [("edit_rules", _("Edit programme rules and thresholds"))]
        constraints = [
            models.UniqueConstraint(
                fields=["programme", "valid_from", "version"], name="one_rule_version"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.programme} {self.valid_from} v{self.version}"

    @property
    def unverified(self) -> bool:
        return self.confidence == Confidence.UNVERIFIED


class ScreeningRun(models.Model):
    class Status(models.TextChoices):
        RUNNING = "running", _("Running")
        DONE = "done", _("Done")
        FAILED = "failed", _("Failed")

    on = models.DateField(_("screened as of"))
    year = models.PositiveSmallIntegerField(_("median table year"), default=0)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.RUNNING)
    residents = models.PositiveIntegerField(default=0)
    eligible = models.PositiveIntegerField(default=0)
    blind_spots = models.PositiveIntegerField(default=0)
    unknown = models.PositiveIntegerField(default=0)
    seconds = models.JSONField(default=dict)  # read, screen, write, total
    # Programme code → test, params, confidence and names of the rules used (screening.rules_meta)
    rules = models.JSONField(default=dict)
    started_at = models.DateTimeField(default=timezone.now)
    finished_at = models.DateTimeField(null=True, blank=True)
    error = models.TextField(blank=True)

    class Meta:
        ordering = ["-pk"]

    def __str__(self) -> str:
        return f"screening #{self.pk} {self.on} {self.status}"

    @classmethod
    def latest(cls) -> ScreeningRun | None:
        return cls.objects.filter(status=cls.Status.DONE).order_by("-pk").first()


class ScreeningResult(models.Model):
    """A resident who looks eligible for a programme, with the figures of the explanation.
    ``receiving`` False is a blind spot. Written in bulk (COPY / bulk_create), never one by one."""

    # No index of its own (the report index starts with the run) and no database constraint:
    # the rows are written with their run in one transaction by screening alone, and a per-row
    # foreign-key check would cost seconds at a million rows. Deleting a run cascades in Django.
    run = models.ForeignKey(
        ScreeningRun, models.CASCADE, related_name="results", db_index=False, db_constraint=False
    )
    # No constraints and no index of their own: a million rows a night go in by COPY, and the
    # report index below serves every query (the resident page screens on the fly instead).
    resident = models.ForeignKey(
        Resident, models.DO_NOTHING, db_constraint=False, db_index=False, related_name="+"
    )
    centre = models.ForeignKey(
        CommunityCentre,
        models.DO_NOTHING,
        db_constraint=False,
        db_index=False,
        null=True,
        related_name="+",
    )
    programme = models.CharField(max_length=30)
    receiving = models.BooleanField(default=False)
    priority = models.PositiveSmallIntegerField(default=1)  # 2 = crisis signal
    household_size = models.PositiveSmallIntegerField(default=0)  # 0 = not used / unknown
    income = models.BigIntegerField(default=-1)  # -1 = not used / unknown
    line = models.BigIntegerField(default=0)
    percent = models.FloatField(null=True)

    class Meta:
        indexes = [
            # The monthly report: a centre's blind spots of one run, crisis first.
            models.Index(
                fields=["run", "centre", "receiving", "-priority"], name="screening_report"
            ),
        ]


class ScreeningCount(models.Model):
    """Per run, centre and programme: how many look eligible, are blind spots, are unknown."""

    run = models.ForeignKey(ScreeningRun, models.CASCADE, related_name="counts")
    centre = models.ForeignKey(
        CommunityCentre, models.DO_NOTHING, db_constraint=False, null=True, related_name="+"
    )
    programme = models.CharField(max_length=30)
    eligible = models.PositiveIntegerField(default=0)
    blind_spots = models.PositiveIntegerField(default=0)
    unknown = models.PositiveIntegerField(default=0)


class ReportStatus(models.TextChoices):
    DRAFT = "draft", _("Draft")
    REVIEWED = "reviewed", _("Reviewed")
    APPROVED = "approved", _("Approved")


REPORT_NEXT = {
    ReportStatus.DRAFT: ReportStatus.REVIEWED,
    ReportStatus.REVIEWED: ReportStatus.APPROVED,
}


class EligibilityReport(models.Model):
    """A centre's monthly list of blind spots, copied from one screening run so that it reads
    the same after later runs; a supervisor reviews and approves it."""

    centre = models.ForeignKey(CommunityCentre, models.PROTECT, related_name="reports")
    month = models.DateField(_("month"))  # the first day of the month
    run = models.ForeignKey(ScreeningRun, models.PROTECT, related_name="reports")
    status = models.CharField(
        _("status"), max_length=10, choices=ReportStatus.choices, default=ReportStatus.DRAFT
    )
    created_at = models.DateTimeField(default=timezone.now)
    reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, models.PROTECT, null=True, blank=True, related_name="+"
    )
    reviewed_at = models.DateTimeField(null=True, blank=True)
    approved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, models.PROTECT, null=True, blank=True, related_name="+"
    )
    approved_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-month", "centre__code"]
        constraints = [
            models.UniqueConstraint(fields=["centre", "month"], name="one_report_per_month"),
        ]

    def __str__(self) -> str:
        return f"{self.centre} {self.month:%Y-%m}"


class ReportComment(models.Model):
    report = models.ForeignKey(EligibilityReport, models.CASCADE, related_name="comments")
    by = models.ForeignKey(settings.AUTH_USER_MODEL, models.PROTECT, related_name="+")
    at = models.DateTimeField(default=timezone.now)
    status = models.CharField(max_length=10, choices=ReportStatus.choices)  # when written
    text = models.TextField(_("comment"))

    class Meta:
        ordering = ["at", "pk"]


class Outcome(models.TextChoices):
    ENROLLED = "enrolled", _("Enrolled")
    NOT_ELIGIBLE = "not_eligible", _("Not eligible after visit")
    REFUSED = "refused", _("Refused")


class ReportItem(models.Model):
    """One blind spot in a report: resident × programme with its explanation figures."""

    report = models.ForeignKey(EligibilityReport, models.CASCADE, related_name="items")
    resident = models.ForeignKey(Resident, models.PROTECT, related_name="+")
    programme = models.CharField(max_length=30)
    priority = models.PositiveSmallIntegerField(default=1)
    household_size = models.PositiveSmallIntegerField(default=0)
    income = models.BigIntegerField(default=-1)
    line = models.BigIntegerField(default=0)
    percent = models.FloatField(null=True)
    sent_at = models.DateTimeField(_("sent to visits"), null=True, blank=True)
    sent_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, models.PROTECT, null=True, blank=True, related_name="+"
    )
    outcome = models.CharField(_("outcome"), max_length=15, choices=Outcome.choices, blank=True)
    outcome_at = models.DateTimeField(null=True, blank=True)
    outcome_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, models.PROTECT, null=True, blank=True, related_name="+"
    )

    class Meta:
        ordering = ["-priority", "resident_id", "programme"]


class WorklistEntry(models.Model):
    """A resident put on a centre's visit worklist by hand (from an eligibility report). It
    leaves the worklist once a visit for the same reason is recorded after it was added."""

    resident = models.ForeignKey(Resident, models.PROTECT, related_name="+")
    centre = models.ForeignKey(CommunityCentre, models.PROTECT, related_name="+")
    reason = models.CharField(max_length=20, choices=VisitReason.choices)
    item = models.ForeignKey(ReportItem, models.SET_NULL, null=True, blank=True, related_name="+")
    added_by = models.ForeignKey(settings.AUTH_USER_MODEL, models.PROTECT, related_name="+")
    added_on = models.DateField(default=timezone.localdate)

    class Meta:
        indexes = [
            models.Index(fields=["centre", "reason", "added_on"], name="worklist_entry_centre")
        ]


class AlertKind(models.TextChoices):
    REFERRAL = "referral", _("Incoming referral")
    TRANSFER = "transfer", _("Incoming transfer")
    APPROVAL_NEEDED = "approval_needed", _("Approval needed")
    APPROVED = "approved", _("Approved")
    RETURNED = "returned", _("Returned")
    DUE_SOON = "due_soon", _("Due date soon")
    CRISIS = "crisis", _("New crisis signal")
    SENT_TO_VISITS = "sent_to_visits", _("Sent to visits")


class Alert(models.Model):
    """An in-app notification for one user. Made by actions and the nightly job, never by a
    page view; ``key`` makes the nightly job's alerts idempotent (one per thing per user)."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, models.CASCADE, related_name="alerts")
    kind = models.CharField(max_length=20, choices=AlertKind.choices)
    text = models.CharField(max_length=300)
    url = models.CharField(max_length=200, blank=True)
    key = models.CharField(max_length=100, blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    read_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        indexes = [
            # The header's unread count and the inbox: a user's alerts, unread first.
            models.Index(fields=["user", "read_at"], name="alert_user_unread"),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["user", "key"], condition=~Q(key=""), name="one_alert_per_key"
            ),
        ]

    def __str__(self) -> str:
        return self.text
