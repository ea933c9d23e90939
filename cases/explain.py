"""Plain-language explanations of a screening result, rendered per language from the stored
figures (issue 6 §2): "2-person household, recognised income ₩1,210,000 ≤ 32 % of 2026 median
₩1,343,773". Nothing here reads the database."""

from __future__ import annotations

from dataclasses import dataclass

from django.utils.translation import get_language
from django.utils.translation import gettext as _

from cases.eligibility import ELIGIBLE, NOT_ELIGIBLE, UNKNOWN


def won(n: int) -> str:
    return f"₩{int(n):,}"


def programme_name(meta: dict) -> str:
    if not meta:
        return ""
    return meta["name_en"] if (get_language() or "ko").startswith("en") else meta["name_ko"]


MISSING = {
    "birth_date": lambda: _("birth date"),
    "household_size": lambda: _("household size"),
    "recognised_income": lambda: _("recognised income"),
    "disability": lambda: _("disability grade"),
}


def explain(
    meta: dict,
    status: str,
    *,
    household_size: int = 0,
    income: int = -1,
    line: int = 0,
    percent: float | None = None,
    missing: str = "",
    crisis: bool = False,
    couple: bool | None = None,
) -> str:
    """One sentence. ``meta`` is the rule as kept with its run (screening.rules_meta)."""
    test = meta.get("test", "")
    params = meta.get("params", {})
    if status == UNKNOWN:
        fields = ", ".join(MISSING[m]() for m in missing.split(",") if m in MISSING)
        if not fields and test == "income_vs_amount":
            fields = _("whether the resident lives with a spouse")
        return _("Cannot decide yet: missing %(fields)s") % {"fields": fields or "—"}
    if income < 0 and test != "age_only" and status == NOT_ELIGIBLE:
        return _("Not in the programme's group (age, disability or crisis)")
    ok = status == ELIGIBLE
    if test == "income_vs_median":
        pct = int(percent) if percent is not None and float(percent).is_integer() else percent
        values = {
            "size": household_size,
            "income": won(income),
            "percent": pct,
            "year": meta.get("year", ""),
            "line": won(line),
        }
        text = (
            _(
                "%(size)s-person household, recognised income %(income)s ≤ %(percent)s %% "
                "of %(year)s median %(line)s"
            )
            if ok
            else _(
                "%(size)s-person household, recognised income %(income)s > %(percent)s %% "
                "of %(year)s median %(line)s"
            )
        ) % values
    elif test == "income_vs_amount":
        is_couple = (
            couple
            if couple is not None
            else (line == params.get("couple") and line != params.get("single"))
        )
        kind = _("couple") if is_couple else _("single")
        values = {"income": won(income), "kind": kind, "line": won(line)}
        text = (
            _("Recognised income %(income)s ≤ the %(kind)s line %(line)s")
            if ok
            else _("Recognised income %(income)s > the %(kind)s line %(line)s")
        ) % values
    else:
        text = (
            _("Age within the programme's range; no income test")
            if ok
            else _("Not in the programme's age range")
        )
    if crisis and ok and params.get("requires_crisis"):
        text += " · " + _("crisis signal on file")
    return text


@dataclass
class Verdict:
    """One programme's outcome for one resident, for the one-stop page."""

    programme: str
    name: str
    status: str
    text: str
    unverified: bool
    receiving: bool
