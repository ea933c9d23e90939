"""The access log and the audit trail read in Korean (issue 16 §4).

Rows keep their ``detail`` as written (the log is append-only, and a stable English key is what
a query or an export filters on); the auditor's screens and exports show it through
``LogText.detail``, which turns each known shape into a sentence with names instead of codes.
A shape it does not know is shown as written.
"""

from __future__ import annotations

import re
from collections.abc import Callable

from django.utils.translation import gettext as _

from bigcare.models import CommunityCentre, District, Role

SEARCH_KINDS = {
    "name": lambda: _("name"),
    "rrn": lambda: _("RRN"),
    "phone": lambda: _("phone"),
    "birth_date": lambda: _("birth date"),
}


class _Names:
    """Centre and district names by code, read once per screen on first need (not per row)."""

    def __init__(self) -> None:
        self._centres: dict[str, str] | None = None
        self._districts: dict[str, str] | None = None

    def centre(self, code: str) -> str:
        if self._centres is None:
            rows = CommunityCentre.objects.values_list("code", "district__name_ko", "name_ko")
            self._centres = {c: f"{d} {n}" for c, d, n in rows}
        return self._centres.get(code, code)

    def district(self, code: str) -> str:
        if self._districts is None:
            self._districts = dict(District.objects.values_list("code", "name_ko"))
        return self._districts.get(code, code)


def _search(m: re.Match, names: _Names) -> str:
    kind = SEARCH_KINDS.get(m["kind"], lambda: m["kind"])()
    year = _(", born %(y)s") % {"y": m["year"]} if m["year"] else ""
    return _("Search by %(kind)s: %(text)s%(year)s") % {
        "kind": kind,
        "text": m["text"],
        "year": year,
    }


def _export_kind(suffix: str | None) -> str:
    return {" xlsx": " (Excel)", " pdf": " (PDF)"}.get(suffix or "", "")


# (pattern, sentence): the shapes written by the views (grep "detail=" to find them).
SHAPES: list[tuple[re.Pattern, Callable[[re.Match, _Names], str]]] = [
    (
        re.compile(r"worklist centre=(?P<code>\d+)"),
        lambda m, names: _("Worklist of %(centre)s") % {"centre": names.centre(m["code"])},
    ),
    (
        re.compile(r"(?P<kind>name|rrn|phone|birth_date)=(?P<text>.*?)(?: year=(?P<year>\d+))?"),
        _search,
    ),
    (
        re.compile(r"visit (?P<n>\d+)(?P<health> with health notes)?"),
        lambda m, names: (
            (_("Visit #%(n)s with health notes") if m["health"] else _("Visit #%(n)s"))
            % {"n": m["n"]}
        ),
    ),
    (
        re.compile(r"referral (?P<n>\d+) of case (?P<c>\d+)"),
        lambda m, names: _("Referral #%(n)s of case #%(c)s") % {"n": m["n"], "c": m["c"]},
    ),
    (re.compile(r"case (?P<n>\d+)"), lambda m, names: _("Case #%(n)s") % {"n": m["n"]}),
    (
        re.compile(r"eligibility report (?P<n>\d+)(?P<kind> xlsx| pdf)?"),
        lambda m, names: _("Eligibility report #%(n)s") % {"n": m["n"]} + _export_kind(m["kind"]),
    ),
    (
        re.compile(r"access log (?P<kind>xlsx)"),
        lambda m, names: _("Access log") + _export_kind(" " + m["kind"]),
    ),
    (
        re.compile(r"import run (?P<n>\d+) \((?P<src>[\w-]+)\): (?P<k>\d+) rejected rows shown"),
        lambda m, names: (
            _("Import run #%(n)s (%(src)s): %(k)s rejected rows shown")
            % {"n": m["n"], "src": m["src"], "k": m["k"]}
        ),
    ),
    (
        re.compile(r"rejected rows of import run (?P<n>\d+) \((?P<src>[\w-]+), (?P<k>\d+) rows\)"),
        lambda m, names: (
            _("Rejected rows of import run #%(n)s (%(src)s, %(k)s rows)")
            % {"n": m["n"], "src": m["src"], "k": m["k"]}
        ),
    ),
    (
        re.compile(r"record links of sources (?P<src>.*)"),
        lambda m, names: _("Record links of sources %(src)s") % {"src": m["src"]},
    ),
    (re.compile(r"review queue"), lambda m, names: _("Review queue")),
    (
        re.compile(r"review item (?P<n>\d+): (?P<d>same|different)"),
        lambda m, names: (
            (_("Review #%(n)s: same person") if m["d"] == "same" else _("Review #%(n)s: different"))
            % {"n": m["n"]}
        ),
    ),
    (
        re.compile(r"merge (?P<a>\d+) into (?P<b>\d+)"),
        lambda m, names: _("Merged resident #%(a)s into #%(b)s") % {"a": m["a"], "b": m["b"]},
    ),
    (re.compile(r"merge form"), lambda m, names: _("Merge form")),
    (
        re.compile(r"split (?P<k>\d+) records from (?P<n>\d+)"),
        lambda m, names: _("Split %(k)s records from resident #%(n)s") % {"k": m["k"], "n": m["n"]},
    ),
    (re.compile(r"split form"), lambda m, names: _("Split form")),
    (re.compile(r"change history"), lambda m, names: _("Change history")),
    (
        re.compile(r"undo change (?P<n>\d+)"),
        lambda m, names: _("Undid change #%(n)s") % {"n": m["n"]},
    ),
]


class LogText:
    """Describes the rows of one screen or export; names are read once, on first need."""

    def __init__(self, value_labels: dict[str, dict[str, str]] | None = None) -> None:
        self.names = _Names()
        # Names for the codes of apps above this one (e.g. intake's agency kinds), by key.
        self.value_labels = value_labels or {}

    def detail(self, detail: str) -> str:
        for pattern, sentence in SHAPES:
            m = pattern.fullmatch(detail)
            if m:
                return sentence(m, self.names)
        return detail

    def snapshot(self, snapshot) -> list[tuple[str, str]]:
        return describe_snapshot(snapshot, self.names, self.value_labels)


# The keys of an audit snapshot (bigcare.audit) and how their values read.
SNAPSHOT_KEYS: dict[str, Callable[[], str]] = {
    "user": lambda: _("User"),
    "role": lambda: _("role"),
    "centre": lambda: _("Centre"),
    "district": lambda: _("District"),
    "started": lambda: _("started"),
    "ended": lambda: _("ended"),
    "source": lambda: _("Data source"),
    "code": lambda: _("Programme code"),
    "name_ko": lambda: _("Korean name"),
    "name_en": lambda: _("English name"),
    "agency": lambda: _("Agency"),
}


def describe_snapshot(
    snapshot, names: _Names, value_labels: dict[str, dict[str, str]] | None = None
) -> list[tuple[str, str]]:
    """An audit row's before/after as (label, value) pairs with names for codes; keys it does
    not know (a mapping's or a rule's own fields) keep their name, as typed by the editor."""
    if snapshot is None:
        return []
    if not isinstance(snapshot, dict):
        return [("", str(snapshot))]
    roles = dict(Role.choices)
    out = []
    for key, value in snapshot.items():
        if value is None:
            value = "—"
        elif key == "role":
            value = roles.get(value, value)
        elif key == "centre":
            value = names.centre(str(value))
        elif key == "district":
            value = names.district(str(value))
        elif key in (value_labels or {}):
            value = value_labels[key].get(value, value)
        label = SNAPSHOT_KEYS.get(key)
        out.append((label() if label else key, str(value)))
    return out
