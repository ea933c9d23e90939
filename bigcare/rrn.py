"""Resident registration numbers (주민등록번호): parsing, the soft checksum, masking.

Format ``YYMMDD-SXXXXXX``. S gives century and sex (DOMAIN.md §6). Numbers issued from 2020-10-05
have random trailing digits, so the checksum is a soft signal and never a reason to reject.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from datetime import date

_WEIGHTS = (2, 3, 4, 5, 6, 7, 8, 9, 2, 3, 4, 5)
_CENTURY = {
    "9": 1800,
    "0": 1800,
    "1": 1900,
    "2": 1900,
    "3": 2000,
    "4": 2000,
    "5": 1900,
    "6": 1900,
    "7": 2000,
    "8": 2000,
}
RANDOM_DIGITS_FROM = date(2020, 10, 1)
_SHAPE = re.compile(r"^(\d{6})-?(\d)(\d{6}|[*xX]{6})$")


@dataclass(frozen=True)
class RRN:
    front: str  # YYMMDD
    sex_digit: str
    back: str | None  # the six trailing digits, None when masked
    birth_date: date

    @property
    def is_masked(self) -> bool:
        return self.back is None

    @property
    def digits(self) -> str | None:
        return None if self.back is None else self.front + self.sex_digit + self.back

    @property
    def sex(self) -> str:
        return "M" if int(self.sex_digit) % 2 == 1 else "F"

    @property
    def is_foreigner(self) -> bool:
        return self.sex_digit in "5678"

    @property
    def masked(self) -> str:
        return f"{self.front}-{self.sex_digit}******"

    @property
    def checksum_ok(self) -> bool | None:
        """True/False for numbers issued before 2020-10; None where the digits are random."""
        if self.back is None or self.birth_date >= RANDOM_DIGITS_FROM:
            return None
        return checksum_digit(self.digits[:12]) == int(self.digits[12])


class InvalidRRN(ValueError):
    pass


def checksum_digit(first12: str) -> int:
    total = sum(int(d) * w for d, w in zip(first12, _WEIGHTS, strict=True))
    return (11 - total % 11) % 10


def parse(value: str) -> RRN:
    """Parse a full or masked RRN; raise InvalidRRN with the reason a clerk can act on."""
    text = value.strip().replace(" ", "")
    match = _SHAPE.match(text)
    if not match:
        raise InvalidRRN("not the shape YYMMDD-SXXXXXX")
    front, sex_digit, back = match.groups()
    century = _CENTURY[sex_digit]
    try:
        born = date(century + int(front[:2]), int(front[2:4]), int(front[4:6]))
    except ValueError:
        raise InvalidRRN("the birth date in it does not exist") from None
    return RRN(front, sex_digit, None if not back.isdigit() else back, born)


def mask(value: str) -> str:
    """``850101-1234567`` → ``850101-1******``; anything unparseable becomes fully masked."""
    try:
        return parse(value).masked
    except InvalidRRN:
        return "******-*******"


# Every spelling of a full RRN seen in real extracts and typed into search boxes: with or without
# the dash, with an en/em dash, minus sign, dot, underscore, slash or spaces between the halves,
# single spaces between digits, full-width or other Unicode digits (``\d`` matches those), and
# the separator URL-encoded (``%2D``, ``%20``, ``+``) as it appears in a logged path.
# The masked form ``YYMMDD-S******`` has no digits behind the sex digit and is left alone.
_SEPARATORS = "\\s\\-\u2010\u2011\u2012\u2013\u2014\u2015\u2212\uff0d_./\u00b7"
RRN_ANY_SPELLING = re.compile(
    r"(?<!\d)(?<!\d )"
    r"(?P<front>\d(?: ?\d){5})"
    rf"(?:[{_SEPARATORS}+]|%2[dD0]){{0,3}}"
    r"(?P<sex>[1-8\uff11-\uff18])"
    r"(?P<back>(?: ?\d){6})"
    r"(?! ?\d)"
)


def ascii_digits(text: str) -> str:
    """Full-width and other Unicode decimal digits as ASCII digits, everything else unchanged.

    Not NFKC: that would also rewrite compatibility jamo and full-width letters in names.
    """
    if text.isascii():
        return text
    return "".join(str(unicodedata.decimal(c)) if c.isdecimal() else c for c in text)


def redact_rrns(text: str) -> str:
    """Every full RRN in ``text``, in any spelling, as its masked form ``YYMMDD-S******``.

    Errs on the side of masking: any 13 digits of this shape are masked, RRN or not.
    """

    def masked(match: re.Match) -> str:
        front = ascii_digits(match["front"]).replace(" ", "")
        return f"{front}-{ascii_digits(match['sex'])}******"

    return RRN_ANY_SPELLING.sub(masked, text)
