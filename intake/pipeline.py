"""Map, validate and normalise a whole file as columns: chunks of text in, frames ready to load.

Hot-path module: pandas and numpy only, no Django. Every input row ends either accepted (its
person becomes a record, its benefit or signal an item) or rejected with every reason, so
``rows_in == accepted + rejected`` holds by construction and is checked again before loading.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterable
from collections.abc import Mapping as MappingType
from dataclasses import dataclass, field
from datetime import date

import numpy as np
import pandas as pd

from intake import normalize as nz
from intake.mapping import FieldSpec, Mapping
from intake.readers import INVALID_COLUMN, Chunk

PERSON_COLUMNS = ["name", "birth_date", "sex", "phone", "rrn_digits", "rrn_masked", "address",
                  "dong_code", "household_size", "recognised_income", "disability"]
ENROLLMENT_COLUMNS = ["programme_id", "active", "start", "end", "monthly_amount"]
SIGNAL_COLUMNS = ["indicator_id", "round", "observed_on", "months", "amount"]
_HASH_KEYS = ("bigcare-intake-1", "bigcare-intake-2")
_TEXT_TARGETS = {"text"}


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

    @property
    def accepted(self) -> int:
        return self.rows_in - len(self.rejects)


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


class _Reasons:
    """Per-row reasons collected as (mask, messages) pairs; lists built only for bad rows."""

    def __init__(self, index: pd.Index):
        self.index = index
        self.parts: list[tuple[np.ndarray, pd.Series]] = []

    def add(self, mask: pd.Series, message: str | pd.Series) -> None:
        mask = mask.to_numpy(dtype=bool, na_value=False)
        if not mask.any():
            return
        if isinstance(message, str):
            message = pd.Series(message, index=self.index)
        self.parts.append((mask, message))

    def lists(self) -> pd.Series:
        out = pd.Series([None] * len(self.index), index=self.index, dtype=object)
        if not self.parts:
            return out
        bad = np.logical_or.reduce([m for m, _ in self.parts])
        rows = np.flatnonzero(bad)
        collected: dict[int, list[str]] = {int(i): [] for i in rows}
        for mask, message in self.parts:
            where = np.flatnonzero(mask)
            for i, text in zip(where, message.to_numpy()[where], strict=True):
                collected[int(i)].append(str(text))
        values = out.to_numpy().copy()
        for i, reasons in collected.items():
            values[i] = reasons
        return pd.Series(values, index=self.index, dtype=object)


def _quoted(values: pd.Series) -> pd.Series:
    # Cell values quoted in reasons, cut short; RRN-shaped digits are redacted by the caller.
    return '"' + values.str.slice(0, 40) + '"'


def transform_chunk(chunk: Chunk, mapping: Mapping, ref: Reference) -> tuple[pd.DataFrame,
                                                                             pd.DataFrame]:
    """Normalise one chunk. Returns (normalised columns + reasons, the raw row with RRN masked)."""
    frame = chunk.frame
    for col in mapping.required_columns() + [c for s in mapping.specs for c in s.columns]:
        if col not in frame.columns:
            frame[col] = ""  # optional columns, and JSON lines that lack a key
    index = frame.index
    n = len(frame)
    reasons = _Reasons(index)
    if INVALID_COLUMN in frame.columns:
        reasons.add(frame[INVALID_COLUMN] != "", frame[INVALID_COLUMN])
    original = [c for c in frame.columns if c != INVALID_COLUMN]
    out = pd.DataFrame(index=index)
    out["row_number"] = np.arange(chunk.first_row, chunk.first_row + n, dtype=np.int64)
    out["row_hash"] = pd.util.hash_pandas_object(frame[original], index=False).to_numpy()

    key = frame[list(mapping.key)[0]].str.strip()
    for col in list(mapping.key)[1:]:
        key = key + ":" + frame[col].str.strip()
    out["source_key"] = key
    key_names = " + ".join(mapping.key)
    reasons.add(frame[list(mapping.key)].apply(lambda c: c.str.strip() == "").any(axis=1),
                f"{key_names} (the record id) is blank")
    reasons.add(key.str.len() > 64, f"{key_names} (the record id) is longer than 64 characters")

    raw = frame[original].copy()
    for target in PERSON_COLUMNS:
        out[target] = ""
    for col in ("birth_date",):
        out[col] = pd.Series(pd.NaT, index=index, dtype="datetime64[s]")
    for col in ("household_size", "recognised_income"):
        out[col] = pd.Series(pd.NA, index=index, dtype="Int64")

    rrn_cols: nz.RRNColumns | None = None
    for section in ("person", "enrollment", "signal"):
        for target, spec in getattr(mapping, section).items():
            values = _combine(frame, spec)
            label = "/".join(spec.columns)
            blank = values.str.strip() == ""
            if spec.required:
                reasons.add(blank, f"{label} is blank")
            bad = None
            t = spec.transform
            if t == "name":
                result, bad = nz.name(values)
                message = label + " " + _quoted(values) + " has characters a name cannot have"
            elif t == "date":
                parser = nz.birth_dates if target == "birth_date" else nz.dates
                result, bad = parser(values, [*spec.formats, "%Y-%m-%d"])
                message = (label + " " + _quoted(values) + " is not a real date in the form "
                           + " or ".join(spec.formats))
            elif t == "sex":
                result, bad = nz.codes(values, spec.codes or nz_default_sex())
                message = label + " " + _quoted(values) + " is not a known sex code"
            elif t == "phone":
                result, bad = nz.phone(values)
                message = label + " " + _quoted(values) + " is not a phone number"
            elif t == "rrn":
                rrn_cols = nz.rrn(values)
                bad = rrn_cols.bad
                result = None
                message = f"{label} is not a resident registration number (YYMMDD-SXXXXXX)"
                for col in spec.columns:
                    # Raw copies keep only the masked form, never the digits (DESIGN.md §6).
                    raw[col] = rrn_cols.masked.where(~bad, "******-*******").where(~blank, "")
            elif t == "text":
                result = nz.text(values)
                reasons.add(nz.formula_like(values),
                            f'{label} starts with "=" (a spreadsheet formula)')
                message = ""
            elif t == "int":
                result, bad = nz.integer(values)
                message = label + " " + _quoted(values) + " is not a whole number"
            elif t == "code":
                result, bad = nz.codes(values, spec.codes)
                message = label + " " + _quoted(values) + " is not one of " + ", ".join(spec.codes)
            elif t == "dong_code":
                result, bad = nz.dong_codes(values, ref.dong_codes)
                message = label + " " + _quoted(values) + " is not a Seoul administrative dong code"
            elif t == "dong_from_address":
                result = nz.dong_from_address(values, ref.dong_names)
                message = ""
            elif t == "programme":
                table = {k: ref.programmes.get(v) for k, v in spec.codes.items()} or ref.programmes
                result, bad = nz.codes(values, {k: v for k, v in table.items() if v is not None})
                bad = bad & ~values.str.strip().isin(spec.person_only)
                message = label + " " + _quoted(values) + " is not a known programme code"
            elif t == "indicator":
                table = {k: ref.indicators.get(v) for k, v in spec.codes.items()} or ref.indicators
                result, bad = nz.codes(values, {k: v for k, v in table.items() if v is not None})
                bad = bad & ~values.str.strip().isin(spec.person_only)
                message = label + " " + _quoted(values) + " is not a known crisis indicator"
            else:  # parse_mapping refuses unknown transforms; this is a programming error
                raise AssertionError(t)
            if bad is not None:
                reasons.add(bad, message)
            if t == "rrn":
                continue
            name = {"programme": "programme_id", "indicator": "indicator_id"}.get(target, target)
            if t in ("programme", "indicator"):
                # Unknown codes map to NaN, which would make the ids floats ("226.0") for COPY.
                result = pd.to_numeric(result, errors="coerce").astype("Int64")
            out[name] = result

    for col in ("name", "sex", "phone", "address", "dong_code", "disability"):
        out[col] = out[col].fillna("").astype("str")
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
    return out, raw


def nz_default_sex() -> dict[str, str]:
    from intake.mapping import DEFAULT_SEX_CODES

    return DEFAULT_SEX_CODES


def _hex(values: np.ndarray) -> np.ndarray:
    """uint64 → 16 lower-case hex digits, vectorised."""
    if len(values) == 0:
        return np.array([], dtype="<U16")
    text = values.astype(">u8").tobytes().hex()
    return np.array(text).reshape(1).view("<U16")


def content_hashes(records: pd.DataFrame, items: pd.DataFrame, item_columns: list[str]
                   ) -> np.ndarray:
    """A 32-hex hash of a person's normalised fields and their items, order-independent."""
    person = records[["source_key", *PERSON_COLUMNS]].astype("str")
    if len(items) and item_columns:
        item_hash = pd.util.hash_pandas_object(items[item_columns].astype("str"), index=False)
        # Summing 56-bit hashes cannot overflow for fewer than 256 items per person.
        summed = (item_hash.to_numpy() >> np.uint64(8)).astype(np.int64)
        per_key = pd.Series(summed, index=items["source_key"].to_numpy()).groupby(level=0).sum()
        person["items"] = records["source_key"].map(per_key).fillna(0).astype("int64").astype(
            "str").to_numpy()
    parts = [pd.util.hash_pandas_object(person, index=False, hash_key=k).to_numpy()
             for k in _HASH_KEYS]
    return np.char.add(_hex(parts[0]), _hex(parts[1]))


def raw_json(raw: pd.DataFrame) -> pd.Series:
    """One JSON object per row (RRN already masked); digits shaped like an RRN are redacted."""
    if raw.empty:
        return pd.Series([], dtype=object, index=raw.index)
    lines = raw.to_json(orient="records", lines=True, force_ascii=False).rstrip("\n").split("\n")
    text = pd.Series(lines, index=raw.index, dtype="str")
    # No lookarounds, so pyarrow's RE2 runs it (see intake.normalize).
    return text.str.replace(r"(^|[^0-9])([0-9]{6})-?([1-8])[0-9]{6}([^0-9]|$)",
                            r"\1\2-\3******\4", regex=True)


def prepare(chunks: Iterable[Chunk], mapping: Mapping, ref: Reference,
            progress: Callable[[int], None] | None = None) -> Prepared:
    """Read every chunk, normalise it, find repeated rows; all in memory, nothing loaded."""
    seconds = {"reading": 0.0, "validating": 0.0}
    normed, raws = [], []
    done = 0
    iterator = iter(chunks)
    while True:
        t0 = time.perf_counter()
        chunk = next(iterator, None)
        seconds["reading"] += time.perf_counter() - t0
        if chunk is None:
            break
        t0 = time.perf_counter()
        out, raw = transform_chunk(chunk, mapping, ref)
        normed.append(out)
        raws.append(raw)
        done += len(out)
        seconds["validating"] += time.perf_counter() - t0
        if progress:
            progress(done)

    t0 = time.perf_counter()
    norm = pd.concat(normed, ignore_index=True) if len(normed) > 1 else normed[0].reset_index(
        drop=True)
    raw = pd.concat(raws, ignore_index=True) if len(raws) > 1 else raws[0].reset_index(drop=True)
    raw = raw.fillna("")

    # A row repeated verbatim in one file is a defect of the extract, not a second person.
    repeated = norm["row_hash"].duplicated(keep="first").to_numpy()
    if repeated.any():
        first = norm.groupby("row_hash")["row_number"].transform("first").to_numpy()
        values = norm["reasons"].to_numpy().copy()
        for i in np.flatnonzero(repeated):
            values[i] = [*(values[i] or []), f"repeats row {first[i]}"]
        norm["reasons"] = values
    rejected = norm["reasons"].notna().to_numpy()

    rejects = pd.DataFrame({
        "row_number": norm["row_number"].to_numpy()[rejected],
        "raw": raw_json(raw.loc[rejected]).to_numpy(),
        "reasons": norm["reasons"].to_numpy()[rejected],
    })
    accepted = norm.loc[~rejected]
    first_rows = ~accepted["source_key"].duplicated(keep="first")
    records = accepted.loc[first_rows, ["source_key", "row_number", *PERSON_COLUMNS]].copy()
    records["raw"] = raw_json(raw.loc[records.index]).to_numpy()
    if mapping.enrollment:
        kind, columns = "enrollment", ENROLLMENT_COLUMNS
    elif mapping.signal:
        kind, columns = "signal", SIGNAL_COLUMNS
    else:
        kind, columns = "", []
    for col in columns:
        if col not in accepted:
            accepted = accepted.assign(**{col: None})
    items = accepted[["source_key", "row_number", *columns]]
    if columns:
        # Person-only rows (mapping's person_only codes) keep their person and make no item.
        items = items[items[columns[0]].notna()]
    items = items.reset_index(drop=True)
    records = records.reset_index(drop=True)
    records["content_hash"] = content_hashes(records, items, columns)
    seconds["validating"] += time.perf_counter() - t0
    return Prepared(len(norm), records, items, rejects, kind, seconds)
