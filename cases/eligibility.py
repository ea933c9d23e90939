"""Eligibility screening on whole columns: who looks eligible for which programme.

The rules are data (``fixtures/programme_rules.toml``, then the ``ProgrammeRule`` rows an
administrator edits); this module only knows the few *kinds* of test they use. No Django here:
the screening runs over a frame of every resident at once, so 1 M residents is a numpy job.
"""

from __future__ import annotations

import tomllib
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

RULES_TOML = Path(__file__).resolve().parent.parent / "fixtures" / "programme_rules.toml"

ELIGIBLE, NOT_ELIGIBLE, UNKNOWN = "eligible", "not_eligible", "unknown"
TESTS = {"income_vs_median", "income_vs_amount", "age_only"}
MISSING_LABELS = ("birth_date", "household_size", "recognised_income", "disability")


@dataclass(frozen=True)
class Rule:
    programme: str
    name_ko: str
    name_en: str
    test: str
    valid_from: date
    valid_to: date | None = None
    confidence: str = "V"
    params: dict[str, Any] = field(default_factory=dict)
    note: str = ""

    def __post_init__(self):
        if self.test not in TESTS:
            raise ValueError(f"rule {self.programme}: unknown test {self.test!r}")

    def applies_on(self, on: date) -> bool:
        return self.valid_from <= on and (self.valid_to is None or on < self.valid_to)

    def param(self, name: str, default: Any = None) -> Any:
        return self.params.get(name, default)


@dataclass(frozen=True)
class Rules:
    """The rules in force on one date, with that year's median income table."""

    on: date
    year: int
    median: tuple[int, ...]  # household sizes 1..7
    rules: tuple[Rule, ...]

    def median_for(self, size: np.ndarray) -> np.ndarray:
        """기준중위소득 per household size; 8 or more add (7p − 6p) per extra person."""
        table = np.asarray(self.median, dtype=np.int64)
        size = np.asarray(size, dtype=np.int64)
        capped = np.clip(size, 1, len(table))
        extra = np.maximum(size - len(table), 0)
        return table[capped - 1] + extra * (table[-1] - table[-2])

    def line(self, size: np.ndarray, percent: float) -> np.ndarray:
        """The selection line, ``round(median × percent %)`` half-up to the won as MOHW does."""
        scaled = self.median_for(size) * int(round(percent * 100))
        return (scaled + 5_000) // 10_000


def load_toml(path: Path = RULES_TOML) -> tuple[dict[int, tuple[int, ...]], list[Rule]]:
    data = tomllib.loads(path.read_text(encoding="utf-8"))
    medians = {int(t["year"]): tuple(int(a) for a in t["amounts"]) for t in data["median_income"]}
    known = {
        "programme",
        "name_ko",
        "name_en",
        "test",
        "valid_from",
        "valid_to",
        "confidence",
        "note",
    }
    rules = [
        Rule(
            programme=r["programme"],
            name_ko=r["name_ko"],
            name_en=r["name_en"],
            test=r["test"],
            valid_from=r["valid_from"],
            valid_to=r.get("valid_to"),
            confidence=r.get("confidence", "V"),
            note=r.get("note", ""),
            params={k: v for k, v in r.items() if k not in known},
        )
        for r in data["rule"]
    ]
    return medians, rules


def rules_on(on: date, medians: dict[int, tuple[int, ...]], rules: list[Rule]) -> Rules:
    """Pick the rules valid on ``on`` and the median table of the latest year not after it."""
    years = [y for y in medians if y <= on.year]
    if not years:
        raise LookupError(f"no median income table for {on.year} or earlier")
    year = max(years)
    return Rules(on, year, medians[year], tuple(r for r in rules if r.applies_on(on)))


# The columns screening reads. Unknown values are NA: they make a programme "unknown" only where
# the rule needs them.
INPUT_COLUMNS = {
    "resident_id": "int64",
    "birth_date": "datetime64[s]",
    "household_size": "Int64",
    "recognised_income": "Int64",
    "disability": "string",  # "severe", "mild", "none" or NA
    "couple": "boolean",  # lives with a spouse (basic and disability pension lines)
    "crisis": "bool",  # has a current crisis signal
}


def _age_years(birth: np.ndarray, on: date) -> np.ndarray:
    """Age in whole years on ``on`` (birthday counted from the day itself); NaN where unknown."""
    b = pd.DatetimeIndex(birth)
    years = on.year - b.year
    before_birthday = (b.month > on.month) | ((b.month == on.month) & (b.day > on.day))
    return np.where(b.isna(), np.nan, years - before_birthday.astype(int))


def _age_months(birth: np.ndarray, on: date) -> np.ndarray:
    b = pd.DatetimeIndex(birth)
    months = (on.year - b.year) * 12 + (on.month - b.month) - (b.day > on.day).astype(int)
    return np.where(b.isna(), np.nan, months)


@dataclass
class Inputs:
    """Screening's inputs as plain arrays, one element per resident; ``*_known`` false is NA."""

    ids: np.ndarray
    birth: np.ndarray  # datetime64[s], NaT unknown
    size_known: np.ndarray
    size: np.ndarray
    income_known: np.ndarray
    income: np.ndarray
    disability_known: np.ndarray
    disability: np.ndarray  # object: "severe", "mild", "none", "" when unknown
    couple_known: np.ndarray
    couple: np.ndarray
    crisis: np.ndarray

    @classmethod
    def from_frame(cls, people: pd.DataFrame) -> Inputs:
        disability = people["disability"].astype("string")
        return cls(
            ids=people["resident_id"].to_numpy(np.int64),
            birth=people["birth_date"].to_numpy(),
            size_known=people["household_size"].notna().to_numpy(),
            size=people["household_size"].fillna(1).to_numpy(np.int64),
            income_known=people["recognised_income"].notna().to_numpy(),
            income=people["recognised_income"].fillna(0).to_numpy(np.int64),
            disability_known=disability.notna().to_numpy(),
            disability=disability.fillna("").to_numpy(dtype=object),
            couple_known=people["couple"].notna().to_numpy(),
            couple=people["couple"].fillna(False).to_numpy(bool),
            crisis=people["crisis"].to_numpy(bool),
        )

    @classmethod
    def one(
        cls,
        resident_id: int,
        birth_date: date | None,
        household_size: int | None,
        recognised_income: int | None,
        disability: str | None,
        couple: bool | None,
        crisis: bool,
    ) -> Inputs:
        """One resident, without a frame: the one-stop page screens one person per request,
        where building a frame would cost more than the screening itself."""

        def known(v: Any) -> np.ndarray:
            return np.array([v is not None])

        return cls(
            ids=np.array([resident_id], np.int64),
            birth=np.array([birth_date if birth_date else "NaT"], "datetime64[s]"),
            size_known=known(household_size),
            size=np.array([household_size or 1], np.int64),
            income_known=known(recognised_income),
            income=np.array([recognised_income or 0], np.int64),
            disability_known=known(disability),
            disability=np.array([disability or ""], object),
            couple_known=known(couple),
            couple=np.array([bool(couple)]),
            crisis=np.array([bool(crisis)]),
        )


@dataclass
class Outcome:
    """One rule's result over the inputs: who is eligible or unknown, and the figures an
    explanation needs."""

    rule: Rule
    eligible: np.ndarray
    unknown: np.ndarray
    missing: list[np.ndarray]  # per MISSING_LABELS: that datum is why the result is unknown
    line: np.ndarray
    percent: float


def screen_arrays(inp: Inputs, rules: Rules) -> list[Outcome]:
    """Every rule over every resident, on arrays: the one implementation of the tests."""
    n = len(inp.ids)
    age = _age_years(inp.birth, rules.on)
    age_months = _age_months(inp.birth, rules.on)
    age_known = ~np.isnan(age)
    size, income, couple = inp.size, inp.income, inp.couple
    out = []
    for rule in rules.rules:
        candidate = np.ones(n, bool)  # categorically a candidate (age, disability, crisis)
        undecided = np.zeros(n, bool)  # a categorical condition is unknown
        missing = [np.zeros(n, bool) for _ in range(4)]  # birth date, size, income, disability
        if rule.param("min_age") is not None or rule.param("max_age") is not None:
            lo, hi = rule.param("min_age", 0), rule.param("max_age", 200)
            candidate &= ~age_known | ((age >= lo) & (age <= hi))
            undecided |= ~age_known
            missing[0] |= ~age_known
        if rule.param("max_age_months") is not None:
            candidate &= ~age_known | (
                (age_months >= 0) & (age_months <= rule.param("max_age_months"))
            )
            undecided |= ~age_known
            missing[0] |= ~age_known
        if rule.param("disability"):
            wanted = inp.disability == rule.param("disability")
            candidate &= ~inp.disability_known | wanted
            undecided |= ~inp.disability_known
            missing[3] |= ~inp.disability_known
        if rule.param("requires_crisis"):
            candidate &= inp.crisis

        percent = np.nan
        if rule.test == "age_only":
            line = np.zeros(n, np.int64)
            passes = np.ones(n, bool)
            needs_money = np.zeros(n, bool)
        elif rule.test == "income_vs_median":
            percent = float(rule.param("percent"))
            line = rules.line(size, percent)
            passes = income <= line
            needs_money = ~(inp.size_known & inp.income_known)
            missing[1] |= ~inp.size_known
            missing[2] |= ~inp.income_known
        else:  # income_vs_amount: a fixed single/couple line (basic and disability pension)
            line = np.where(couple, rule.param("couple"), rule.param("single")).astype(np.int64)
            passes = income <= line
            # Unknown couple status decides nothing when income is under the single line.
            couple_matters = (
                ~inp.couple_known
                & (income > rule.param("single"))
                & (income <= rule.param("couple"))
            )
            needs_money = ~inp.income_known | couple_matters
            missing[2] |= ~inp.income_known

        decided_fail = ~needs_money & ~passes
        eligible = candidate & ~undecided & ~needs_money & passes
        unknown = candidate & ~decided_fail & ~eligible
        out.append(Outcome(rule, eligible, unknown, missing, line, percent))
    return out


def screen(
    people: pd.DataFrame,
    rules: Rules,
    include_unknown: bool = True,
    on_unknown: Callable[[str, np.ndarray], None] | None = None,
) -> pd.DataFrame:
    """Screen every resident against every rule.

    Returns one row per (resident, programme) that is eligible or unknown — "not eligible" is the
    silent default, which keeps 1 M residents × a dozen programmes small; the nightly run leaves
    out "unknown" too (``include_unknown=False``) and counts it instead. Columns: resident_id,
    programme, status, missing (the data that would decide it), and the figures an explanation
    needs: household_size, income, line, percent.
    """
    inp = Inputs.from_frame(people)
    parts = []
    for o in screen_arrays(inp, rules):
        if on_unknown is not None:
            on_unknown(o.rule.programme, o.unknown)
        keep = o.eligible | (o.unknown if include_unknown else False)
        if not keep.any():
            continue
        flags = [m[keep] & o.unknown[keep] for m in o.missing]
        text = pd.Series("", index=range(int(keep.sum())), dtype=object)
        for label, flag in zip(MISSING_LABELS, flags, strict=True):
            text = text + np.where(flag, label + ",", "")
        parts.append(
            pd.DataFrame(
                {
                    "resident_id": inp.ids[keep],
                    "programme": o.rule.programme,
                    "status": np.where(o.eligible[keep], ELIGIBLE, UNKNOWN),
                    "missing": text.str.rstrip(",").to_numpy(),
                    "household_size": np.where(inp.size_known[keep], inp.size[keep], 0),
                    "income": np.where(inp.income_known[keep], inp.income[keep], -1),
                    "line": o.line[keep],
                    "percent": o.percent,
                }
            )
        )
    if not parts:
        return pd.DataFrame(
            columns=[
                "resident_id",
                "programme",
                "status",
                "missing",
                "household_size",
                "income",
                "line",
                "percent",
            ]
        )
    return pd.concat(parts, ignore_index=True)


def blind_spots(
    screened: pd.DataFrame, receives: pd.DataFrame, crisis_ids: np.ndarray | None = None
) -> pd.DataFrame:
    """Eligible rows for a programme the resident receives from no source, with a priority.

    ``receives`` has columns resident_id, programme (any active enrolment from any source).
    Priority: 2 with a crisis signal, 1 otherwise — crisis households are visited first.
    """
    eligible = screened[screened["status"] == ELIGIBLE]
    merged = eligible.merge(
        receives[["resident_id", "programme"]].drop_duplicates(),
        how="left",
        on=["resident_id", "programme"],
        indicator=True,
    )
    out = merged[merged["_merge"] == "left_only"].drop(columns="_merge").reset_index(drop=True)
    crisis = (
        np.zeros(len(out), bool)
        if crisis_ids is None
        else np.isin(out["resident_id"].to_numpy(), crisis_ids)
    )
    out["priority"] = np.where(crisis, 2, 1)
    return out
