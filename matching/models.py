"""Residents: one profile per person, derived from linked source records."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from bigcare.models import CommunityCentre
from intake.models import SourceRecord
from matching.address import address_keys_of


class Resident(models.Model):
    """One person, with golden fields derived from their linked records. The id is stable."""

    name = models.CharField(_("name"), max_length=100)
    birth_date = models.DateField(_("birth date"), null=True, blank=True)
    sex = models.CharField(_("sex"), max_length=1, blank=True)
    phone = models.CharField(_("phone"), max_length=20, blank=True)
    rrn_enc = models.TextField(blank=True)
    rrn_index = models.CharField(max_length=32, blank=True)
    rrn_masked = models.CharField(_("RRN"), max_length=14, blank=True)
    address = models.CharField(_("address"), max_length=200, blank=True)
    # Canonical forms of the address (matching.address): the building, and the dwelling in it.
    # Residents with one unit key are one household (the one-stop page, screening).
    building_key = models.CharField(
        _("building"), max_length=120, blank=True, default="", db_default=""
    )
    unit_key = models.CharField(
        _("dwelling"), max_length=160, blank=True, default="", db_default=""
    )
    # The resident's household (matching.households): residents sharing a unit key or one
    # source's household number, closed under both; the page and screening group by it.
    household_key = models.CharField(
        _("household"), max_length=200, blank=True, default="", db_default=""
    )
    dong_code = models.CharField(_("administrative dong"), max_length=10, blank=True)
    home_centre = models.ForeignKey(
        CommunityCentre, models.PROTECT, null=True, blank=True, related_name="residents"
    )
    # Comparable forms of the golden name, for search (see matching.normalize).
    name_key = models.CharField(max_length=100, blank=True, db_index=True)
    active = models.BooleanField(default=True)  # False once merged into another resident
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(default=timezone.now)

    class Meta:
        indexes = [
            # Search by birth date within a centre's scope.
            models.Index(fields=["home_centre", "birth_date"], name="resident_centre_birth"),
            models.Index(fields=["rrn_index"], name="resident_rrn_index"),
            # Name search reads every name of the user's centres: covered, it reads ~20 index
            # pages instead of a heap page per resident (3.3 → 0.4 ms a search at 1 M).
            models.Index(
                fields=["home_centre", "name"],
                include=["active", "id"],
                name="resident_centre_name",
            ),
            # The one-stop page's household: residents in the same dwelling. Without it the
            # key is checked on every resident of the centre (~1.5 ms a page at 1 M).
            models.Index(
                fields=["unit_key"], name="resident_unit", condition=~models.Q(unit_key="")
            ),
            # The one-stop page's household: residents of one household key.
            models.Index(
                fields=["household_key"],
                name="resident_household",
                condition=~models.Q(household_key=""),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.name} ({self.birth_date or '?'})"

    def save(self, *args, **kwargs) -> None:
        # Keys follow the address on every ORM write (screens, merges); linkage's bulk upsert
        # computes them for a whole frame itself (matching.actions._save_residents).
        fields = kwargs.get("update_fields")
        if fields is None or "address" in fields:
            self.building_key, self.unit_key = address_keys_of(self.address)
            # The dwelling alone until linkage regroups (matching.households) with the
            # sources' household numbers.
            self.household_key = self.unit_key
            if fields is not None:
                kwargs["update_fields"] = {*fields, "building_key", "unit_key", "household_key"}
        super().save(*args, **kwargs)


class RecordLink(models.Model):
    """Which resident a source record belongs to (its current version or any version)."""

    record = models.OneToOneField(
        SourceRecord, models.PROTECT, primary_key=True, related_name="link"
    )
    resident = models.ForeignKey(Resident, models.PROTECT, related_name="links")
    linked_at = models.DateTimeField(default=timezone.now)
    run = models.ForeignKey("LinkageRun", models.SET_NULL, null=True, blank=True, related_name="+")
    # Whether the record was current when linkage last placed it. A link whose record has since
    # been retracted or superseded (or made current again by a rollback) disagrees with the
    # record's status: the next incremental run re-links that resident, then sets this again.
    current = models.BooleanField(default=True, db_default=True)


class RecordForm(models.Model):
    """A record's comparable forms (matching.normalize), computed once when it is first linked."""

    record = models.OneToOneField(
        SourceRecord, models.CASCADE, primary_key=True, related_name="form"
    )
    is_hangul = models.BooleanField(default=True)
    surname = models.CharField(max_length=10, blank=True)
    given = models.CharField(max_length=40, blank=True)
    jamo = models.CharField(max_length=150, blank=True)
    jamo_given = models.CharField(max_length=120, blank=True)
    rom_sur = models.CharField(max_length=30, blank=True)
    rom_given = models.CharField(max_length=60, blank=True)
    rom = models.CharField(max_length=100, blank=True)
    birth = models.IntegerField(default=0)  # YYYYMMDD, 0 when unknown
    sex = models.PositiveSmallIntegerField(default=0)  # 1 male, 2 female, 0 unknown
    phone = models.CharField(max_length=20, blank=True)
    rrn_index = models.CharField(max_length=32, blank=True)
    district = models.CharField(max_length=20, blank=True)
    street = models.CharField(max_length=60, blank=True)
    building = models.CharField(max_length=80, blank=True)
    dong = models.CharField(max_length=10, blank=True)

    FORM_FIELDS = [
        "is_hangul",
        "surname",
        "given",
        "jamo",
        "jamo_given",
        "rom_sur",
        "rom_given",
        "rom",
        "birth",
        "sex",
        "phone",
        "rrn_index",
        "district",
        "street",
        "building",
        "dong",
    ]


class LinkageModel(models.Model):
    """Trained Fellegi–Sunter parameters (matching.em.Model.params()), one version per training.

    ``params`` is generic: m and u per comparison field as lists over its levels, with the
    level labels they were trained on (``levels``), so a model holds whatever fields compare.py
    has at the time; matching.drift tells a model whose fields are no longer today's."""

    class Reason(models.TextChoices):
        FULL = "full", _("Full relink")
        DRIFT = "drift", _("Drift past a threshold")
        SCHEDULE = "schedule", _("Nightly schedule")
        MANUAL = "manual", _("Asked for")

    params = models.JSONField()
    link_threshold = models.FloatField(_("link threshold (bits)"))
    review_threshold = models.FloatField(_("review threshold (bits)"))
    trained_on = models.PositiveIntegerField(default=0)  # records
    # What it was trained on: current records per source code when it was trained.
    sources = models.JSONField(default=dict, blank=True)
    reason = models.CharField(max_length=10, choices=Reason.choices, default=Reason.FULL)
    previous = models.ForeignKey(
        "self", models.SET_NULL, null=True, blank=True, related_name="+"
    )  # the version it replaced
    active = models.BooleanField(default=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-pk"]

    def __str__(self) -> str:
        return f"linkage model v{self.pk}"

    @classmethod
    def current(cls) -> LinkageModel | None:
        return cls.objects.filter(active=True).order_by("-pk").first()


class LinkageRun(models.Model):
    class Status(models.TextChoices):
        RUNNING = "running", _("Running")
        DONE = "done", _("Done")
        FAILED = "failed", _("Failed")

    model = models.ForeignKey(LinkageModel, models.PROTECT, null=True, related_name="runs")
    full = models.BooleanField(default=True)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.RUNNING)
    stage = models.CharField(max_length=30, blank=True)
    records = models.PositiveIntegerField(default=0)
    pairs = models.PositiveBigIntegerField(default=0)
    links = models.PositiveIntegerField(default=0)
    review_items = models.PositiveIntegerField(default=0)
    residents = models.PositiveIntegerField(default=0)
    per_rule = models.JSONField(default=dict)
    seconds = models.JSONField(default=dict)
    # Incremental runs: how far the data has moved from the model (matching.drift.measure).
    # Retraining runs: why, and what the new weights changed (pairs, residents relinked).
    drift = models.JSONField(default=dict, blank=True)
    started_at = models.DateTimeField(default=timezone.now)
    finished_at = models.DateTimeField(null=True, blank=True)
    error = models.TextField(blank=True)

    class Meta:
        ordering = ["-pk"]


class ReviewItem(models.Model):
    """A pair of records the model is unsure of, for a person to decide."""

    class Status(models.TextChoices):
        OPEN = "open", _("Open")
        DECIDED = "decided", _("Decided")
        OBSOLETE = "obsolete", _("Obsolete (superseded by a later run)")

    record_a = models.ForeignKey(SourceRecord, models.PROTECT, related_name="+")
    record_b = models.ForeignKey(SourceRecord, models.PROTECT, related_name="+")
    run = models.ForeignKey(LinkageRun, models.SET_NULL, null=True, related_name="+")
    weights = models.JSONField(default=dict)  # field → bits
    levels = models.JSONField(default=dict)  # field → level label
    total = models.FloatField()
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.OPEN)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, models.SET_NULL, null=True, blank=True, related_name="+"
    )
    decided_at = models.DateTimeField(null=True, blank=True)
    decision = models.CharField(max_length=10, blank=True)  # "same" / "different"

    class Meta:
        ordering = ["-total", "pk"]
        indexes = [
            # The queue: open items, most likely first.
            models.Index(fields=["status", "-total"], name="review_queue"),
        ]


class LinkDecision(models.Model):
    """A person said two records are (or are not) one person: a constraint on every later run."""

    record_a = models.ForeignKey(SourceRecord, models.PROTECT, related_name="+")
    record_b = models.ForeignKey(SourceRecord, models.PROTECT, related_name="+")
    same = models.BooleanField()
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, models.SET_NULL, null=True, related_name="+"
    )
    decided_at = models.DateTimeField(default=timezone.now)
    reason = models.CharField(max_length=200, blank=True)
    active = models.BooleanField(default=True)  # False once undone

    class Meta:
        indexes = [models.Index(fields=["active"], name="decision_active")]


class ResidentChange(models.Model):
    """A manual merge or split (or a review decision applied), with what it moved: reversible."""

    class Kind(models.TextChoices):
        MERGE = "merge", _("Merge")
        SPLIT = "split", _("Split")
        UNDO = "undo", _("Undo")

    kind = models.CharField(max_length=10, choices=Kind.choices)
    user = models.ForeignKey(settings.AUTH_USER_MODEL, models.SET_NULL, null=True, related_name="+")
    at = models.DateTimeField(default=timezone.now)
    # record id → [resident before, resident after]
    moves = models.JSONField(default=dict)
    decisions = models.ManyToManyField(LinkDecision, blank=True, related_name="+")
    # Every resident the change touched (before or after): the history screen and its scope
    # ask "which changes concern this resident" without reading the JSON of every change.
    residents = models.ManyToManyField(Resident, blank=True, related_name="changes")
    undone = models.BooleanField(default=False)
    reason = models.CharField(max_length=200, blank=True)
    # What a merge carried from the merged-away resident to the survivor ("app.Model" → ids:
    # cases, visits, …; see matching.signals), so that its undo moves exactly those back.
    carried = models.JSONField(default=dict, blank=True)

    class Meta:
        ordering = ["-at"]


class BuildingDong(models.Model):
    """The gazetteer: which administrative dong a building is in (matching.gazetteer).

    One row per building key, feed and validity: ``db`` rows come from the official building
    DB (``load_building_db``, replaced by each load), ``votes`` rows from the dong codes on
    current records (replaced by each linkage run). ``valid_to`` is the first day the row no
    longer holds (a retired dong code, fixtures/dong_changes.csv)."""

    class Origin(models.TextChoices):
        DB = "db", _("도로명주소 건물DB")
        VOTES = "votes", _("기록의 행정동코드")

    building_key = models.CharField(_("building"), max_length=120)
    dong_code = models.CharField(_("administrative dong"), max_length=10)
    valid_from = models.DateField(null=True, blank=True)
    valid_to = models.DateField(null=True, blank=True)
    origin = models.CharField(max_length=5, choices=Origin.choices)
    votes = models.PositiveIntegerField(default=0)
    votes_total = models.PositiveIntegerField(default=0)
    updated_at = models.DateTimeField(default=timezone.now)

    class Meta:
        indexes = [models.Index(fields=["building_key"], name="gazetteer_key")]


class BuildingDbLoad(models.Model):
    """One load of a building DB file: what it held and what it refused."""

    file_name = models.CharField(max_length=200)
    lines = models.PositiveIntegerField(default=0)
    entries = models.PositiveIntegerField(default=0)
    rejected = models.PositiveIntegerField(default=0)
    conflicts = models.PositiveIntegerField(default=0)
    # The first rejects ({"line": n, "reason": …}): enough to find what is wrong with a file.
    sample_rejects = models.JSONField(default=list, blank=True)
    loaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, models.SET_NULL, null=True, blank=True, related_name="+"
    )
    loaded_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-loaded_at"]
