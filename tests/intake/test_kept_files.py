"""What is kept of an imported file: sealed, 0600, never clear on disk, destroyed after its time.

#12 item 2: every imported file was kept in clear, world-readable, forever, with a full identity
number on every row.
"""

from __future__ import annotations

import os
import stat
import time
from io import StringIO
from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.urls import reverse

from intake.actions import rollback_run
from intake.keptfiles import open_kept
from intake.models import ImportRun, RunEvent, RunEventKind, RunStatus
from intake.tasks import destroy_expired_files
from tests.intake.conftest import import_file
from tests.intake.malformed.make_corpus import city, city_row

RRN = "500101-2345672"


def _extract(*numbers: int) -> bytes:
    rows = [city_row(i, 주민등록번호=RRN, 성명="홍길순") for i in numbers]
    return city(*rows).encode("cp949")


def _clear_copies(media: Path, plain: bytes) -> list[Path]:
    """Files under MEDIA_ROOT holding the extract's text, or any line of it."""
    lines = [line for line in plain.split(b"\r\n")[1:] if line]
    found = []
    for path in media.rglob("*"):
        if path.is_file():
            data = path.read_bytes()
            if any(line in data for line in lines) or RRN.encode() in data:
                found.append(path)
    return found


def _private(path: Path) -> bool:
    return stat.S_IMODE(path.stat().st_mode) == 0o600


def test_a_kept_file_is_not_readable_as_clear_text_and_only_by_its_owner(
    sources, tmp_path, settings
):
    plain = _extract(1, 2)
    path = tmp_path / "june.csv"
    path.write_bytes(plain)
    run = import_file(sources["city"], path)
    assert run.status == RunStatus.DONE, run.error
    kept = Path(run.stored_path)
    assert kept.is_relative_to(settings.MEDIA_ROOT) and kept.name.endswith(".csv.enc")
    assert _private(kept)
    assert (
        RRN.encode() not in kept.read_bytes() and "홍길순".encode("cp949") not in kept.read_bytes()
    )
    with open_kept(kept) as stream:  # only the application, with the field keys, reads it
        assert stream.read() == plain


def test_import_source_leaves_no_clear_file_under_media_root(sources, tmp_path, settings):
    plain = _extract(1, 2, 3)
    path = tmp_path / "city.csv"
    path.write_bytes(plain)
    call_command("import_source", "city", str(path), stdout=StringIO(), stderr=StringIO())
    media = Path(settings.MEDIA_ROOT)
    assert ImportRun.objects.get().status == RunStatus.DONE
    assert _clear_copies(media, plain) == []
    files = [p for p in media.rglob("*") if p.is_file()]
    assert files and all(p.suffix == ".enc" and _private(p) for p in files)


@pytest.mark.parametrize("memory", [5 << 20, 100], ids=["in-memory size", "over the limit"])
def test_an_upload_leaves_no_clear_file_on_disk(
    manager, sources, client, settings, tmp_path, django_capture_on_commit_callbacks, memory
):
    # Django's own handlers spool an upload over FILE_UPLOAD_MAX_MEMORY_SIZE to a clear file.
    settings.FILE_UPLOAD_MAX_MEMORY_SIZE = memory
    settings.FILE_UPLOAD_TEMP_DIR = str(tmp_path / "spool")
    Path(settings.FILE_UPLOAD_TEMP_DIR).mkdir()
    rows = 3
    plain = _extract(*range(1, rows + 1))
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            reverse("intake:upload", args=[sources["city"].pk]),
            {"file": SimpleUploadedFile("june.csv", plain)},
        )
    assert response.status_code == 302
    run = ImportRun.objects.get()
    assert run.status == RunStatus.DONE and run.accepted == rows, run.error
    assert _clear_copies(Path(settings.MEDIA_ROOT), plain) == []
    assert not list(Path(settings.FILE_UPLOAD_TEMP_DIR).iterdir())
    files = [p for p in Path(settings.MEDIA_ROOT).rglob("*") if p.is_file()]
    assert [str(p) for p in files] == [run.stored_path] and _private(files[0])


def test_a_refused_upload_keeps_nothing(manager, sources, client, settings):
    response = client.post(
        reverse("intake:upload", args=[sources["ministry"].pk]),
        {"file": SimpleUploadedFile("june.csv", _extract(1))},
    )
    assert response.status_code == 404
    media = Path(settings.MEDIA_ROOT)
    assert not [p for p in media.rglob("*") if p.is_file()]


def _age(path: Path, days: float) -> None:
    then = time.time() - days * 86400
    os.utime(path, (then, then))


def test_kept_files_past_their_retention_are_destroyed_and_the_runs_say_so(
    sources, tmp_path, settings
):
    settings.BIGCARE_IMPORT_FILE_DAYS = 30
    old_path, new_path = tmp_path / "may.csv", tmp_path / "june.csv"
    old_path.write_bytes(_extract(1))
    new_path.write_bytes(_extract(1, 2))
    old = import_file(sources["city"], old_path)
    rolled = import_file(sources["city"], new_path)
    rollback_run(rolled, None)  # a rolled-back run's file is destroyed as well
    _age(Path(old.stored_path), 31)
    _age(Path(rolled.stored_path), 30.5)
    fresh_path = tmp_path / "july.csv"
    fresh_path.write_bytes(_extract(1, 2, 3))
    fresh = import_file(sources["city"], fresh_path)
    _age(Path(fresh.stored_path), 29)

    assert destroy_expired_files.delay().get() == 2  # the nightly beat task
    for run in (old, rolled):
        run.refresh_from_db()
        assert not Path(run.stored_path).exists()
        assert run.file_destroyed_at is not None and not run.file_kept
        event = RunEvent.objects.get(run=run)
        assert event.kind == RunEventKind.FILE_DESTROYED and event.acting_user is None
    fresh.refresh_from_db()
    assert Path(fresh.stored_path).exists() and fresh.file_destroyed_at is None


def test_a_clear_copy_kept_before_files_were_sealed_is_destroyed_at_once(sources, settings):
    legacy = Path(settings.MEDIA_ROOT) / "intake" / "city" / ("0" * 64 + ".csv")
    legacy.parent.mkdir(parents=True)
    legacy.write_bytes(_extract(1))
    out = StringIO()
    call_command("purge_import_files", stdout=out)
    assert not legacy.exists()
    assert "1 kept files destroyed" in out.getvalue()
