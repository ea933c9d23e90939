"""Data for the page-load benchmark: 1 M residents and their history, loaded with COPY.

Columns are drawn with numpy (people from ``seoulgen``), written as in-memory CSV chunks
and streamed with ``copy_expert``: no ORM per row, no import pipeline, so a million residents and
1.6 million source records load in minutes. Only the few dozen reference rows (sources, runs,
programmes, indicators, staff) go through the ORM, because their grants and groups must be
exactly what the application would create.
"""

from __future__ import annotations

import hashlib
import io
import json
import time
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd
from django.contrib.auth import get_user_model
from django.contrib.auth.hashers import make_password
from django.db import connection, models, transaction

from bigcare import crypto
from bigcare.actions import grant_membership
from bigcare.models import CommunityCentre
from cases.models import Case, Referral, Visit
from intake.models import (
    AgencyKind,
    CrisisIndicator,
    CrisisSignal,
    DataSource,
    Enrollment,
    ImportRun,
    Programme,
    SourceRecord,
)
from matching.models import RecordLink, Resident
from seoulgen.addresses import load_dongs
from seoulgen.generate import DEFAULT_DONGS_CSV
from seoulgen.people import make_population

MARKER = "pagebench_marker"
CHUNK = 200_000
STAFF_PASSWORD = "pagebench-pw"  # noqa: S105 (a throwaway benchmark database)
# Records per resident: one, two or three sources know them; mean 1.6 as in the brief.
RECORDS_P = np.array([0.5, 0.4, 0.1])
PERSON_SOURCES = [
    ("city-basic", "서울시 기초생활", AgencyKind.CITY),
    ("mohw-benefits", "보건복지부 급여", AgencyKind.MINISTRY),
    ("facility-services", "민간 복지시설 서비스", AgencyKind.FACILITY),
]
CRISIS_SOURCE = ("crisis-2026-05", "위기가구 발굴 2026-05", AgencyKind.CRISIS)
PROGRAMMES = [
    ("L01", "생계급여", "Livelihood benefit", AgencyKind.MINISTRY),
    ("M01", "의료급여", "Medical benefit", AgencyKind.MINISTRY),
    ("H01", "주거급여", "Housing benefit", AgencyKind.MINISTRY),
    ("P01", "기초연금", "Basic pension", AgencyKind.MINISTRY),
    ("P02", "장애인연금", "Disability pension", AgencyKind.MINISTRY),
    ("C01", "아동수당", "Child allowance", AgencyKind.MINISTRY),
    ("SEOUL_BASIC", "서울형기초보장", "Seoul basic security", AgencyKind.CITY),
    ("SEOUL_EMERGENCY", "서울형긴급복지", "Seoul emergency welfare", AgencyKind.CITY),
    ("FAC_MEAL", "무료급식", "Free meals", AgencyKind.FACILITY),
    ("FAC_CARE", "재가돌봄", "Home care", AgencyKind.FACILITY),
]
INDICATORS = [
    ("ELEC_CUT", "단전", "Electricity cut off"),
    ("WATER_CUT", "단수", "Water cut off"),
    ("GAS_CUT", "단가스", "Gas cut off"),
    ("ELEC_ARREARS", "전기요금 체납", "Electricity arrears"),
    ("HEALTH_INS_ARREARS", "건강보험료 체납", "Health insurance arrears"),
    ("TELECOM_ARREARS", "통신비 체납", "Telecom arrears"),
]
NOW = "2026-05-20 09:00:00+09"


@dataclass
class Built:
    residents: int
    records: int
    enrollments: int
    signals: int
    visits: int
    cases: int
    referrals: int
    seconds: float


def schema_version() -> str:
    """A hash of this builder: data it built differently must be rebuilt. Schema changes reach
    the data through ``migrate`` (the benchmark runs it first), as they reach production's."""
    return hashlib.sha256(Path(__file__).read_bytes()).hexdigest()[:16]


def is_built(residents: int) -> bool:
    with connection.cursor() as cur:
        cur.execute("SELECT to_regclass(%s)", [MARKER])
        if cur.fetchone()[0] is None:
            return False
        cur.execute(f"SELECT residents, schema FROM {MARKER}")  # noqa: S608 (a constant)
        row = cur.fetchone()
    return bool(row) and tuple(row) == (residents, schema_version())


def _copy(model: type[models.Model], frame: pd.DataFrame) -> None:
    """Stream one frame into the model's table with COPY, in chunks so memory stays flat.

    Columns the frame leaves out get the model's default: Django defaults live in Python, not in
    the schema, so a field added later with a default would otherwise arrive as NULL.
    """
    frame = frame.copy()
    for f in model._meta.concrete_fields:
        if f.column not in frame.columns and not f.null and f.has_default():
            value = f.get_default()
            frame[f.column] = json.dumps(value) if isinstance(value, dict | list) else value
    table, cols = model._meta.db_table, ", ".join(frame.columns)
    # In CSV, COPY reads an unquoted empty field as NULL; text columns without a None are
    # NOT NULL in the schema, and their "" must stay an empty string.
    text = [
        c
        for c in frame.columns
        if (frame[c].dtype == object or pd.api.types.is_string_dtype(frame[c]))
        and not frame[c].isna().any()
    ]
    options = f", FORCE_NOT_NULL ({', '.join(text)})" if text else ""
    with connection.cursor() as cur:
        for start in range(0, len(frame), CHUNK):
            buf = io.StringIO()
            frame.iloc[start : start + CHUNK].to_csv(buf, index=False, header=False)
            buf.seek(0)
            sql = f"COPY {table} ({cols}) FROM STDIN WITH (FORMAT csv{options})"
            cur.cursor.copy_expert(sql, buf)


def _hex32(rng: np.random.Generator, n: int) -> np.ndarray:
    words = rng.integers(0, 2**62, size=(n, 2), dtype=np.int64)
    return (
        pd.Series(words[:, 0]).map("{:016x}".format) + pd.Series(words[:, 1]).map("{:016x}".format)
    ).to_numpy()


def _dates(base: str, days: np.ndarray) -> np.ndarray:
    return (np.datetime64(base) + days.astype("timedelta64[D]")).astype(str)


def _json_rows(**cols: np.ndarray) -> np.ndarray:
    """One small JSON object per row, built column-wise (json.dumps per row is the slow path)."""
    out = None
    for key, values in cols.items():
        part = (
            json.dumps(key, ensure_ascii=False)
            + ": "
            + pd.Series(values).map(lambda v: json.dumps(str(v), ensure_ascii=False))
        )
        out = part if out is None else out + ", " + part
    return ("{" + out + "}").to_numpy()


def _reference_rows() -> tuple[dict, dict, dict, dict]:
    sources, runs = {}, {}
    for code, name, kind in [*PERSON_SOURCES, CRISIS_SOURCE]:
        src = DataSource.objects.create(code=code, name=name, kind=kind, file_format="csv")
        sources[code] = src.pk
        runs[code] = ImportRun.objects.create(
            source=src,
            sha256=f"{src.pk:064x}",
            filename=f"{code}-2026-05.csv",
            status="done",
        ).pk
    programmes = {
        c: Programme.objects.create(code=c, name_ko=ko, name_en=en, agency=a).pk
        for c, ko, en, a in PROGRAMMES
    }
    indicators = {
        c: CrisisIndicator.objects.create(code=c, label_ko=ko, label_en=en).pk
        for c, ko, en in INDICATORS
    }
    return sources, runs, programmes, indicators


def _staff(centre_ids: np.ndarray) -> np.ndarray:
    """One caseworker per centre (``cw_<centre code>``), granted as the application grants."""
    users = get_user_model().objects
    password = make_password(STAFF_PASSWORD)  # hashed once: PBKDF2 per user would take minutes
    codes = dict(CommunityCentre.objects.values_list("pk", "code"))
    created = users.bulk_create(
        [users.model(username=f"cw_{codes[int(c)]}", password=password) for c in centre_ids]
    )
    for user, centre in zip(
        created, CommunityCentre.objects.filter(pk__in=centre_ids).order_by("pk"), strict=True
    ):
        grant_membership(user, "caseworker", centre=centre, acting_user=None)
    return np.array([u.pk for u in created])


def build(n: int, seed: int = 2026, log=print) -> Built:
    started = time.perf_counter()
    rng = np.random.default_rng(seed)
    centres = pd.DataFrame(CommunityCentre.objects.order_by("pk").values("pk", "code"))
    dongs = load_dongs(DEFAULT_DONGS_CSV)
    people, _ = make_population(rng, n, dongs)
    centre_of_code = dict(zip(centres["code"], centres["pk"], strict=True))
    home = people["dong_code"].map(centre_of_code).to_numpy()
    log(f"  people drawn ({time.perf_counter() - started:.0f}s)")

    # --- residents -------------------------------------------------------------------------
    digits = people["rrn"].str.replace("-", "", regex=False).tolist()
    res_ids = np.arange(1, n + 1)
    residents = pd.DataFrame(
        {
            "id": res_ids,
            "name": people["name"].to_numpy(),
            "birth_date": pd.to_datetime(people["birth_date"]).dt.strftime("%Y-%m-%d").to_numpy(),
            "sex": people["sex"].to_numpy(),
            "phone": people["phone"].str.replace("-", "", regex=False).to_numpy(),
            "rrn_enc": crypto.encrypt_many(digits),
            "rrn_index": crypto.blind_index_many(digits),
            "rrn_masked": (people["rrn"].str[:8] + "******").to_numpy(),
            "address": people["address"].to_numpy(),
            "dong_code": people["dong_code"].to_numpy(),
            "home_centre_id": home,
            "name_key": "",
            "active": True,
            "created_at": NOW,
            "updated_at": NOW,
        }
    )
    del digits
    log(f"  residents encrypted ({time.perf_counter() - started:.0f}s)")

    with transaction.atomic():
        sources, runs, programmes, indicators = _reference_rows()
        staff_of_centre = dict(zip(centres["pk"], _staff(centres["pk"].to_numpy()), strict=True))
        _copy(Resident, residents)
        log(f"  {n:,} residents loaded ({time.perf_counter() - started:.0f}s)")

        # --- source records: 1–3 person sources per resident, plus the crisis round ---------
        k = rng.choice(3, size=n, p=RECORDS_P) + 1
        owner = np.repeat(res_ids, k)
        nth = np.arange(len(owner)) - np.repeat(np.cumsum(k) - k, k)
        first = rng.integers(0, 3, n)
        src_idx = (np.repeat(first, k) + nth) % 3
        crisis_res = np.sort(rng.choice(res_ids, size=n // 30, replace=False))
        owner = np.concatenate([owner, crisis_res])
        src_codes = np.array([c for c, _, _ in PERSON_SOURCES] + [CRISIS_SOURCE[0]])
        src_idx = np.concatenate([src_idx, np.full(len(crisis_res), 3)])
        m = len(owner)
        rec_ids = np.arange(1, m + 1)
        r = residents.iloc[owner - 1]
        src_code = src_codes[src_idx]
        records = pd.DataFrame(
            {
                "id": rec_ids,
                "source_id": pd.Series(src_code).map(sources).to_numpy(),
                "run_id": pd.Series(src_code).map(runs).to_numpy(),
                "row_number": rec_ids,
                "source_key": "P" + pd.Series(owner).astype(str).str.zfill(8).to_numpy(),
                "version": 1,
                "status": "current",
                "content_hash": _hex32(rng, m),
                "name": r["name"].to_numpy(),
                "birth_date": r["birth_date"].to_numpy(),
                "sex": r["sex"].to_numpy(),
                "phone": r["phone"].to_numpy(),
                "rrn_enc": r["rrn_enc"].to_numpy(),
                "rrn_index": r["rrn_index"].to_numpy(),
                "rrn_masked": r["rrn_masked"].to_numpy(),
                "address": r["address"].to_numpy(),
                "dong_code": r["dong_code"].to_numpy(),
                "household_size": rng.integers(1, 5, m),
                "recognised_income": rng.integers(0, 400, m) * 10_000,
                "disability": "",
                "raw": _json_rows(
                    성명=r["name"].to_numpy(),
                    주소=r["address"].to_numpy(),
                    주민등록번호=r["rrn_masked"].to_numpy(),
                ),
                "created_at": NOW,
            }
        )
        del r
        _copy(SourceRecord, records)
        _copy(
            RecordLink, pd.DataFrame({"record_id": rec_ids, "resident_id": owner, "linked_at": NOW})
        )
        log(f"  {m:,} source records and links loaded ({time.perf_counter() - started:.0f}s)")
        del records

        # --- enrollments on person records, signals on crisis records -----------------------
        person = np.flatnonzero(src_idx < 3)
        enrolled = person[rng.random(len(person)) < 0.4]
        prog_codes = np.array(list(programmes))
        enrollments = pd.DataFrame(
            {
                "record_id": rec_ids[enrolled],
                "programme_id": pd.Series(
                    prog_codes[rng.integers(0, len(prog_codes), len(enrolled))]
                )
                .map(programmes)
                .to_numpy(),
                "active": True,
                "start": _dates("2015-01-01", rng.integers(0, 4000, len(enrolled))),
                "monthly_amount": rng.integers(10, 100, len(enrolled)) * 10_000,
            }
        )
        _copy(Enrollment, enrollments)
        crisis = np.flatnonzero(src_idx == 3)
        two = rng.random(len(crisis)) < 0.3
        sig_rec = np.concatenate([crisis, crisis[two]])
        ind_codes = np.array(list(indicators))
        signals = pd.DataFrame(
            {
                "record_id": rec_ids[sig_rec],
                # A second signal is a second row of its record: (record, row) is an item's key.
                "row_number": np.repeat([1, 2], [len(crisis), int(two.sum())]),
                "indicator_id": pd.Series(ind_codes[rng.integers(0, len(ind_codes), len(sig_rec))])
                .map(indicators)
                .to_numpy(),
                "round": "2026-05",
                "observed_on": "2026-04-30",
                "months": rng.integers(1, 12, len(sig_rec)),
                "amount": rng.integers(1, 100, len(sig_rec)) * 10_000,
            }
        )
        _copy(CrisisSignal, signals)
        log(
            f"  {len(enrollments):,} enrollments, {len(signals):,} signals "
            f"({time.perf_counter() - started:.0f}s)"
        )

        # --- casework: ~2 % of residents visited, ~1 % with a case, a tenth of cases referred -
        case_res = np.sort(rng.choice(res_ids, size=n // 100, replace=False))
        n_cases = len(case_res)
        case_centre = home[case_res - 1]
        case_owner = pd.Series(case_centre).map(staff_of_centre).to_numpy()
        opened = rng.integers(0, 700, n_cases)
        closed = rng.random(n_cases) < 0.5
        case_ids = np.arange(1, n_cases + 1)
        cases = pd.DataFrame(
            {
                "id": case_ids,
                "resident_id": case_res,
                "owner_centre_id": case_centre,
                "owner_id": case_owner,
                "summary": "통합사례관리",
                "stage": np.where(closed, "follow_up", "delivery"),
                "opened_on": _dates("2024-06-01", opened),
                "stage_started": _dates("2024-06-01", opened + 20),
                "closed_on": np.where(closed, _dates("2024-06-01", opened + 120), None),
            }
        )
        _copy(Case, cases)
        visit_res = np.concatenate([case_res, rng.choice(res_ids, size=n // 100)])
        visit_res = np.concatenate([visit_res, visit_res[rng.random(len(visit_res)) < 0.4]])
        v = len(visit_res)
        v_case = np.where(
            np.arange(v) < n_cases, np.concatenate([case_ids, np.zeros(v - n_cases, int)]), 0
        )
        v_centre = home[visit_res - 1]
        v_staff = pd.Series(v_centre).map(staff_of_centre).to_numpy()
        reasons = np.array(
            ["turning_65", "turning_70", "birth", "crisis", "application", "neighbour"]
        )
        visits = pd.DataFrame(
            {
                "resident_id": visit_res,
                "centre_id": v_centre,
                "visited_on": _dates("2024-06-01", rng.integers(0, 700, v)),
                "caseworker_id": v_staff,
                "reason": reasons[rng.integers(0, len(reasons), v)],
                "findings": '{"income": "소득 감소", "health": "거동 불편"}',
                "risk": np.array(["low", "medium", "high"])[rng.integers(0, 3, v)],
                "notes": "방문 상담 기록",
                "health_notes": "혈압 관리 필요",
                "case_id": np.where(v_case > 0, v_case.astype(object), None),
                "created_by_id": v_staff,
                "created_at": NOW,
            }
        )
        _copy(Visit, visits)
        referred = case_ids[rng.random(n_cases) < 0.1]
        referrals = pd.DataFrame(
            {
                "case_id": referred,
                "kind": "referral",
                "from_centre_id": case_centre[referred - 1],
                "facility_name": "종합사회복지관",
                "reason": "재가 돌봄 연계",
                "consent_on": "2025-01-10",
                "consent_note": "구두 동의",
                "status": "accepted",
                "created_by_id": case_owner[referred - 1],
                "created_at": NOW,
            }
        )
        _copy(Referral, referrals)
        log(
            f"  {n_cases:,} cases, {v:,} visits, {len(referrals):,} referrals "
            f"({time.perf_counter() - started:.0f}s)"
        )

        with connection.cursor() as cur:
            for table in ("matching_resident", "intake_sourcerecord", "cases_case"):
                cur.execute(
                    f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), "  # noqa: S608
                    f"(SELECT max(id) FROM {table}))"
                )
            cur.execute(
                f"CREATE TABLE {MARKER} (residents integer, schema text, built_at timestamptz)"
            )
            cur.execute(
                f"INSERT INTO {MARKER} VALUES (%s, %s, now())",  # noqa: S608
                [n, schema_version()],
            )
    with connection.cursor() as cur:
        cur.execute("VACUUM ANALYZE")
    return Built(
        n,
        m,
        len(enrollments),
        len(signals),
        v,
        n_cases,
        len(referrals),
        time.perf_counter() - started,
    )
