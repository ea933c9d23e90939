"""Vectorised text building: zero-padded numbers, dates and Hangul syllables over whole arrays.

Python's f-strings cost about a microsecond a value; at a million residents and a dozen columns
that alone would blow the time budget, so fixed-width ASCII fields are assembled as byte matrices
and viewed as strings in one step.
"""

from __future__ import annotations

import numpy as np

REFERENCE_DATE = np.datetime64("2026-06-01", "D")

Part = str | tuple[np.ndarray, int]


def compose(parts: list[Part], n: int) -> np.ndarray:
    """Join literal ASCII strings and zero-padded integer columns into one string column.

    Each part is a literal (same for every row) or ``(ints, width)``: the integers printed with
    exactly ``width`` digits (the caller guarantees they fit).
    """
    widths = [len(p) if isinstance(p, str) else p[1] for p in parts]
    total = sum(widths)
    out = np.empty((n, total), dtype=np.uint8)
    col = 0
    for part, width in zip(parts, widths, strict=True):
        if isinstance(part, str):
            out[:, col : col + width] = np.frombuffer(part.encode("ascii"), dtype=np.uint8)
        else:
            values = np.asarray(part[0], dtype=np.int64)
            for k in range(width):
                out[:, col + width - 1 - k] = 48 + (values // 10**k) % 10
        col += width
    return out.view(f"S{total}").ravel().astype(f"U{total}").astype(object)


def split_date(dates: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Year, month and day of a ``datetime64[D]`` array as int64 arrays."""
    dates = np.asarray(dates).astype("datetime64[D]")
    years = dates.astype("datetime64[Y]")
    months = dates.astype("datetime64[M]")
    y = years.astype(np.int64) + 1970
    m = (months - years.astype("datetime64[M]")).astype(np.int64) + 1
    d = (dates - months.astype("datetime64[D]")).astype(np.int64) + 1
    return y, m, d


def ymd(y: np.ndarray, m: np.ndarray, d: np.ndarray, sep: str) -> np.ndarray:
    """``YYYY<sep>MM<sep>DD`` from year, month and day columns."""
    return compose([(y, 4), sep, (m, 2), sep, (d, 2)], len(y))


def date_strings(dates: np.ndarray, sep: str, blank: np.ndarray | None = None) -> np.ndarray:
    """Format ``datetime64[D]`` dates; rows where ``blank`` is true become empty strings."""
    out = ymd(*split_date(dates), sep)
    if blank is not None:
        out[blank] = ""
    return out


def hangul(lead: np.ndarray, vowel: np.ndarray, tail: np.ndarray) -> np.ndarray:
    """Precomposed syllable code points from jamo indices (Unicode §3.12)."""
    return 0xAC00 + (lead * 21 + vowel) * 28 + tail


def jamo_indices(codepoints: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Lead, vowel and tail indices of precomposed Hangul syllable code points."""
    s = codepoints.astype(np.int64) - 0xAC00
    return s // 588, (s % 588) // 28, s % 28


def as_codepoints(strings: np.ndarray, width: int) -> np.ndarray:
    """A string column as an ``(n, width)`` uint32 code-point matrix (zero-padded)."""
    fixed = np.asarray(strings, dtype=f"U{width}")
    return fixed.view(np.uint32).reshape(len(fixed), width).copy()


def from_codepoints(matrix: np.ndarray) -> np.ndarray:
    """Inverse of :func:`as_codepoints`; trailing zero code points vanish."""
    width = matrix.shape[1]
    return np.ascontiguousarray(matrix, dtype=np.uint32).view(f"U{width}").ravel().astype(object)
