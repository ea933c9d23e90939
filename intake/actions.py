"""Writes with side effects on intake: define a source, grant it, roll back, resume and
re-import a run, destroy kept files past their retention.

Definitions, mapping edits and grants take the keyword-only ``acting_user`` (None: the command
line) and write their ``bigcare.AdminEvent`` in the same transaction (issue 12 §16).
"""

from __future__ import annotations

import tomllib
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Exists, OuterRef, Subquery
from django.http import Http404
from django.shortcuts import get_object_or_404
from django.utils import timezone
from django.utils.translation import gettext as _
from guardian.shortcuts import assign_perm, remove_perm

from bigcare.access import active_roles
from bigcare.audit import record_admin_event
from bigcare.models import AdminAction, Membership, Role
from intake import keptfiles
from intake.access import PERM, sources_for_user
from intake.errors import MappingError, RunStateError
from intake.imports import announce, lock_runs_of
from intake.mapping import parse_mapping
from intake.models import (
    AgencyKind,
    DataSource,
    FileFormat,
    ImportRun,
    Programme,
    RecordStatus,
    Retirement,
    RunEvent,
    RunEventKind,
    RunStatus,
    SourceRecord,
    SourceUserObjectPermission,
)

SOURCE_FIELDS = ("name", "kind", "file_format", "encoding", "trust", "active", "full_extract")


def read_mapping_file(path: Path | str) -> dict[str, Any]:
    try:
        return tomllib.loads(Path(path).read_text(encoding="utf-8"))
    except tomllib.TOMLDecodeError as e:
        raise MappingError(f"{path}: not valid TOML ({e})") from None


def _definition(source: DataSource | None) -> dict[str, Any] | None:
    if source is None:
        return None
    return {**{k: getattr(source, k) for k in ("code", *SOURCE_FIELDS)}, "mapping": source.mapping}


@transaction.atomic
def define_source(definition: dict[str, Any], *, acting_user=None) -> tuple[DataSource, bool]:
    """Create or update a source (by code) from a mapping file's content. Idempotent: a
    definition that changes nothing records nothing."""
    code = definition.get("code")
    if not code or not isinstance(code, str):
        raise MappingError('the definition needs code = "..."')
    parse_mapping(definition.get("mapping"))
    if definition.get("kind") not in AgencyKind.values:
        raise MappingError(f"kind must be one of {', '.join(AgencyKind.values)}")
    if definition.get("file_format", "csv") not in FileFormat.values:
        raise MappingError(f"file_format must be one of {', '.join(FileFormat.values)}")
    defaults = {k: definition[k] for k in SOURCE_FIELDS if k in definition}
    defaults["mapping"] = definition["mapping"]
    before = _definition(DataSource.objects.select_for_update().filter(code=code).first())
    source, created = DataSource.objects.update_or_create(code=code, defaults=defaults)
    after = _definition(source)
    if after != before:
        record_admin_event(
            acting_user, AdminAction.DEFINE_SOURCE, source, before=before, after=after
        )
    return source, created


def _programme(programme: Programme | None) -> dict[str, str] | None:
    if programme is None:
        return None
    return {f: getattr(programme, f) for f in ("code", "name_ko", "name_en", "agency")}


@transaction.atomic
def save_programme(
    *, acting_user, code: str, name_ko: str, name_en: str, agency: str
) -> tuple[Programme, bool]:
    """Add a programme to the code list, or rename one, so that an extract's service codes can
    be mapped to it without a release (issue 16 §4). Every change is an audit row with its
    before and after: the list's versions. ``acting_user=None`` is the command line."""
    if acting_user is not None and Role.DATA_ADMIN not in active_roles(acting_user):
        raise Http404("not a data administrator")
    before = _programme(Programme.objects.select_for_update().filter(code=code).first())
    programme, created = Programme.objects.update_or_create(
        code=code, defaults={"name_ko": name_ko, "name_en": name_en, "agency": agency}
    )
    after = _programme(programme)
    if after != before:
        record_admin_event(
            acting_user, AdminAction.EDIT_PROGRAMME, programme, before=before, after=after
        )
    return programme, created


@transaction.atomic
def update_mapping(source: DataSource, mapping: dict[str, Any], *, acting_user) -> DataSource:
    """Replace a source's mapping after validating it; scope checked here as on every write
    (``acting_user=None`` is the command line)."""
    parse_mapping(mapping)
    scope = DataSource.objects if acting_user is None else sources_for_user(acting_user)
    try:
        source = scope.select_for_update().get(pk=source.pk)
    except DataSource.DoesNotExist:
        raise Http404("No such data source") from None
    before = source.mapping
    source.mapping = mapping
    source.save(update_fields=["mapping"])
    if mapping != before:
        record_admin_event(
            acting_user,
            AdminAction.EDIT_MAPPING,
            source,
            before={"mapping": before},
            after={"mapping": mapping},
        )
    return source


def _granted(user, source: DataSource) -> bool:
    return SourceUserObjectPermission.objects.filter(
        user=user, content_object=source, permission__codename=PERM.split(".")[1]
    ).exists()


@transaction.atomic
def grant_source(user, source: DataSource, *, acting_user) -> None:
    """Let a data administrator manage a source. The grant is carried by their data
    administrator membership and ends with it (``revoke_sources_of_membership``)."""
    if not Membership.objects.in_force().filter(user=user, role=Role.DATA_ADMIN).exists():
        raise ValidationError("sources are granted to data administrators in office only")
    if _granted(user, source):
        return
    assign_perm(PERM, user, source)
    record_admin_event(
        acting_user,
        AdminAction.GRANT_SOURCE,
        source,
        after={"user": user.get_username(), "source": source.code},
    )


@transaction.atomic
def revoke_source(user, source: DataSource, *, acting_user) -> None:
    if not _granted(user, source):
        return
    remove_perm(PERM, user, source)
    record_admin_event(
        acting_user,
        AdminAction.REVOKE_SOURCE,
        source,
        before={"user": user.get_username(), "source": source.code},
    )


def revoke_sources_of_membership(sender, membership, acting_user, **kwargs) -> None:
    """``membership_ended`` receiver: a data administrator who is one no more keeps no source."""
    if (
        membership.role != Role.DATA_ADMIN
        or Membership.objects.in_force().filter(user=membership.user, role=Role.DATA_ADMIN).exists()
    ):
        return
    granted = SourceUserObjectPermission.objects.filter(user=membership.user).values(
        "content_object_id"
    )
    for source in DataSource.objects.filter(pk__in=granted).order_by("pk"):
        revoke_source(membership.user, source, acting_user=acting_user)


def rollback_run(run: ImportRun, user) -> list[int]:
    """Retract a run's versions and make the versions they superseded current again.

    Only a done run whose versions are still current can be rolled back (roll back later runs
    first). Announces every record whose status changed. ``user=None`` is the command line.
    """
    with transaction.atomic():
        if user is not None and not sources_for_user(user).filter(pk=run.source_id).exists():
            raise Http404("No such import run")
        DataSource.objects.select_for_update().get(pk=run.source_id)
        run = ImportRun.objects.select_for_update().get(pk=run.pk)
        if run.status != RunStatus.DONE:
            raise RunStateError(
                _("Only a finished run can be rolled back (this one is %(status)s).")
                % {"status": run.get_status_display()}
            )
        own = SourceRecord.objects.filter(run=run)
        if own.filter(status__in=[RecordStatus.SUPERSEDED, RecordStatus.RETIRED]).exists():
            raise RunStateError(
                _("A later import replaced some of this run's records: roll that run back first.")
            )
        retired = SourceRecord.objects.filter(retirements__run=run, status=RecordStatus.RETIRED)
        back_since = SourceRecord.objects.filter(
            source_id=run.source_id,
            source_key=OuterRef("source_key"),
            version__gt=OuterRef("version"),
        ).exclude(status=RecordStatus.RETRACTED)
        if retired.filter(Exists(back_since)).exists():
            raise RunStateError(
                _(
                    "A later import brought back some of the people this run retired: "
                    "roll that run back first."
                )
            )
        previous = (
            SourceRecord.objects.filter(
                source_id=run.source_id,
                source_key=OuterRef("source_key"),
                status=RecordStatus.SUPERSEDED,
                version__lt=OuterRef("version"),
            )
            .order_by("-version")
            .values("id")[:1]
        )
        restored = [
            i
            for i in own.annotate(prev=Subquery(previous)).values_list("prev", flat=True)
            if i is not None
        ]
        own_ids = list(own.values_list("id", flat=True))
        # Retired by this run (a full extract without them): current again.
        unretired = list(retired.values_list("id", flat=True))
        own.update(status=RecordStatus.RETRACTED)
        SourceRecord.objects.filter(id__in=restored).update(status=RecordStatus.CURRENT)
        SourceRecord.objects.filter(
            id__in=Retirement.objects.filter(run=run).values("record_id"),
            status=RecordStatus.RETIRED,
        ).update(status=RecordStatus.CURRENT)
        run.status = RunStatus.ROLLED_BACK
        run.rolled_back_by = user
        run.rolled_back_at = timezone.now()
        run.save(update_fields=["status", "rolled_back_by", "rolled_back_at"])
        changed = own_ids + restored + unretired
        transaction.on_commit(lambda: announce(run, changed))
    return changed


def _runs_in_scope(user):
    if user is None:  # the command line and the retention schedule
        return ImportRun.objects.all()
    return ImportRun.objects.filter(source__in=sources_for_user(user))


def resume_run(run: ImportRun, *, acting_user) -> ImportRun:
    """Queue again a run whose worker is gone (stale) or that failed, from its kept file.

    Safe however often it is called and whatever else still holds the run: the import takes the
    source's lock and its status gate makes a finished run a no-op (imports.run_import).
    """
    from intake.tasks import import_run

    with transaction.atomic():
        run = get_object_or_404(_runs_in_scope(acting_user).select_for_update(), pk=run.pk)
        if not (run.is_stale or run.status == RunStatus.FAILED):
            raise RunStateError(
                _("Only a stuck or failed run can be resumed (this one is %(status)s).")
                % {"status": run.get_status_display()}
            )
        if not run.file_kept:
            raise RunStateError(_("The kept copy of this file was destroyed: upload it again."))
        was = run.status
        run.status, run.error, run.error_code = RunStatus.QUEUED, "", ""
        run.progress_at = timezone.now()
        run.save(update_fields=["status", "error", "error_code", "progress_at"])
        RunEvent.objects.create(
            run=run, kind=RunEventKind.RESUMED, acting_user=acting_user, detail=f"was {was}"
        )
        import_run.delay_on_commit(run.pk)
    return run


def reimport_run(run: ImportRun, *, acting_user) -> ImportRun:
    """Import a rolled-back run's file again, from its kept copy, as a new run.

    The file's live run, if there is one already, is returned instead: one per file.
    """
    from intake.tasks import import_run

    with transaction.atomic():
        run = get_object_or_404(_runs_in_scope(acting_user).select_related("source"), pk=run.pk)
        lock_runs_of(run.source)
        run = ImportRun.objects.select_for_update().get(pk=run.pk)
        if run.status != RunStatus.ROLLED_BACK:
            raise RunStateError(
                _("Only a rolled-back run can be imported again (this one is %(status)s).")
                % {"status": run.get_status_display()}
            )
        live = (
            ImportRun.objects.filter(source_id=run.source_id, sha256=run.sha256)
            .exclude(status=RunStatus.ROLLED_BACK)
            .first()
        )
        if live is not None:
            return live
        if not run.file_kept or not Path(run.stored_path).exists():
            raise RunStateError(_("The kept copy of this file was destroyed: upload it again."))
        again = ImportRun.objects.create(
            source_id=run.source_id,
            sha256=run.sha256,
            filename=run.filename,
            stored_path=run.stored_path,
            reimport_of=run,
            started_by=acting_user,
        )
        RunEvent.objects.create(
            run=run,
            kind=RunEventKind.REIMPORTED,
            acting_user=acting_user,
            detail=f"as run {again.pk}",
        )
        import_run.delay_on_commit(again.pk)
    return again


def destroy_expired_files(*, acting_user=None, now=None) -> list[Path]:
    """Destroy kept files past BIGCARE_IMPORT_FILE_DAYS (rolled-back runs' too) and record it on
    every run that used them. A file an import is reading right now is left for the next time."""
    now = now or timezone.now()
    reading = {
        Path(p)
        for p, status, stale in (
            (r.stored_path, r.status, r.is_stale)
            for r in ImportRun.objects.exclude(
                status__in=[RunStatus.DONE, RunStatus.FAILED, RunStatus.ROLLED_BACK]
            )
        )
        if not stale
    }
    destroyed = []
    for path in keptfiles.expired(now):
        if path in reading:
            continue
        path.unlink(missing_ok=True)
        destroyed.append(path)
    with transaction.atomic():
        runs = list(
            ImportRun.objects.filter(
                stored_path__in=[str(p) for p in destroyed], file_destroyed_at__isnull=True
            )
        )
        ImportRun.objects.filter(pk__in=[r.pk for r in runs]).update(file_destroyed_at=now)
        RunEvent.objects.bulk_create(
            [
                RunEvent(
                    run=r,
                    kind=RunEventKind.FILE_DESTROYED,
                    acting_user=acting_user,
                    at=now,
                    detail=f"kept {settings.BIGCARE_IMPORT_FILE_DAYS} days",
                )
                for r in runs
            ]
        )
    return destroyed
