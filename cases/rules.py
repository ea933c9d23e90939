"""Programme rules as versioned rows: loaded from fixtures/programme_rules.toml, edited by data
administrators with effective dates, read back as ``cases.eligibility.Rules`` (issue 6 §1).

Nothing is overwritten: an edit adds a version; the version it replaces keeps its figures and
gets ``replaced_at``. Screening and every page read the live versions only.
"""

from __future__ import annotations

import time
from datetime import date
from pathlib import Path
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from bigcare.access import active_roles
from bigcare.audit import record_admin_event
from bigcare.models import AdminAction, Role
from cases.eligibility import RULES_TOML, TESTS, Rule, Rules, load_toml, rules_on
from cases.models import Confidence, MedianIncome, ProgrammeRule

# Parameters each kind of test needs, and which are numbers: validated on every edit.
REQUIRED = {
    "income_vs_median": ("percent",),
    "income_vs_amount": ("single", "couple"),
    "age_only": (),
}
NUMERIC = {"percent", "single", "couple", "min_age", "max_age", "max_age_months"}
KNOWN = NUMERIC | {"disability", "requires_crisis", "blind_spot"}


def load_rules(path: Path = RULES_TOML) -> tuple[int, int]:
    """Add the TOML's median tables and rules that the database lacks. Idempotent: a
    (year, size) or (programme, valid_from) already present, in any version, is left alone, so
    an administrator's later edit is never undone by a reload. Returns (medians, rules) added."""
    medians, rules = load_toml(path)
    have_m = set(MedianIncome.objects.values_list("year", "household_size"))
    new_m = [
        MedianIncome(year=y, household_size=i + 1, amount=a, source="programme_rules.toml")
        for y, amounts in medians.items()
        for i, a in enumerate(amounts)
        if (y, i + 1) not in have_m
    ]
    have_r = set(ProgrammeRule.objects.values_list("programme", "valid_from"))
    new_r = [
        ProgrammeRule(
            programme=r.programme,
            name_ko=r.name_ko,
            name_en=r.name_en,
            test=r.test,
            params=r.params,
            valid_from=r.valid_from,
            valid_to=r.valid_to,
            confidence=r.confidence,
            note=r.note,
        )
        for r in rules
        if (r.programme, r.valid_from) not in have_r
    ]
    with transaction.atomic():
        MedianIncome.objects.bulk_create(new_m)
        ProgrammeRule.objects.bulk_create(new_r)
    forget_rules()  # bulk_create sends no post_save
    return len(new_m), len(new_r)


def live_rules() -> list[ProgrammeRule]:
    return list(ProgrammeRule.objects.live().order_by("programme", "-valid_from"))


def _to_rule(row: ProgrammeRule) -> Rule:
    return Rule(
        programme=row.programme,
        name_ko=row.name_ko,
        name_en=row.name_en,
        test=row.test,
        valid_from=row.valid_from,
        valid_to=row.valid_to,
        confidence=row.confidence,
        params=dict(row.params),
        note=row.note,
    )


def rules_from_rows(
    on: date, medians: list[tuple[int, int, int]], rows: list[ProgrammeRule]
) -> Rules:
    """``rules_on`` fed from database rows: per programme the live version with the latest start
    not after ``on``; a table year needs all 7 sizes."""
    table: dict[int, dict[int, int]] = {}
    for year, size, amount in medians:
        table.setdefault(year, {})[size] = amount
    complete = {
        y: tuple(s[i] for i in range(1, 8))
        for y, s in table.items()
        if all(i in s for i in range(1, 8))
    }
    chosen: dict[str, Rule] = {}
    for row in sorted(rows, key=lambda r: (r.programme, r.valid_from)):
        rule = _to_rule(row)
        if rule.applies_on(on):
            chosen[row.programme] = rule  # later starts win
    return rules_on(on, complete, list(chosen.values()))


def rules_from_db(on: date | None = None) -> Rules:
    """The rules in force on ``on`` (today by default): two queries."""
    on = on or timezone.localdate()
    medians = list(MedianIncome.objects.live().values_list("year", "household_size", "amount"))
    return rules_from_rows(on, medians, live_rules())


# The one-stop page screens every resident it shows against the rules in force; they change a
# few times a year, so each process keeps them for a minute rather than reading and building them
# on every page. An edit in this process drops them at once (``forget_rules``); other processes
# see it within RULES_TTL seconds. Batch screening always reads them fresh (``rules_from_db``).
RULES_TTL = 60.0
_kept: dict[date, tuple[float, Rules | None]] = {}


def rules_in_force(on: date | None = None) -> Rules | None:
    """``rules_from_db(on)``, kept per process for up to RULES_TTL seconds; None while no
    median income table covers ``on`` (nothing can be screened)."""
    on = on or timezone.localdate()
    now = time.monotonic()
    found = _kept.get(on)
    if found is None or now - found[0] > RULES_TTL:
        try:
            rules = rules_from_db(on)
        except LookupError:
            rules = None
        if len(_kept) > 8:  # one date a day is asked, mostly today: drop the old ones
            _kept.clear()
        found = _kept[on] = (now, rules)
    return found[1]


def forget_rules(**kwargs) -> None:
    """Drop the kept rules (also a signal receiver for rule and median table writes)."""
    _kept.clear()


def _clean_params(test: str, params: dict[str, Any]) -> dict[str, Any]:
    if test not in TESTS:
        raise ValidationError(f"unknown test {test!r}")
    unknown = set(params) - KNOWN
    if unknown:
        raise ValidationError(f"unknown parameters: {', '.join(sorted(unknown))}")
    missing = [k for k in REQUIRED[test] if params.get(k) in (None, "")]
    if missing:
        raise ValidationError(f"{test} needs {', '.join(missing)}")
    out = dict(params)
    for k in NUMERIC & set(params):
        v = params[k]
        if isinstance(v, bool) or not isinstance(v, int | float) or v < 0:
            raise ValidationError(_("Amounts, percentages and ages must be 0 or more."))
    if "percent" in out and not 0 < out["percent"] <= 200:
        raise ValidationError(_("The share of the median must be above 0 and at most 200 %."))
    if "single" in out and "couple" in out and out["couple"] < out["single"]:
        raise ValidationError(_("The line for a couple is below the line for a single person."))
    if (
        out.get("min_age") is not None
        and out.get("max_age") is not None
        and out["min_age"] > out["max_age"]
    ):
        raise ValidationError(_("The minimum age is above the maximum age."))
    return out


def may_edit_rules(user) -> bool:
    """Data administrators (the role group holds the permission); never by superuser status
    alone, like every other scope in Big Care."""
    return bool(user.is_authenticated and user.is_active and Role.DATA_ADMIN in active_roles(user))


def _rule_summary(rule: ProgrammeRule) -> dict[str, Any]:
    return {
        "programme": rule.programme,
        "version": rule.version,
        "params": rule.params,
        "valid_from": rule.valid_from.isoformat(),
        "valid_to": rule.valid_to.isoformat() if rule.valid_to else None,
        "confidence": rule.confidence,
        "note": rule.note,
    }


@transaction.atomic
def edit_rule(
    rule: ProgrammeRule,
    *,
    acting_user,
    params: dict[str, Any],
    valid_from: date,
    valid_to: date | None = None,
    confidence: str | None = None,
    note: str = "",
) -> ProgrammeRule:
    """A new version of ``rule``. Same start: it replaces ``rule``. A later start: it adds the
    next period and ``rule`` stays in force before it. An earlier start is refused (it would
    silently rewrite screenings already made)."""
    user = acting_user
    if not may_edit_rules(user):
        raise PermissionDenied("only data administrators edit programme rules")
    rule = ProgrammeRule.objects.select_for_update().get(pk=rule.pk)
    if rule.replaced_at is not None:
        raise ValidationError(_("This version was already replaced: edit the one in force."))
    if valid_from < rule.valid_from:
        raise ValidationError(_("A new version cannot start before the one it follows."))
    if valid_to is not None and valid_to <= valid_from:
        raise ValidationError(_("The end date must be after the start date."))
    confidence = confidence or rule.confidence
    if confidence not in Confidence.values:
        raise ValidationError(f"unknown confidence {confidence!r}")
    params = _clean_params(rule.test, params)
    same_start = ProgrammeRule.objects.live().filter(
        programme=rule.programme, valid_from=valid_from
    )
    last = (
        ProgrammeRule.objects.filter(programme=rule.programme, valid_from=valid_from)
        .order_by("-version")
        .first()
    )
    new = ProgrammeRule.objects.create(
        programme=rule.programme,
        name_ko=rule.name_ko,
        name_en=rule.name_en,
        test=rule.test,
        params=params,
        valid_from=valid_from,
        valid_to=valid_to,
        confidence=confidence,
        note=note[:300],
        version=(last.version + 1) if last else 1,
        created_by=user,
    )
    same_start.exclude(pk=new.pk).update(replaced_at=timezone.now(), replaced_by=new)
    record_admin_event(
        user, AdminAction.EDIT_RULE, new, before=_rule_summary(rule), after=_rule_summary(new)
    )
    return new


@transaction.atomic
def edit_median(year: int, household_size: int, amount: int, *, acting_user) -> MedianIncome:
    """A new version of one median figure (a year's table is seven of these)."""
    user = acting_user
    if not may_edit_rules(user):
        raise PermissionDenied("only data administrators edit the median income table")
    if not 1 <= household_size <= 7:
        raise ValidationError(_("Household size is 1 to 7 (8 or more are derived)."))
    if amount <= 0:
        raise ValidationError(_("The median must be above 0."))
    current = (
        MedianIncome.objects.select_for_update()
        .filter(year=year, household_size=household_size)
        .order_by("-version")
    )
    last = current.first()
    new = MedianIncome.objects.create(
        year=year,
        household_size=household_size,
        amount=amount,
        version=(last.version + 1) if last else 1,
        source="edited",
        created_by=user,
    )
    current.live().exclude(pk=new.pk).update(replaced_at=timezone.now())
    record_admin_event(
        user,
        AdminAction.EDIT_MEDIAN,
        new,
        before={
            "year": year,
            "household_size": household_size,
            "amount": last.amount,
            "version": last.version,
        }
        if last
        else None,
        after={
            "year": year,
            "household_size": household_size,
            "amount": amount,
            "version": new.version,
        },
    )
    return new
