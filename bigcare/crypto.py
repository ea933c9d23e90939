"""Identity numbers at rest: AES-GCM encryption and an HMAC blind index (DESIGN.md principle 6).

A token is ``<key id>:<base64(nonce ‖ ciphertext ‖ tag)>``, so keys can be rotated: the current key
encrypts, every configured key decrypts. The blind index is a keyed hash of the 13 digits, the only
form in which RRNs are compared or joined. Files kept at rest (an import's file) are sealed in
chunks with a key derived from the same field keys (``EncryptingWriter`` / ``open_sealed``).
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import io
import os
from collections.abc import Iterable
from functools import cache

from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from django.conf import settings

# Binds a ciphertext to its purpose, so an RRN token cannot be passed off as another field's.
_AAD = b"bigcare.rrn.v1"


@cache
def _cipher(key_id: str) -> AESGCM:
    return AESGCM(settings.BIGCARE_FIELD_KEYS[key_id])


def encrypt(plain: str) -> str:
    key_id = settings.BIGCARE_FIELD_KEY_ID
    nonce = os.urandom(12)
    sealed = _cipher(key_id).encrypt(nonce, plain.encode(), _AAD)
    return f"{key_id}:{base64.b64encode(nonce + sealed).decode()}"


def decrypt(token: str) -> str:
    key_id, _, body = token.partition(":")
    raw = base64.b64decode(body)
    return _cipher(key_id).decrypt(raw[:12], raw[12:], _AAD).decode()


def encrypt_many(values: Iterable[str | None]) -> list[str | None]:
    """Encrypt a column; None stays None. One cipher object for the whole column."""
    key_id = settings.BIGCARE_FIELD_KEY_ID
    cipher, urandom, b64 = _cipher(key_id), os.urandom, base64.b64encode
    out: list[str | None] = []
    for value in values:
        if value is None:
            out.append(None)
            continue
        nonce = urandom(12)
        out.append(f"{key_id}:{b64(nonce + cipher.encrypt(nonce, value.encode(), _AAD)).decode()}")
    return out


def blind_index(digits: str) -> str:
    """Keyed hash of the 13 RRN digits (dash removed): equal numbers, equal index."""
    return hmac.new(settings.BIGCARE_INDEX_KEY, digits.encode(), hashlib.sha256).hexdigest()[:32]


def blind_index_many(values: Iterable[str | None]) -> list[str | None]:
    key, new, sha = settings.BIGCARE_INDEX_KEY, hmac.new, hashlib.sha256
    return [None if v is None else new(key, v.encode(), sha).hexdigest()[:32] for v in values]


# Files at rest (kept import files): chunked AES-GCM, the STREAM construction. Each chunk is
# sealed on its own with a nonce of (file prefix ‖ chunk number) and, as associated data, the
# header and a last-chunk flag: chunks cannot be reordered, swapped between files, or cut off.
# The key is derived from the field key with HKDF, so one secret is configured, and a file
# key is never an RRN key. The header names the field key, so rotation works as for tokens.
FILE_MAGIC = b"BCF1"
FILE_CHUNK = 1 << 20
_TAG = 16


@cache
def _file_cipher(key_id: str) -> AESGCM:
    from cryptography.hazmat.primitives import hashes
    from cryptography.hazmat.primitives.kdf.hkdf import HKDF

    key = HKDF(
        algorithm=hashes.SHA256(), length=32, salt=None, info=b"bigcare.kept-file.v1"
    ).derive(settings.BIGCARE_FIELD_KEYS[key_id])
    return AESGCM(key)


def _nonce(prefix: bytes, number: int) -> bytes:
    return prefix + number.to_bytes(4, "big")


class EncryptingWriter:
    """Seals what is written to ``raw`` (a binary file) chunk by chunk; ``close()`` seals the
    last chunk. Only ciphertext ever reaches ``raw``."""

    def __init__(self, raw):
        self.raw = raw
        self.key_id = settings.BIGCARE_FIELD_KEY_ID
        self._cipher = _file_cipher(self.key_id)
        self._prefix = os.urandom(8)
        kid = self.key_id.encode()
        self._header = FILE_MAGIC + bytes([len(kid)]) + kid + self._prefix
        raw.write(self._header)
        self._buffer = bytearray()
        self._number = 0
        self.size = 0

    def _seal(self, plain: bytes, last: bool) -> None:
        aad = self._header + (b"\x01" if last else b"\x00")
        self.raw.write(self._cipher.encrypt(_nonce(self._prefix, self._number), plain, aad))
        self._number += 1

    def write(self, data: bytes) -> int:
        self._buffer += data
        self.size += len(data)
        # Keep at least one byte back: the last chunk is sealed as last, in close().
        while len(self._buffer) > FILE_CHUNK:
            self._seal(bytes(self._buffer[:FILE_CHUNK]), last=False)
            del self._buffer[:FILE_CHUNK]
        return len(data)

    def close(self) -> None:
        if self._buffer is not None:
            self._seal(bytes(self._buffer), last=True)
            self._buffer = None


class DecryptingReader(io.RawIOBase):
    """A sealed file read as its plaintext: seekable, one chunk in memory at a time, every chunk
    authenticated before a byte of it is returned (a changed file raises InvalidTag)."""

    def __init__(self, path, name: str = ""):
        super().__init__()
        self._file = open(path, "rb")  # noqa: SIM115 — closed by close()
        self.name = name or str(path)
        head = self._file.read(5)
        if len(head) < 5 or head[:4] != FILE_MAGIC:
            self._file.close()
            raise ValueError("not a Big Care sealed file")
        kid = self._file.read(head[4])
        self._prefix = self._file.read(8)
        self._header = head + kid + self._prefix
        self._cipher = _file_cipher(kid.decode())
        sealed = os.fstat(self._file.fileno()).st_size - len(self._header)
        self._chunks = max(1, -(-sealed // (FILE_CHUNK + _TAG)))
        self.size = sealed - self._chunks * _TAG
        self._pos = 0
        self._cached: tuple[int, bytes] | None = None

    def _chunk(self, number: int) -> bytes:
        if self._cached is None or self._cached[0] != number:
            self._file.seek(len(self._header) + number * (FILE_CHUNK + _TAG))
            sealed = self._file.read(FILE_CHUNK + _TAG)
            last = number == self._chunks - 1
            aad = self._header + (b"\x01" if last else b"\x00")
            self._cached = (number, self._cipher.decrypt(_nonce(self._prefix, number), sealed, aad))
        return self._cached[1]

    def readable(self) -> bool:
        return True

    def seekable(self) -> bool:
        return True

    def tell(self) -> int:
        return self._pos

    def seek(self, offset: int, whence: int = io.SEEK_SET) -> int:
        base = {io.SEEK_SET: 0, io.SEEK_CUR: self._pos, io.SEEK_END: self.size}[whence]
        self._pos = max(0, base + offset)
        return self._pos

    def readinto(self, buffer) -> int:
        if self._pos >= self.size:
            if self.size == 0:
                self._chunk(0)  # an empty file is still authenticated
            return 0
        number, within = divmod(self._pos, FILE_CHUNK)
        data = self._chunk(number)[within : within + len(buffer)]
        buffer[: len(data)] = data
        self._pos += len(data)
        return len(data)

    def close(self) -> None:
        if not self.closed:
            self._file.close()
            self._cached = None
        super().close()


def open_sealed(path, name: str = "") -> io.BufferedReader:
    """A sealed file as a buffered, seekable binary stream of its plaintext."""
    return io.BufferedReader(DecryptingReader(path, name), buffer_size=FILE_CHUNK)
