"""Identity numbers at rest: AES-GCM encryption and an HMAC blind index (DESIGN.md principle 6).

A token is ``<key id>:<base64(nonce ‖ ciphertext ‖ tag)>``, so keys can be rotated: the current key
encrypts, every configured key decrypts. The blind index is a keyed hash of the 13 digits, the only
form in which RRNs are compared or joined.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
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
