"""Imported files kept for a while, sealed: what lets a run be resumed or re-imported.

An agency's extract holds a full identity number on every row, so what is kept of it is never
clear text on disk (DESIGN.md principle 6). A file is sealed as it arrives (an upload's chunks
in the upload handler, a command-line file block by block) with chunked AES-GCM under a key
derived from the field keys (bigcare.crypto), written 0600 as
``MEDIA_ROOT/intake/<source>/<sha256><ext>.enc``, and read back by decrypting into a stream.
It is kept ``BIGCARE_IMPORT_FILE_DAYS`` days from when it was kept, then destroyed
(``destroy_expired``, run nightly by Celery beat and by ``purge_import_files``); each run that
used it records when. The checksum and the records' provenance stay.
"""

from __future__ import annotations

import hashlib
import io
import os
import tempfile
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path

from django.conf import settings
from django.utils import timezone

from bigcare.crypto import EncryptingWriter, open_sealed

SUFFIX = ".enc"
BLOCK = 1 << 20
# An upload abandoned half-way leaves a sealed fragment; it is removed after this long.
PARTIAL_HOURS = 6


def root() -> Path:
    return Path(settings.MEDIA_ROOT) / "intake"


def _folder(path: Path) -> Path:
    path.mkdir(parents=True, exist_ok=True)
    path.chmod(0o700)
    return path


@dataclass(frozen=True)
class KeptFile:
    path: Path
    sha256: str
    size: int


class Sealing:
    """A file being kept: written sealed to a 0600 temporary file, hashed as it goes."""

    def __init__(self, suffix: str):
        self.suffix = suffix.lower()[:10]
        fd, name = tempfile.mkstemp(dir=_folder(root() / "incoming"), suffix=".part")
        self.tmp = Path(name)
        self._raw = os.fdopen(fd, "wb")
        self._writer = EncryptingWriter(self._raw)
        self._sha = hashlib.sha256()
        self.size = 0
        self.sha256 = ""

    def write(self, data: bytes) -> None:
        self._sha.update(data)
        self._writer.write(data)
        self.size += len(data)

    def close(self) -> None:
        """Seal the last chunk; the file is complete but not yet kept under its checksum."""
        if not self._raw.closed:
            self._writer.close()
            self._raw.flush()
            os.fsync(self._raw.fileno())
            self._raw.close()
            self.sha256 = self._sha.hexdigest()

    def keep(self, source_code: str) -> KeptFile:
        """Move the sealed file to its place by checksum (the copy already there wins)."""
        self.close()
        target = _folder(root() / source_code) / f"{self.sha256}{self.suffix}{SUFFIX}"
        if target.exists():
            self.tmp.unlink(missing_ok=True)
        else:
            self.tmp.replace(target)
        return KeptFile(target, self.sha256, self.size)

    def discard(self) -> None:
        if not self._raw.closed:
            self._raw.close()
        self.tmp.unlink(missing_ok=True)


def keep_blocks(blocks: Iterable[bytes], suffix: str, source_code: str) -> KeptFile:
    sealing = Sealing(suffix)
    try:
        for block in blocks:
            sealing.write(block)
        return sealing.keep(source_code)
    except BaseException:
        sealing.discard()
        raise


def keep_file(path: Path, source_code: str) -> KeptFile:
    """A file on disk (the command line's) kept sealed; the original is left where it was."""
    with open(path, "rb") as f:
        return keep_blocks(iter(lambda: f.read(BLOCK), b""), Path(path).suffix, source_code)


def open_kept(path: Path | str) -> io.BufferedIOBase:
    """The kept file's plaintext as a seekable stream named like the original (its extension).

    A path without ``.enc`` is a file kept before sealing existed: read as it is.
    """
    path = Path(path)
    if path.suffix != SUFFIX:
        return open(path, "rb")  # noqa: SIM115 — the caller closes it
    return open_sealed(path, name=path.name.removesuffix(SUFFIX))


def kept_size(path: Path | str) -> int:
    with open_kept(path) as stream:
        return stream.seek(0, io.SEEK_END)


def expired(now: datetime | None = None) -> list[Path]:
    """Kept files older than the retention period, clear files kept before sealing existed
    (whatever their age) and upload fragments abandoned for hours."""
    now = now or timezone.now()
    keep_until = (now - timedelta(days=settings.BIGCARE_IMPORT_FILE_DAYS)).timestamp()
    partial_until = (now - timedelta(hours=PARTIAL_HOURS)).timestamp()
    found = []
    if not root().is_dir():
        return found
    for path in root().rglob("*"):
        if not path.is_file():
            continue
        mtime = path.stat().st_mtime
        if path.suffix == ".part":
            if mtime < partial_until:
                found.append(path)
        elif path.suffix != SUFFIX or mtime < keep_until:
            found.append(path)
    return found
