"""Writes with side effects on intake: define a source, grant it, roll back a run."""

from __future__ import annotations

import tomllib
from pathlib import Path
from typing import Any

from django.db import transaction
from django.db.models import OuterRef, Subquery
from django.http import Http404
from django.utils import timezone
from guardian.shortcuts import assign_perm, remove_perm

from intake.access import PERM, sources_for_user
from intake.errors import MappingError, RunStateError
from intake.mapping import parse_mapping
from intake.models import (
    AgencyKind,
    DataSource,
    FileFormat,
    ImportRun,
    RecordStatus,
    RunStatus,
    SourceRecord,
)
from intake.signals import records_changed

SOURCE_FIELDS = ("name", "kind", "file_format", "encoding", "trust", "active")


def read_mapping_file(path: Path | str) -> dict[str, Any]:
    try:
        return tomllib.loads(Path(path).read_text(encoding="utf-8"))
    except tomllib.TOMLDecodeError as e:
        raise MappingError(f"{path}: not valid TOML ({e})") from None


@transaction.atomic
def define_source(definition: dict[str, Any]) -> tuple[DataSource, bool]:
    """Create or update a source (by code) from a mapping file's content. Idempotent."""
    code = definition.get("code")
    if not code or not isinstance(code, str):
        raise MappingError("the definition needs code = \"...\"")
    parse_mapping(definition.get("mapping"))
    if definition.get("kind") not in AgencyKind.values:
        raise MappingError(f"kind must be one of {', '.join(AgencyKind.values)}")
    if definition.get("file_format", "csv") not in FileFormat.values:
        raise MappingError(f"file_format must be one of {', '.join(FileFormat.values)}")
    defaults = {k: definition[k] for k in SOURCE_FIELDS if k in definition}
    defaults["mapping"] = definition["mapping"]
    return DataSource.objects.update_or_create(code=code, defaults=defaults)


def update_mapping(source: DataSource, mapping: dict[str, Any], user) -> DataSource:
    """Replace a source's mapping after validating it; scope checked here as on every write."""
    if user is not None and not sources_for_user(user).filter(pk=source.pk).exists():
        raise Http404("No such data source")
    parse_mapping(mapping)
    source.mapping = mapping
    source.save(update_fields=["mapping"])
    return source


def grant_source(user, source: DataSource) -> None:
    assign_perm(PERM, user, source)


def revoke_source(user, source: DataSource) -> None:
    remove_perm(PERM, user, source)


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
            raise RunStateError(f"only a finished run can be rolled back (this one is "
                                f"{run.get_status_display()})")
        own = SourceRecord.objects.filter(run=run)
        if own.filter(status=RecordStatus.SUPERSEDED).exists():
            raise RunStateError("a later import superseded some of this run's records: "
                                "roll that run back first")
        previous = SourceRecord.objects.filter(
            source_id=run.source_id, source_key=OuterRef("source_key"),
            status=RecordStatus.SUPERSEDED, version__lt=OuterRef("version"),
        ).order_by("-version").values("id")[:1]
        restored = [i for i in own.annotate(prev=Subquery(previous))
                    .values_list("prev", flat=True) if i is not None]
        own_ids = list(own.values_list("id", flat=True))
        own.update(status=RecordStatus.RETRACTED)
        SourceRecord.objects.filter(id__in=restored).update(status=RecordStatus.CURRENT)
        run.status = RunStatus.ROLLED_BACK
        run.rolled_back_by = user
        run.rolled_back_at = timezone.now()
        run.save(update_fields=["status", "rolled_back_by", "rolled_back_at"])
        changed = own_ids + restored
        transaction.on_commit(
            lambda: records_changed.send(sender=ImportRun, record_ids=changed, run=run))
    return changed
