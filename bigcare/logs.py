"""Keeping identity numbers out of every log line (DESIGN.md principle 6, #12 item 3).

Three layers, because a log line can be written by code Big Care does not own (runserver's request
line, ``django.request``, Celery, libraries) through handlers Django configured before ours:

- ``configure`` (settings.LOGGING_CONFIG) installs a log-record factory, so every record of every
  logger has its message redacted when it is made, whatever handler later writes it;
- ``RedactRRN`` is a filter for handlers that receive records made elsewhere;
- ``RedactingFormatter`` / ``RedactingServerFormatter`` redact the formatted line, tracebacks
  included (an exception's message can quote a value).
"""

from __future__ import annotations

import logging
import logging.config
from urllib.parse import unquote_plus

from django.utils.log import ServerFormatter

from bigcare.rrn import redact_rrns


def redact(text: str) -> str:
    """Every identity number in ``text`` masked, also where it is percent-encoded in a URL
    (``%EF%BC%95…`` full-width digits, ``%2D``): the text is then kept decoded, since that is
    the only form in which the number can be masked."""
    redacted = redact_rrns(text)
    if "%" in redacted or "+" in redacted:
        decoded = unquote_plus(redacted)
        masked = redact_rrns(decoded)
        if masked != decoded:
            return masked
    return redacted


def _redact_record(record: logging.LogRecord) -> None:
    try:
        message = record.getMessage()
    except Exception:  # a malformed record is logging's to report, not ours
        return
    redacted = redact(message)
    if redacted != message:
        record.msg, record.args = redacted, None


class RedactRRN(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        _redact_record(record)
        return True


class RedactingFormatter(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        return redact(super().format(record))


class RedactingServerFormatter(ServerFormatter):
    """runserver's request line (``"GET /search/?q=… HTTP/1.1" 302``), redacted."""

    def format(self, record: logging.LogRecord) -> str:
        return redact(super().format(record))


def _install_record_factory() -> None:
    make = logging.getLogRecordFactory()
    if getattr(make, "redacts_rrns", False):
        return

    def redacting_factory(*args, **kwargs) -> logging.LogRecord:
        record = make(*args, **kwargs)
        _redact_record(record)
        return record

    redacting_factory.redacts_rrns = True
    logging.setLogRecordFactory(redacting_factory)


def configure(config: dict) -> None:
    """settings.LOGGING_CONFIG: the record factory first, then settings.LOGGING."""
    _install_record_factory()
    logging.config.dictConfig(config)
