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
        if col in STRING_FORMS or isinstance(forms[col].dtype, pd.CategoricalDtype):
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
    """Records sharing a key over ``columns`` meet. With ``across``, a record also meets those
    whose ``columns`` equal its own ``across`` (the same columns with one replaced by a
    derived form: the birth date read as lunar, the given name's syllables swapped)."""

    name: str
    columns: tuple[str, ...]
    cap: int = 50
    across: tuple[str, ...] = ()

    def key(self, forms: pd.DataFrame) -> np.ndarray:
        return _key(forms, *self.columns)

    def pairs(self, forms: pd.DataFrame, only: np.ndarray | None = None) -> np.ndarray:
        if not self.across:
            return pairs_in_blocks(self.key(forms), self.cap, only)
        return pairs_across(_key2(forms, self.columns, self.across), self.cap, only)


def _key2(
    forms: pd.DataFrame, columns: tuple[str, ...], across: tuple[str, ...]
) -> tuple[np.ndarray, np.ndarray]:
    """Keys of ``columns`` and of ``across`` in one code space (derived columns hold codes or
    values of the column they stand in for, so one radix serves both)."""
    n = len(forms)
    key = np.zeros((2, n), dtype=np.int64)
    missing = np.zeros((2, n), dtype=bool)
    for col, alt in zip(columns, across, strict=True):
        vals = []
        for c in (col, alt):
            if c in STRING_FORMS:
                vals.append(codes(forms, c).astype(np.int64))
            elif c in ("given_rev", "rom_rev"):  # a code among the given names, -1 = none
                vals.append(forms[c].to_numpy().astype(np.int64))
            else:
                v = forms[c].to_numpy().astype(np.int64)
                vals.append(np.where(v > 0, v, -1))
        radix = int(max(vals[0].max(initial=0), vals[1].max(initial=0))) + 1
        for side in (0, 1):
            missing[side] |= vals[side] < 0
            key[side] = key[side] * radix + np.maximum(vals[side], 0)
    key[missing] = -1
    return key[0], key[1]


def pairs_across(
    keys: tuple[np.ndarray, np.ndarray], cap: int, only: np.ndarray | None = None
) -> np.ndarray:
    """Pairs ``i * n + j`` (``i < j``) where one record's first key equals the other's second:
    one block pass over both key columns stacked, keeping pairs from different columns."""
    a, b = keys
    n = len(a)
    stacked = np.r_[a, b]
    both = None if only is None else np.r_[only, only]
    pair = pairs_in_blocks(stacked, cap, both)
    lo, hi = pair // (2 * n), pair % (2 * n)
    keep = (lo < n) & (hi >= n) & (lo != hi - n)
    p, q = lo[keep], hi[keep] - n
    return np.minimum(p, q) * n + np.maximum(p, q)


RULES: tuple[Rule, ...] = (
    Rule("rrn", ("rrn_index",), cap=20),
    Rule("birth+surname", ("birth", "rom_sur"), cap=40),
    Rule("name+year", ("rom", "by"), cap=40),
    Rule("phone", ("phone",), cap=12),
    Rule("building+surname", ("building", "rom_sur"), cap=30),
    Rule("birth+given", ("birth", "rom_given"), cap=40),
    Rule("jamo+month", ("jamo", "bm", "bd"), cap=40),
    # A lunar birthday against the register's solar one; a given name with its syllables
    # swapped (영숙/숙영). The other noises meet through the rules above: a day off or a
    # swapped day/month through name+year, a year digit through jamo+month, an RRN slip
    # through birth+surname.
    Rule("name+lunar birth", ("rom", "birth"), cap=40, across=("rom", "birth_lunar")),
    Rule(
        "surname+swapped given+birth",
        ("rom_sur", "rom_given", "birth"),
        cap=40,
        across=("rom_sur", "rom_rev", "birth"),
    ),
    # A foreign name in Hangul transcription against the Latin names born the same day
    # (matching.foreign); skeletons differ too often (SMITH/스미스) to be a key.
    Rule("foreign+birth", ("birth_foreign",), cap=40, across=("birth_latin",)),
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
    rule_pairs: dict[str, np.ndarray] = field(default_factory=dict)  # with keep_rule_pairs


def block(
    forms: pd.DataFrame,
    rules: tuple[Rule, ...] = RULES,
    only: np.ndarray | None = None,
    keep_rule_pairs: bool = False,
) -> Candidates:
    """Candidate pairs of ``forms`` under every rule, deduplicated. With ``keep_rule_pairs``
    each rule's own pair codes are kept too (for blocking recall per rule)."""
    import time

    started = time.perf_counter()
    n = len(forms)
    chunks, per_rule = [], {}
    if any(rule.across for rule in rules) and "given_rev" not in forms:
        from matching.compare import with_derived

        forms = with_derived(forms)
    for rule in rules:
        if not all(c in forms for c in rule.columns):
            # The foreign skeleton needs the records' raw names (link_frame adds it).
            per_rule[rule.name] = 0
            chunks.append(np.empty(0, dtype=np.int64))
            continue
        pair = rule.pairs(forms, only)
        per_rule[rule.name] = int(len(pair))
        chunks.append(pair)
    kept = {r.name: c.copy() for r, c in zip(rules, chunks, strict=True)} if keep_rule_pairs else {}
    pairs = unique_sorted(np.concatenate(chunks)) if chunks else np.empty(0, dtype=np.int64)
    # Positions fit in int32 (n < 2**31): half the memory of every per-pair gather that follows.
    return Candidates(
        (pairs // max(n, 1)).astype(np.int32),
        (pairs % max(n, 1)).astype(np.int32),
        per_rule,
        time.perf_counter() - started,
        kept,
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
