"""Candidate pairs: several blocking rules over the forms, capped, deduplicated as int64 codes.

A pair is coded ``i * n + j`` (``i < j`` positions in the forms frame), so the union of the rules
is one ``np.unique`` over int64s. A block larger than its cap is dropped whole: a block that big
(one phone shared by a facility's office line, one common name in one year) tells nothing and
would swamp the comparisons; the other rules still see its records.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

import numpy as np
import pandas as pd


def _codes(*columns: np.ndarray | pd.Series) -> np.ndarray:
    """One int64 code per record for the combination of columns; -1 where any part is empty."""
    combined = np.zeros(len(columns[0]), dtype=np.int64)
    missing = np.zeros(len(columns[0]), dtype=bool)
    for col in columns:
        arr = np.asarray(col)
        if arr.dtype.kind in "iub":
            codes, uniq = pd.factorize(arr)
            missing |= arr <= 0
        else:
            codes, uniq = pd.factorize(arr)
            missing |= (arr == "") | (codes < 0)
        combined = combined * (len(uniq) + 1) + codes
        # Keep codes bounded: refactorise when the product grows large.
        if len(uniq) > 1 and combined.max(initial=0) > 2**40:
            combined, _ = pd.factorize(combined)
            combined = combined.astype(np.int64)
    combined, _ = pd.factorize(combined)
    combined = combined.astype(np.int64)
    combined[missing] = -1
    return combined


@dataclass(frozen=True)
class Rule:
    name: str
    key: Callable[[pd.DataFrame], np.ndarray]
    cap: int = 50


RULES: tuple[Rule, ...] = (
    Rule("rrn", lambda f: _codes(f["rrn_index"]), cap=20),
    Rule("birth+surname", lambda f: _codes(f["birth"], f["rom_sur"]), cap=40),
    Rule("name+year", lambda f: _codes(f["rom"], f["by"]), cap=40),
    Rule("phone", lambda f: _codes(f["phone"]), cap=12),
    Rule("building+surname", lambda f: _codes(f["building"], f["rom_sur"]), cap=30),
    Rule("birth+given", lambda f: _codes(f["birth"], f["rom_given"]), cap=40),
    Rule("jamo+month", lambda f: _codes(f["jamo"], f["bm"], f["bd"]), cap=40),
)


def pairs_in_blocks(keys: np.ndarray, cap: int, only: np.ndarray | None = None) -> np.ndarray:
    """All ``i < j`` pairs of positions sharing a key (-1 = no key), as ``i * n + j`` codes.

    With ``only`` (a boolean mask), keep pairs with at least one position in it: the delta of an
    incremental run against everything already linked.
    """
    n = len(keys)
    pos = np.flatnonzero(keys >= 0)
    if only is not None:
        # Blocks that hold no new record cannot yield a pair with one.
        touched = np.unique(keys[only & (keys >= 0)])
        pos = pos[np.isin(keys[pos], touched)]
    order = pos[np.argsort(keys[pos], kind="stable")]
    k = keys[order]
    if len(k) < 2:
        return np.empty(0, dtype=np.int64)
    starts = np.flatnonzero(np.r_[True, k[1:] != k[:-1]])
    sizes = np.diff(np.r_[starts, len(k)])
    keep = (sizes >= 2) & (sizes <= cap)
    starts, sizes = starts[keep], sizes[keep]
    if len(starts) == 0:
        return np.empty(0, dtype=np.int64)
    # Each member at offset t of a block of size s pairs with the s-1-t members after it.
    member = np.repeat(starts, sizes) + _ramp(sizes)
    offset = _ramp(sizes)
    partners = np.repeat(sizes, sizes) - 1 - offset
    left = np.repeat(member, partners)
    right = left + 1 + _ramp(partners)
    a, b = order[left], order[right]
    lo, hi = np.minimum(a, b), np.maximum(a, b)
    codes = lo.astype(np.int64) * n + hi
    if only is not None:
        codes = codes[only[lo] | only[hi]]
    return codes


def _ramp(sizes: np.ndarray) -> np.ndarray:
    """0..s-1 for each s in ``sizes``, concatenated."""
    total = int(sizes.sum())
    if total == 0:
        return np.empty(0, dtype=np.int64)
    return np.arange(total, dtype=np.int64) - np.repeat(np.cumsum(sizes) - sizes, sizes)


@dataclass
class Candidates:
    left: np.ndarray  # positions in the forms frame
    right: np.ndarray
    per_rule: dict[str, int] = field(default_factory=dict)  # pairs each rule yielded
    seconds: float = 0.0


def block(forms: pd.DataFrame, rules: tuple[Rule, ...] = RULES,
          only: np.ndarray | None = None) -> Candidates:
    """Candidate pairs of ``forms`` under every rule, deduplicated."""
    import time

    started = time.perf_counter()
    n = len(forms)
    chunks, per_rule = [], {}
    for rule in rules:
        codes = pairs_in_blocks(rule.key(forms), rule.cap, only)
        per_rule[rule.name] = int(len(codes))
        chunks.append(codes)
    codes = np.unique(np.concatenate(chunks)) if chunks else np.empty(0, dtype=np.int64)
    return Candidates(codes // max(n, 1), codes % max(n, 1), per_rule,
                      time.perf_counter() - started)


def blocking_recall(cands: Candidates, truth: np.ndarray) -> tuple[int, int]:
    """(true pairs among the candidates, true pairs in all) for a truth label per position."""
    _, inv, counts = np.unique(truth, return_inverse=True, return_counts=True)
    total = int((counts * (counts - 1) // 2).sum())
    found = int((inv[cands.left] == inv[cands.right]).sum())
    return found, total
