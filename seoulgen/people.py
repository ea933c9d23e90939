"""Residents and households: who lives where with whom, their numbers, phones and income."""

from __future__ import annotations

import numpy as np
import pandas as pd

from . import names
from .addresses import draw_places, format_addresses, other_dong
from .formats import REFERENCE_DATE, compose, split_date
from .thresholds import median_income

# Household types, with the share of households of each: a welfare population, heavy in the old.
SINGLE_OLD, SINGLE_ADULT, OLD_COUPLE, FAMILY, SINGLE_PARENT, NEWBORN, OLD_WITH_CHILD = range(7)
TYPE_SHARES = np.array([0.22, 0.18, 0.14, 0.22, 0.06, 0.06, 0.12])
HEAD, SPOUSE, CHILD, BABY = range(4)
_ = -1
# Role of the member at each position of a household of each type.
ROLES = np.array(
    [
        [HEAD, _, _, _, _, _],
        [HEAD, _, _, _, _, _],
        [HEAD, SPOUSE, _, _, _, _],
        [HEAD, SPOUSE, CHILD, CHILD, CHILD, CHILD],
        [HEAD, CHILD, CHILD, CHILD, CHILD, CHILD],
        [HEAD, SPOUSE, BABY, CHILD, CHILD, CHILD],
        [HEAD, CHILD, _, _, _, _],
    ]
)
# Median recognised income as a share of the household's median income, by type.
INCOME_LEVEL = np.array([0.55, 0.95, 0.75, 1.1, 0.6, 1.15, 0.85])
INCOME_SPREAD = 0.7
RRN_CHECK_WEIGHTS = np.array([2, 3, 4, 5, 6, 7, 8, 9, 2, 3, 4, 5])
RRN_RANDOM_FROM = np.datetime64("2020-10-01", "D")


def completed_years(birth: np.ndarray, on: np.datetime64 = REFERENCE_DATE) -> np.ndarray:
    """Age in completed years on a date (the legal 만 나이)."""
    y, m, d = split_date(birth)
    ry, rm, rd = (int(v[0]) for v in split_date(np.array([on])))
    return ry - y - ((m > rm) | ((m == rm) & (d > rd)))


def _household_sizes(rng: np.random.Generator, n_residents: int) -> tuple[np.ndarray, np.ndarray]:
    est = int(n_residents / 1.9) + 16
    while True:
        kind = rng.choice(len(TYPE_SHARES), size=est, p=TYPE_SHARES)
        size = np.select(
            [kind == FAMILY, kind == SINGLE_PARENT, kind == NEWBORN],
            [
                2 + rng.choice([1, 2, 3], est, p=[0.35, 0.5, 0.15]),
                1 + rng.choice([1, 2], est),
                3 + (rng.random(est) < 0.3),
            ],
            default=np.where(np.isin(kind, [OLD_COUPLE, OLD_WITH_CHILD]), 2, 1),
        )
        total = np.cumsum(size)
        if total[-1] >= n_residents:
            break
        est *= 2
    last = int(np.searchsorted(total, n_residents))
    kind, size = kind[: last + 1], size[: last + 1].copy()
    # The last household is cut so that there are exactly n residents.
    size[-1] -= total[last] - n_residents
    return kind, size


def rrn_check_digit(first12: np.ndarray) -> np.ndarray:
    """Legacy check digit ``(11 − Σ dᵢwᵢ mod 11) mod 10`` of an ``(n, 12)`` digit matrix."""
    return (11 - (first12 @ RRN_CHECK_WEIGHTS) % 11) % 10


def make_rrns(
    rng: np.random.Generator, birth: np.ndarray, male: np.ndarray, foreign: np.ndarray
) -> np.ndarray:
    """``YYMMDD-SXXXXXX`` with the right century/sex digit; legacy checksum before 2020-10."""
    n = len(birth)
    y, m, d = split_date(birth)
    sex_digit = np.where(y >= 2000, 3, 1) + (~male) + np.where(foreign, 4, 0)
    digits = np.empty((n, 13), dtype=np.int64)
    for k, v in enumerate([y // 10 % 10, y % 10, m // 10, m % 10, d // 10, d % 10, sex_digit]):
        digits[:, k] = v
    # Registration area: Seoul offices (00–08) for many, the other provinces for the rest.
    province = np.where(rng.random(n) < 0.4, rng.integers(0, 9, n), rng.integers(9, 96, n))
    office = rng.integers(0, 100, n)
    digits[:, 7], digits[:, 8] = province // 10, province % 10
    digits[:, 9], digits[:, 10] = office // 10, office % 10
    digits[:, 11] = rng.integers(0, 10, n)
    digits[:, 12] = rrn_check_digit(digits[:, :12])
    new = birth >= RRN_RANDOM_FROM
    digits[new, 7:] = rng.integers(0, 10, (int(new.sum()), 6))
    number = digits[:, :6] @ (10 ** np.arange(5, -1, -1))
    tail = digits[:, 6:] @ (10 ** np.arange(6, -1, -1))
    return compose([(number, 6), "-", (tail, 7)], n)


def twin_rrns(first: np.ndarray, second: np.ndarray, legacy: np.ndarray) -> np.ndarray:
    """The second twin's number as an office issues it: the first twin's registration area and
    office, the next serial, its own sex digit and a fresh check digit (two or three digits apart
    from the first twin's, never a one-digit slip). Numbers issued since 2020-10 (not
    ``legacy``) have random trailing digits and stay as drawn."""
    if len(first) == 0:
        return second
    a = np.array([list(r.replace("-", "")) for r in first], dtype=np.int64)
    b = np.array([list(r.replace("-", "")) for r in second], dtype=np.int64)
    old = b.copy()
    b[:, 7:11] = a[:, 7:11]
    b[:, 11] = (a[:, 11] + 1) % 10
    b[:, 12] = rrn_check_digit(b[:, :12])
    b = np.where(legacy[:, None], b, old)
    number = b[:, :6] @ (10 ** np.arange(5, -1, -1))
    tail = b[:, 6:] @ (10 ** np.arange(6, -1, -1))
    return compose([(number, 6), "-", (tail, 7)], len(b))


def _phones(rng: np.random.Generator, k: int, landline: bool) -> np.ndarray:
    if not landline:
        body = rng.choice(90_000_000, size=k, replace=False) + 10_000_000
        return compose(["010-", (body // 10_000, 4), "-", (body % 10_000, 4)], k)
    body = rng.choice(9_000_000, size=k, replace=False) + 1_000_000
    long = compose(["02-", (body // 1000 % 9000 + 1000, 4), "-", (body % 10_000, 4)], k)
    short = compose(["02-", (body // 10_000 % 900 + 100, 3), "-", (body % 10_000, 4)], k)
    return np.where(rng.random(k) < 0.7, long, short)


def make_population(
    rng: np.random.Generator, n_residents: int, dongs: pd.DataFrame
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """The truth: ``(residents, households)`` frames, residents in household order."""
    kind, size = _household_sizes(rng, n_residents)
    n_hh = len(kind)
    hh_of = np.repeat(np.arange(n_hh), size)
    start = np.cumsum(size) - size
    pos = np.arange(n_residents) - start[hh_of]
    role = ROLES[kind[hh_of], np.minimum(pos, 5)]
    hk = kind[hh_of]

    # Age of the head by household type; the others follow from it.
    old_age = np.minimum(65 + rng.exponential(9.0, n_hh), 99)
    head_age = np.select(
        [
            kind == SINGLE_OLD,
            kind == SINGLE_ADULT,
            kind == OLD_COUPLE,
            kind == FAMILY,
            kind == SINGLE_PARENT,
            kind == NEWBORN,
        ],
        [
            old_age,
            rng.uniform(20, 65, n_hh),
            old_age,
            rng.uniform(30, 56, n_hh),
            rng.uniform(28, 56, n_hh),
            rng.uniform(26, 43, n_hh),
        ],
        default=np.minimum(72 + rng.exponential(7.0, n_hh), 99),
    )
    ha = head_age[hh_of]
    age = np.select(
        [role == HEAD, role == SPOUSE, role == BABY],
        [ha, np.clip(ha + rng.normal(-2, 3, n_residents), 20, 99), rng.uniform(0, 1, n_residents)],
        default=np.clip(ha - rng.uniform(24, 38, n_residents), 0, None),
    )
    # Newborn households' older children are toddlers.
    age = np.where((hk == NEWBORN) & (role == CHILD), rng.uniform(1, 6, n_residents), age)
    days = np.floor(age * 365.25).astype(np.int64)
    birth = REFERENCE_DATE - days - 1
    # A few families have twins: the second child shares the first one's birth date.
    twin = (role == CHILD) & (pos >= 2) & (np.roll(role, 1) == CHILD)
    twin &= np.repeat(rng.random(n_hh) < 0.03, size)
    twin &= pos == 3
    birth = np.where(twin, np.roll(birth, 1), birth)

    head_female_p = np.array([0.7, 0.5, 0.2, 0.15, 0.8, 0.15, 0.65])
    head_female = rng.random(n_hh) < head_female_p[kind]
    female = np.where(
        role == HEAD,
        head_female[hh_of],
        np.where(role == SPOUSE, ~head_female[hh_of], rng.random(n_residents) < 0.49),
    )

    foreign_hh = rng.random(n_hh) < 0.015
    foreign = foreign_hh[hh_of]
    head_sur = names.draw_surnames(rng, n_hh)
    spouse_sur = names.draw_surnames(rng, n_residents)
    other_sur = names.draw_surnames(rng, n_hh)
    has_spouse = np.isin(kind, [OLD_COUPLE, FAMILY, NEWBORN])
    # Children take the father's surname; a single mother's father-of-the-children is unknown.
    spouse_pos = start + 1
    spouse_of_hh = spouse_sur[np.minimum(spouse_pos, n_residents - 1)]
    father_sur = np.where(~head_female, head_sur, np.where(has_spouse, spouse_of_hh, other_sur))
    surname = np.where(
        role == HEAD,
        head_sur[hh_of],
        np.where(role == SPOUSE, spouse_sur, father_sur[hh_of]),
    )
    birth_year = split_date(birth)[0]
    given = names.draw_given_names(rng, birth_year, female)
    # Compound surnames often take a one-syllable given name (and a few others do too).
    one_syllable = rng.random(n_residents) < np.where(
        np.isin(surname, list(names.COMPOUND_SURNAMES)), 0.5, 0.01
    )
    given = np.where(one_syllable, pd.Series(given).str[0].to_numpy(dtype=object), given)
    # Twins are named as a pair (서연/서윤), not independently.
    tw = np.flatnonzero(twin)
    given[tw] = names.twin_names(rng, given[tw - 1], female[tw])
    name = (surname + given).astype(object)
    latin, transcribed = names.foreign_names(rng, n_residents)
    name = np.where(foreign, transcribed, name)
    latin_name = np.where(foreign, latin, "")
    surname = np.where(foreign, "", surname)

    male = ~female
    rrn = make_rrns(rng, birth, male, foreign)
    rrn[tw] = twin_rrns(rrn[tw - 1], rrn[tw], birth[tw] < RRN_RANDOM_FROM)

    # Phones: most adults have a mobile; old households often keep a landline they share.
    old_hh = np.isin(kind, [SINGLE_OLD, OLD_COUPLE, OLD_WITH_CHILD])
    has_land = rng.random(n_hh) < np.where(old_hh, 0.55, 0.25)
    landline = np.full(n_hh, "", dtype=object)
    landline[has_land] = _phones(rng, int(has_land.sum()), landline=True)
    p_mobile = np.select([age < 12, age < 65, age < 80], [0.0, 0.97, 0.9], default=0.7)
    has_mobile = rng.random(n_residents) < p_mobile
    mobile = np.full(n_residents, "", dtype=object)
    mobile[has_mobile] = _phones(rng, int(has_mobile.sum()), landline=False)
    hh_land = landline[hh_of]
    use_land = (hh_land != "") & ((~has_mobile) | ((age >= 65) & (rng.random(n_residents) < 0.3)))
    phone = np.where(use_land, hh_land, mobile)
    head_phone = phone[start][hh_of]
    # Young children are reached on their head of household's phone.
    phone = np.where((phone == "") & (age < 14), head_phone, phone)

    p_disabled = np.select([age < 18, age < 65], [0.01, 0.04], default=0.12)
    disabled = rng.random(n_residents) < p_disabled
    severe = disabled & (rng.random(n_residents) < 0.35)
    disability = np.where(severe, "severe", np.where(disabled, "mild", "none"))

    # Recognised income: log-normal around a type-specific share of the median, some zero.
    ratio = INCOME_LEVEL[kind] * np.exp(rng.normal(0, INCOME_SPREAD, n_hh))
    ratio[rng.random(n_hh) < 0.02] = 0.0
    income = np.round(ratio * median_income(size) / 10).astype(np.int64) * 10

    n_dongs = len(dongs)
    dong_idx = rng.integers(0, n_dongs, n_hh)
    moved = rng.random(n_hh) < 0.08
    # Current and previous homes from one building stock, so no two households' homes clash.
    places = draw_places(rng, np.concatenate([dong_idx, other_dong(rng, dong_idx, n_dongs)]), dongs)
    current = places.iloc[:n_hh].reset_index(drop=True)
    previous = places.iloc[n_hh:].reset_index(drop=True)
    address = format_addresses(current, dongs, "road")
    prev_address = np.where(moved, format_addresses(previous, dongs, "road"), "")
    dong_code = dongs["dong_code"].to_numpy()[dong_idx]

    head_age_ok = age >= 65
    old_members = np.bincount(hh_of, weights=(head_age_ok & (role <= SPOUSE)), minlength=n_hh)
    couple65 = (kind == OLD_COUPLE) & (old_members >= 2)

    household_id = compose(["H", (np.arange(1, n_hh + 1), 8)], n_hh)
    households = pd.DataFrame(
        {
            "household_id": household_id,
            "size": size,
            "recognised_income": income,
            "dong_code": dong_code,
            "address": address,
            "is_couple_65": couple65,
            "kind": kind,
            "dong_idx": dong_idx,
            "prev_dong_idx": previous["dong_idx"].to_numpy(),
            "moved": moved,
        }
    )
    for col in current.columns:
        households[f"cur_{col}"] = current[col].to_numpy()
        households[f"prev_{col}"] = previous[col].to_numpy()
    residents = pd.DataFrame(
        {
            "resident_id": compose(["R", (np.arange(1, n_residents + 1), 8)], n_residents),
            "name": name,
            "latin_name": latin_name,
            "rrn": rrn,
            "birth_date": birth,
            "sex": np.where(female, "F", "M"),
            "phone": phone,
            "household_id": household_id[hh_of],
            "dong_code": dong_code[hh_of],
            "address": address[hh_of],
            "previous_address": prev_address[hh_of],
            "moved": moved[hh_of],
            "disability": disability,
            "is_foreigner": foreign,
            "surname": surname,
            "hh": hh_of,
            "role": role,
            "age": completed_years(birth),
        }
    )
    return residents, households
