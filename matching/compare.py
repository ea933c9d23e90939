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
from rapidfuzz.distance import JaroWinkler, Levenshtein

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
    # When the pair agrees exactly on name key and birth date: at most how many records of one
    # source share them. A source holds about one record per person, so "one in every source"
    # means one person most likely, and three in one source means several people share the name
    # and birthday. Missing unless name and birth date agree exactly.
    "combo": ("one per source", "two in a source", "three or more in a source"),
}
GIVEN_CLOSE, GIVEN_SIMILAR = 0.92, 0.80


def _similarity(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    if len(a) == 0:
        return np.empty(0, dtype=np.float32)
    return process.cpdist(
        a, b, scorer=JaroWinkler.normalized_similarity, workers=-1, dtype=np.float32
    )


def _code_similarity(forms: pd.DataFrame, column: str, i: np.ndarray, j: np.ndarray) -> np.ndarray:
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


def _equal(
    forms: pd.DataFrame, column: str, i: np.ndarray, j: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
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


def _code_distance(forms: pd.DataFrame, column: str, i: np.ndarray, j: np.ndarray) -> np.ndarray:
    """Levenshtein distance of a string form, once per distinct pair of values (as above)."""
    c = codes(forms, column).astype(np.int64)
    k = int(c.max(initial=0)) + 2
    pair_codes, first = pd.factorize((c[i] + 1) * k + (c[j] + 1))
    cats = np.append(np.asarray(forms[column].cat.categories, dtype=object), "")
    if len(first) == 0:
        return np.empty(0, dtype=np.int32)
    dist = process.cpdist(
        cats[first // k - 1],
        cats[first % k - 1],
        scorer=Levenshtein.distance,
        workers=-1,
        dtype=np.int32,
    )
    return dist[pair_codes]


def one_edit(forms: pd.DataFrame, i: np.ndarray, j: np.ndarray) -> np.ndarray:
    """Whether the given names differ by one edit: of jamo when both are Hangul, else of the
    romanisation key."""
    hangul = forms["is_hangul"].to_numpy()
    both = hangul[i] & hangul[j]
    dist = np.empty(len(i), dtype=np.int32)
    dist[both] = _code_distance(forms, "jamo_given", i[both], j[both])
    dist[~both] = _code_distance(forms, "rom_given", i[~both], j[~both])
    return dist <= 1


def name_similarity(forms: pd.DataFrame, i: np.ndarray, j: np.ndarray) -> np.ndarray:
    """Jaro-Winkler of the given names: jamo when both are Hangul, else the romanisation key."""
    hangul = forms["is_hangul"].to_numpy()
    both = hangul[i] & hangul[j]
    sim = np.empty(len(i), dtype=np.float32)
    sim[both] = _code_similarity(forms, "jamo_given", i[both], j[both])
    sim[~both] = _code_similarity(forms, "rom_given", i[~both], j[~both])
    return sim


def combo_keys(forms: pd.DataFrame) -> np.ndarray:
    """Per record an int64 key of its (name key, birth date) within ``forms``, -1 if either is
    missing. Keys are comparable within one frame only (they use its category codes)."""
    rom = codes(forms, "rom").astype(np.int64)
    birth = forms["birth"].to_numpy().astype(np.int64)
    return np.where((rom >= 0) & (birth > 0), rom * 100_000_000 + birth, -1)


def combo_counts(forms: pd.DataFrame, source: np.ndarray) -> np.ndarray:
    """Per record, the most records any one source holds with its (name key, birth date); 0 when
    either is missing. A property of the population, so computed over all current records
    (incremental runs count over old + new before taking a subset)."""
    keys = combo_keys(forms)
    ok = keys >= 0
    key, _ = pd.factorize(keys[ok])
    source = pd.factorize(np.asarray(source)[ok])[0].astype(np.int64)
    per_source, inverse = np.unique(key * 256 + source, return_inverse=True)
    in_source = np.bincount(inverse)
    most = np.zeros(int(key.max(initial=-1)) + 1, dtype=np.int32)
    np.maximum.at(most, per_source // 256, in_source)
    out = np.zeros(len(forms), dtype=np.int32)
    out[ok] = most[key]
    return out


def with_combo(forms: pd.DataFrame, source: np.ndarray | pd.Series) -> pd.DataFrame:
    """``forms`` with its ``combo_n`` column (``source``: the source of each record)."""
    if not all(isinstance(forms[c].dtype, pd.CategoricalDtype) for c in STRING_FORMS):
        forms = as_categoricals(forms)
    return forms.assign(combo_n=combo_counts(forms, np.asarray(source)))


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
    # A clerk's slip changes one jamo (or one Latin letter); twins' names differ by a syllable.
    # Not a level of its own: it decides whether a shared household may count in full (em).
    typo = np.zeros(len(i), dtype=bool)
    near = fuzzy[sim[fuzzy] >= GIVEN_SIMILAR]
    typo[near] = one_edit(forms, i[near], j[near])
    out["given_typo"] = typo

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

    named = (out["surname"] == 0) & (out["given"] == 0) & (out["birth"] == 0)
    # Forms without the population count (a test's few records) leave the field missing.
    n = forms["combo_n"].to_numpy()[i] if "combo_n" in forms else np.zeros(len(i), np.int32)
    named &= n > 0
    out["combo"] = np.where(named, np.minimum(n, 3) - 1, -1).astype(np.int8)
    return pd.DataFrame(out, copy=False)
