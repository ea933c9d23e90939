"""The 2026 figures the generator plants eligibility against (DOMAIN.md §1–§3).

Kept as data keyed by year, as DOMAIN.md asks; the generator only ever uses 2026.
"""

from __future__ import annotations

import numpy as np

MEDIAN_INCOME = {
    2026: (2_564_238, 4_199_292, 5_359_036, 6_494_738, 7_556_719, 8_555_952, 9_515_150),
}
BASIC_PENSION_THRESHOLD = {2026: {"single": 2_470_000, "couple": 3_952_000}}
BASIC_PENSION_AMOUNT = {2026: {"single": 349_700, "couple_each": 279_760}}
DISABILITY_PENSION_SUPPLEMENT = {2026: {"18-64": 90_000}}
CHILD_BENEFIT_AMOUNT = {2026: 100_000}
# Under 9 in 2026 means at most 107 months old: on 2026-06-01, born on or after 2017-06-02.
CHILD_BENEFIT_BORN_FROM = {2026: np.datetime64("2017-06-02", "D")}
# (code, Korean name, percent of median)
NATIONAL_BASIC = (
    ("B01", "생계급여", 32),
    ("B02", "의료급여", 40),
    ("B03", "주거급여", 48),
    ("B04", "교육급여", 50),
)


def median_income(size: np.ndarray, year: int = 2026) -> np.ndarray:
    """Median income for each household size; from 8 persons on, +(7p − 6p) per extra person."""
    table = np.array(MEDIAN_INCOME[year], dtype=np.int64)
    size = np.asarray(size, dtype=np.int64)
    step = table[6] - table[5]
    capped = np.clip(size, 1, 7)
    return table[capped - 1] + np.maximum(size - 7, 0) * step


def threshold(size: np.ndarray, percent: int, year: int = 2026) -> np.ndarray:
    """Selection line ``round(median × percent %)``, half-up to the won as MOHW publishes it."""
    return (median_income(size, year) * percent * 2 + 100) // 200
