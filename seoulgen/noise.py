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
        "moved": 0.60,
        "phone_changed": 0.08,
        "phone_missing": 0.12,
        "duplicate_id": 0.02,
        "repeated_row": 0.005,
    },
    "crisis": {"typo": 0.02, "space": 0.01, "variant": 0.05, "moved": 0.30, "repeated_row": 0.005},
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
