"""Logging filter that keeps identity numbers out of every log line (DESIGN.md principle 6)."""

import logging
import re

# A full RRN, with or without the dash; the masked form (YYMMDD-S******) is left alone.
RRN_PATTERN = re.compile(r"(?<!\d)(\d{6})-?([1-8])(\d{6})(?!\d)")


def redact(text: str) -> str:
    return RRN_PATTERN.sub(r"\1-\2******", text)


class RedactRRN(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        redacted = redact(message)
        if redacted != message:
            record.msg, record.args = redacted, None
        return True
