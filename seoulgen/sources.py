"""Who is enrolled where, and the four source files built from it with their defects."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd
import xlsxwriter

from . import noise
from .addresses import ADDRESS_HABITS, format_addresses
from .formats import REFERENCE_DATE, compose, date_strings, split_date, ymd
from .people import FAMILY, NEWBORN, OLD_COUPLE
from .thresholds import (
    BASIC_PENSION_AMOUNT,
    BASIC_PENSION_THRESHOLD,
    CHILD_BENEFIT_AMOUNT,
    CHILD_BENEFIT_BORN_FROM,
    DISABILITY_PENSION_SUPPLEMENT,
    NATIONAL_BASIC,
    median_income,
    threshold,
)

TAKE_UP = 0.8
MINISTRY_NAMES = {code: label for code, label, _ in NATIONAL_BASIC} | {
    "P01": "기초연금",
    "P02": "장애인연금",
    "C01": "아동수당",
    "A00": "소득재산조사",
}
# Share of households whose income the ministry investigated (소득·재산조사) because someone in
# them asked about a benefit: most of the poor, few of the rest. It is how Big Care can know the
# income of people who receive nothing, and so find them.
ASSESSED = {"below_median": 0.95, "above_median": 0.10}
CITY_NAMES = {
    "SEOUL_BASIC": "서울형기초보장",
    "SEOUL_DIDIMDOL": "서울디딤돌소득",
    "SEOUL_EMERGENCY": "서울형긴급복지",
    "SEOUL_HOUSING": "서울형주택바우처",
}
FACILITY_SERVICES = ("meal", "home_care", "counselling", "day_care", "goods")
FACILITY_TYPES = ("노인종합복지관", "재가노인지원센터", "종합사회복지관", "장애인복지관")
CRISIS_CODES = (
    "ELEC_CUT",
    "WATER_CUT",
    "GAS_CUT",
    "ELEC_ARREARS",
    "WATER_ARREARS",
    "GAS_ARREARS",
    "HEALTH_INS_ARREARS",
    "PENSION_ARREARS",
    "TELECOM_ARREARS",
)
CRISIS_WEIGHTS = np.array([0.04, 0.02, 0.04, 0.14, 0.1, 0.12, 0.24, 0.12, 0.18])
CRISIS_ROUND = "2026-05"
CRISIS_DATE = np.datetime64("2026-04-30", "D")
NAT = np.datetime64("NaT", "D")


@dataclass
class World:
    """The truth the sources are drawn from, with the per-person columns they need."""

    residents: pd.DataFrame
    households: pd.DataFrame
    dongs: pd.DataFrame
    cache: dict[str, np.ndarray] = field(default_factory=dict)


def _starts(rng: np.random.Generator, n: int, earliest: np.ndarray | None = None) -> np.ndarray:
    start = np.datetime64("2016-01-01", "D") + rng.integers(0, 3800, n)
    start = np.minimum(start, REFERENCE_DATE - 1)
    if earliest is not None:
        start = np.maximum(start, earliest)
    return start


def _rows(
    resident: np.ndarray,
    code: str,
    amount: np.ndarray,
    start: np.ndarray,
    end: np.ndarray | None = None,
) -> pd.DataFrame:
    n = len(resident)
    return pd.DataFrame(
        {
            "resident": resident,
            "code": np.full(n, code, dtype=object),
            "amount": np.asarray(amount, dtype=np.int64) // 10 * 10,
            "start": start,
            "end": np.full(n, NAT) if end is None else end,
        }
    )


def enrol(rng: np.random.Generator, world: World) -> dict[str, pd.DataFrame]:
    """Enrolment rows per source and the planted blind spots (``blind_spots`` key)."""
    r, h = world.residents, world.households
    n = len(r)
    hh = r["hh"].to_numpy()
    size = h["size"].to_numpy()
    income = h["recognised_income"].to_numpy()
    median = median_income(size)
    birth = r["birth_date"].to_numpy().astype("datetime64[D]")
    age = r["age"].to_numpy()
    head = r["role"].to_numpy() == 0
    kind = h["kind"].to_numpy()
    idx = np.arange(n)

    ministry, blind = [], []

    def plant(
        code: str,
        eligible: np.ndarray,
        takes: np.ndarray,
        amount: np.ndarray,
        earliest: np.ndarray | None = None,
    ) -> None:
        sel = eligible & takes
        ministry.append(
            _rows(
                idx[sel],
                code,
                amount[sel],
                _starts(rng, int(sel.sum()), None if earliest is None else earliest[sel]),
            )
        )
        miss = eligible & ~takes
        blind.append(pd.DataFrame({"resident": idx[miss], "programme": code}))

    # National basic livelihood: the household applies or not; every member is a recipient.
    hh_takes = (rng.random(len(h)) < TAKE_UP)[hh]
    for code, _, pct in NATIONAL_BASIC:
        line = threshold(size, pct)
        eligible = (income <= line)[hh]
        if code == "B04":
            eligible &= (age >= 7) & (age <= 18)
            takes = rng.random(n) < TAKE_UP
        else:
            takes = hh_takes
        if code == "B01":
            amount = ((line - income) // np.maximum(size, 1))[hh]
        elif code == "B03":
            amount = (180_000 + 40_000 * np.minimum(size, 6) // np.maximum(size, 1))[hh]
        elif code == "B04":
            amount = np.full(n, 502_000 // 12)
        else:
            amount = np.zeros(n, dtype=np.int64)
        plant(code, eligible, takes, amount, birth)
    world.cache["b01_household"] = (
        np.bincount(hh, weights=(income <= threshold(size, 32))[hh] & hh_takes, minlength=len(h))
        > 0
    )

    # Pensions judged on the household's recognised income against the single/couple line.
    couple = np.isin(kind, [OLD_COUPLE, FAMILY, NEWBORN]) & (size >= 2)
    bp = BASIC_PENSION_THRESHOLD[2026]
    pension_line = np.where(couple, bp["couple"], bp["single"])
    under = (income <= pension_line)[hh]
    amounts = BASIC_PENSION_AMOUNT[2026]
    couple65 = h["is_couple_65"].to_numpy()[hh]
    p01 = np.where(couple65, amounts["couple_each"], amounts["single"])
    turned65 = birth + 65 * 365 + 17
    plant("P01", (age >= 65) & under, rng.random(n) < TAKE_UP, p01, turned65)
    severe = r["disability"].to_numpy() == "severe"
    p02 = np.full(n, amounts["single"] + DISABILITY_PENSION_SUPPLEMENT[2026]["18-64"])
    plant(
        "P02",
        severe & (age >= 18) & (age < 65) & under,
        rng.random(n) < TAKE_UP,
        p02,
        birth + 18 * 365 + 5,
    )
    child = (birth >= CHILD_BENEFIT_BORN_FROM[2026]) & (birth < REFERENCE_DATE)
    plant("C01", child, rng.random(n) < TAKE_UP, np.full(n, CHILD_BENEFIT_AMOUNT[2026]), birth + 31)

    # Some who are no longer poor enough once received livelihood benefit: ended rows.
    ratio = income / median
    was_poor = ((ratio > 0.32) & (ratio < 0.9) & (rng.random(len(h)) < 0.15))[hh]
    k = int(was_poor.sum())
    start = _starts(rng, k, birth[was_poor])
    end = np.minimum(start + rng.integers(90, 1500, k), REFERENCE_DATE - 1)
    ministry.append(_rows(idx[was_poor], "B01", np.full(k, 300_000), start, end))

    # Investigations on file: a row per member, code A00, no amount, income and size filled in.
    assessed = rng.random(len(h)) < np.where(
        ratio < 1.0, ASSESSED["below_median"], ASSESSED["above_median"]
    )
    sel = assessed[hh]
    k = int(sel.sum())
    ministry.append(_rows(idx[sel], "A00", np.zeros(k), _starts(rng, k, birth[sel])))

    # Crisis: a few % of households, many more among the poor; the head is the one in arrears.
    p_crisis = np.select([ratio < 0.5, ratio < 0.85], [0.10, 0.03], default=0.007)
    crisis_hh = rng.random(len(h)) < p_crisis
    world.cache["crisis_household"] = crisis_hh
    who = idx[head & crisis_hh[hh] & (age >= 18)]
    reps = 1 + (rng.random(len(who)) < 0.5) + (rng.random(len(who)) < 0.2)
    who = np.repeat(who, reps)
    codes = rng.choice(len(CRISIS_CODES), size=len(who), p=CRISIS_WEIGHTS)
    crisis = pd.DataFrame({"resident": who, "code": np.array(CRISIS_CODES, dtype=object)[codes]})
    crisis = crisis.drop_duplicates(ignore_index=True)

    # City programmes: the whole household is registered, except for housing (the tenant).
    b01 = world.cache["b01_household"]
    city = []
    elig = (income <= threshold(size, 48)) & ~b01 & (rng.random(len(h)) < 0.5)
    sel = elig[hh]
    city.append(
        _rows(
            idx[sel],
            "SEOUL_BASIC",
            (threshold(size, 32) // 2)[hh][sel],
            _starts(rng, int(sel.sum()), birth[sel]),
        )
    )
    didim = (ratio <= 0.85) & (rng.random(len(h)) < 0.08)
    sel = didim[hh]
    gap = np.maximum((median * 85 // 100 - income) // 2, 0)
    city.append(
        _rows(
            idx[sel],
            "SEOUL_DIDIMDOL",
            (gap // size)[hh][sel],
            _starts(rng, int(sel.sum()), birth[sel]),
        )
    )
    housing = (income > threshold(size, 48)) & (ratio <= 0.7) & (rng.random(len(h)) < 0.35)
    sel = housing[hh] & head
    city.append(
        _rows(
            idx[sel],
            "SEOUL_HOUSING",
            (80_000 + 10_000 * (size - 1))[hh][sel],
            _starts(rng, int(sel.sum()), birth[sel]),
        )
    )
    emerg = crisis_hh & (ratio <= 0.75) & (rng.random(len(h)) < 0.4)
    sel = emerg[hh]
    k = int(sel.sum())
    start = REFERENCE_DATE - rng.integers(10, 400, k)
    end = np.where(start + 90 < REFERENCE_DATE, start + 90, NAT)
    city.append(
        _rows(
            idx[sel],
            "SEOUL_EMERGENCY",
            np.minimum(780_000 + 430_000 * (size[hh][sel] - 1), 3_000_000),
            start,
            end,
        )
    )

    # Facilities serve mostly the old, the disabled, and poor families.
    disabled = r["disability"].to_numpy() != "none"
    poor = (ratio < 0.6)[hh]
    p_use = np.select(
        [age >= 65, disabled, poor & (age < 13), poor], [0.9, 0.7, 0.45, 0.4], default=0.2
    )
    users = idx[rng.random(n) < p_use]
    u = rng.random((len(users), 3))
    reps = 1 + (u[:, 0] < 0.6) + (u[:, 1] < 0.3) + (u[:, 2] < 0.1)
    users = np.repeat(users, reps)
    profile = np.where(age[users] >= 65, 0, np.where(disabled[users], 1, 2))
    probs = np.array(
        [[0.3, 0.2, 0.15, 0.15, 0.2], [0.0, 0.0, 0.4, 0.3, 0.3], [0.0, 0.0, 0.5, 0.0, 0.5]]
    )
    u = rng.random(len(users))
    service = (u[:, None] > np.cumsum(probs[profile], axis=1)).sum(axis=1)
    service = np.minimum(service, len(FACILITY_SERVICES) - 1)
    ftype = np.select(
        [profile == 1, profile == 2, service == 1, service == 4], [3, 2, 1, 2], default=0
    )
    facility = pd.DataFrame({"resident": users, "service_idx": service, "ftype": ftype})
    facility = facility.drop_duplicates(["resident", "service_idx"], ignore_index=True)
    facility["second"] = rng.random(len(facility)) < 0.3
    facility["start"] = _starts(rng, len(facility), birth[facility["resident"].to_numpy()])

    blind_spots = pd.concat(blind, ignore_index=True)
    return {
        "ministry": pd.concat(ministry, ignore_index=True),
        "city": pd.concat(city, ignore_index=True),
        "facility": facility,
        "crisis": crisis,
        "blind_spots": blind_spots,
    }


@dataclass
class Built:
    """One source ready to write: its rows (file order), identities and noise per row."""

    rows: pd.DataFrame
    ident: pd.DataFrame
    record_noise: np.ndarray
    person_id: np.ndarray


def build(
    rng: np.random.Generator,
    world: World,
    rows: pd.DataFrame,
    key: list[str],
    rates: dict[str, float],
    id_prefix: str,
    id_width: int,
) -> Built:
    """Identities (person-ids), their defects, duplicates and repeats for one source."""
    r, h = world.residents, world.households
    rows = rows.reset_index(drop=True)
    ident = rows[key].drop_duplicates(ignore_index=True)
    rows["ident"] = rows[key].merge(ident.reset_index(), on=key, how="left")["index"].to_numpy()

    # A person registered twice: a second person-id with one extra row.
    dup = np.flatnonzero(rng.random(len(ident)) < rates.get("duplicate_id", 0.0))
    ident["duplicate_id"] = False
    if len(dup):
        extra_ident = ident.iloc[dup].copy()
        extra_ident["duplicate_id"] = True
        new_ids = np.arange(len(ident), len(ident) + len(dup))
        first_row = rows.drop_duplicates("ident").set_index("ident").loc[dup].reset_index()
        first_row["ident"] = new_ids
        ident = pd.concat([ident, extra_ident], ignore_index=True)
        rows = pd.concat([rows, first_row], ignore_index=True)

    res = ident["resident"].to_numpy()
    m = len(ident)
    names = r["name"].to_numpy()[res].astype(object)
    foreign = r["is_foreigner"].to_numpy()[res]
    sl = np.where(foreign, 0, r["surname"].str.len().to_numpy()[res])
    flags: dict[str, np.ndarray] = {"duplicate_id": ident["duplicate_id"].to_numpy()}
    everyone = np.ones(m, dtype=bool)

    f = noise.draw(rng, rates.get("variant", 0.0), noise.variant_applies(names, sl))
    names[f] = noise.variant_surnames(names[f])
    flags["variant"] = f
    f = noise.draw(rng, rates.get("syllable_swap", 0.0), noise.swap_applies(names, sl))
    names[f] = noise.swap_syllables(names[f], sl[f])
    flags["syllable_swap"] = f
    f = noise.draw(rng, rates.get("typo", 0.0), everyone)
    names[f] = noise.jamo_typos(rng, names[f], sl[f])
    flags["typo"] = f
    # A foreign resident's registered Latin name, where this source writes it (not a defect).
    f = noise.draw(rng, rates.get("latin_script", 0.0), foreign)
    names[f] = r["latin_name"].to_numpy()[res][f]
    flags["latin_script"] = f
    rom = noise.draw(rng, rates.get("romanised", 0.0), ~foreign)
    f = noise.draw(rng, rates.get("space", 0.0), ~rom & (sl > 0))
    names[f] = noise.insert_space(names[f], sl[f])
    flags["space"] = f
    names[rom] = noise.romanise_names(rng, names[rom], sl[rom])
    flags["romanised"] = rom

    birth = r["birth_date"].to_numpy().astype("datetime64[D]")[res]
    y, mo, d = split_date(birth)
    f = noise.draw(rng, rates.get("date_swap", 0.0), (d <= 12) & (d != mo))
    mo, d = np.where(f, d, mo), np.where(f, mo, d)
    flags["date_swap"] = f
    y, mo, d, more = noise.birth_slips(rng, rates, y, mo, d, ~f)
    flags.update(more)

    hh = r["hh"].to_numpy()[res]
    if "moved_seen" in ident:
        # Drawn before the identities when the old address decides something else (a facility).
        flags["moved"] = ident["moved_seen"].to_numpy().astype(bool)
    else:
        flags["moved"] = noise.draw(rng, rates.get("moved", 0.0), h["moved"].to_numpy()[hh])

    phone = r["phone"].to_numpy()[res].astype(object)
    has = phone != ""
    u = rng.random(m)
    miss = has & (u < rates.get("phone_missing", 0.0))
    changed = has & ~miss & (u < rates.get("phone_missing", 0.0) + rates.get("phone_changed", 0.0))
    body = rng.integers(10_000_000, 100_000_000, int(changed.sum()))
    phone[changed] = compose(["010-", (body // 10_000, 4), "-", (body % 10_000, 4)], len(body))
    phone[miss] = ""
    flags["phone_changed"], flags["phone_missing"] = changed, miss
    flags["masked_rrn"] = noise.draw(rng, rates.get("masked_rrn", 0.0), everyone)
    rrn = r["rrn"].to_numpy()[res].astype(object)
    f = noise.draw(rng, rates.get("rrn_slip", 0.0), ~flags["masked_rrn"])
    rrn[f] = noise.rrn_slips(rng, rrn[f])
    flags["rrn_slip"] = f

    ident["name"] = names
    ident["y"], ident["m"], ident["d"] = y, mo, d
    ident["phone"] = phone
    ident["rrn"] = rrn
    ident["hh"] = hh
    for kind_, v in flags.items():
        ident[kind_] = v

    # Person-ids are handed out in a random order so that they reveal nothing.
    order = rng.permutation(m)
    person_id = compose([id_prefix, (order + 1, id_width)], m)

    n_rows = len(rows)
    row_flags = {k: ident[k].to_numpy()[rows["ident"].to_numpy()] for k in flags}
    row_flags["dong_missing"] = noise.draw(
        rng, rates.get("dong_missing", 0.0), np.ones(n_rows, dtype=bool)
    )
    rows["dong_missing"] = row_flags["dong_missing"]
    rows["repeated_row"] = False
    rows["original"] = np.arange(n_rows)
    rep = np.flatnonzero(rng.random(n_rows) < rates.get("repeated_row", 0.0))
    noise_text = noise.flags_to_text(row_flags, n_rows)
    if len(rep):
        copies = rows.iloc[rep].copy()
        copies["repeated_row"] = True
        base = noise_text[rep]
        rep_text = np.where(base == "", "repeated_row", base + ";repeated_row")
        rows = pd.concat([rows, copies], ignore_index=True)
        noise_text = np.concatenate([noise_text, rep_text])
    perm = rng.permutation(len(rows))
    rows = rows.iloc[perm].reset_index(drop=True)
    noise_text = noise_text[perm]
    # "original" becomes the file position of the row a copy repeats (its own for the others).
    position = np.empty(len(perm), dtype=np.int64)
    position[perm] = np.arange(len(perm))
    rows["original"] = position[rows["original"].to_numpy()]
    # An importer can only call the later of two identical rows the repeat: label it so.
    copy = np.flatnonzero(rows["repeated_row"].to_numpy())
    first = rows["original"].to_numpy()[copy]
    swap = copy < first
    a, b_ = copy[swap], first[swap]
    noise_text[a], noise_text[b_] = noise_text[b_], noise_text[a].copy()
    flags = rows["repeated_row"].to_numpy().copy()
    flags[a], flags[b_] = False, True
    rows["repeated_row"] = flags
    orig = rows["original"].to_numpy().copy()
    orig[a], orig[b_] = a, a
    rows["original"] = orig
    return Built(rows=rows, ident=ident, record_noise=noise_text, person_id=person_id)


def verbatim_repeats(frame: pd.DataFrame, b: Built) -> pd.DataFrame:
    """Make every repeated row a verbatim copy of its original, whatever was drawn per row."""
    return frame.iloc[b.rows["original"].to_numpy()].reset_index(drop=True)


def _address(
    world: World,
    b: Built,
    style: str,
    rng: np.random.Generator | None = None,
    habits: dict[str, float] | None = None,
) -> np.ndarray:
    """The address each row shows: the old one where the source has not seen the move.

    With ``habits`` (rates of ``suffix``, ``nospace``, ``shorthand``: ADDRESS_HABITS), each row
    is written with the source's habits, drawn per row."""
    h = world.households
    ident_idx = b.rows["ident"].to_numpy()
    hh = b.ident["hh"].to_numpy()[ident_idx]
    old = b.ident["moved"].to_numpy()[ident_idx]
    if habits:
        cols = [c.split("_", 1)[1] for c in h.columns if c.startswith("cur_")]
        places = pd.DataFrame(
            {
                c: np.where(old, h[f"prev_{c}"].to_numpy()[hh], h[f"cur_{c}"].to_numpy()[hh])
                for c in cols
            }
        )
        n = len(places)
        draw = {k: rng.random(n) < habits.get(k, 0.0) for k in ("suffix", "nospace", "shorthand")}
        return format_addresses(places, world.dongs, style, **draw)
    cache_key = f"address_{style}"
    if cache_key not in world.cache:
        for prefix in ("cur", "prev"):
            cols = [c for c in h.columns if c.startswith(prefix + "_")]
            places = h[cols].rename(columns=lambda c: c.split("_", 1)[1])
            world.cache[f"{cache_key}_{prefix}"] = format_addresses(places, world.dongs, style)
        world.cache[cache_key] = np.array([True])
    cur = world.cache[f"{cache_key}_cur"][hh]
    prev = world.cache[f"{cache_key}_prev"][hh]
    return np.where(old, prev, cur)


def _dong_code(world: World, b: Built) -> np.ndarray:
    h = world.households
    ident_idx = b.rows["ident"].to_numpy()
    hh = b.ident["hh"].to_numpy()[ident_idx]
    old = b.ident["moved"].to_numpy()[ident_idx]
    codes = world.dongs["dong_code"].to_numpy()
    return np.where(
        old, codes[h["prev_dong_idx"].to_numpy()[hh]], codes[h["dong_idx"].to_numpy()[hh]]
    )


def _ident_col(b: Built, col: str) -> np.ndarray:
    return b.ident[col].to_numpy()[b.rows["ident"].to_numpy()]


def _resident_col(world: World, b: Built, col: str) -> np.ndarray:
    return world.residents[col].to_numpy()[_ident_col(b, "resident")]


def _household_col(world: World, b: Built, col: str) -> np.ndarray:
    return world.households[col].to_numpy()[_ident_col(b, "hh")]


def _blank_some(rng: np.random.Generator, values: np.ndarray, rate: float) -> np.ndarray:
    out = values.astype(object)
    out[rng.random(len(out)) < rate] = ""
    return out


def city_frame(rng: np.random.Generator, world: World, b: Built) -> pd.DataFrame:
    """The city extract's columns (Korean headers), in file order."""
    rows = b.rows
    rrn = _ident_col(b, "rrn").astype(object)
    masked = _ident_col(b, "masked_rrn")
    rrn = np.where(masked, pd.Series(rrn).str[:8].to_numpy(dtype=object) + "******", rrn)
    sex = np.where(_resident_col(world, b, "sex") == "F", "여", "남")
    dong = np.where(rows["dong_missing"].to_numpy(), "", _dong_code(world, b))
    # The city assessed income at its own last review: close to, not equal to, the truth.
    income = _household_col(world, b, "recognised_income")
    income = (income * rng.uniform(0.9, 1.1, len(rows)) // 10 * 10).astype(np.int64)
    code = rows["code"].to_numpy()
    return pd.DataFrame(
        {
            "관리번호": b.person_id[rows["ident"].to_numpy()],
            "성명": _ident_col(b, "name"),
            "주민등록번호": rrn,
            "생년월일": ymd(_ident_col(b, "y"), _ident_col(b, "m"), _ident_col(b, "d"), "."),
            "성별": sex,
            "전화번호": _ident_col(b, "phone"),
            "주소": _address(world, b, "road"),
            "행정동코드": dong,
            "가구원수": _blank_some(rng, _household_col(world, b, "size"), 0.03),
            "소득인정액": _blank_some(rng, income, 0.05),
            "서비스코드": code,
            "서비스명": pd.Series(code).map(CITY_NAMES).to_numpy(),
            "지원금액": rows["amount"].to_numpy(),
            "시작일": date_strings(rows["start"].to_numpy(), "."),
            "종료일": date_strings(
                rows["end"].fillna(REFERENCE_DATE).to_numpy(), ".", rows["end"].isna().to_numpy()
            ),
        }
    )


def ministry_frame(rng: np.random.Generator, world: World, b: Built) -> pd.DataFrame:
    """The ministry extract's columns, in file order."""
    rows = b.rows
    rrn = pd.Series(_ident_col(b, "rrn")).str.replace("-", "", regex=False)
    jibun = (b.ident["hh"].to_numpy() % 2 == 0)[rows["ident"].to_numpy()]
    road = _address(world, b, "road", rng, ADDRESS_HABITS["ministry"])
    address = np.where(jibun, _address(world, b, "jibun"), road)
    grade = (
        pd.Series(_resident_col(world, b, "disability"))
        .map({"severe": "심한", "mild": "심하지않은", "none": ""})
        .to_numpy()
    )
    code = rows["code"].to_numpy()
    return pd.DataFrame(
        {
            "수급자번호": b.person_id[rows["ident"].to_numpy()],
            "성명": _ident_col(b, "name"),
            "주민등록번호": rrn.to_numpy(dtype=object),
            "성별코드": np.where(_resident_col(world, b, "sex") == "F", "2", "1"),
            "주소": address,
            "연락처": pd.Series(_ident_col(b, "phone"))
            .str.replace("-", "", regex=False)
            .to_numpy(),
            "가구원수": _blank_some(rng, _household_col(world, b, "size"), 0.02),
            "소득인정액": _blank_some(rng, _household_col(world, b, "recognised_income"), 0.02),
            "장애정도": grade,
            "급여코드": code,
            "급여명": pd.Series(code).map(MINISTRY_NAMES).to_numpy(),
            "월지급액": rows["amount"].to_numpy(),
            "지급개시일": date_strings(rows["start"].to_numpy(), ""),
            "지급종료일": date_strings(
                rows["end"].fillna(REFERENCE_DATE).to_numpy(), "", rows["end"].isna().to_numpy()
            ),
        }
    )


def facilities(rng: np.random.Generator, world: World) -> pd.DataFrame:
    """Two facilities of each type per district, each with its own date and gender habits."""
    dongs = world.dongs
    gus = dongs.drop_duplicates("gu_name")["gu_name"].to_numpy()
    rows = []
    for gi, gu in enumerate(gus):
        stems = dongs.loc[dongs["gu_name"] == gu, "stem"].to_numpy()
        for t, label in enumerate(FACILITY_TYPES):
            for k in (0, 1):
                place = gu.removesuffix("구") if k == 0 else stems[(t * 3 + 1) % len(stems)]
                rows.append((gi * 8 + t * 2 + k, gu, f"{place}{label}"))
    frame = pd.DataFrame(rows, columns=["fidx", "gu_name", "facility_name"])
    frame["facility_id"] = compose(["F", (frame["fidx"].to_numpy() + 1, 4)], len(frame))
    frame["dob_style"] = rng.integers(0, 3, len(frame))
    frame["hangul_gender"] = rng.random(len(frame)) < 0.3
    return frame


def assign_facility(
    world: World, fac: pd.DataFrame, rows: pd.DataFrame, moved_seen: np.ndarray
) -> np.ndarray:
    """Facility index per row: the right type in the district of the address the client gave."""
    h = world.households
    hh = world.residents["hh"].to_numpy()[rows["resident"].to_numpy()]
    dong_idx = np.where(moved_seen, h["prev_dong_idx"].to_numpy()[hh], h["dong_idx"].to_numpy()[hh])
    gu_index = pd.Series(pd.factorize(world.dongs["gu_name"])[0])
    gi = gu_index.to_numpy()[dong_idx]
    return gi * 8 + rows["ftype"].to_numpy() * 2 + rows["second"].to_numpy().astype(np.int64)


def facility_frame(
    rng: np.random.Generator, world: World, b: Built, fac: pd.DataFrame
) -> pd.DataFrame:
    """The facility records as the JSON objects' fields, in file order."""
    rows = b.rows
    fidx = rows["fidx"].to_numpy()
    style = fac["dob_style"].to_numpy()[fidx]
    y, m, d = _ident_col(b, "y"), _ident_col(b, "m"), _ident_col(b, "d")
    n = len(rows)
    us = compose([(m, 2), "/", (d, 2), "/", (y, 4)], n)
    compact = compose([(y, 4), (m, 2), (d, 2)], n)
    loose = (
        pd.Series(y).astype(str) + "-" + pd.Series(m).astype(str) + "-" + pd.Series(d).astype(str)
    ).to_numpy(dtype=object)
    dob = np.select([style == 0, style == 1], [us, loose], default=compact)
    female = _resident_col(world, b, "sex") == "F"
    hangul_g = fac["hangul_gender"].to_numpy()[fidx]
    gender = np.where(hangul_g, np.where(female, "여", "남"), np.where(female, "F", "M"))
    phone = pd.Series(_ident_col(b, "phone")).str.replace("-", " ", regex=False).to_numpy()
    # Client numbers count up inside each facility.
    client_no = pd.Series(b.ident["client_no"].to_numpy()[rows["ident"].to_numpy()])
    return pd.DataFrame(
        {
            "facility_id": fac["facility_id"].to_numpy()[fidx],
            "facility_name": fac["facility_name"].to_numpy()[fidx],
            "client_id": fac["facility_id"].to_numpy()[fidx]
            + "-"
            + compose([(client_no.to_numpy(), 6)], n),
            "name": _ident_col(b, "name"),
            "dob": dob,
            "gender": gender,
            "phone": phone,
            "address": _address(world, b, "road_short", rng, ADDRESS_HABITS["facility"]),
            "service": np.array(FACILITY_SERVICES, dtype=object)[rows["service_idx"].to_numpy()],
            "since": date_strings(rows["start"].to_numpy(), "-"),
        }
    )


def crisis_frame(rng: np.random.Generator, world: World, b: Built) -> pd.DataFrame:
    """The discovery round's rows, in file order."""
    rows = b.rows
    code = rows["code"].to_numpy()
    n = len(rows)
    cut = pd.Series(code).str.endswith("_CUT").to_numpy()
    months = np.where(cut, rng.integers(1, 4, n), rng.integers(2, 13, n))
    monthly = (
        pd.Series(code)
        .map(
            {
                "ELEC_ARREARS": 45_000,
                "WATER_ARREARS": 25_000,
                "GAS_ARREARS": 60_000,
                "HEALTH_INS_ARREARS": 90_000,
                "PENSION_ARREARS": 180_000,
                "TELECOM_ARREARS": 70_000,
            }
        )
        .fillna(0)
        .to_numpy()
    )
    amount = (monthly * months * rng.uniform(0.7, 1.3, n)).astype(np.int64) // 10 * 10
    amount_text = np.where(cut, "", amount.astype(str).astype(object))
    y, mo, d = split_date(np.full(n, CRISIS_DATE))
    return pd.DataFrame(
        {
            "발굴회차": CRISIS_ROUND,
            "대상자번호": b.person_id[rows["ident"].to_numpy()],
            "성명": _ident_col(b, "name"),
            "주민등록번호": _ident_col(b, "rrn"),
            "주소": _address(world, b, "road"),
            "행정동코드": _dong_code(world, b),
            "지표코드": code,
            "체납개월": months,
            "체납액": amount_text,
            "기준일": ymd(y, mo, d, "-"),
        }
    )


def write_xlsx(frame: pd.DataFrame, path: Path) -> None:
    """XLSX with every cell as text except amounts; fixed metadata so the bytes are stable."""
    wb = xlsxwriter.Workbook(str(path), {"constant_memory": True, "strings_to_numbers": False})
    wb.set_properties({"created": dt.datetime(2026, 6, 1, tzinfo=dt.UTC)})
    ws = wb.add_worksheet("수급자")
    ws.write_row(0, 0, list(frame.columns))
    numeric = {"월지급액"}
    cols = [frame[c].to_numpy() for c in frame.columns]
    for i in range(len(frame)):
        for j, col in enumerate(frame.columns):
            v = cols[j][i]
            if col in numeric:
                ws.write_number(i + 1, j, int(v))
            else:
                ws.write_string(i + 1, j, "" if v is None else str(v))
    wb.close()
