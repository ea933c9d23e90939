"""Comparison levels per field for all candidate pairs at once.

Each field yields an int8 level per pair: 0 is the strongest agreement, higher is weaker, -1 is
"missing on either side" (no evidence either way, weight 0). The string similarity is rapidfuzz's
``cpdist`` with Jaro-Winkler: on jamo when both names are Hangul (a typo changes one jamo), on the
romanisation key when either is Latin.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
from rapidfuzz import process
from rapidfuzz.distance import JaroWinkler

# field → its level labels (strongest first); "missing" is -1 and has weight 0.
FIELDS: dict[str, tuple[str, ...]] = {
    "surname": ("same", "different"),
    "given": ("exact", "close", "similar", "far"),
    "birth": ("exact", "day-month swap", "one field off", "far"),
    "sex": ("same", "different"),
    "rrn": ("same", "different"),
    "phone": ("same", "different"),
    "address": ("same building", "same street", "same district", "different"),
    "dong": ("same", "different"),
}
GIVEN_CLOSE, GIVEN_SIMILAR = 0.92, 0.80


def _similarity(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    if len(a) == 0:
        return np.empty(0, dtype=np.float32)
    return process.cpdist(a, b, scorer=JaroWinkler.normalized_similarity, workers=-1,
                          dtype=np.float32)


def _equal_nonempty(col: np.ndarray, i: np.ndarray, j: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """(equal, missing) for a string column, through integer codes (no string compares)."""
    codes, _ = pd.factorize(col)
    a, b = codes[i], codes[j]
    empty = codes[col == ""] if (col == "").any() else np.empty(0, dtype=codes.dtype)
    empty_code = empty[0] if len(empty) else -2
    missing = (a == empty_code) | (b == empty_code) | (a < 0) | (b < 0)
    return a == b, missing


def name_similarity(forms: pd.DataFrame, i: np.ndarray, j: np.ndarray) -> np.ndarray:
    """Jaro-Winkler of the given names: jamo when both are Hangul, else the romanisation key."""
    hangul = forms["is_hangul"].to_numpy()
    both = hangul[i] & hangul[j]
    sim = np.empty(len(i), dtype=np.float32)
    jg = forms["jamo_given"].to_numpy()
    rg = forms["rom_given"].to_numpy()
    sim[both] = _similarity(jg[i[both]], jg[j[both]])
    sim[~both] = _similarity(rg[i[~both]], rg[j[~both]])
    return sim


def compare(forms: pd.DataFrame, i: np.ndarray, j: np.ndarray) -> pd.DataFrame:
    """One row per pair (positions ``i``, ``j`` of ``forms``), one int8 level column per field."""
    out = {}
    eq, miss = _equal_nonempty(forms["rom_sur"].to_numpy(), i, j)
    out["surname"] = np.where(miss, -1, np.where(eq, 0, 1))

    hangul = forms["is_hangul"].to_numpy()
    both = hangul[i] & hangul[j]
    jeq, _ = _equal_nonempty(forms["jamo_given"].to_numpy(), i, j)
    req, gmiss = _equal_nonempty(forms["rom_given"].to_numpy(), i, j)
    exact = np.where(both, jeq, req)
    sim = name_similarity(forms, i, j)
    given = np.where(exact, 0,
                     np.where(sim >= GIVEN_CLOSE, 1, np.where(sim >= GIVEN_SIMILAR, 2, 3)))
    out["given"] = np.where(gmiss, -1, given)
    out["given_sim"] = sim

    birth = forms["birth"].to_numpy()
    y, m, d = birth // 10000, birth // 100 % 100, birth % 100
    bi, bj = birth[i], birth[j]
    same_y, same_m, same_d = y[i] == y[j], m[i] == m[j], d[i] == d[j]
    swap = same_y & (m[i] == d[j]) & (d[i] == m[j])
    one_off = (same_y.astype(np.int8) + same_m + same_d) == 2
    level = np.where(bi == bj, 0, np.where(swap, 1, np.where(one_off, 2, 3)))
    out["birth"] = np.where((bi == 0) | (bj == 0), -1, level)

    sex = forms["sex"].to_numpy()
    si, sj = sex[i], sex[j]
    out["sex"] = np.where((si == 0) | (sj == 0), -1, np.where(si == sj, 0, 1))

    for name, col in (("rrn", "rrn_index"), ("phone", "phone"), ("dong", "dong")):
        eq, miss = _equal_nonempty(forms[col].to_numpy(), i, j)
        out[name] = np.where(miss, -1, np.where(eq, 0, 1))

    b_eq, b_miss = _equal_nonempty(forms["building"].to_numpy(), i, j)
    s_eq, s_miss = _equal_nonempty(forms["street"].to_numpy(), i, j)
    d_eq, d_miss = _equal_nonempty(forms["district"].to_numpy(), i, j)
    addr = np.where(b_eq & ~b_miss, 0, np.where(s_eq & ~s_miss, 1, np.where(d_eq, 2, 3)))
    out["address"] = np.where(d_miss, -1, addr)

    frame = pd.DataFrame({k: (v.astype(np.int8) if k != "given_sim" else v)
                          for k, v in out.items()})
    return frame
