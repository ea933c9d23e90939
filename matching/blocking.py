"""Candidate pairs: several blocking rules over the forms, capped, deduplicated as int64 codes.

A pair is coded ``i * n + j`` (``i < j`` positions in the forms frame), so the union of the rules
is one ``np.unique`` over int64s. A block larger than its cap is dropped whole: a block that big
(one phone shared by a facility's office line, one common name in one year) tells nothing and
would swamp the comparisons; the other rules still see its records.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from matching.normalize import STRING_FORMS, codes


def _key(forms: pd.DataFrame, *columns: str) -> np.ndarray:
    """One int64 key per record for the combination of columns; -1 where any part is missing.

    String forms are already integer codes (normalize), so a combined key is plain arithmetic:
    no string is hashed or factorised here.
    """
    key = np.zeros(len(forms), dtype=np.int64)
    missing = np.zeros(len(forms), dtype=bool)
    for col in columns:
        if col in STRING_FORMS:
            c = codes(forms, col).astype(np.int64)
            missing |= c < 0
        else:
            c = forms[col].to_numpy().astype(np.int64)
            missing |= c <= 0
        key = key * (int(c.max(initial=0)) + 1) + np.maximum(c, 0)
    key[missing] = -1
    return key


@dataclass(frozen=True)
class Rule:
    name: str
    columns: tuple[str, ...]
    cap: int = 50

    def key(self, forms: pd.DataFrame) -> np.ndarray:
        return _key(forms, *self.columns)


RULES: tuple[Rule, ...] = (
    Rule("rrn", ("rrn_index",), cap=20),
    Rule("birth+surname", ("birth", "rom_sur"), cap=40),
    Rule("name+year", ("rom", "by"), cap=40),
    Rule("phone", ("phone",), cap=12),
    Rule("building+surname", ("building", "rom_sur"), cap=30),
    Rule("birth+given", ("birth", "rom_given"), cap=40),
    Rule("jamo+month", ("jamo", "bm", "bd"), cap=40),
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
    pair = lo.astype(np.int64) * n + hi
    if only is not None:
        pair = pair[only[lo] | only[hi]]
    return pair


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


def block(
    forms: pd.DataFrame, rules: tuple[Rule, ...] = RULES, only: np.ndarray | None = None
) -> Candidates:
    """Candidate pairs of ``forms`` under every rule, deduplicated."""
    import time

    started = time.perf_counter()
    n = len(forms)
    chunks, per_rule = [], {}
    for rule in rules:
        pair = pairs_in_blocks(rule.key(forms), rule.cap, only)
        per_rule[rule.name] = int(len(pair))
        chunks.append(pair)
    pairs = unique_sorted(np.concatenate(chunks)) if chunks else np.empty(0, dtype=np.int64)
    # Positions fit in int32 (n < 2**31): half the memory of every per-pair gather that follows.
    return Candidates(
        (pairs // max(n, 1)).astype(np.int32),
        (pairs % max(n, 1)).astype(np.int32),
        per_rule,
        time.perf_counter() - started,
    )


def unique_sorted(values: np.ndarray) -> np.ndarray:
    """Sorted distinct values: an in-place sort and a neighbour test (numpy's ``unique`` hashes
    int64s first and takes ten times as long on ten million pair codes)."""
    values.sort(kind="quicksort")
    if len(values) < 2:
        return values
    keep = np.empty(len(values), dtype=bool)
    keep[0] = True
    np.not_equal(values[1:], values[:-1], out=keep[1:])
    return values[keep]


def blocking_recall(cands: Candidates, truth: np.ndarray) -> tuple[int, int]:
    """(true pairs among the candidates, true pairs in all) for a truth label per position."""
    _, inv, counts = np.unique(truth, return_inverse=True, return_counts=True)
    total = int((counts * (counts - 1) // 2).sum())
    found = int((inv[cands.left] == inv[cands.right]).sum())
    return found, total
