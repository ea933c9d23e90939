"""Vectorised normalisers: one pandas Series in, the normalised Series (and what is wrong) out.

Hot-path module: pandas and numpy only, no Django. Every normaliser is idempotent (a normalised
value normalises to itself), which tests/intake/test_normalize_properties.py checks with
Hypothesis. A value that cannot be read is reported in a boolean ``bad`` mask, never raised, so
the caller can give each row every reason at once.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from bigcare.rrn import ascii_digits

# Explicit classes instead of \s and \d: pandas hands those to Python's re (slow), these stay
# in pyarrow's RE2 (vectorised). The characters are literal, not \u escapes, for the same reason.
_SPACES = "[ \t\r\n\x0b\x0c\xa0\u3000]+"
_SPACES_TO_FOLD = "[\t\r\n\x0b\x0c\xa0\u3000]|  "  # what _SPACES → " " can change
# ASCII and precomposed Hangul syllables are already NFC; only other characters can change.
_MAYBE_NOT_NFC = "[^\x01-\x7f가-힣]"
_HANGUL_NAME = r"^[가-힣 ]+$"
# Letters of a name as the sources write them: Hangul, Latin (romanised), and the few marks
# romanised names carry (Young-hee, O'Neil, St. John).
_NAME_CHARS = r"^[가-힣A-Za-z .'\-]+$"
_RRN = r"[0-9]{6}-?[0-9]([0-9]{6}|[*xX]{6})"
_CENTURY = {
    "9": 1800,
    "0": 1800,
    "1": 1900,
    "2": 1900,
    "3": 2000,
    "4": 2000,
    "5": 1900,
    "6": 1900,
    "7": 2000,
    "8": 2000,
}
_PHONE = r"^0[0-9]{8,10}$"
EARLIEST_BIRTH = pd.Timestamp("1880-01-01")


def blank(values: pd.Series) -> pd.Series:
    return values.isna() | (values.astype("str").str.strip() == "")


def text(values: pd.Series, nfc: bool = True) -> pd.Series:
    """NFC, spaces collapsed and stripped; missing becomes "".

    ``nfc=False`` for fields that must be ASCII (dates, numbers, phones): any other character
    makes them unreadable anyway. Only the cells a step can change go through it: nearly every
    cell is already NFC with single spaces, and the test is a cheap match (RE2's DFA).
    """
    out = values.fillna("").astype("str")
    cells = arrow_text(out)
    if nfc:
        cells = where_matching(cells, _MAYBE_NOT_NFC, lambda c: pc.utf8_normalize(c, form="NFC"))
    cells = where_matching(
        cells, _SPACES_TO_FOLD, lambda c: pc.replace_substring_regex(c, _SPACES, " ")
    )
    return pd.Series(pd.array(pc.utf8_trim_whitespace(cells), dtype=out.dtype), index=out.index)


def arrow_text(values: pd.Series) -> pa.Array:
    """A text column as one pyarrow array (pyarrow's kernels take no pandas objects)."""
    array = pa.array(values.array)
    return array.combine_chunks() if isinstance(array, pa.ChunkedArray) else array


def where_matching(
    cells: pa.Array, pattern: str, change: Callable[[pa.Array], pa.Array]
) -> pa.Array:
    """``change`` applied only to the cells that match ``pattern``; the others as they are."""
    hit = pc.match_substring_regex(cells, pattern)
    if not pc.any(hit).as_py():
        return cells
    return pc.replace_with_mask(cells, hit, change(pc.filter(cells, hit)))


def name(values: pd.Series) -> tuple[pd.Series, pd.Series]:
    """Hangul names lose inner spaces (김 영숙 → 김영숙); romanised ones are upper-cased.

    The linker computes its comparable forms (jamo, romanisation keys) from this itself.
    """
    clean = text(values)
    hangul = clean.str.match(_HANGUL_NAME)
    out = clean.where(~hangul, clean.str.replace(" ", "", regex=False))
    out = out.where(hangul, out.str.upper())
    bad = (out != "") & ~out.str.match(_NAME_CHARS)
    return out, bad


def phone(values: pd.Series) -> tuple[pd.Series, pd.Series]:
    """Digits only (010-1234-5678, 010 1234 5678 → 01012345678); "" when blank or unreadable."""
    clean = text(values, nfc=False)
    digits = clean.str.replace(r"[^0-9]", "", regex=True)
    ok = digits.str.match(_PHONE)
    bad = (clean != "") & ~ok
    return digits.where(ok, ""), bad


def dates(values: pd.Series, formats: Sequence[str]) -> tuple[pd.Series, pd.Series]:
    """Parse with each format in turn, first that fits wins; impossible dates are bad."""
    clean = text(values, nfc=False)
    out = pd.Series(pd.NaT, index=values.index, dtype="datetime64[s]")
    for fmt in formats:
        missing = out.isna()
        if not missing.any():
            break
        parsed = pd.to_datetime(clean[missing], format=fmt, errors="coerce")
        out = out.where(~missing, parsed.reindex(out.index).astype("datetime64[s]"))
    bad = (clean != "") & out.isna()
    return out, bad


def birth_dates(values: pd.Series, formats: Sequence[str]) -> tuple[pd.Series, pd.Series]:
    out, bad = dates(values, formats)
    today = pd.Timestamp(date.today())
    implausible = out.notna() & ((out < EARLIEST_BIRTH) | (out > today))
    return out.where(~implausible), bad | implausible


# The largest whole number read: amounts in won stay far below it, and floats hold it exactly
# (a cell of 2^63 or more must be a bad value, not an overflow in the cast or the COPY).
MAX_INTEGER = 10**15


def integer(values: pd.Series, maximum: int = MAX_INTEGER) -> tuple[pd.Series, pd.Series]:
    """Whole numbers from 0 to ``maximum``; thousands separators and a trailing 원 are
    tolerated."""
    clean = text(values, nfc=False).str.replace("[, 원]", "", regex=True)
    # Plain digits (nearly every cell) cast in pyarrow; the rest ("3.0", "1e3") go through
    # to_numeric, which reads them as before.
    plain = clean.str.fullmatch("[0-9]{1,15}").to_numpy(dtype=bool, na_value=False)
    number = pd.Series(np.nan, index=clean.index, dtype="float64")
    if plain.any():
        number[plain] = (
            pc.cast(pa.array(clean.array[plain]), pa.int64())
            .to_numpy(zero_copy_only=False)
            .astype("float64")
        )
    if (~plain).any():
        rest = clean[~plain]
        number[~plain] = pd.to_numeric(rest.where(rest != ""), errors="coerce")
    whole = number.notna() & (number >= 0) & (number == number.round()) & (number <= maximum)
    bad = (clean != "") & ~whole
    return number.where(whole).astype("Int64"), bad


def codes(values: pd.Series, table: Mapping[str, object]) -> tuple[pd.Series, pd.Series]:
    """Translate codes through ``table``; a code that is not in it is bad."""
    clean = text(values)
    out = clean.map(dict(table))
    bad = (clean != "") & out.isna()
    return out, bad


def dong_codes(values: pd.Series, known: frozenset[str] | None) -> tuple[pd.Series, pd.Series]:
    """A 10-digit MOIS administrative dong code; with ``known``, one Seoul has."""
    clean = text(values, nfc=False).str.replace(r"\.0$", "", regex=True)
    ok = clean.str.fullmatch(r"[0-9]{10}")
    if known is not None:
        ok &= clean.isin(known)
    bad = (clean != "") & ~ok
    return clean.where(ok, ""), bad


def dong_name_key(names: pd.Series) -> pd.Series:
    """가양제1동 and 가양1동, 종로1.2.3.4가동 and 종로1·2·3·4가동 meet (DOMAIN.md §0)."""
    out = text(names).str.replace(r"제(?=\d)", "", regex=True)
    return out.str.replace("·", ".", regex=False).str.replace(" ", "", regex=False)


def dong_from_address(addresses: pd.Series, table: Mapping[tuple[str, str], str]) -> pd.Series:
    """The administrative dong named in an address text (구 + 동), or "" when none is named.

    ``table`` maps (district name, dong name key) to the dong code. Road addresses rarely name
    the administrative dong; this catches lot-number addresses and addresses with the dong in
    brackets, and leaves the rest blank rather than guess.
    """
    clean = text(addresses)
    gu = clean.str.extract(r"(\S+구)(?:\s|$)", expand=False).fillna("")
    dong = clean.str.extract(r"[\s(]([가-힣0-9.·제]+동)(?=[\s,)]|$)", expand=False).fillna("")
    keys = pd.Series(list(zip(gu, dong_name_key(dong), strict=True)), index=clean.index)
    return keys.map(dict(table)).fillna("")


@dataclass
class RRNColumns:
    digits: pd.Series  # 13 digits, "" when masked or bad
    masked: pd.Series  # YYMMDD-S******, "" when bad or blank
    birth_date: pd.Series
    sex: pd.Series  # "M", "F", ""
    bad: pd.Series


def rrn(values: pd.Series) -> RRNColumns:
    """Parse full or masked RRNs as whole columns (DOMAIN.md §6).

    Shape, date and century are checked; the checksum is not (numbers issued since 2020-10 have
    random trailing digits), and a masked number is not an error. The date and sex are read
    from the digits as numbers (a matrix of bytes), not by parsing date texts.
    """
    clean = _rrn_compact(text(values, nfc=False))
    shaped = clean.str.fullmatch(_RRN).to_numpy(dtype=bool, na_value=False)
    cells = arrow_text(clean)
    # Shaped numbers are 13 ASCII characters once the dash is gone.
    compact = pc.replace_substring(pc.filter(cells, pa.array(shaped)), "-", "")
    matrix = _bytes_matrix(compact, 13).astype(np.int64) - 48
    sex_digit = matrix[:, 6]
    year = _CENTURIES[sex_digit] + matrix[:, 0] * 10 + matrix[:, 1]
    born_shaped = pd.to_datetime(
        pd.DataFrame(
            {
                "year": year,
                "month": matrix[:, 2] * 10 + matrix[:, 3],
                "day": matrix[:, 4] * 10 + matrix[:, 5],
            }
        ),
        errors="coerce",
    )
    dated = born_shaped.notna().to_numpy()
    ok = shaped.copy()
    ok[shaped] = dated
    full = np.zeros(len(clean), dtype=bool)
    full[shaped] = dated & ((matrix[:, 7:] >= 0) & (matrix[:, 7:] <= 9)).all(axis=1)
    born = np.full(len(clean), np.datetime64("NaT"), dtype="datetime64[s]")
    born[shaped] = born_shaped.to_numpy(dtype="datetime64[s]")
    sex = np.full(len(clean), "", dtype=object)
    sex[shaped] = np.where(sex_digit % 2 == 1, "M", "F")

    def text_of(value: str) -> pa.Scalar:
        return pa.scalar(value, compact.type)

    masked = pc.binary_join_element_wise(
        pc.utf8_slice_codeunits(compact, 0, 6),
        text_of("-"),
        pc.utf8_slice_codeunits(compact, 6, 7),
        text_of("******"),
        text_of(""),
    )
    index = clean.index
    return RRNColumns(
        digits=_placed(compact, shaped, full, index),
        masked=_placed(masked, shaped, ok, index),
        birth_date=pd.Series(born, index=index).where(ok),
        sex=pd.Series(sex, index=index).where(ok, ""),
        bad=pd.Series((clean != "").to_numpy(dtype=bool) & ~ok, index=index),
    )


def _rrn_compact(clean: pd.Series) -> pd.Series:
    """Every spelling of item 7 (bigcare.rrn) as ``YYMMDD-S……`` or ``YYMMDDS……``: Unicode
    digits as ASCII, spaces dropped, any dash, dot, underscore, slash or middle dot between
    the halves as one "-". Only cells that need a step pay for it."""
    cells = arrow_text(clean)
    cells = where_matching(
        cells, "[^\x01-\x7f]", lambda c: pa.array([ascii_digits(v) for v in c.to_pylist()], c.type)
    )
    cells = where_matching(cells, " ", lambda c: pc.replace_substring(c, " ", ""))
    cells = where_matching(
        cells,
        _RRN_SEPARATED,
        lambda c: pc.replace_substring_regex(c, f"^([0-9]{{6}})[{_RRN_SEPARATORS}]{{1,3}}", "\\1-"),
    )
    return pd.Series(pd.array(cells, dtype=clean.dtype), index=clean.index)


# Between an RRN's halves (besides spaces, dropped first): dashes of every width, dot,
# underscore, slash, middle dot. Literal characters: pyarrow's RE2 runs them.
_RRN_SEPARATORS = "\\-‐-―−－_./·"
_RRN_SEPARATED = f"^[0-9]{{6}}(?:[‐-―−－_./·]|-[{_RRN_SEPARATORS}])"


# The century of a birth year by the RRN's sex digit (DOMAIN.md §6), as a lookup by digit.
_CENTURIES = np.array([_CENTURY[str(d)] for d in range(10)], dtype=np.int64)


def _bytes_matrix(cells: pa.Array, width: int) -> np.ndarray:
    """Texts all ``width`` bytes long as an (n, width) matrix of their bytes, from the
    array's own buffers."""
    large = pa.types.is_large_string(cells.type)
    offsets = np.frombuffer(cells.buffers()[1], dtype=np.int64 if large else np.int32)
    offsets = offsets[cells.offset : cells.offset + len(cells) + 1]
    if len(cells) == 0:
        return np.zeros((0, width), dtype=np.uint8)
    data = np.frombuffer(cells.buffers()[2], dtype=np.uint8)[offsets[0] : offsets[-1]]
    return data.reshape(len(cells), width)


def _placed(
    shaped_values: pa.Array, shaped: np.ndarray, keep: np.ndarray, index: pd.Index
) -> pd.Series:
    """Values computed for the shaped rows, back in every row: "" where not ``keep``."""
    blank = len(shaped_values)
    slots = np.full(len(shaped), blank, dtype=np.int64)
    slots[shaped] = np.arange(blank)
    slots[~keep] = blank
    values = pa.concat_arrays([shaped_values, pa.array([""], shaped_values.type)])
    return pd.Series(pd.array(values.take(pa.array(slots)), dtype="str"), index=index)


def rrn_canonical(values: pd.Series) -> pd.Series:
    """``YYMMDD-SXXXXXX`` (or the masked form) for readable numbers, the cleaned text otherwise."""
    parsed = rrn(values)
    full = parsed.digits.str[:6] + "-" + parsed.digits.str[6:]
    out = full.where(parsed.digits != "", parsed.masked)
    return out.where(out != "", text(values).str.replace(" ", "", regex=False))


def formula_like(values: pd.Series) -> pd.Series:
    """Cells a spreadsheet would run as a formula when the row is sent back to the agency."""
    return values.fillna("").astype("str").str.lstrip().str.startswith("=")
