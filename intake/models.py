"""Data sources, import runs and what they load: versioned source records with provenance."""

from __future__ import annotations

import json

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from guardian.models import GroupObjectPermissionBase, UserObjectPermissionBase


class AgencyKind(models.TextChoices):
    CITY = "city", _("Seoul city")
    MINISTRY = "ministry", _("Ministry of Health and Welfare")
    FACILITY = "facility", _("Private welfare facility")
    CRISIS = "crisis", _("Crisis signals (discovery round)")


class FileFormat(models.TextChoices):
    CSV = "csv", "CSV"
    XLSX = "xlsx", "Excel (XLSX)"
    JSONL = "jsonl", _("JSON lines")


class DataSource(models.Model):
    """One agency's extract, registered once and imported every period."""

    code = models.SlugField(_("code"), max_length=40, unique=True)
    name = models.CharField(_("name"), max_length=120)
    kind = models.CharField(_("agency kind"), max_length=20, choices=AgencyKind.choices)
    file_format = models.CharField(_("file format"), max_length=10, choices=FileFormat.choices)
    # "auto" detects UTF-8 (with or without BOM) or CP949; anything else is used as declared.
    encoding = models.CharField(_("encoding"), max_length=20, default="auto")
    # The declarative column mapping (see intake/mapping.py): target field → columns + transform.
    mapping = models.JSONField(_("column mapping"), default=dict)
    # Trust rank for golden fields: a lower number wins when sources disagree on a name.
    trust = models.PositiveSmallIntegerField(_("trust rank"), default=50)
    active = models.BooleanField(_("active"), default=True)
    # Each extract lists everyone the agency serves: a key absent from a new one is retired by
    # that import (intake.retire). Most extracts are deltas or partial and must not be.
    full_extract = models.BooleanField(_("full extract"), default=False, db_default=False)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["code"]
        verbose_name = _("data source")
        permissions = [("manage_source", _("Manage and import this data source"))]

    def __str__(self) -> str:
        return self.name


class SourceUserObjectPermission(UserObjectPermissionBase):
    content_object = models.ForeignKey(DataSource, models.CASCADE)


class SourceGroupObjectPermission(GroupObjectPermissionBase):
    content_object = models.ForeignKey(DataSource, models.CASCADE)


class RunStatus(models.TextChoices):
    QUEUED = "queued", _("Queued")
    READING = "reading", _("Reading")
    VALIDATING = "validating", _("Validating")
    LOADING = "loading", _("Loading")
    DONE = "done", _("Done")
    FAILED = "failed", _("Failed")
    ROLLED_BACK = "rolled_back", _("Rolled back")


class LinkStatus(models.TextChoices):
    """The linkage that follows an import, kept apart from the import's own status: a link that
    fails leaves the import's data committed and its run done (#12 item 12)."""

    NONE = "", _("Not linked")
    QUEUED = "queued", _("Queued")
    RUNNING = "running", _("Linking")
    DONE = "done", _("Linked")
    FAILED = "failed", _("Linking failed")


class ImportRun(models.Model):
    """One file imported for one source. The same file (by SHA-256) is the same run, unless
    that run was rolled back and an administrator imports the file again (``reimport_of``)."""

    source = models.ForeignKey(DataSource, models.PROTECT, related_name="runs")
    sha256 = models.CharField(max_length=64)
    filename = models.CharField(_("file"), max_length=255)
    stored_path = models.CharField(max_length=500, blank=True)
    status = models.CharField(
        _("status"), max_length=20, choices=RunStatus.choices, default=RunStatus.QUEUED
    )
    rows_in = models.PositiveIntegerField(_("rows in"), default=0)
    accepted = models.PositiveIntegerField(_("accepted"), default=0)
    rejected = models.PositiveIntegerField(_("rejected"), default=0)
    # Rows kept with a value left out (RowWarning): rows_in = accepted + warned + rejected.
    warned = models.PositiveIntegerField(_("kept with warnings"), default=0)
    rows_done = models.PositiveIntegerField(_("rows processed"), default=0)
    # Versions this run added: a person unchanged since the last extract adds none.
    records_added = models.PositiveIntegerField(_("versions added"), default=0)
    # Current versions a full extract's import retired (intake.models.Retirement has which).
    retired = models.PositiveIntegerField(_("retired"), default=0, db_default=0)
    started_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    progress_at = models.DateTimeField(null=True, blank=True)
    stage_seconds = models.JSONField(default=dict, blank=True)
    # The file's column names, in order: its records' ``raw`` holds their cells in this order.
    columns = models.JSONField(default=list, blank=True)
    rolled_back_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, models.SET_NULL, null=True, blank=True, related_name="+"
    )
    rolled_back_at = models.DateTimeField(null=True, blank=True)
    error = models.TextField(_("error"), blank=True)
    # The error's type (intake.errors: "encoding", "missing_columns" …) for screens and tests.
    error_code = models.CharField(max_length=30, blank=True)
    link_status = models.CharField(
        _("linkage"), max_length=10, choices=LinkStatus.choices, default=LinkStatus.NONE, blank=True
    )
    link_error = models.TextField(_("linkage error"), blank=True)
    # When the kept (sealed) copy of the file was destroyed: no resume or re-import after that.
    file_destroyed_at = models.DateTimeField(null=True, blank=True)
    # The rolled-back run whose kept file this run imports again.
    reimport_of = models.ForeignKey(
        "self", models.PROTECT, null=True, blank=True, related_name="reimports"
    )

    class Meta:
        ordering = ["-created_at"]
        indexes = [
            # The run history of one source, newest first.
            models.Index(fields=["source", "-created_at"], name="run_source_created"),
        ]
        constraints = [
            # A rolled-back run steps aside: its file may be imported again as a new run.
            models.UniqueConstraint(
                fields=["source", "sha256"],
                name="one_live_run_per_file",
                condition=~models.Q(status="rolled_back"),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.source.code} · {self.filename} · {self.status}"

    @property
    def is_finished(self) -> bool:
        return self.status in (RunStatus.DONE, RunStatus.FAILED, RunStatus.ROLLED_BACK)

    @property
    def last_sign_of_life(self):
        return self.progress_at or self.started_at or self.created_at

    @property
    def is_stale(self) -> bool:
        """Not finished and no progress for BIGCARE_IMPORT_STALE_SECONDS: its worker is gone.

        A running import's heartbeat writes ``progress_at`` every second (on PostgreSQL).
        """
        if self.status in (RunStatus.DONE, RunStatus.FAILED, RunStatus.ROLLED_BACK):
            return False
        quiet = (timezone.now() - self.last_sign_of_life).total_seconds()
        return quiet > settings.BIGCARE_IMPORT_STALE_SECONDS

    @property
    def file_kept(self) -> bool:
        return bool(self.stored_path) and self.file_destroyed_at is None

    @property
    def error_summary(self) -> str:
        """The error in plain words of the user's language; ``error`` holds the detail."""
        from django.utils.translation import gettext

        from intake.errors import SUMMARIES, UNEXPECTED_SUMMARY

        if not self.error:
            return ""
        return gettext(SUMMARIES.get(self.error_code, UNEXPECTED_SUMMARY))

    @property
    def percent(self) -> int:
        if self.status == RunStatus.DONE:
            return 100
        return min(99, round(100 * self.rows_done / self.rows_in)) if self.rows_in else 0


class RunEventKind(models.TextChoices):
    RESUMED = "resumed", _("Resumed")
    REIMPORTED = "reimported", _("Imported again")
    FILE_DESTROYED = "file_destroyed", _("Kept file destroyed")


class RunEvent(models.Model):
    """What a person (or the retention schedule) did to a run: its audit trail."""

    run = models.ForeignKey(ImportRun, models.PROTECT, related_name="events")
    kind = models.CharField(max_length=20, choices=RunEventKind.choices)
    # None for the retention schedule and the command line.
    acting_user = models.ForeignKey(
        settings.AUTH_USER_MODEL, models.SET_NULL, null=True, blank=True, related_name="+"
    )
    at = models.DateTimeField(default=timezone.now)
    detail = models.CharField(max_length=300, blank=True)

    class Meta:
        ordering = ["run", "at"]


class RecordStatus(models.TextChoices):
    CURRENT = "current", _("Current")
    SUPERSEDED = "superseded", _("Superseded by a newer extract")
    RETRACTED = "retracted", _("Retracted (import rolled back)")
    # Absent from a full extract (Retirement says which run): no longer the agency's person.
    RETIRED = "retired", _("Retired (absent from a full extract)")


class LifeEvent(models.TextChoices):
    """What a source says ended the person's life in Seoul (from its death or move-out field)."""

    NONE = "", _("None")
    DECEASED = "deceased", _("Deceased (사망)")
    MOVED_OUT = "moved_out", _("Moved out of Seoul (전출)")


class SourceRecord(models.Model):
    """A person as one source knows them, in one version. Never updated in place, never deleted.

    The version chain is keyed by the source's own record id (``source_key``): a newer extract adds
    a version and marks the older one superseded; rolling back a run retracts its versions.
    """

    # The bulk tables' references are checked set-wise by statement triggers on PostgreSQL
    # (migration 0002), not by row-level foreign keys: those cost one lookup per row at commit
    # (~25 s for a million-row import). ``source`` needs no index of its own: the composite
    # indexes below start with it.
    source = models.ForeignKey(
        DataSource, models.PROTECT, related_name="records", db_constraint=False, db_index=False
    )
    run = models.ForeignKey(ImportRun, models.PROTECT, related_name="records", db_constraint=False)
    row_number = models.PositiveIntegerField(_("row"))
    source_key = models.CharField(_("source record id"), max_length=64)
    version = models.PositiveIntegerField(default=1)
    status = models.CharField(max_length=12, choices=RecordStatus.choices, default="current")
    # Hash of the normalised content: an unchanged person in a new extract adds no version.
    content_hash = models.CharField(max_length=32)

    name = models.CharField(_("name"), max_length=100)
    birth_date = models.DateField(_("birth date"), null=True, blank=True)
    sex = models.CharField(_("sex"), max_length=1, blank=True)  # "M", "F" or ""
    phone = models.CharField(_("phone"), max_length=20, blank=True)  # digits only
    rrn_enc = models.TextField(blank=True)  # AES-GCM token of the 13 digits (bigcare.crypto)
    rrn_index = models.CharField(max_length=32, blank=True)  # HMAC blind index; "" when masked
    rrn_masked = models.CharField(_("RRN"), max_length=14, blank=True)  # 850101-1******
    address = models.CharField(_("address"), max_length=200, blank=True)
    dong_code = models.CharField(_("administrative dong"), max_length=10, blank=True)
    household_size = models.PositiveSmallIntegerField(null=True, blank=True)
    recognised_income = models.BigIntegerField(null=True, blank=True)  # 소득인정액, KRW/month
    disability = models.CharField(max_length=10, blank=True)  # "", "severe", "mild"
    # A death or move out of Seoul the source records, and when (mapping: died_on, moved_out_on
    # or a life_event status code). Read with the record's status: only a current one counts.
    life_event = models.CharField(
        _("life event"),
        max_length=10,
        blank=True,
        default="",
        db_default="",
        choices=LifeEvent.choices,
    )
    life_event_on = models.DateField(_("life event date"), null=True, blank=True)
    # The agency's own household number (mapping: household_id), where it keeps one: members
    # with the same number in one source are one household (cases.households).
    household_ref = models.CharField(
        _("household id"), max_length=64, blank=True, default="", db_default=""
    )
    # The input row as it arrived: a JSON array of its cells in the file's column order
    # (``run.columns``), the RRN masked, extra columns kept. An array, not an object: the names
    # once per run, not per row, keeps a million-row import a third lighter. Stored as text, not
    # jsonb: it is provenance, read whole and never queried inside, and jsonb's parse cost the
    # server ~4 µs a row of the import's COPY (docs/intake.md).
    raw = models.TextField(default="[]")
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["source", "source_key", "version"], name="one_version_number"
            ),
        ]
        indexes = [
            # Only full numbers have an index value; masked ones ("", most rows) stay out of it.
            models.Index(
                fields=["rrn_index"], name="record_rrn_index", condition=~models.Q(rrn_index="")
            ),
        ]
        # No other index, because each one costs every import: a million-row load writes
        # ~560 k records and each index adds ~1–1.5 s of server CPU to that COPY (measured,
        # docs/intake.md). The version chain (source, source_key …) is served by the unique
        # constraint's index, whose first two columns are the chain's; linkage reads all
        # current records (matching.frames), a sequential scan with or without an index on
        # status, since most versions are current.

    def __str__(self) -> str:
        return f"{self.source.code}:{self.source_key} v{self.version}"

    def raw_row(self) -> dict[str, str]:
        """The input row as column name → cell (RRN masked)."""
        cells = json.loads(self.raw or "[]")
        if isinstance(cells, dict):  # stored before raw became an array of cells
            return cells
        return dict(zip(self.run.columns, cells, strict=False))


class Programme(models.Model):
    """A benefit or service a resident can receive (생계급여, 기초연금, a facility's meals …)."""

    code = models.CharField(max_length=30, unique=True)
    name_ko = models.CharField(max_length=60)
    name_en = models.CharField(max_length=80)
    agency = models.CharField(max_length=20, choices=AgencyKind.choices)

    class Meta:
        ordering = ["code"]

    def __str__(self) -> str:
        return self.name_ko


class Enrollment(models.Model):
    """A benefit or service a source says a person receives (or received)."""

    # A record version's items come from distinct rows of its run's file, so (record, row) is
    # unique by construction and is the key: no surrogate id, whose per-row nextval() and own
    # index cost ~0.6 s of server CPU per million rows COPYed (migration 0009). Its index is
    # also the one every reader uses: items by record.
    pk = models.CompositePrimaryKey("record", "row_number")
    row_number = models.PositiveIntegerField(_("row"), default=0)
    # Checked set-wise by statement triggers (see SourceRecord); indexed as the key's first column.
    record = models.ForeignKey(
        SourceRecord,
        models.PROTECT,
        related_name="enrollments",
        db_constraint=False,
        db_index=False,
    )
    # No index: every reader reads enrollments by record (or all of them, screening), never by
    # programme, and this index cost ~1.1 s of server CPU per million rows COPYed. Deleting a
    # programme (rare, an administrator's act) scans the table once instead.
    programme = models.ForeignKey(
        Programme, models.PROTECT, related_name="enrollments", db_constraint=False, db_index=False
    )
    active = models.BooleanField(default=True)
    start = models.DateField(null=True, blank=True)
    end = models.DateField(null=True, blank=True)
    monthly_amount = models.BigIntegerField(null=True, blank=True)

    def active_on(self, day) -> bool:
        """Received on ``day``: started by then (or no start given) and not yet ended. Read
        when asked, never frozen at import (``active`` is what the import day saw)."""
        return (self.start is None or self.start <= day) and (self.end is None or self.end >= day)


class Retirement(models.Model):
    """A record a full extract's import retired because its key was absent from the file.

    Rolling back ``run`` makes the record current again (intake.actions.rollback_run); the row
    stays, as the run's history. Keyed by (run, record): a rollback reads a run's retirements
    by the key's first column.
    """

    pk = models.CompositePrimaryKey("run", "record")
    run = models.ForeignKey(ImportRun, models.PROTECT, related_name="retirements")
    record = models.ForeignKey(
        SourceRecord, models.PROTECT, related_name="retirements", db_index=False
    )


class CrisisIndicator(models.Model):
    """A blind-spot indicator (단전, 건강보험료 체납 …) as a versioned code list (DOMAIN.md §4)."""

    code = models.CharField(max_length=30, unique=True)
    label_ko = models.CharField(max_length=60)
    label_en = models.CharField(max_length=80)
    agency = models.CharField(max_length=60, blank=True)
    added = models.DateField(null=True, blank=True)
    retired = models.DateField(null=True, blank=True)

    def __str__(self) -> str:
        return self.label_ko


class CrisisSignal(models.Model):
    # Keyed by (record, row) as Enrollment is, for the same reason.
    pk = models.CompositePrimaryKey("record", "row_number")
    row_number = models.PositiveIntegerField(_("row"), default=0)
    # Checked set-wise by statement triggers (see SourceRecord); indexed as the key's first column.
    record = models.ForeignKey(
        SourceRecord, models.PROTECT, related_name="signals", db_constraint=False, db_index=False
    )
    # No index, as Enrollment.programme: signals are read by record, never by indicator.
    indicator = models.ForeignKey(
        CrisisIndicator, models.PROTECT, related_name="signals", db_constraint=False, db_index=False
    )
    round = models.CharField(_("discovery round"), max_length=20)
    observed_on = models.DateField(null=True, blank=True)
    months = models.PositiveSmallIntegerField(null=True, blank=True)
    amount = models.BigIntegerField(null=True, blank=True)


class RowWarning(models.Model):
    """A row that was kept with a value left out, and why (no cell quoted: the value is gone)."""

    run = models.ForeignKey(ImportRun, models.CASCADE, related_name="row_warnings")
    row_number = models.PositiveIntegerField()
    warnings = models.JSONField()  # e.g. ["주민등록번호 is not a resident registration number …"]

    class Meta:
        ordering = ["run", "row_number"]


class RejectedRow(models.Model):
    run = models.ForeignKey(ImportRun, models.CASCADE, related_name="rejected_rows")
    row_number = models.PositiveIntegerField()
    raw = models.JSONField()  # RRN masked
    reasons = models.JSONField()  # every reason, e.g. ["birth date 1950-02-30 does not exist"]

    class Meta:
        ordering = ["run", "row_number"]
