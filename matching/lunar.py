"""Lunar birthdays: the solar date of a date read as a Korean lunar date, over whole columns.

Many Koreans born before the 1960s know and give their birthday by the lunar calendar (음력), so
one source holds 1948-03-15 where the register holds the solar 1948-04-23. The conversion is
korean-lunar-calendar's (KARI standard, 1000–2050). It is called once per lunar month to build a
table of month starts; every date after that is a ``searchsorted`` and an addition.
"""

from __future__ import annotations

from functools import cache

import numpy as np

FIRST_YEAR, LAST_YEAR = 1900, 2049


@cache
def _month_starts() -> tuple[np.ndarray, np.ndarray]:
    """(YYYYMM of each ordinary lunar month, its first day as days since 1970-01-01)."""
    from korean_lunar_calendar import KoreanLunarCalendar

    cal = KoreanLunarCalendar()
    keys, starts = [], []
    for year in range(FIRST_YEAR, LAST_YEAR + 1):
        for month in range(1, 13):
            if not cal.setLunarDate(year, month, 1, False):
                continue
            keys.append(year * 100 + month)
            starts.append(np.datetime64(cal.SolarIsoFormat(), "D").astype(np.int64))
    return np.asarray(keys, dtype=np.int64), np.asarray(starts, dtype=np.int64)


def days(yyyymmdd: np.ndarray) -> np.ndarray:
    """Days since 1970-01-01 of YYYYMMDD ints; a large negative sentinel where 0 or invalid."""
    v = np.asarray(yyyymmdd, dtype=np.int64)
    y, m, d = v // 10000, v // 100 % 100, v % 100
    ok = (v > 0) & (m >= 1) & (m <= 12) & (d >= 1) & (d <= 31)
    months = (np.where(ok, y, 1970) - 1970) * 12 + np.where(ok, m, 1) - 1
    out = months.astype("datetime64[M]").astype("datetime64[D]").astype(np.int64)
    return np.where(ok, out + np.where(ok, d, 1) - 1, -(10**9))


def solar_of_lunar(yyyymmdd: np.ndarray) -> np.ndarray:
    """YYYYMMDD of the solar date of each value read as an ordinary (non-leap) lunar date; 0
    where it is missing, outside 1900–2049, or beyond its lunar month's length."""
    v = np.asarray(yyyymmdd, dtype=np.int64)
    keys, starts = _month_starts()
    ym, day = v // 100, v % 100
    at = np.clip(np.searchsorted(keys, ym), 0, len(keys) - 1)
    found = (keys[at] == ym) & (day >= 1) & (day <= 30)
    # A month's length is the gap to the next month's start (a leap month, if one follows, has
    # its own start, so ordinary month k+1 may be 59 days later: cap at 30).
    nxt = np.clip(at + 1, 0, len(keys) - 1)
    length = np.minimum(np.where(nxt > at, starts[nxt] - starts[at], 30), 30)
    found &= day <= length
    solar = (starts[at] + day - 1).astype("datetime64[D]")
    y = solar.astype("datetime64[Y]").astype(np.int64) + 1970
    m = solar.astype("datetime64[M]").astype(np.int64) % 12 + 1
    d = (solar - solar.astype("datetime64[M]").astype("datetime64[D]")).astype(np.int64) + 1
    return np.where(found, y * 10000 + m * 100 + d, 0)
