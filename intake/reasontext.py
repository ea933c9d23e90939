"""Rejection reasons and warnings read in the user's language (issue 16 §4).

The pipeline writes each reason as a fixed English sentence around the source's own column
label and the bad value (``intake.pipeline``): its workers run outside Django, and the stored
text stays one stable shape that tests and the rejected-rows CSV filters rely on. The run page
and the CSV show each through ``reason_text``, which recognises the shapes below and translates
them; the column label and the value are the file's own and are kept as they are. Date formats
read as a clerk writes them (``%Y.%m.%d`` → ``YYYY.MM.DD`` → 연도4자리.월.일).
"""

from __future__ import annotations

import re
from collections.abc import Callable

from django.utils.translation import gettext as _

_FORMAT_PARTS = {
    "%Y": lambda: _("YYYY"),
    "%y": lambda: _("YY"),
    "%m": lambda: _("MM"),
    "%d": lambda: _("DD"),
}


def date_format_text(formats: str) -> str:
    """``%Y.%m.%d or %Y%m%d`` → ``YYYY.MM.DD 또는 YYYYMMDD`` in the user's language."""
    out = []
    for fmt in formats.split(" or "):
        out.append(re.sub(r"%[Yymd]", lambda m: _FORMAT_PARTS[m[0]](), fmt))
    return _(" or ").join(out)


# The identity fields a repeated record id may disagree on (pipeline.IDENTITY_FIELDS).
_IDENTITY = {
    "name": lambda: _("name"),
    "birth date": lambda: _("birth date"),
    "sex": lambda: _("sex"),
    "resident registration number": lambda: _("RRN"),
}

_VALUE = r'(?P<label>.+?) "(?P<value>.*)"'
SHAPES: list[tuple[re.Pattern, Callable[[re.Match], str]]] = [
    (
        re.compile(_VALUE + r" has characters a name cannot have"),
        lambda m: _('%(label)s "%(value)s" has characters a name cannot have') % m.groupdict(),
    ),
    (
        re.compile(_VALUE + r" is not a real date in the form (?P<formats>.+)"),
        lambda m: (
            _('%(label)s "%(value)s" is not a real date in the form %(formats)s')
            % {**m.groupdict(), "formats": date_format_text(m["formats"])}
        ),
    ),
    (
        re.compile(_VALUE + r" is not a known sex code"),
        lambda m: _('%(label)s "%(value)s" is not a known sex code') % m.groupdict(),
    ),
    (
        re.compile(_VALUE + r" is not a phone number"),
        lambda m: _('%(label)s "%(value)s" is not a phone number') % m.groupdict(),
    ),
    (
        re.compile(_VALUE + r" is not a whole number from 0 to (?P<max>[\d,]+)"),
        lambda m: (
            _('%(label)s "%(value)s" is not a whole number from 0 to %(max)s') % m.groupdict()
        ),
    ),
    (
        re.compile(_VALUE + r" is not one of (?P<codes>.+)"),
        lambda m: _('%(label)s "%(value)s" is not one of %(codes)s') % m.groupdict(),
    ),
    (
        re.compile(_VALUE + r" is not a Seoul administrative dong code: left blank"),
        lambda m: (
            _('%(label)s "%(value)s" is not a Seoul administrative dong code: left blank')
            % m.groupdict()
        ),
    ),
    (
        re.compile(_VALUE + r" is not a known programme code"),
        lambda m: _('%(label)s "%(value)s" is not a known programme code') % m.groupdict(),
    ),
    (
        re.compile(_VALUE + r" is not a known crisis indicator"),
        lambda m: _('%(label)s "%(value)s" is not a known crisis indicator') % m.groupdict(),
    ),
    (
        re.compile(
            r"(?P<label>.+?) is not a resident registration number \(YYMMDD-SXXXXXX\): "
            r"the row is kept without it"
        ),
        lambda m: (
            _("%(label)s is not a resident registration number: the row is kept without it")
            % m.groupdict()
        ),
    ),
    (
        re.compile(r"(?P<label>.+?) \(the record id\) is blank"),
        lambda m: _("%(label)s (the record id) is blank") % m.groupdict(),
    ),
    (
        re.compile(r"(?P<label>.+?) \(the record id\) is longer than (?P<n>\d+) characters"),
        lambda m: _("%(label)s (the record id) is longer than %(n)s characters") % m.groupdict(),
    ),
    (
        re.compile(
            r"(?P<label>.+?) \(the record id\) is on row (?P<row>\d+) with a different "
            r"(?P<what>.+): one id, one person"
        ),
        lambda m: (
            _(
                "%(label)s (the record id) is on row %(row)s with a different %(what)s: "
                "one id, one person"
            )
            % {
                **m.groupdict(),
                "what": ", ".join(_IDENTITY.get(w, lambda w=w: w)() for w in m["what"].split(", ")),
            }
        ),
    ),
    (
        re.compile(r"(?P<label>.+?) is blank"),
        lambda m: _("%(label)s is blank") % m.groupdict(),
    ),
    (
        re.compile(r"(?P<label>.+?) is longer than (?P<n>\d+) characters"),
        lambda m: _("%(label)s is longer than %(n)s characters") % m.groupdict(),
    ),
    (
        re.compile(r'(?P<label>.+?) starts with "=" \(a spreadsheet formula\)'),
        lambda m: _('%(label)s starts with "=" (a spreadsheet formula)') % m.groupdict(),
    ),
    (
        re.compile(r"(?P<label>.+?) contains a NUL character"),
        lambda m: _("%(label)s contains a NUL character") % m.groupdict(),
    ),
    (
        re.compile(r"(?P<label>.+?) holds more than (?P<n>[\d,]+) characters"),
        lambda m: _("%(label)s holds more than %(n)s characters") % m.groupdict(),
    ),
]


def reason_text(reason: str) -> str:
    for pattern, sentence in SHAPES:
        m = pattern.fullmatch(reason)
        if m:
            return sentence(m)
    return reason


# The stages an import's time is split into (ImportRun.stage_seconds), as the run page names them.
STAGES = {
    "reading": lambda: _("reading"),
    "validating": lambda: _("validating"),
    "hash": lambda: _("checksum"),
    "encrypt": lambda: _("encryption"),
    "diff": lambda: _("comparing versions"),
    "waiting for validation": lambda: _("waiting for validation"),
    "loading": lambda: _("loading"),
    "encode records": lambda: _("preparing records"),
    "encode items": lambda: _("preparing items"),
    "records and items": lambda: _("saving records and items"),
    "records": lambda: _("saving records"),
    "items": lambda: _("saving items"),
    "rejects": lambda: _("rejected rows"),
    "total": lambda: _("total"),
}


def stage_names(seconds: dict | None) -> list[tuple[str, object]]:
    """(name, seconds) of each stage worth showing; the load's own breakdown is left out."""
    return [
        (STAGES[k]() if k in STAGES else k, v)
        for k, v in (seconds or {}).items()
        if k != "load_detail"
    ]


def event_detail(detail: str) -> str:
    """A run event's detail (intake.actions writes "was failed", "as run 7", "kept 30 days")."""
    if m := re.fullmatch(r"was (\w+)", detail):
        from intake.models import RunStatus

        return _("was %(status)s") % {"status": dict(RunStatus.choices).get(m[1], m[1])}
    if m := re.fullmatch(r"as run (\d+)", detail):
        return _("as run #%(n)s") % {"n": m[1]}
    if m := re.fullmatch(r"kept (\d+) days", detail):
        return _("kept %(n)s days") % {"n": m[1]}
    return detail
