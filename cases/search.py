"""Finding a resident: by RRN (blind index), phone, birth date, or a name with typos.

A Hangul name is folded to jamo, so one wrong vowel costs one letter; a romanised name is read
into matching's stored form (``Resident.name_key``: surname key and given name, in any order or
spelling: ``Rhee Soonja`` = ``Lee Soon-ja`` = 이순자). rapidfuzz scores the candidates of the
user's scope, which a birth year narrows further.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date
from functools import cache

from django.db.models import QuerySet
from jamo import h2j, j2hcj
from rapidfuzz import fuzz, process

from bigcare import crypto, rrn
from matching.models import Resident

MAX_RESULTS = 20
# A centre holds some tens of thousands of residents; names are scored in memory, so the
# candidate set is capped (a birth year narrows it to a few hundred).
MAX_CANDIDATES = 20000
SCORE_CUTOFF = 70

_HANGUL = re.compile(r"[\uac00-\ud7a3]")
_DATE = re.compile(r"^(\d{4})[-./]?(\d{2})[-./]?(\d{2})$")
_PHONE = re.compile(r"^0\d{8,10}$")


@cache
def _jamo_table() -> dict[int, str]:
    """``j2hcj(h2j(c))`` for every Hangul syllable and jamo, for ``str.translate``.

    Both are per-character maps, so one table gives the same result ~100× faster: a name search
    folds every name of the user's centres (thousands) on each request.
    """
    table = {}
    for code in [*range(0xAC00, 0xD7A4), *range(0x1100, 0x1200)]:
        try:
            folded = j2hcj(h2j(chr(code)))
        except Exception:  # noqa: S112 (a nameless jamo: leave it as it is)
            continue
        if folded != chr(code):
            table[code] = folded
    return table


def comparable(name: str) -> str:
    """A form in which 김영희, 김영히 and 김 영희 are close: jamo for Hangul, letters for Latin."""
    name = re.sub(r"[\s\-.,·]", "", name)
    if _HANGUL.search(name):
        return name.translate(_jamo_table())
    return re.sub(r"[^a-z]", "", name.lower())


_STRIP_KEEP_LINES = re.compile(r"[^\S\n]|[\-.,·]")


def comparable_many(names: list[str]) -> list[str]:
    """``comparable`` of every name, folded as one text: a name search folds every name of the
    user's centres (thousands) on each request, and one pass costs a fraction of a call each."""
    if not names:
        return []
    clean = [n.replace("\n", "") for n in names]
    plain = _STRIP_KEEP_LINES.sub("", "\n".join(clean))
    lines = plain.split("\n")
    folded = plain.translate(_jamo_table()).split("\n")
    # A line without Hangul syllables is folded as Latin, one by one (rare).
    return [f if _HANGUL.search(p) else comparable(p) for f, p in zip(folded, lines, strict=True)]


@dataclass
class Query:
    kind: str  # "rrn", "phone", "birth_date", "name", "" when nothing was asked
    text: str
    birth_year: int | None = None

    def describe(self) -> str:
        """What the access log keeps: never the RRN itself."""
        if self.kind == "rrn":
            return "rrn=" + rrn.mask(self.text)
        year = f" year={self.birth_year}" if self.birth_year else ""
        return f"{self.kind}={self.text}{year}"[:300]


def holds_rrn(text: str) -> bool:
    """Whether a full identity number is in ``text``, in any spelling ``redact_rrns`` knows."""
    return rrn.redact_rrns(text) != text


def parse_query(text: str, birth_year: int | None = None) -> Query:
    text = (text or "").strip()
    digits = re.sub(r"\D", "", rrn.ascii_digits(text))
    if len(digits) == 13 and holds_rrn(text):  # any spelling: 500101 2345672, full-width, …
        return Query("rrn", digits, birth_year)
    match = _DATE.match(text)
    if match:
        return Query("birth_date", "-".join(match.groups()), birth_year)
    if _PHONE.match(re.sub(r"[\s\-]", "", text)):
        return Query("phone", digits, birth_year)
    if text:
        return Query("name", text, birth_year)
    return Query("", "", birth_year)


def search(scope: QuerySet[Resident], query: Query) -> list[Resident]:
    """Residents of ``scope`` matching the query, best first, at most MAX_RESULTS."""
    qs = scope.select_related("home_centre")
    if query.birth_year:
        qs = qs.filter(birth_date__year=query.birth_year)
    if query.kind == "rrn":
        return list(qs.filter(rrn_index=crypto.blind_index(query.text))[:MAX_RESULTS])
    if query.kind == "phone":
        return list(qs.filter(phone=query.text)[:MAX_RESULTS])
    if query.kind == "birth_date":
        try:
            born = date.fromisoformat(query.text)
        except ValueError:
            return []
        return list(qs.filter(birth_date=born).order_by("name")[:MAX_RESULTS])
    if query.kind == "name":
        return _by_name(qs, query.text)
    return []


def _latin_form(name: str) -> str:
    """A romanised query in the form matching stores as ``Resident.name_key``: surname key and
    given name, whatever order and spelling (``Younghee Rhee`` = ``Lee Young-hee``)."""
    from matching.actions import forms_name_key

    return forms_name_key(name)


def _by_name(qs: QuerySet[Resident], name: str) -> list[Resident]:
    latin = not _HANGUL.search(name)
    wanted = _latin_form(name) if latin else comparable(name)
    if not wanted.strip():
        return []
    if latin:
        # Matching's stored romanised form; a profile not yet linked falls back to romanising.
        rows = list(qs.values_list("pk", "name_key", "name")[:MAX_CANDIDATES])
        forms = [key or _latin_form(n) for _, key, n in rows]
    else:
        rows = list(qs.values_list("pk", "name")[:MAX_CANDIDATES])
        forms = comparable_many([n for _, n in rows])
    hits = process.extract(
        wanted, forms, scorer=fuzz.ratio, score_cutoff=SCORE_CUTOFF, limit=MAX_RESULTS
    )
    order = [rows[i][0] for _, _, i in hits]
    found = qs.in_bulk(order)
    return [found[pk] for pk in order if pk in found]
