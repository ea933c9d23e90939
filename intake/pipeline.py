"""Map, validate and normalise a whole file as columns: chunks of text in, frames ready to load.

Hot-path module: pandas and numpy only, no Django. Every input row ends either accepted (its
person becomes a record, its benefit or signal an item) or rejected with every reason, so
``rows_in == accepted + rejected`` holds by construction and is checked again before loading.
"""

from __future__ import annotations

import hashlib
import json
import re
import time
from collections.abc import Iterable, Iterator
from collections.abc import Mapping as MappingType
from dataclasses import dataclass, field
from datetime import date

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from bigcare.rrn import redact_rrns
from intake import normalize as nz
from intake.errors import AmbiguousDates
from intake.mapping import FieldSpec, Mapping
from intake.readers import INVALID_COLUMN, Chunk

PERSON_COLUMNS = [
    "name",
    "birth_date",
    "sex",
    "phone",
    "rrn_digits",
    "rrn_masked",
    "address",
    "dong_code",
    "household_size",
    "recognised_income",
    "disability",
    "life_event",
    "life_event_on",
    "household_ref",
]
ENROLLMENT_COLUMNS = ["programme_id", "active", "start", "end", "monthly_amount"]
SAMPLE_ROWS = 10_000  # rows sampled to tell a repetitive column from a mostly distinct one
SIGNAL_COLUMNS = ["indicator_id", "round", "observed_on", "months", "amount"]
ITEM_COLUMNS = {"enrollment": ENROLLMENT_COLUMNS, "signal": SIGNAL_COLUMNS, "": []}
_TEXT_TARGETS = {"text"}
# Whole-number targets stored in a smallint column (the rest are bigint, bounded by
# normalize.MAX_INTEGER).
SMALL_INTEGERS = {"household_size": 32767, "months": 32767}


@dataclass
class Reference:
    """Code lists the mapping resolves against, read from the database by the caller."""

    programmes: MappingType[str, int] = field(default_factory=dict)
    indicators: MappingType[str, int] = field(default_factory=dict)
    dong_codes: frozenset[str] | None = None
    dong_names: MappingType[tuple[str, str], str] = field(default_factory=dict)


@dataclass
class Prepared:
    rows_in: int
    records: pd.DataFrame  # one row per source key: source_key, row_number, PERSON_COLUMNS, raw
    items: pd.DataFrame  # one row per accepted input row: source_key, row_number, item columns
    rejects: pd.DataFrame  # row_number, raw, reasons (list of str)
    item_kind: str  # "enrollment", "signal" or ""
    seconds: dict[str, float]
    columns: list[str] = field(default_factory=list)  # the file's columns: records' raw cells
    # Rows kept with a value left out (an identity number that does not parse): row_number,
    # warnings (list of str). Counted apart: rows_in = accepted + warned + rejected.
    warnings: pd.DataFrame = field(
        default_factory=lambda: pd.DataFrame(
            {"row_number": pd.Series([], dtype="int64"), "warnings": pd.Series([], dtype=object)}
        )
    )

    @property
    def accepted(self) -> int:
        return self.rows_in - len(self.rejects) - len(self.warnings)


def _combine(frame: pd.DataFrame, spec: FieldSpec) -> pd.Series:
    cols = [frame[c] for c in spec.columns]
    if spec.combine == "join":
        out = cols[0]
        for col in cols[1:]:
            out = (out + " " + col).str.strip()
        return out
    out = cols[0]
    for col in cols[1:]:
        out = out.where(out.str.strip() != "", col)
    return out


class _SparseTake:
    """Per-unique texts read through the rows' codes, only where a row is bad."""

    def __init__(self, texts: np.ndarray, codes: np.ndarray):
        self.texts, self.codes = texts, codes

    def __getitem__(self, where: np.ndarray) -> np.ndarray:
        return self.texts[self.codes[where]]


class _Reasons:
    """Per-row reasons collected as (mask, messages) pairs; lists built only for bad rows."""

    def __init__(self, index: pd.Index):
        self.index = index
        self.parts: list[tuple[np.ndarray, pd.Series]] = []

    def add(
        self,
        mask: pd.Series | np.ndarray,
        message: str | pd.Series,
        codes: np.ndarray | None = None,
    ) -> None:
        """``message`` is one text, one per row, or (with ``codes``) one per unique value."""
        if isinstance(mask, pd.Series):
            mask = mask.to_numpy(dtype=bool, na_value=False)
        if not mask.any():
            return
        if isinstance(message, str):
            self.parts.append((mask, np.full(len(mask), message, dtype=object)))
            return
        texts = message.to_numpy(dtype=object)
        self.parts.append((mask, texts if codes is None else _SparseTake(texts, codes)))

    def lists(self) -> pd.Series:
        out = pd.Series([None] * len(self.index), index=self.index, dtype=object)
        if not self.parts:
            return out
        bad = np.logical_or.reduce([m for m, _ in self.parts])
        rows = np.flatnonzero(bad)
        collected: dict[int, list[str]] = {int(i): [] for i in rows}
        for mask, message in self.parts:
            where = np.flatnonzero(mask)
            for i, text in zip(where, message[where], strict=True):
                collected[int(i)].append(str(text))
        values = out.to_numpy().copy()
        for i, reasons in collected.items():
            values[i] = reasons
        return pd.Series(values, index=self.index, dtype=object)


def _messages(
    message: str | tuple[str, str], values: pd.Series, bad: np.ndarray
) -> str | pd.Series:
    """A reason per bad value: ``(label, what)`` becomes label "value" what, the value cut
    short, identity numbers in it masked. Only bad values are formatted:
    nearly every column has none."""
    if isinstance(message, str):
        return message
    label, what = message
    texts = np.full(len(values), "", dtype=object)
    texts[bad] = [f'{label} "{redact_rrns(value)[:40]}"{what}' for value in values.to_numpy()[bad]]
    return pd.Series(texts, index=values.index)


def _factorize(values: pd.Series) -> tuple[np.ndarray | None, pd.Series]:
    """Row codes and the distinct values (blank included: the text frame has no missing).

    A column whose values are nearly all distinct (ids, a file of one row per person) is
    worked on as it is (codes None): encoding it would cost more than it saves. A person's
    fields repeat on each of their rows (~1.8 rows a person in a city extract): encoded, the
    RRN and phone parsers see each value once.
    """
    values = values.fillna("")
    sample = values.iloc[:SAMPLE_ROWS]
    if len(sample) >= 1000 and pc.count_distinct(nz.arrow_text(sample)).as_py() > len(sample) * 0.8:
        return None, values.reset_index(drop=True)
    # pyarrow's dictionary_encode directly: pandas' factorize rebuilds the uniques in Python.
    encoded = pc.dictionary_encode(nz.arrow_text(values))
    codes = encoded.indices.to_numpy(zero_copy_only=False).astype(np.intp, copy=False)
    return codes, pd.Series(pd.array(encoded.dictionary, dtype="str"))


def _take(values: pd.Series, codes: np.ndarray | None, index: pd.Index) -> pd.Series:
    """Per-unique results back to one per row."""
    taken = values.array if codes is None else values.array.take(codes)
    return pd.Series(taken, index=index, name=values.name)


def _rows(mask: np.ndarray, codes: np.ndarray | None) -> np.ndarray:
    return mask if codes is None else mask[codes]


def _transform(
    target: str, spec: FieldSpec, values: pd.Series, ref: Reference
) -> tuple[object, pd.Series | None, str | tuple[str, str]]:
    """One field's transform over distinct values: (result, bad mask or None, message), the
    message a text or (label, what) around each bad value (``_messages``)."""
    label = "/".join(spec.columns)
    t = spec.transform
    if t == "name":
        result, bad = nz.name(values)
        return result, bad, (label, " has characters a name cannot have")
    if t == "date":
        parser = nz.birth_dates if target == "birth_date" else nz.dates
        result, bad = parser(values, [*spec.formats, "%Y-%m-%d"])
        return result, bad, (label, " is not a real date in the form " + " or ".join(spec.formats))
    if t == "sex":
        result, bad = nz.codes(values, spec.codes or nz_default_sex())
        return result, bad, (label, " is not a known sex code")
    if t == "phone":
        result, bad = nz.phone(values)
        return result, bad, (label, " is not a phone number")
    if t == "rrn":
        cols = nz.rrn(values)
        return (
            cols,
            cols.bad,
            (
                f"{label} is not a resident registration number "
                "(YYMMDD-SXXXXXX): the row is kept without it"
            ),
        )
    if t == "text":
        return nz.text(values), None, ""
    if t == "int":
        maximum = SMALL_INTEGERS.get(target, nz.MAX_INTEGER)
        result, bad = nz.integer(values, maximum)
        return result, bad, (label, f" is not a whole number from 0 to {maximum:,}")
    if t == "code":
        result, bad = nz.codes(values, spec.codes)
        return result, bad, (label, " is not one of " + ", ".join(spec.codes))
    if t == "dong_code":
        result, bad = nz.dong_codes(values, ref.dong_codes)
        return result, bad, (label, " is not a Seoul administrative dong code: left blank")
    if t == "dong_from_address":
        return nz.dong_from_address(values, ref.dong_names), None, ""
    if t in ("programme", "indicator"):
        known = ref.programmes if t == "programme" else ref.indicators
        table = {k: known.get(v) for k, v in spec.codes.items()} or known
        result, bad = nz.codes(values, {k: v for k, v in table.items() if v is not None})
        bad = bad & ~values.str.strip().isin(spec.person_only)
        what = "a known programme code" if t == "programme" else "a known crisis indicator"
        return result, bad, (label, " is not " + what)
    raise AssertionError(t)  # parse_mapping refuses unknown transforms: a programming error


def transform_chunk(
    chunk: Chunk, mapping: Mapping, ref: Reference
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Normalise one chunk. Returns (normalised columns + reasons, the raw row with RRN masked)."""
    frame = chunk.frame
    # The row as sent: an optional column the file lacks is no cell of it (raw, run.columns).
    sent = [c for c in frame.columns if c != INVALID_COLUMN]
    for col in mapping.required_columns() + [c for s in mapping.specs for c in s.columns]:
        if col not in frame.columns:
            frame[col] = ""  # optional columns, and JSON lines that lack a key
    index = frame.index
    n = len(frame)
    reasons = _Reasons(index)
    warnings = _Reasons(index)  # what keeps the row but leaves a value out
    if INVALID_COLUMN in frame.columns:
        reasons.add(frame[INVALID_COLUMN] != "", frame[INVALID_COLUMN])
    out = pd.DataFrame(index=index)
    out["row_number"] = (
        chunk.row_numbers
        if chunk.row_numbers is not None
        else np.arange(chunk.first_row, chunk.first_row + n, dtype=np.int64)
    )
    # The row's cells joined (unit separator between them): repeated rows are found by exact
    # text, not by a hash that could collide.
    out["row_text"] = _joined([frame[c] for c in sent], "\x1f")
    _bad_cells(frame, sent, out["row_text"], reasons)

    key = frame[list(mapping.key)[0]].str.strip()
    for col in list(mapping.key)[1:]:
        key = key + ":" + frame[col].str.strip()
    out["source_key"] = key
    key_names = " + ".join(mapping.key)
    reasons.add(
        frame[list(mapping.key)].apply(lambda c: c.str.strip() == "").any(axis=1),
        f"{key_names} (the record id) is blank",
    )
    reasons.add(key.str.len() > 64, f"{key_names} (the record id) is longer than 64 characters")

    raw = frame[sent].copy()
    for target in PERSON_COLUMNS:
        out[target] = ""
    for col in ("birth_date", "life_event_on"):
        out[col] = pd.Series(pd.NaT, index=index, dtype="datetime64[s]")
    for col in ("household_size", "recognised_income"):
        out[col] = pd.Series(pd.NA, index=index, dtype="Int64")

    rrn_cols: nz.RRNColumns | None = None
    for section in ("person", "enrollment", "signal"):
        for target, spec in getattr(mapping, section).items():
            # Names, dates, codes and amounts repeat a lot: each distinct value is normalised
            # once and the results are taken back to the rows by their codes.
            codes, values = _factorize(_combine(frame, spec))
            label = "/".join(spec.columns)
            blank = (values.str.strip() == "").to_numpy(dtype=bool)
            if spec.required:
                reasons.add(_rows(blank, codes), f"{label} is blank")
            result, bad, message = _transform(target, spec, values, ref)
            if target in MAX_LENGTHS:
                limit = MAX_LENGTHS[target]
                too_long = (result.str.len() > limit).to_numpy(dtype=bool, na_value=False)
                reasons.add(_rows(too_long, codes), f"{label} is longer than {limit} characters")
            if bad is not None:
                bad = bad.to_numpy(dtype=bool, na_value=False)
                if bad.any():
                    # An identity number that does not parse (a typo making an impossible
                    # date), or a wrong or stale code in an optional dong field, is left out;
                    # the row keeps the person's other fields (issue 12 item 13, issue 13).
                    left_out = spec.transform == "rrn" or (
                        spec.transform in _LEFT_OUT_WHEN_OPTIONAL and not spec.required
                    )
                    (warnings if left_out else reasons).add(
                        _rows(bad, codes), _messages(message, values, bad), codes
                    )
            if spec.transform == "rrn":
                rrn_cols = nz.RRNColumns(
                    *(
                        _take(getattr(result, f), codes, index)
                        for f in ("digits", "masked", "birth_date", "sex", "bad")
                    )
                )
                bad_rrn, blank_rrn = rrn_cols.bad.to_numpy(dtype=bool), _rows(blank, codes)
                masked = rrn_cols.masked.where(~bad_rrn, "******-*******").where(~blank_rrn, "")
                for col in spec.columns:
                    # Raw copies keep only the masked form, never the digits (DESIGN.md §6).
                    if col in raw:
                        raw[col] = masked
                continue
            if spec.transform == "text":
                reasons.add(
                    _rows(nz.formula_like(values).to_numpy(dtype=bool), codes),
                    f'{label} starts with "=" (a spreadsheet formula)',
                )
            name = {"programme": "programme_id", "indicator": "indicator_id"}.get(target, target)
            if spec.transform in ("programme", "indicator"):
                # Unknown codes map to NaN, which would make the ids floats ("226.0") for COPY.
                result = pd.to_numeric(result, errors="coerce").astype("Int64")
            out[name] = _take(result, codes, index)

    _life_events(out)
    for col in ("name", "sex", "phone", "address", "dong_code", "disability", "life_event"):
        out[col] = out[col].fillna("").astype("str")
    out["household_ref"] = out["household_ref"].fillna("").astype("str")
    if rrn_cols is not None:
        out["rrn_digits"] = rrn_cols.digits
        out["rrn_masked"] = rrn_cols.masked
        # The RRN knows the birth date and sex: it fills them where the columns are blank.
        out["birth_date"] = out["birth_date"].where(out["birth_date"].notna(), rrn_cols.birth_date)
        out["sex"] = out["sex"].fillna("").where(out["sex"].fillna("") != "", rrn_cols.sex)
    if mapping.enrollment:
        end = out["end"] if "end" in out else pd.Series(pd.NaT, index=index)
        out["active"] = end.isna() | (end >= pd.Timestamp(date.today()))
    out["reasons"] = reasons.lists()
    out["warnings"] = warnings.lists()
    return out, raw


def _life_events(out: pd.DataFrame) -> None:
    """The mapping's death and move-out fields into ``life_event`` and its date: a date of
    death outranks a move-out date, and either outranks a status code without a date."""
    died = out.pop("died_on") if "died_on" in out else None
    moved = out.pop("moved_out_on") if "moved_out_on" in out else None
    event = out["life_event"].fillna("").astype(object)
    on = out["life_event_on"]
    for column, name in ((moved, "moved_out"), (died, "deceased")):
        if column is None:
            continue
        has = column.notna().to_numpy()
        event = event.where(~has, name)
        on = on.where(~has, column.astype("datetime64[s]"))
    out["life_event"] = event
    out["life_event_on"] = on.astype("datetime64[s]")


# Transforms whose bad value is blanked (the transform returns "" for it): in an optional
# field the row is kept without the value and warned about, not rejected.
_LEFT_OUT_WHEN_OPTIONAL = {"dong_code"}

# The longest cell read: csv's default field limit. A longer one is a broken extract (an
# unclosed quote swallowing the rest of the file, say), not a value.
MAX_CELL_CHARS = 131_072
# Person and item texts kept in columns of a bounded length (intake.models; a test checks
# they agree): a longer value rejects its row instead of failing the COPY on PostgreSQL.
MAX_LENGTHS = {"name": 100, "address": 200, "round": 20, "household_ref": 64}
NUL_SHOWN_AS = "\u2400"  # ␀: PostgreSQL's texts and jsonb cannot hold a NUL character


def _bad_cells(
    frame: pd.DataFrame, columns: list[str], row_text: pd.Series, reasons: _Reasons
) -> None:
    """Reasons for cells no column can hold: a NUL character, more than ``MAX_CELL_CHARS``.

    Tested on the joined row text (one pass for all columns); only rows that hit are looked
    at cell by cell. NULs are replaced in ``frame`` so nothing downstream (reasons, raw JSON
    for jsonb) carries one.
    """
    joined = nz.arrow_text(row_text)
    long = pc.greater(pc.binary_length(joined), MAX_CELL_CHARS)
    # A NUL byte anywhere in the texts' data buffer, one vectorised pass (pyarrow's substring
    # match per row costs 15 times as much); the buffer may hold bytes beyond a slice, which
    # only costs the exact test below. Nearly no file has one.
    data = joined.buffers()[2]
    any_nul = data is not None and not np.frombuffer(data, dtype=np.uint8).all()
    if not any_nul and not pc.any(long).as_py():
        return
    nul = (
        pc.match_substring(joined, "\x00")
        if any_nul
        else pa.array(np.zeros(len(joined), dtype=bool))
    )
    nul, long = (m.to_numpy(zero_copy_only=False) for m in (nul, long))
    for col in columns:
        if nul.any():
            cells = frame[col]
            hit = nul & cells.str.contains("\x00", regex=False).to_numpy(dtype=bool, na_value=False)
            if hit.any():
                reasons.add(hit, f"{col} contains a NUL character")
                frame[col] = cells.str.replace("\x00", NUL_SHOWN_AS, regex=False)
        if long.any():
            hit = long & (frame[col].str.len() > MAX_CELL_CHARS).to_numpy(
                dtype=bool, na_value=False
            )
            reasons.add(hit, f"{col} holds more than {MAX_CELL_CHARS:,} characters")


def nz_default_sex() -> dict[str, str]:
    from intake.mapping import DEFAULT_SEX_CODES

    return DEFAULT_SEX_CODES


# What a version's content hash covers: its person fields as stored, the RRN by its blind index
# (a keyed HMAC), never by its digits: a hash of the digits and the row's other fields would
# give the number back to anyone trying the million possible back halves.
HASHED_COLUMNS = [
    "source_key",
    "name",
    "birth_date",
    "sex",
    "phone",
    "rrn_index",
    "rrn_masked",
    "address",
    "dong_code",
    "household_size",
    "recognised_income",
    "disability",
]
# Fields added after versions were stored: hashed only when set, so a version without them
# keeps the hash it was stored with and an unchanged person adds no version.
HASHED_WHEN_SET = ["life_event", "life_event_on", "household_ref"]


def _canonical(values: pd.Series) -> pa.Array:
    """A column as the text of its stored value: dates ISO, numbers in digits, booleans t/f,
    missing "". The same text whether the values come from a file or back from the database."""
    array = pa.array(values, from_pandas=True)
    if isinstance(array, pa.ChunkedArray):
        array = array.combine_chunks()
    if pa.types.is_timestamp(array.type) or pa.types.is_date(array.type):
        array = array.cast(pa.date32()).cast(pa.string())
    elif pa.types.is_boolean(array.type):
        array = pc.if_else(array, "t", "f")
    elif pa.types.is_floating(array.type) or pa.types.is_integer(array.type):
        array = array.cast(pa.int64()).cast(pa.string())
    elif pa.types.is_null(array.type):
        array = pa.nulls(len(array), pa.string())
    return pc.cast(array, pa.large_string()).fill_null("")


def _large(text: str) -> pa.Scalar:
    return pa.scalar(text, pa.large_string())


def content_hashes(
    records: pd.DataFrame, items: pd.DataFrame, item_columns: list[str]
) -> pd.api.extensions.ExtensionArray:
    """A 32-hex BLAKE2b of a person's stored fields (``HASHED_COLUMNS``) and their items.

    Items count as a set: their texts are sorted within the person. Computed from values as
    they are stored, so a stored version's hash can be recomputed from its rows (migration
    ``0007`` did that for the versions stored before this hash).
    """
    person = pc.binary_join_element_wise(
        *[_canonical(records[c]) for c in HASHED_COLUMNS], _large("\x1f")
    )
    later = [_canonical(records[c]) for c in HASHED_WHEN_SET if c in records]
    if later:
        text = pc.binary_join_element_wise(*later, _large("\x1f"))
        blank = pc.equal(text, _large("\x1f" * (len(later) - 1)))
        person = pc.if_else(
            blank, person, pc.binary_join_element_wise(person, text, _large("\x1c"))
        )
    per_person = pa.array([""] * len(records), pa.large_string())
    if len(items) and item_columns:
        item_text = pc.binary_join_element_wise(
            *[_canonical(items[c]) for c in item_columns], _large("\x1f")
        )
        keys = _canonical(items["source_key"])
        order = pc.sort_indices(
            pa.table({"k": keys, "t": item_text}),
            sort_keys=[("k", "ascending"), ("t", "ascending")],
        )
        keys, item_text = keys.take(order), item_text.take(order)
        new_key = pc.not_equal(keys[1:], keys[:-1]).to_numpy(zero_copy_only=False)
        starts = np.flatnonzero(np.r_[True, new_key])
        offsets = pa.array(np.r_[starts, len(keys)].astype(np.int32))
        per_key = pc.binary_join(pa.ListArray.from_arrays(offsets, item_text), _large("\x1e"))
        found = pc.index_in(_canonical(records["source_key"]), value_set=keys.take(starts))
        per_person = per_key.take(found).fill_null("")
    # Items after a separator even when there are none: a person hashes the same in a part
    # with no items at all as in one where only others have items.
    person = pc.binary_join_element_wise(person, per_person, _large("\x1d"))
    blake2b = hashlib.blake2b
    digests = b"".join(
        [blake2b(t, digest_size=16).digest() for t in person.cast(pa.large_binary()).to_pylist()]
    )
    # Hex of all digests at once, cut into 32-character texts by offsets: no str per row.
    offsets = np.arange(0, 32 * (len(records) + 1), 32, dtype=np.int32)
    texts = pa.Array.from_buffers(
        pa.string(),
        len(records),
        [None, pa.py_buffer(offsets), pa.py_buffer(digests.hex().encode("ascii"))],
    )
    return pd.array(texts, dtype="str")


def _joined(
    parts: list[pd.Series | pa.Array | str], separator: str, index: pd.Index | None = None
) -> pd.Series:
    """Cells (or constant texts) joined row by row in pyarrow."""
    if index is None:
        index = next(p.index for p in parts if isinstance(p, pd.Series))
    arrays = [
        pa.scalar(p, pa.large_string())
        if isinstance(p, str)
        else pc.cast(
            p if isinstance(p, pa.Array) else nz.arrow_text(p.fillna("")), pa.large_string()
        )
        for p in parts
    ]
    joined = pc.binary_join_element_wise(*arrays, pa.scalar(separator, pa.large_string()))
    return pd.Series(pd.array(joined, dtype="str"), index=index)


# A test (RE2, run as a DFA by pyarrow) that every spelling bigcare.rrn.RRN_ANY_SPELLING masks
# passes: any Unicode digits, single spaces between them, up to three separators (any space,
# dash, dot, underscore, slash, middle dot, "+" or a URL-encoded one) between the halves. It
# has no lookarounds (RE2 has none), so it also passes a few longer digit runs: only the rare
# cell that passes pays for redact_rrns, which decides.
_RRN_SEPARATOR = "[\\s\\x0b\\x1c-\\x1f\\x85\\p{Z}\\-\u2010-\u2015\u2212\uff0d_./\u00b7+]|%2[dD0]"
_RRN_DIGITS = (
    r"\p{Nd}(?: ?\p{Nd}){5}"
    f"(?:{_RRN_SEPARATOR}){{0,3}}"
    r"\p{Nd}(?: ?\p{Nd}){6}"
)
# Cells that need more than quotes to be JSON strings: quotes, backslashes, control characters.
_NEEDS_ESCAPE = '["\\\\\x00-\x1f]'
_BACKSLASH_OR_CONTROL = "[\\\\\x00-\x1f]"


def _json_cells(values: pd.Series) -> pa.Array:
    """Each cell as the inside of a JSON string, with digits shaped like an RRN redacted.

    The few cells that need escaping go through json.dumps, the rest are as they are. No
    lookarounds in the patterns, so pyarrow's RE2 runs them (see intake.normalize).
    """
    cells = nz.arrow_text(values.fillna(""))
    cells = nz.where_matching(
        cells, _RRN_DIGITS, lambda c: pa.array([redact_rrns(v) for v in c.to_pylist()], c.type)
    )
    return nz.where_matching(
        cells,
        _NEEDS_ESCAPE,
        lambda c: pa.array(
            [json.dumps(v, ensure_ascii=False)[1:-1] for v in c.to_pylist()], c.type
        ),
    )


def raw_json(raw: pd.DataFrame, keys: bool = True) -> pd.Series:
    """One JSON text per row (RRN already masked); digits shaped like an RRN are redacted.

    ``keys=True``: an object of column name → cell (a rejected row, read on its own).
    ``keys=False``: an array of the cells in the file's column order (an accepted row; the run
    keeps the column names once), a third of the object's size in the table and its WAL.
    """
    if raw.empty:
        return pd.Series([], dtype="str", index=raw.index)
    if not keys:
        return pd.Series(_cells_array(raw, np.arange(len(raw))), index=raw.index)
    parts: list[pa.Array | str] = []
    for i, col in enumerate(raw.columns):
        opening = "{" if i == 0 else '",'
        parts.append(opening + json.dumps(str(col), ensure_ascii=False) + ':"')
        parts.append(_json_cells(raw[col]))
    parts.append('"}')
    return _joined(parts, "", raw.index)


def _cells_array(raw: pd.DataFrame, rows: np.ndarray) -> pd.api.extensions.ExtensionArray:
    """``raw_json(raw.iloc[rows], keys=False)`` as texts: the cells joined as they are, and
    only the rows whose text shows a quote, backslash or control character inside a cell, or
    RRN-shaped digits, made again cell by cell (two tests per row instead of two per cell:
    nearly no row has either). The rows are taken in arrow (pandas' take of text columns costs
    several times as much)."""
    taken = pa.array(rows)
    cells = [
        pc.cast(nz.arrow_text(raw[c].fillna("")).take(taken), pa.large_string())
        for c in raw.columns
    ]
    joined = _array_text(cells)
    special = pc.or_(
        pc.match_substring_regex(joined, f"{_RRN_DIGITS}|{_BACKSLASH_OR_CONTROL}"),
        pc.not_equal(pc.count_substring(joined, '"'), 2 * len(cells)),
    )
    if not pc.any(special).as_py():
        return pd.array(joined, dtype="str")
    slow = [
        pc.cast(_json_cells(pd.Series(pd.array(c.filter(special), dtype="str"))), pa.large_string())
        for c in cells
    ]
    slots = np.arange(len(joined))
    slots[special.to_numpy(zero_copy_only=False)] = len(joined) + np.arange(len(slow[0]))
    return pd.array(
        pa.concat_arrays([joined, _array_text(slow)]).take(pa.array(slots)), dtype="str"
    )


def _array_text(cells: list[pa.Array]) -> pa.Array:
    """Cells that are already the insides of JSON strings, as one JSON array per row."""
    return pc.binary_join_element_wise(
        _large('["'), pc.binary_join_element_wise(*cells, _large('","')), _large('"]'), _large("")
    )


def _read_all(chunks: Iterable[Chunk], seconds: dict[str, float]) -> list[Chunk]:
    t0 = time.perf_counter()
    out = list(chunks)
    seconds["reading"] += time.perf_counter() - t0
    return out


def _source_keys(table: pa.Table, mapping: Mapping) -> pa.Array:
    """The key text per row, built as ``transform_chunk`` builds it (same strip, ":"-joined):
    rows one record would merge must never fall into two parts."""
    parts = [
        pc.utf8_trim_whitespace(table.column(c).combine_chunks().fill_null("")) for c in mapping.key
    ]
    return parts[0] if len(parts) == 1 else pc.binary_join_element_wise(*parts, ":")


def _date_formats(spec: FieldSpec) -> list[str]:
    """The formats a date field is read with, in order (``_transform`` adds ISO last)."""
    return list(dict.fromkeys([*spec.formats, "%Y-%m-%d"]))


def _may_disagree(formats: list[str]) -> bool:
    """Whether two of the formats could read one text as two dates: only formats with the
    same separators in the same places can (``%Y.%m.%d`` and ISO never read the same text).
    Most mappings have one format beside ISO, and their columns need no pass at all."""
    skeletons = [re.sub("%.", "%", fmt) for fmt in formats]
    return len(set(skeletons)) < len(skeletons)


def _column_text(chunk: Chunk, column: str) -> pd.Series:
    if column not in chunk.columns:
        return pd.Series([""] * chunk.rows, dtype="str")
    if isinstance(chunk.data, pa.Table):
        return pd.Series(
            pd.array(chunk.data.column(column).combine_chunks().fill_null(""), dtype="str")
        )
    return chunk.data[column].fillna("").astype("str").reset_index(drop=True)


def check_date_formats(chunks: list[Chunk], mapping: Mapping) -> None:
    """Refuse the file (AmbiguousDates) when a date field's formats read some of its values
    as different dates: the first that parses would win for each value without a word.

    Over the whole file, before it is cut into parts, and over distinct values only; only
    fields with more than one format are looked at.
    """
    for spec in mapping.specs:
        formats = _date_formats(spec)
        if spec.transform != "date" or not _may_disagree(formats):
            continue
        values = pd.concat(
            [
                _combine(pd.DataFrame({c: _column_text(chunk, c) for c in spec.columns}), spec)
                for chunk in chunks
            ],
            ignore_index=True,
        )
        counts = nz.text(values, nfc=False).value_counts()
        counts = counts[counts.index != ""]
        distinct = pd.Series(counts.index, dtype="str")
        parsed = np.stack(
            [
                pd.to_datetime(distinct, format=fmt, errors="coerce")
                .to_numpy(dtype="datetime64[s]")
                .astype(np.int64)
                for fmt in formats
            ]
        )
        readable = parsed != np.datetime64("NaT").astype(np.int64)
        low = np.where(readable, parsed, np.iinfo(np.int64).max).min(axis=0)
        high = np.where(readable, parsed, np.iinfo(np.int64).min).max(axis=0)
        ambiguous = readable.any(axis=0) & (low != high)
        if ambiguous.any():
            weights = counts.to_numpy()
            raise AmbiguousDates(
                "/".join(spec.columns),
                {fmt: int(weights[readable[i]].sum()) for i, fmt in enumerate(formats)},
                int(weights[ambiguous].sum()),
            )


def _part_weights(count: int) -> list[float]:
    """Relative sizes of the parts of a file of about ``count`` full parts.

    Nothing overlaps the staging of the first part nor the COPY of the last, so the parts
    grow from an eighth at the start and shrink to a quarter at the end.
    """
    if count <= 2:
        return [1.0] if count == 1 else [0.25, 1.0]
    return [0.125, 0.25, 0.5, *[1.0] * (count - 2), 0.5, 0.25]


def partitions(
    chunks: Iterable[Chunk],
    mapping: Mapping,
    rows_per_part: int,
    seconds: dict[str, float] | None = None,
) -> Iterator[Chunk]:
    """The file's rows split by source key into parts of about ``rows_per_part`` rows.

    Everything the pipeline decides across rows is per source key: a person's record is its
    key's first accepted row, its content hash covers all its key's items, and a verbatim
    repeat has the same key as the row it repeats. So a part holding every row of its keys can
    be validated and loaded on its own, and the parts can go through validation and COPY
    overlapped (intake.imports). Rows keep their file order and numbers within a part.
    """
    seconds = seconds if seconds is not None else {"reading": 0.0}
    read = _read_all(chunks, seconds)
    check_date_formats(read, mapping)
    if len(read) == 1 and read[0].rows <= rows_per_part:
        yield read[0]
        return
    t0 = time.perf_counter()
    first_row = read[0].first_row
    if len(read) == 1 and isinstance(read[0].data, pa.Table):
        table = read[0].data
    else:
        # Parts are taken from one arrow table of single-chunk columns: pandas' take on its
        # chunked string columns costs ~5× as much (~4 s per million rows).
        frame = pd.concat([c.frame for c in read], ignore_index=True)
        table = pa.Table.from_pandas(frame, preserve_index=False)
        table = table.rename_columns([str(c) for c in frame.columns])
        del frame
    del read
    table = table.combine_chunks()
    # Keys numbered in order of first appearance and cut into ranges of those numbers: every
    # row of one key (blank keys too) falls in one part, and a part holds keys that are
    # neighbours in the file (an extract sorted by key COPYs into the key indexes in order).
    codes = pc.dictionary_encode(_source_keys(table, mapping)).indices.to_numpy(
        zero_copy_only=False
    )
    distinct = int(codes.max()) + 1
    weights = _part_weights(-(-table.num_rows // rows_per_part))
    count = len(weights)
    edges = np.cumsum(weights)[:-1] / sum(weights) * distinct
    part_of = np.searchsorted(edges, codes, side="right")
    order = np.argsort(part_of, kind="stable")
    bounds = np.searchsorted(part_of[order], np.arange(count + 1))
    seconds["reading"] += time.perf_counter() - t0
    for k in range(count):
        t0 = time.perf_counter()
        rows = order[bounds[k] : bounds[k + 1]]
        part = table.take(rows)
        seconds["reading"] += time.perf_counter() - t0
        yield Chunk(part, first_row, row_numbers=rows.astype(np.int64) + first_row)


def prepare_part(part: Chunk, mapping: Mapping, ref: Reference) -> Prepared:
    """One part of ``partitions`` normalised on its own: it holds whole source keys."""
    t0 = time.perf_counter()
    out, raw = transform_chunk(part, mapping, ref)
    prepared = _assemble(out, raw, mapping, {"validating": 0.0})
    prepared.seconds["validating"] = time.perf_counter() - t0
    return prepared


def _assemble(
    norm: pd.DataFrame, raw: pd.DataFrame, mapping: Mapping, seconds: dict[str, float]
) -> Prepared:
    """A normalised part to records, items and rejects: repeats, first rows, raw arrays."""
    norm = norm.reset_index(drop=True)
    raw = raw.reset_index(drop=True).fillna("")
    # A row repeated verbatim in one file is a defect of the extract, not a second person.
    row_text = nz.arrow_text(norm.pop("row_text"))
    codes = pc.dictionary_encode(row_text).indices.to_numpy(zero_copy_only=False)
    del row_text
    _, first_at = np.unique(codes, return_index=True)
    first = norm["row_number"].to_numpy()[first_at[codes]]
    repeated = first != norm["row_number"].to_numpy()
    if repeated.any():
        values = norm["reasons"].to_numpy().copy()
        for i in np.flatnonzero(repeated):
            values[i] = [*(values[i] or []), f"repeats row {first[i]}"]
        norm["reasons"] = values
    _conflicting_rows(norm, mapping)
    rejected = norm["reasons"].notna().to_numpy()
    warned = norm["warnings"].notna().to_numpy()
    reasons = norm["reasons"].to_numpy()[rejected]
    for i in np.flatnonzero(warned[rejected]):  # a rejected row's warnings are reasons too
        reasons[i] = [*reasons[i], *norm["warnings"].iat[np.flatnonzero(rejected)[i]]]

    rejects = pd.DataFrame(
        {
            # Kept for a full extract: a person whose row is rejected is still in the file.
            "source_key": norm["source_key"].to_numpy()[rejected],
            "row_number": norm["row_number"].to_numpy()[rejected],
            "raw": raw_json(raw.loc[rejected]).to_numpy(),
            "reasons": reasons,
        }
    )
    kept_warned = warned & ~rejected
    warnings = pd.DataFrame(
        {
            "row_number": norm["row_number"].to_numpy()[kept_warned],
            "warnings": norm["warnings"].to_numpy()[kept_warned],
        }
    )
    accepted = norm.loc[~rejected]
    first_rows = ~accepted["source_key"].duplicated(keep="first")
    records = accepted.loc[first_rows, ["source_key", "row_number", *PERSON_COLUMNS]].copy()
    records["raw"] = _cells_array(raw, records.index.to_numpy())
    kind = mapping.item_kind
    columns = ITEM_COLUMNS[kind]
    for col in columns:
        if col not in accepted:
            accepted = accepted.assign(**{col: None})
    items = accepted[["source_key", "row_number", *columns]]
    if columns:
        # Person-only rows (mapping's person_only codes) keep their person and make no item.
        items = items[items[columns[0]].notna()]
    items = items.reset_index(drop=True)
    records = records.reset_index(drop=True)
    return Prepared(
        len(norm), records, items, rejects, kind, seconds, [str(c) for c in raw.columns], warnings
    )


# Fields that say who a row's person is. A key's record is its first accepted row; a later row
# of the same key saying someone else is rejected, not silently folded into the first.
IDENTITY_FIELDS = {
    "name": "name",
    "birth_date": "birth date",
    "sex": "sex",
    "rrn_digits": "resident registration number",
}


def _conflicting_rows(norm: pd.DataFrame, mapping: Mapping) -> None:
    """Give a reason to each accepted row whose key's first accepted row names another person.

    Column work: each identity field compared with the key's first row's; only the rare
    conflicting rows get a message made."""
    ok = np.flatnonzero(norm["reasons"].isna().to_numpy())
    if len(ok) < 2:
        return
    keys = nz.arrow_text(norm["source_key"]).take(pa.array(ok))
    codes = pc.dictionary_encode(keys).indices.to_numpy(zero_copy_only=False)
    if int(codes.max()) + 1 == len(ok):  # one row per key: nothing to compare
        return
    _, first_at = np.unique(codes, return_index=True)
    first = first_at[codes]
    differs: dict[str, np.ndarray] = {}
    for column, label in IDENTITY_FIELDS.items():
        if column not in norm:
            continue
        values = _canonical(norm[column].iloc[ok].reset_index(drop=True))
        # A blank later value loses nothing: the record keeps the first row's.
        hit = pc.and_(
            pc.not_equal(values, values.take(pa.array(first))), pc.not_equal(values, "")
        ).to_numpy(zero_copy_only=False)
        if hit.any():
            differs[label] = hit
    if not differs:
        return
    key_names = " + ".join(mapping.key)
    rows = norm["row_number"].to_numpy()
    values = norm["reasons"].to_numpy().copy()
    for i in np.flatnonzero(np.logical_or.reduce(list(differs.values()))):
        what = ", ".join(label for label, hit in differs.items() if hit[i])
        values[ok[i]] = [
            f"{key_names} (the record id) is on row {rows[ok[first[i]]]} with "
            f"a different {what}: one id, one person"
        ]
    norm["reasons"] = values
