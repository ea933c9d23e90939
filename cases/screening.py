"""Screening every resident at once: read a frame in four bulk queries, screen it with
``cases.eligibility``, write the eligible rows in bulk (issue 6 §2, DESIGN.md principle 4).

The read and write sides are the only places that touch the database, and they do it with raw
SQL over whole tables (COPY on PostgreSQL), never one resident at a time. SQL is composed only
from model table and column names (hence the S608 waivers), never from input.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, replace
from datetime import date

import numpy as np
import pandas as pd
from django.db import connection, transaction
from django.utils import timezone

from bigcare import bulk
from bigcare.models import CommunityCentre
from cases.eligibility import ELIGIBLE, Rules, screen
from cases.life_events import gone_sql
from cases.models import ScreeningCount, ScreeningResult, ScreeningRun
from cases.rules import rules_from_db
from intake.models import (
    CrisisSignal,
    DataSource,
    Enrollment,
    ImportRun,
    Programme,
    SourceRecord,
)
from matching.models import RecordLink, Resident

# Codes that are not a benefit: A00 is an income investigation on file (docs/synthetic-sources.md)
NOT_A_BENEFIT = {"A00"}
ADULT = 19
BATCH = 5000


def _t(model) -> str:
    return connection.ops.quote_name(model._meta.db_table)


# SELECTs come back as frames through the project's one bulk path.
read_frame = bulk.read_frame


def household_size(reported, grouped):
    """The household size screening uses (documented in docs/matching.md, "Households"): the
    sources' 가구원수, the household an agency assessed, when a current record gives one; else
    the residents in the dwelling (same unit key). Works on scalars and on Series alike."""
    if isinstance(reported, pd.Series):
        return reported.astype("Int64").fillna(grouped.astype("Int64"))
    return reported if reported is not None else grouped


def household_size_from_sources(records: list):
    """가구원수 of a resident's current records: the newest run's, the most trusted source first."""
    current = [r for r in records if r.status == "current"]
    ordered = sorted(current, key=lambda r: (-r.run.created_at.timestamp(), r.source.trust))
    return next((r.household_size for r in ordered if r.household_size is not None), None)


def grouped_sizes(household_key: pd.Series) -> pd.Series:
    """Residents in each one's household (same household key, matching.households), <NA>
    without a key."""
    key = household_key.fillna("").astype(str)
    sizes = key.map(key.value_counts()).astype("Int64")
    return sizes.where(key != "", pd.NA)


def derive_couple(
    birth: pd.Series, sex: pd.Series, address_key: pd.Series, household_size: pd.Series, on: date
) -> pd.Series:
    """Lives with a spouse, as honestly as the data allows: a 1-person household → False; an
    adult with an adult of the other sex at the same dwelling → True; anything else unknown."""
    n = len(birth)
    b = pd.to_datetime(birth, errors="coerce")
    age = (
        on.year
        - b.dt.year
        - ((b.dt.month > on.month) | ((b.dt.month == on.month) & (b.dt.day > on.day)))
    )
    adult = (age >= ADULT).fillna(False).to_numpy(bool)
    s = sex.fillna("").astype(str).to_numpy()
    key = address_key.fillna("").to_numpy(object)
    codes, _ = pd.factorize(key)
    has_addr = key != ""
    # Adults per dwelling and sex: bincount on (dwelling, sex) pairs.
    m = np.bincount(codes[adult & has_addr & (s == "M")], minlength=codes.max() + 1 if n else 0)
    f = np.bincount(codes[adult & has_addr & (s == "F")], minlength=codes.max() + 1 if n else 0)
    opposite = np.zeros(n, np.int64)
    if n:
        opposite = np.where(s == "M", f[codes], np.where(s == "F", m[codes], 0))
    out = pd.Series(pd.NA, index=birth.index, dtype="boolean")
    out[adult & has_addr & (opposite > 0)] = True
    out[(household_size == 1).fillna(False).to_numpy(bool)] = False
    return out


@dataclass
class Inputs:
    people: pd.DataFrame  # cases.eligibility.INPUT_COLUMNS + home_centre_id
    receives: pd.DataFrame  # resident_id, programme
    crisis_ids: np.ndarray


def _queries(on: date) -> dict[str, tuple]:
    """The four reads: (SQL, columns, params, types). Residents who died or moved out of Seoul
    (cases.life_events) are read, for their household's size, and flagged ``gone``; benefits
    count as received when active on ``on`` (start and end against that day, not as imported)."""
    gone, gone_params = gone_sql(f"{_t(Resident)}.id")
    end = connection.ops.quote_name("end")
    return {
        "residents": (
            # CAST: SQLite's driver would otherwise convert every date in Python, one by one.
            f"SELECT id, CAST(birth_date AS VARCHAR(10)), sex, household_key, "  # noqa: S608
            f"home_centre_id, CASE WHEN {gone} THEN 1 ELSE 0 END "
            f"FROM {_t(Resident)} WHERE active = %s",
            ["resident_id", "birth_date", "sex", "household_key", "home_centre_id", "gone"],
            [*gone_params, True],
            {
                "resident_id": "int64",
                "birth_date": "date",
                "home_centre_id": "int64",
                "gone": "int64",
            },
        ),
        "figures": (
            f"SELECT l.resident_id, r.household_size, r.recognised_income, "  # noqa: S608
            f"r.disability, s.kind, CAST(u.created_at AS VARCHAR(40)), s.trust "
            f"FROM {_t(RecordLink)} l JOIN {_t(SourceRecord)} r ON r.id = l.record_id "
            f"JOIN {_t(DataSource)} s ON s.id = r.source_id "
            f"JOIN {_t(ImportRun)} u ON u.id = r.run_id "
            f"WHERE r.status = %s AND (r.household_size IS NOT NULL "
            f"OR r.recognised_income IS NOT NULL OR s.kind = %s)",
            [
                "resident_id",
                "household_size",
                "recognised_income",
                "disability",
                "kind",
                "run_at",
                "trust",
            ],
            ["current", "ministry"],
            {
                "resident_id": "int64",
                "household_size": "int64",
                "recognised_income": "int64",
                "trust": "int64",
            },
        ),
        "crisis": (
            f"SELECT DISTINCT l.resident_id FROM {_t(CrisisSignal)} c "  # noqa: S608
            f"JOIN {_t(SourceRecord)} r ON r.id = c.record_id "
            f"JOIN {_t(RecordLink)} l ON l.record_id = c.record_id WHERE r.status = %s",
            ["resident_id"],
            ["current"],
            {"resident_id": "int64"},
        ),
        "receives": (
            f"SELECT DISTINCT l.resident_id, p.code FROM {_t(Enrollment)} e "  # noqa: S608
            f"JOIN {_t(Programme)} p ON p.id = e.programme_id "
            f"JOIN {_t(SourceRecord)} r ON r.id = e.record_id "
            f"JOIN {_t(RecordLink)} l ON l.record_id = e.record_id "
            f"WHERE (e.start IS NULL OR e.start <= %s) "
            f"AND (e.{end} IS NULL OR e.{end} >= %s) AND r.status = %s",
            ["resident_id", "programme"],
            [on, on, "current"],
            {"resident_id": "int64"},
        ),
    }


def _read_all(queries: dict[str, tuple]) -> dict[str, pd.DataFrame]:
    """On PostgreSQL, outside a transaction, the reads run at once on their own connections:
    the database works on one join while Python parses the last. Inside a transaction (tests,
    callers that wrote first) other connections would not see its rows: one by one."""
    if connection.vendor != "postgresql" or connection.in_atomic_block:
        return {k: read_frame(*q) for k, q in queries.items()}
    from concurrent.futures import ThreadPoolExecutor

    from django.db import connections

    def fetch(q: tuple) -> pd.DataFrame:
        try:
            return read_frame(*q)
        finally:
            connections.close_all()  # this thread's connection only

    with ThreadPoolExecutor(max_workers=len(queries)) as pool:
        futures = {k: pool.submit(fetch, q) for k, q in queries.items()}
        return {k: f.result() for k, f in futures.items()}


def read_inputs(on: date) -> Inputs:
    """Four queries: residents; figures of current linked records; crisis; enrolments."""
    frames = _read_all(_queries(on))
    residents = frames["residents"]
    residents["resident_id"] = residents["resident_id"].astype("int64")
    # The dead and those who moved out of Seoul are neither screened nor counted in anyone's
    # household (the one-stop page leaves them out the same way).
    residents = residents[residents.pop("gone").to_numpy() == 0].reset_index(drop=True)

    # Figures from current linked records. Most recent run wins, field by field (an older
    # extract's income fills a newer one's blank); the source's trust rank breaks ties.
    figures = frames["figures"]
    figures["resident_id"] = figures["resident_id"].astype("int64")
    # Disability is assessed by the ministry only: a ministry record with a blank grade means
    # none; with no ministry record it is unknown (city and facility records never carry it).
    ministry = figures["kind"] == "ministry"
    figures["disability"] = (
        figures["disability"]
        .fillna("")
        .astype(object)
        .where(~ministry, figures["disability"].fillna("").replace("", "none"))
        .where(ministry, None)
    )
    figures = figures.sort_values(
        ["resident_id", "run_at", "trust"], ascending=[True, False, True], kind="stable"
    )
    best = figures.groupby("resident_id", sort=False)[
        ["household_size", "recognised_income", "disability"]
    ].first()

    crisis_ids = frames["crisis"]["resident_id"].astype("int64").to_numpy()
    receives = frames["receives"]
    receives["resident_id"] = receives["resident_id"].astype("int64")
    receives = receives[~receives["programme"].isin(NOT_A_BENEFIT)]

    people = residents.join(best, on="resident_id")
    people["birth_date"] = pd.to_datetime(people["birth_date"], errors="coerce").astype(
        "datetime64[s]"
    )
    people["household_size"] = household_size(
        people["household_size"], grouped_sizes(people["household_key"])
    )
    people["recognised_income"] = people["recognised_income"].astype("Int64")
    people["disability"] = people["disability"].astype("string")
    people["couple"] = derive_couple(
        people["birth_date"],
        people["sex"],
        people["household_key"].fillna("").astype(str),
        people["household_size"],
        on,
    )
    people["crisis"] = np.isin(people["resident_id"].to_numpy(), crisis_ids)
    return Inputs(people, receives, crisis_ids)


def screen_all(inputs: Inputs, rules: Rules) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Eligible rows with ``receiving`` and ``priority``, and the counts per centre ×
    programme (eligible, blind spots, unknown)."""
    people = inputs.people
    centre = people["home_centre_id"].fillna(0).to_numpy(np.int64)
    centres, centre_idx = np.unique(centre, return_inverse=True)
    unknown: dict[str, np.ndarray] = {}

    def count_unknown(programme: str, mask: np.ndarray) -> None:
        unknown[programme] = np.bincount(centre_idx[mask], minlength=len(centres))

    # Programmes whose rule says blind_spot = false (pilots with allotted places, city top-ups
    # that come only after national benefits are refused) show on a resident's page, but not
    # eligible-and-not-receiving is nobody's blind spot there.
    rules = replace(rules, rules=tuple(r for r in rules.rules if r.param("blind_spot", True)))
    out = screen(people, rules, include_unknown=False, on_unknown=count_unknown)
    out = out[out["status"] == ELIGIBLE].drop(columns=["status", "missing"])
    got = inputs.receives.drop_duplicates().assign(receiving=True)
    out = out.merge(got, how="left", on=["resident_id", "programme"])
    out["receiving"] = out["receiving"].fillna(False).astype(bool)
    out["priority"] = np.where(np.isin(out["resident_id"].to_numpy(), inputs.crisis_ids), 2, 1)
    centre_of = pd.Series(centre, index=people["resident_id"].to_numpy())
    out["centre_id"] = centre_of.reindex(out["resident_id"].to_numpy()).to_numpy()

    counts = (
        out.assign(blind=~out["receiving"])
        .groupby(["centre_id", "programme"])
        .agg(eligible=("resident_id", "size"), blind_spots=("blind", "sum"))
        .reset_index()
    )
    unk = pd.DataFrame(
        [
            (int(c), p, int(n))
            for p, arr in unknown.items()
            for c, n in zip(centres, arr, strict=True)
            if n
        ],
        columns=["centre_id", "programme", "unknown"],
    )
    counts = counts.merge(unk, how="outer", on=["centre_id", "programme"]).fillna(0)
    return out, counts


def rules_meta(rules: Rules) -> dict[str, dict]:
    """What an explanation needs of each rule, kept with the run so it reads as it was."""
    return {
        r.programme: {
            "test": r.test,
            "confidence": r.confidence,
            "name_ko": r.name_ko,
            "name_en": r.name_en,
            "params": r.params,
            "year": rules.year,
        }
        for r in rules.rules
    }


RESULT_COLUMNS = [
    "run_id",
    "resident_id",
    "centre_id",
    "programme",
    "receiving",
    "priority",
    "household_size",
    "income",
    "line",
    "percent",
]


def run_screening(on: date | None = None) -> ScreeningRun:
    """Screen everyone as of ``on`` and store the run; a failure leaves a failed run, no rows."""
    on = on or timezone.localdate()
    run = ScreeningRun.objects.create(on=on)
    seconds: dict[str, float] = {}
    t0 = time.perf_counter()
    try:
        rules = rules_from_db(on)
        inputs = read_inputs(on)
        seconds["read"] = time.perf_counter() - t0
        t1 = time.perf_counter()
        results, counts = screen_all(inputs, rules)
        seconds["screen"] = time.perf_counter() - t1
        t1 = time.perf_counter()
        valid = set(CommunityCentre.objects.values_list("pk", flat=True))
        results = results.assign(run_id=run.pk)
        # Residents without a home centre (or a centre id gone) keep a NULL centre.
        results["centre_id"] = results["centre_id"].where(results["centre_id"].isin(valid))
        results["centre_id"] = results["centre_id"].astype("Int64")
        counts["centre_id"] = counts["centre_id"].where(counts["centre_id"].isin(valid))
        counts = counts.assign(run_id=run.pk).astype(
            {"eligible": "int64", "blind_spots": "int64", "unknown": "int64"}
        )
        counts["centre_id"] = counts["centre_id"].astype("Int64")
        # In resident order the resident index fills from the right, as a sequence would.
        results = results.sort_values("resident_id", kind="stable")
        with transaction.atomic():
            bulk.append(ScreeningResult, RESULT_COLUMNS, results)
            bulk.append(
                ScreeningCount,
                ["run_id", "centre_id", "programme", "eligible", "blind_spots", "unknown"],
                counts,
            )
        seconds["write"] = time.perf_counter() - t1
        seconds["total"] = time.perf_counter() - t0
        run.year, run.status = rules.year, ScreeningRun.Status.DONE
        run.residents = len(inputs.people)
        run.eligible = len(results)
        run.blind_spots = int((~results["receiving"]).sum())
        run.unknown = int(counts["unknown"].sum())
        run.rules = rules_meta(rules)
    except Exception as e:
        run.status, run.error = ScreeningRun.Status.FAILED, repr(e)[:2000]
        raise
    finally:
        run.seconds = {k: round(v, 3) for k, v in seconds.items()}
        run.finished_at = timezone.now()
        run.save()
    return run


def screen_one(
    resident: Resident,
    records: list,
    household: list[Resident],
    rules: Rules,
    grouped_size: int | None = None,
) -> list:
    """The one-stop page's screening of one resident, from what the page already loaded (its
    records with run, source, enrolments and signals; everyone else in its dwelling, and the
    dwelling's size): no query of its own. Every programme, with not eligible and unknown too."""
    from cases.eligibility import MISSING_LABELS, NOT_ELIGIBLE, UNKNOWN, Inputs, screen_arrays
    from cases.explain import Verdict, explain, programme_name

    current = [r for r in records if r.status == "current"]
    ordered = sorted(current, key=lambda r: (-r.run.created_at.timestamp(), r.source.trust))
    size = household_size(household_size_from_sources(records), grouped_size)
    income = next((r.recognised_income for r in ordered if r.recognised_income is not None), None)
    ministry = [r for r in ordered if r.source.kind == "ministry"]
    disability = (ministry[0].disability or "none") if ministry else None
    crisis = any(True for r in current for _ in r.signals.all())
    receives = {
        e.programme.code for r in current for e in r.enrollments.all() if e.active_on(rules.on)
    }
    on = rules.on
    adult = _age(resident.birth_date, on) is not None and _age(resident.birth_date, on) >= ADULT
    couple = None
    if adult and any(
        h.sex and h.sex != resident.sex and (_age(h.birth_date, on) or 0) >= ADULT
        for h in household
    ):
        couple = True
    if size == 1:
        couple = False
    inp = Inputs.one(resident.pk, resident.birth_date, size, income, disability, couple, crisis)
    found = {
        o.rule.programme: o for o in screen_arrays(inp, rules) if o.eligible[0] or o.unknown[0]
    }
    meta = rules_meta(rules)
    out = []
    for rule in rules.rules:
        m = meta[rule.programme]
        o = found.get(rule.programme)
        if o is not None:
            status = ELIGIBLE if o.eligible[0] else UNKNOWN
            missing = ",".join(
                label
                for label, flag in zip(MISSING_LABELS, o.missing, strict=True)
                if flag[0] and status == UNKNOWN
            )
            text = explain(
                m,
                status,
                household_size=size or 0,
                income=income if income is not None else -1,
                line=int(o.line[0]),
                percent=o.percent,
                missing=missing,
                crisis=crisis,
                couple=couple if rule.test == "income_vs_amount" else None,
            )
        else:
            status, line, pct = NOT_ELIGIBLE, 0, None
            if rule.test == "income_vs_median" and size is not None:
                pct = float(rule.param("percent"))
                line = int(rules.line(np.array([size]), pct)[0])
            elif rule.test == "income_vs_amount":
                line = int(rule.param("couple") if couple else rule.param("single"))
            failed_on_income = income is not None and line and income > line
            text = explain(
                m,
                status,
                household_size=size or 0,
                income=income if failed_on_income else -1,
                line=line,
                percent=pct,
                couple=bool(couple),
            )
        out.append(
            Verdict(
                rule.programme,
                programme_name(m),
                status,
                text,
                rule.confidence == "U",
                rule.programme in receives,
            )
        )
    order = {ELIGIBLE: 0, UNKNOWN: 1, NOT_ELIGIBLE: 2}
    out.sort(key=lambda v: (order[v.status], v.programme))
    return out


def _age(birth: date | None, on: date) -> int | None:
    if birth is None:
        return None
    return on.year - birth.year - ((birth.month, birth.day) > (on.month, on.day))


def prune_results(keep: int = 2) -> int:
    """Delete the result rows of all but the last ``keep`` done runs: reports copy their lines,
    so old rows serve nothing, and a nightly million would otherwise pile up. Runs and their
    per-centre counts stay (they are small, and the trends read them). Returns rows deleted."""
    runs = list(
        ScreeningRun.objects.filter(status=ScreeningRun.Status.DONE)
        .order_by("-pk")
        .values_list("pk", flat=True)[keep:]
    )
    if not runs:
        return 0
    deleted, _ = ScreeningResult.objects.filter(run__in=runs).delete()
    return deleted
