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

from matching.normalize import STRING_FORMS, as_categoricals, codes

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


def _code_similarity(forms: pd.DataFrame, column: str, i: np.ndarray,
                     j: np.ndarray) -> np.ndarray:
    """Jaro-Winkler of a string form for pairs of positions, once per distinct pair of values.

    Ten million candidate pairs hold far fewer distinct (given name, given name) pairs: the
    pairs are deduplicated on their integer codes and only those reach rapidfuzz.
    """
    c = codes(forms, column).astype(np.int64)
    ci, cj = c[i], c[j]
    k = int(c.max(initial=0)) + 2
    pair_codes, first = pd.factorize((ci + 1) * k + (cj + 1))
    cats = np.append(np.asarray(forms[column].cat.categories, dtype=object), "")
    ui = (first // k - 1).astype(np.int64)
    uj = (first % k - 1).astype(np.int64)
    sim = _similarity(cats[ui], cats[uj])
    return sim[pair_codes]


def _equal(forms: pd.DataFrame, column: str, i: np.ndarray,
           j: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """(equal, missing on either side) for a string form, from its integer codes."""
    c = codes(forms, column)
    a, b = c[i], c[j]
    return a == b, (a < 0) | (b < 0)


def _level(missing: np.ndarray, *conditions: np.ndarray) -> np.ndarray:
    """int8 level: the index of the first true condition (len(conditions) if none), -1 missing."""
    out = np.full(len(missing), len(conditions), dtype=np.int8)
    for k in range(len(conditions) - 1, -1, -1):
        out[conditions[k]] = k
    out[missing] = -1
    return out


def name_similarity(forms: pd.DataFrame, i: np.ndarray, j: np.ndarray) -> np.ndarray:
    """Jaro-Winkler of the given names: jamo when both are Hangul, else the romanisation key."""
    hangul = forms["is_hangul"].to_numpy()
    both = hangul[i] & hangul[j]
    sim = np.empty(len(i), dtype=np.float32)
    sim[both] = _code_similarity(forms, "jamo_given", i[both], j[both])
    sim[~both] = _code_similarity(forms, "rom_given", i[~both], j[~both])
    return sim


def compare(forms: pd.DataFrame, i: np.ndarray, j: np.ndarray) -> pd.DataFrame:
    """One row per pair (positions ``i``, ``j`` of ``forms``), one int8 level column per field."""
    if not all(isinstance(forms[c].dtype, pd.CategoricalDtype) for c in STRING_FORMS):
        forms = as_categoricals(forms)
    out = {}
    eq, miss = _equal(forms, "rom_sur", i, j)
    out["surname"] = _level(miss, eq)

    hangul = forms["is_hangul"].to_numpy()
    both = hangul[i] & hangul[j]
    jeq, _ = _equal(forms, "jamo_given", i, j)
    req, gmiss = _equal(forms, "rom_given", i, j)
    exact = np.where(both, jeq, req)
    del jeq, req
    # Only pairs that differ need a similarity: exact pairs are level 0 whatever it is.
    sim = np.ones(len(i), dtype=np.float32)
    fuzzy = np.flatnonzero(~exact & ~gmiss)
    sim[fuzzy] = name_similarity(forms, i[fuzzy], j[fuzzy])
    out["given"] = _level(gmiss, exact, sim >= GIVEN_CLOSE, sim >= GIVEN_SIMILAR)
    out["given_sim"] = sim

    birth = forms["birth"].to_numpy()
    bi, bj = birth[i], birth[j]
    yi, yj = bi // 10000, bj // 10000
    mi, mj = bi // 100 % 100, bj // 100 % 100
    di, dj = bi % 100, bj % 100
    same_y = yi == yj
    swap = same_y & (mi == dj) & (di == mj)
    one_off = (same_y.astype(np.int8) + (mi == mj) + (di == dj)) == 2
    del yi, yj, mi, mj, di, dj
    out["birth"] = _level((bi == 0) | (bj == 0), bi == bj, swap, one_off)
    del bi, bj, swap, one_off

    sex = forms["sex"].to_numpy()
    si, sj = sex[i], sex[j]
    out["sex"] = _level((si == 0) | (sj == 0), si == sj)

    for name, col in (("rrn", "rrn_index"), ("phone", "phone"), ("dong", "dong")):
        eq, miss = _equal(forms, col, i, j)
        out[name] = _level(miss, eq)

    b_eq, b_miss = _equal(forms, "building", i, j)
    s_eq, s_miss = _equal(forms, "street", i, j)
    d_eq, d_miss = _equal(forms, "district", i, j)
    out["address"] = _level(d_miss, b_eq & ~b_miss, s_eq & ~s_miss, d_eq)
    return pd.DataFrame(out, copy=False)
