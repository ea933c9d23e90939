"""Logging filter that keeps identity numbers out of every log line (DESIGN.md principle 6)."""

import logging

from bigcare.rrn import redact_rrns


def redact(text: str) -> str:
    """Kept as the name callers use; every spelling is bigcare.rrn's."""
    return redact_rrns(text)


class RedactRRN(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        redacted = redact(message)
        if redacted != message:
            record.msg, record.args = redacted, None
        return True
