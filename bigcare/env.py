"""Tiny readers of environment variables that fail loudly on a bad value."""

import base64
import contextlib
import json
import os
import secrets
from pathlib import Path

from django.core.exceptions import ImproperlyConfigured

_TRUE = {"1", "true", "yes", "on"}
_FALSE = {"0", "false", "no", "off", ""}


def get_str(name: str, default: str) -> str:
    return os.environ.get(name, default)


def get_bool(name: str, default: bool) -> bool:
    raw = os.environ.get(name)
    if raw is None:
        return default
    if raw.lower() in _TRUE:
        return True
    if raw.lower() in _FALSE:
        return False
    raise ImproperlyConfigured(f"{name}={raw!r} is not a boolean (use 1/0, true/false, yes/no)")


def get_int(name: str, default: int) -> int:
    raw = os.environ.get(name)
    if raw is None:
        return default
    try:
        return int(raw)
    except ValueError:
        raise ImproperlyConfigured(f"{name}={raw!r} is not a whole number") from None


def get_list(name: str, default: list[str]) -> list[str]:
    raw = os.environ.get(name)
    if raw is None:
        return default
    return [item.strip() for item in raw.split(",") if item.strip()]


def _key(name: str, raw: str) -> bytes:
    try:
        key = base64.urlsafe_b64decode(raw.encode())
    except ValueError:
        raise ImproperlyConfigured(f"{name} is not URL-safe base64") from None
    if len(key) != 32:
        raise ImproperlyConfigured(f"{name} must decode to 32 bytes, not {len(key)}")
    return key


def _field_keys(name: str, raw: str) -> dict[str, bytes]:
    """``id1:base64,id2:base64`` — the first key encrypts, every key decrypts (rotation)."""
    keys = {}
    for part in raw.split(","):
        key_id, sep, value = part.strip().partition(":")
        if not sep or not key_id:
            raise ImproperlyConfigured(f"{name} must look like 'k1:<base64 key>[,k0:<old key>]'")
        keys[key_id] = _key(f"{name} ({key_id})", value)
    return keys


def production_keys() -> dict:
    names = ("SECRET_KEY", "BIGCARE_FIELD_KEYS", "BIGCARE_INDEX_KEY")
    missing = [name for name in names if not os.environ.get(name)]
    if missing:
        raise ImproperlyConfigured(
            "BIGCARE_ENV=production needs these environment variables: "
            + ", ".join(missing)
            + ". Generate keys with: python -m bigcare.keys"
        )
    return {
        "secret_key": os.environ["SECRET_KEY"],
        "field_keys": _field_keys("BIGCARE_FIELD_KEYS", os.environ["BIGCARE_FIELD_KEYS"]),
        "index_key": _key("BIGCARE_INDEX_KEY", os.environ["BIGCARE_INDEX_KEY"]),
    }


def new_key() -> str:
    return base64.urlsafe_b64encode(secrets.token_bytes(32)).decode()


def development_keys(path: Path) -> dict:
    """Keys from the environment where set, else generated once into ``path`` (never committed)."""
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        stored = {
            "SECRET_KEY": secrets.token_urlsafe(50),
            "BIGCARE_FIELD_KEYS": "dev1:" + new_key(),
            "BIGCARE_INDEX_KEY": new_key(),
        }
        tmp = path.with_suffix(".tmp")
        tmp.write_text(json.dumps(stored, indent=2))
        tmp.chmod(0o600)
        # Two processes starting at once must end with the same keys: only one link wins.
        with contextlib.suppress(FileExistsError):
            os.link(tmp, path)
        tmp.unlink(missing_ok=True)
    stored = json.loads(path.read_text())
    values = {name: os.environ.get(name) or stored[name] for name in stored}
    return {
        "secret_key": values["SECRET_KEY"],
        "field_keys": _field_keys("BIGCARE_FIELD_KEYS", values["BIGCARE_FIELD_KEYS"]),
        "index_key": _key("BIGCARE_INDEX_KEY", values["BIGCARE_INDEX_KEY"]),
    }
