"""The one upload handler: every uploaded file is sealed chunk by chunk as it arrives.

Django's default handlers keep small uploads in memory and spool larger ones to a clear
temporary file; an extract holds a full identity number per row, so here nothing of it reaches
the disk but ciphertext (intake.keptfiles). The view keeps the sealed file under its source.
"""

from __future__ import annotations

from pathlib import Path

from django.core.files.uploadedfile import UploadedFile
from django.core.files.uploadhandler import FileUploadHandler

from intake.keptfiles import KeptFile, Sealing


class SealedUpload(UploadedFile):
    """An upload already sealed on disk; ``keep(source_code)`` files it under its checksum.

    Not kept by the end of the request (a refused upload), it is discarded when Django closes
    the request's files.
    """

    def __init__(self, sealing: Sealing, name: str, content_type: str, charset):
        super().__init__(None, name, content_type, sealing.size, charset)
        self.sealing = sealing
        self.kept: KeptFile | None = None

    def keep(self, source_code: str) -> KeptFile:
        if self.kept is None:
            self.kept = self.sealing.keep(source_code)
        return self.kept

    def open(self, mode=None):
        raise ValueError("a sealed upload is read through intake.keptfiles.open_kept")

    def close(self) -> None:
        if self.kept is None:
            self.sealing.discard()


class SealingUploadHandler(FileUploadHandler):
    def new_file(self, *args, **kwargs) -> None:
        super().new_file(*args, **kwargs)
        self.sealing = Sealing(Path(self.file_name or "").suffix)

    def receive_data_chunk(self, raw_data: bytes, start: int) -> None:
        self.sealing.write(raw_data)

    def file_complete(self, file_size: int) -> SealedUpload:
        self.sealing.close()
        return SealedUpload(self.sealing, self.file_name, self.content_type, self.charset)

    def upload_interrupted(self) -> None:
        if getattr(self, "sealing", None) is not None:
            self.sealing.discard()
