"""The defects each source carries, at what rate, and the vectorised functions that plant them.

A rate is the share of the records *where the defect can apply* that carry it: a day/month swap
only where the day is 12 or less and differs from the month, a 이/리 variant only for surnames
that have one, an old address only for people who moved, a phone defect only where there is a
phone. Defects of a person's identity (name, birth date, phone, address, masking) are drawn once
per person-id of a source, so every row of that person-id carries the same ones, as a real
register would; ``dong_missing`` and ``repeated_row`` are drawn per row; ``duplicate_id`` per
person of the source.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from .formats import as_codepoints, from_codepoints, hangul, jamo_indices
from .romanize import (
    default_surname_spelling,
    romanize_given,
    surname_spelling_table,
)

KINDS = (
    "typo",
    "space",
    "variant",
    "romanised",
    "date_swap",
    "lunar",
    "day_off",
    "year_digit",
    "syllable_swap",
    "rrn_slip",
    "latin_script",
    "moved",
    "phone_changed",
    "phone_missing",
    "masked_rrn",
    "dong_missing",
    "duplicate_id",
    "repeated_row",
)

NOISE_DEFAULTS: dict[str, dict[str, float]] = {
    "city": {
        "typo": 0.03,
        "space": 0.05,
        "variant": 0.10,
        "date_swap": 0.02,
        "lunar": 0.15,
        "day_off": 0.01,
        "year_digit": 0.005,
        "syllable_swap": 0.01,
        "rrn_slip": 0.02,
        "latin_script": 0.3,
        "moved": 0.40,
        "phone_changed": 0.06,
        "phone_missing": 0.08,
        "masked_rrn": 0.60,
        "dong_missing": 0.10,
        "duplicate_id": 0.03,
        "repeated_row": 0.005,
    },
    "ministry": {
        "typo": 0.01,
        "syllable_swap": 0.003,
        "rrn_slip": 0.005,
        "latin_script": 0.7,
        "moved": 0.50,
        "phone_changed": 0.05,
        "phone_missing": 0.04,
        "duplicate_id": 0.005,
    },
    "facility": {
        "typo": 0.04,
        "space": 0.03,
        "variant": 0.08,
        "romanised": 0.30,
        "date_swap": 0.03,
        "lunar": 0.25,
        "day_off": 0.02,
        "year_digit": 0.01,
        "syllable_swap": 0.02,
        "latin_script": 0.5,
        "moved": 0.60,
        "phone_changed": 0.08,
        "phone_missing": 0.12,
        "duplicate_id": 0.02,
        "repeated_row": 0.005,
    },
    "crisis": {
        "typo": 0.02,
        "space": 0.01,
        "variant": 0.05,
        "syllable_swap": 0.01,
        "rrn_slip": 0.02,
        "latin_script": 0.5,
        "moved": 0.30,
        "repeated_row": 0.005,
    },
}

# 두음법칙 surnames registered either way since 2007 (DOMAIN.md §7).
VARIANTS = {
    "이": "리",
    "리": "이",
    "유": "류",
    "류": "유",
    "임": "림",
    "림": "임",
    "나": "라",
    "라": "나",
    "노": "로",
    "양": "량",
    "량": "양",
}

# Plausible slips per jamo: a neighbouring final (준→중), a near vowel (ㅓ/ㅕ), a tense or aspirated
# initial (ㅈ/ㅊ). Every entry differs from its index, so a typo always changes the name.
_LEAD_SLIP = np.array([15, 0, 5, 16, 3, 2, 7, 17, 7, 10, 9, 18, 14, 12, 12, 0, 3, 7, 11])
_VOWEL_SLIP = np.array([4, 5, 6, 7, 6, 1, 4, 5, 13, 0, 11, 10, 17, 8, 9, 16, 15, 12, 13, 20, 19])
_TAIL_SLIP = np.array(
    [4, 0, 1, 1, 21, 4, 4, 0, 0, 8, 16, 8, 8, 8, 17, 8, 21, 16, 17, 0, 19, 4, 0, 0, 1, 0, 17, 0]
)


def jamo_typos(rng: np.random.Generator, names: np.ndarray, surname_len: np.ndarray) -> np.ndarray:
    """Change one jamo of one syllable of each name, preferring the given name."""
    n = len(names)
    if n == 0:
        return names
    width = max(int(pd.Series(names).str.len().max()), 1)
    cp = as_codepoints(names, width)
    length = (cp != 0).sum(axis=1)
    first = np.minimum(surname_len, np.maximum(length - 1, 0))
    pos = first + np.floor(rng.random(n) * np.maximum(length - first, 1)).astype(np.int64)
    rows = np.arange(n)
    target = cp[rows, pos].astype(np.int64)
    is_hangul = (target >= 0xAC00) & (target <= 0xD7A3)
    lead, vowel, tail = jamo_indices(np.where(is_hangul, target, 0xAC00))
    which = rng.random(n)
    lead = np.where(which < 0.2, _LEAD_SLIP[lead], lead)
    vowel = np.where((which >= 0.2) & (which < 0.55), _VOWEL_SLIP[vowel], vowel)
    tail = np.where(which >= 0.55, _TAIL_SLIP[tail], tail)
    cp[rows, pos] = np.where(is_hangul, hangul(lead, vowel, tail), target)
    return from_codepoints(cp)


def insert_space(names: np.ndarray, surname_len: np.ndarray) -> np.ndarray:
    """``김영숙`` → ``김 영숙``: the space a clerk types between surname and given name."""
    s = pd.Series(names, dtype=object)
    out = s.copy()
    for k in (1, 2):
        m = surname_len == k
        out[m] = s[m].str[:k] + " " + s[m].str[k:]
    return out.to_numpy(dtype=object)


def variant_surnames(names: np.ndarray) -> np.ndarray:
    """Swap a 두음법칙 surname for its other form (이→리, 류→유 …)."""
    s = pd.Series(names, dtype=object)
    return (s.str[0].map(VARIANTS) + s.str[1:]).to_numpy(dtype=object)


def variant_applies(names: np.ndarray, surname_len: np.ndarray) -> np.ndarray:
    """Where :func:`variant_surnames` can apply: one-syllable surnames with a second form."""
    return (surname_len == 1) & pd.Series(names).str[0].isin(list(VARIANTS)).to_numpy()


def romanise_names(
    rng: np.random.Generator, names: np.ndarray, surname_len: np.ndarray
) -> np.ndarray:
    """Romanised names in the spellings facilities really use.

    Styles: ``Lee Young-hee``, ``YI YOUNGHEE``, ``Younghee Rhee``, ``LEE YOUNG HEE`` and RR
    ``Lee Yeonghui``; the surname spelling is drawn from its real variants.
    """
    n = len(names)
    s = pd.Series(names, dtype=object)
    sur = np.where(surname_len == 2, s.str[:2], s.str[:1]).astype(object)
    given = np.where(surname_len == 2, s.str[2:], s.str[1:]).astype(object)
    table = surname_spelling_table()
    sur_rom = np.empty(n, dtype=object)
    u = rng.random(n)
    for key in pd.unique(sur):
        m = sur == key
        if key in table:
            spellings, cum = table[key]
            idx = np.minimum(np.searchsorted(cum, u[m], side="right"), len(spellings) - 1)
            sur_rom[m] = np.array(spellings, dtype=object)[idx]
        else:
            sur_rom[m] = default_surname_spelling(key)
    uniq = pd.unique(given)
    popular = {g: romanize_given(g, popular=True) for g in uniq}
    revised = {g: romanize_given(g, popular=False) for g in uniq}
    gs = pd.Series(given, dtype=object)
    hyphen_pop = gs.map(lambda g: "-".join(popular[g])).str.capitalize()
    joined_pop = gs.map(lambda g: "".join(popular[g]))
    spaced_pop = gs.map(lambda g: " ".join(popular[g]).upper())
    joined_rr = gs.map(lambda g: "".join(revised[g])).str.capitalize()
    sur_title = pd.Series(sur_rom, dtype=object).str.capitalize()
    sur_upper = pd.Series(sur_rom, dtype=object)
    style = rng.integers(0, 5, n)
    out = np.select(
        [style == 0, style == 1, style == 2, style == 3],
        [
            sur_title + " " + hyphen_pop,
            sur_upper + " " + joined_pop.str.upper(),
            joined_pop.str.capitalize() + " " + sur_title,
            sur_upper + " " + spaced_pop,
        ],
        default=sur_title + " " + joined_rr,
    )
    return out.astype(object)


def swap_applies(names: np.ndarray, surname_len: np.ndarray) -> np.ndarray:
    """Where :func:`swap_syllables` can apply: Korean names with a two-syllable given name of
    two different syllables (영숙 → 숙영; 영영 cannot be swapped)."""
    s = pd.Series(names, dtype=object)
    given = s.str.slice(1).where(surname_len != 2, s.str.slice(2))
    ok = (surname_len > 0) & (given.str.len() == 2).to_numpy()
    return ok & (given.str[0] != given.str[1]).to_numpy()


def swap_syllables(names: np.ndarray, surname_len: np.ndarray) -> np.ndarray:
    """김영숙 → 김숙영: the given name's two syllables in the other order."""
    s = pd.Series(names, dtype=object)
    k = np.where(surname_len == 2, 2, 1)
    out = s.copy()
    for width in (1, 2):
        m = k == width
        out[m] = s[m].str[:width] + s[m].str[width + 1] + s[m].str[width]
    return out.to_numpy(dtype=object)


# Who still gives the lunar birthday (음력 생일): people born before this year.
LUNAR_BORN_BEFORE = 1960


def _lunar_dates(y: np.ndarray, m: np.ndarray, d: np.ndarray) -> np.ndarray:
    """YYYYMMDD of the lunar date of each solar date (KARI standard, korean-lunar-calendar);
    0 where the lunar date is in a leap month or is not a calendar date (2월 30일), since no
    clerk's system would accept it. Converted once per distinct date."""
    from korean_lunar_calendar import KoreanLunarCalendar

    key = y * 10000 + m * 100 + d
    uniq, inverse = np.unique(key, return_inverse=True)
    cal = KoreanLunarCalendar()
    out = np.zeros(len(uniq), dtype=np.int64)
    for k, v in enumerate(uniq.tolist()):
        if not cal.setSolarDate(v // 10000, v // 100 % 100, v % 100) or cal.isIntercalation:
            continue
        ly, lm, ld = cal.lunarYear, cal.lunarMonth, cal.lunarDay
        try:
            np.datetime64(f"{ly:04d}-{lm:02d}-{ld:02d}")
        except ValueError:
            continue
        out[k] = ly * 10000 + lm * 100 + ld
    return out[inverse]


def _ymd(dates: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    from .formats import split_date

    return split_date(dates)


def birth_slips(
    rng: np.random.Generator,
    rates: dict[str, float],
    y: np.ndarray,
    m: np.ndarray,
    d: np.ndarray,
    free: np.ndarray,
) -> tuple[np.ndarray, np.ndarray, np.ndarray, dict[str, np.ndarray]]:
    """The birth date as some sources write it: the lunar birthday (older people), one day off,
    a year digit wrong. At most one kind per record (``free``: not already altered)."""
    flags = {}
    y, m, d = y.copy(), m.copy(), d.copy()
    lunar = _lunar_dates(y, m, d) if rates.get("lunar") else np.zeros(len(y), dtype=np.int64)
    f = draw(rng, rates.get("lunar", 0.0), free & (y < LUNAR_BORN_BEFORE) & (lunar > 0))
    y[f], m[f], d[f] = lunar[f] // 10000, lunar[f] // 100 % 100, lunar[f] % 100
    flags["lunar"] = f
    free = free & ~f
    f = draw(rng, rates.get("day_off", 0.0), free)
    date = np.array(
        [f"{a:04d}-{b:02d}-{c:02d}" for a, b, c in zip(y[f], m[f], d[f], strict=True)],
        dtype="datetime64[D]",
    )
    shifted = date + np.where(rng.random(len(date)) < 0.5, -1, 1)
    y[f], m[f], d[f] = _ymd(shifted)
    flags["day_off"] = f
    free = free & ~f
    f = draw(rng, rates.get("year_digit", 0.0), free & ~((m == 2) & (d == 29)))
    # The units digit mostly (1948 → 1949), sometimes the tens (1948 → 1958); never the same.
    tens = rng.random(len(y)) < 0.3
    step = rng.integers(1, 10, len(y))
    units = y // 1 % 10
    ten = y // 10 % 10
    new_y = np.where(tens, y - ten * 10 + (ten + step) % 10 * 10, y - units + (units + step) % 10)
    y = np.where(f, new_y, y)
    flags["year_digit"] = f
    return y, m, d, flags


def rrn_slips(rng: np.random.Generator, rrns: np.ndarray) -> np.ndarray:
    """A clerk's slip in ``YYMMDD-SXXXXXX``: one digit of the six after the sex digit wrong, or
    two neighbouring ones of them swapped. Birth date and sex digit stay as they were."""
    if len(rrns) == 0:
        return rrns
    digits = np.array([list(r) for r in rrns], dtype="U1")
    n = len(digits)
    rows = np.arange(n)
    pos = 8 + rng.integers(0, 6, n)
    value = digits[rows, pos].astype(np.int64)
    changed = ((value + rng.integers(1, 10, n)) % 10).astype("U1")
    left = 8 + rng.integers(0, 5, n)
    a, b = digits[rows, left].copy(), digits[rows, left + 1].copy()
    swap = (rng.random(n) < 0.3) & (a != b)
    one = ~swap
    digits[rows[one], pos[one]] = changed[one]
    digits[rows[swap], left[swap]] = b[swap]
    digits[rows[swap], left[swap] + 1] = a[swap]
    return np.array(["".join(r) for r in digits], dtype=object)


def draw(rng: np.random.Generator, rate: float, applies: np.ndarray) -> np.ndarray:
    """Which of the applicable records get a defect of the given rate."""
    return applies & (rng.random(len(applies)) < rate)


def flags_to_text(flags: dict[str, np.ndarray], n: int) -> np.ndarray:
    """``;``-joined names of the defects present in each record, in :data:`KINDS` order."""
    out = np.full(n, "", dtype=object)
    for kind in KINDS:
        if kind in flags:
            out = np.where(flags[kind], out + kind + ";", out)
    return pd.Series(out, dtype=object).str.rstrip(";").to_numpy(dtype=object)
