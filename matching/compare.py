"""Comparison levels per field for all candidate pairs at once.

Each field yields an int8 level per pair: 0 is the strongest agreement, higher is weaker, -1 is
"missing on either side" (no evidence either way, weight 0). The string similarity is rapidfuzz's
``cpdist`` with Jaro-Winkler: on jamo when both names are Hangul (a typo changes one jamo), on the
romanisation key when either is Latin.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc
from rapidfuzz import process
from rapidfuzz.distance import JaroWinkler, Levenshtein

from matching.foreign import foreign_forms
from matching.lunar import days, solar_of_lunar
from matching.normalize import STRING_FORMS, as_categoricals, codes, fold_latin, romanize

# field → its level labels (strongest first); "missing" is -1 and has weight 0.
FIELDS: dict[str, tuple[str, ...]] = {
    "surname": ("same", "different"),
    "given": ("exact", "transposed", "close", "similar", "far"),
    # lunar: one date is the other read as a lunar date (음력 생일); year digit: same month and
    # day, the years one decimal digit apart (1948/1949, 1948/1958).
    "birth": (
        "exact",
        "lunar",
        "day-month swap",
        "one day off",
        "year digit",
        "one field off",
        "far",
    ),
    "sex": ("same", "different"),
    # slip: two full numbers one digit apart or with two neighbouring digits swapped, birth
    # date and sex digit equal (DESIGN.md principle 3): a clerk's slip, evidence to weigh.
    "rrn": ("same", "slip", "different"),
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
RRN_SAME, RRN_SLIP, RRN_DIFFERENT = 0, 1, 2


def _swapped_code(forms: pd.DataFrame, target: str, form: Callable[[str], str]) -> np.ndarray:
    """Per record the code, among ``target``'s categories, of ``form`` applied to its Hangul
    given name with the two syllables swapped; -1 when that is not in the frame or the given
    name is not two Hangul syllables. Once per distinct given name."""
    given = forms["given"]
    cats = pd.Series(np.asarray(given.cat.categories, dtype=object))
    two = cats.str.fullmatch(r"[\uac00-\ud7a3]{2}").fillna(False).to_numpy()
    rev = [form(c[1] + c[0]) if ok else "" for c, ok in zip(cats, two, strict=True)]
    per_cat = pd.Index(forms[target].cat.categories).get_indexer(rev).astype(np.int32)
    per_cat = np.where(two, per_cat, -1)
    c = given.cat.codes.to_numpy()
    return np.where(c >= 0, np.append(per_cat, -1)[c], -1).astype(np.int32)


def reversed_given(forms: pd.DataFrame) -> np.ndarray:
    """Per record the code, among the ``given`` categories, of its given name with the two
    syllables in the other order (영숙 → 숙영); -1 where there is none."""
    if "given_rev" in forms:
        return forms["given_rev"].to_numpy()
    return _swapped_code(forms, "given", str)


def lunar_birth(forms: pd.DataFrame) -> np.ndarray:
    """Per record the solar date of its birth date read as a lunar date (0 if none)."""
    if "birth_lunar" in forms:
        return forms["birth_lunar"].to_numpy()
    uniq, inverse = np.unique(forms["birth"].to_numpy(), return_inverse=True)
    return solar_of_lunar(uniq).astype(np.int32)[inverse]


def reversed_rom(forms: pd.DataFrame) -> np.ndarray:
    """Per record the code, among the ``rom_given`` categories, of the romanisation key of its
    Hangul given name with the syllables swapped (영숙 → 숙영 → ``sukyong``): how a transposed
    name meets its romanised spelling (``Sook-young``). -1 where there is none."""
    if "rom_rev" in forms:
        return forms["rom_rev"].to_numpy()
    return _swapped_code(forms, "rom_given", lambda g: fold_latin(romanize(g)))


def birth_days(forms: pd.DataFrame) -> np.ndarray:
    """Per record its birth date as days since 1970-01-01 (once per distinct date)."""
    if "birth_days" in forms:
        return forms["birth_days"].to_numpy()
    uniq, inverse = np.unique(forms["birth"].to_numpy(), return_inverse=True)
    return days(uniq).astype(np.int32)[inverse]


def with_derived(forms: pd.DataFrame, names: pd.Series | None = None) -> pd.DataFrame:
    """``forms`` with the per-record columns the comparators and blocking rules derive (the
    reversed given name's codes, the lunar reading of the birth date), computed once; with the
    records' raw ``names``, also the foreign-name forms (:mod:`matching.foreign`)."""
    if not all(isinstance(forms[c].dtype, pd.CategoricalDtype) for c in STRING_FORMS):
        forms = as_categoricals(forms)
    extra = {}
    if names is not None and "skel" not in forms:
        ff = foreign_forms(pd.Series(np.asarray(names, dtype=object)))
        birth = forms["birth"].to_numpy()
        latin = ~forms["is_hangul"].to_numpy() & (ff["skel"].cat.codes.to_numpy() >= 0)
        extra = {
            "foreign": ff["foreign"].to_numpy(),
            "skel": ff["skel"].array,
            # Blocking keys: a foreign name in Hangul meets the Latin names born that day.
            "birth_foreign": np.where(ff["foreign"].to_numpy(), birth, 0),
            "birth_latin": np.where(latin, birth, 0),
        }
    return forms.assign(
        given_rev=reversed_given(forms),
        rom_rev=reversed_rom(forms),
        birth_lunar=lunar_birth(forms),
        birth_days=birth_days(forms),
        **extra,
    )


def rrn_slip(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """Whether two full RRNs (13 digits as int64, 0 = unknown) are one clerk's slip apart: the
    birth date and sex digit (the first 7 digits) equal and the other six one digit apart or
    with two neighbouring digits swapped."""
    a = np.asarray(a, dtype=np.int64)
    b = np.asarray(b, dtype=np.int64)
    ok = (a > 0) & (b > 0) & (a != b) & (a // 10**6 == b // 10**6)
    da = np.stack([a // 10**k % 10 for k in range(6)], axis=1)
    db = np.stack([b // 10**k % 10 for k in range(6)], axis=1)
    differ = da != db
    one = differ.sum(axis=1) == 1
    swapped = np.zeros(len(a), dtype=bool)
    for k in range(5):
        swapped |= (
            differ[:, k]
            & differ[:, k + 1]
            & (differ.sum(axis=1) == 2)
            & (da[:, k] == db[:, k + 1])
            & (da[:, k + 1] == db[:, k])
        )
    return ok & (one | swapped)


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


def registers(records: pd.DataFrame) -> np.ndarray:
    """One register per source, or per facility where a source's keys name one before a dash
    (``F0042-000123``): a person is listed once per register, but may be a client of several
    facilities under several spellings."""
    # Arrow's kernels: a Python string operation per record cost 0.6 s at 150 k records.
    key = pa.array(records["source_key"].fillna("").astype(str).to_numpy(object), pa.string())
    prefix = pc.if_else(
        pc.match_substring(key, "-"), pc.replace_substring_regex(key, "-.*$", ""), ""
    )
    source = pa.array(records["source"].astype(str).to_numpy(object), pa.string())
    joined = pc.binary_join_element_wise(source, prefix, "/")
    return joined.to_numpy(zero_copy_only=False)


def with_combo(
    forms: pd.DataFrame, source: np.ndarray | pd.Series, register: np.ndarray | None = None
) -> pd.DataFrame:
    """``forms`` with its ``combo_n`` column (``source``: the source of each record) and the
    register of each record as a small code (``src``, for :func:`both_in_one_source`;
    ``register`` defaults to the source)."""
    if not all(isinstance(forms[c].dtype, pd.CategoricalDtype) for c in STRING_FORMS):
        forms = as_categoricals(forms)
    reg = np.asarray(source) if register is None else register
    src = pd.factorize(reg)[0].astype(np.int32)
    return forms.assign(combo_n=combo_counts(forms, np.asarray(source)), src=src)


def both_in_one_source(forms: pd.DataFrame, i: np.ndarray, j: np.ndarray) -> np.ndarray:
    """Whether the register (:func:`registers`) of one record also holds a record with the
    other's given name, surname and birth date: a register lists 서연 and 서윤 born the same
    day in one home as two people (twins), where a clerk's slip leaves one name per person."""
    if "src" not in forms or len(i) == 0:
        return np.zeros(len(i), dtype=bool)
    src = forms["src"].to_numpy().astype(np.int64)
    sur = codes(forms, "rom_sur").astype(np.int64) + 1
    # The form the given-name level compares: jamo for Hangul (a slip that the romanisation key
    # folds away still differs here), the romanisation key for Latin names.
    jamo = codes(forms, "jamo_given").astype(np.int64)
    rom = codes(forms, "rom_given").astype(np.int64)
    hangul = forms["is_hangul"].to_numpy()
    giv = np.where(hangul, jamo, int(jamo.max(initial=0)) + 1 + rom) + 1
    birth = forms["birth"].to_numpy().astype(np.int64)
    ns, ng = int(sur.max(initial=0)) + 1, int(giv.max(initial=0)) + 1

    def key(s: np.ndarray, u: np.ndarray, g: np.ndarray, b: np.ndarray) -> np.ndarray:
        return ((s * ns + u) * ng + g) * 100_000_000 + b

    held = np.unique(key(src, sur, giv, birth))
    out = np.zeros(len(i), dtype=bool)
    for a, b in ((i, j), (j, i)):
        k = key(src[a], sur[a], giv[b], birth[a])
        at = np.clip(np.searchsorted(held, k), 0, max(len(held) - 1, 0))
        out |= held[at] == k
    return out


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
    # A foreign name in Hangul against a Latin one: Korean sound rules do not apply, the
    # skeletons of both (matching.foreign) are compared as the given name, the surname is
    # not observed (no Korean split of NGUYEN THI MAI means anything).
    foreign = np.zeros(len(i), dtype=bool)
    if "skel" in forms:
        f = forms["foreign"].to_numpy()
        skel = codes(forms, "skel")
        foreign = (hangul[i] != hangul[j]) & (f[i] | f[j]) & (skel[i] >= 0) & (skel[j] >= 0)
        exact = np.where(foreign, skel[i] == skel[j], exact)
        gmiss = gmiss & ~foreign
    # Only pairs that differ need a similarity: exact pairs are level 0 whatever it is.
    sim = np.ones(len(i), dtype=np.float32)
    fuzzy = np.flatnonzero(~exact & ~gmiss)
    sim[fuzzy] = name_similarity(forms, i[fuzzy], j[fuzzy])
    far_foreign = fuzzy[foreign[fuzzy]]
    if len(far_foreign):
        sim[far_foreign] = _code_similarity(forms, "skel", i[far_foreign], j[far_foreign])
    rev = reversed_given(forms)
    transposed = np.zeros(len(i), dtype=bool)
    gc = codes(forms, "given")
    transposed[fuzzy] = (rev[i[fuzzy]] >= 0) & (rev[i[fuzzy]] == gc[j[fuzzy]])
    # Across scripts the swap shows on the romanisation key (김숙영 / Young-sook Kim).
    cross = fuzzy[~both[fuzzy]]
    rrev, rg = reversed_rom(forms), codes(forms, "rom_given")
    transposed[cross] |= ((rrev[i[cross]] >= 0) & (rrev[i[cross]] == rg[j[cross]])) | (
        (rrev[j[cross]] >= 0) & (rrev[j[cross]] == rg[i[cross]])
    )
    # Two names that one source holds side by side for one birth date are two people (twins):
    # however close, they count as different given names.
    apart = np.zeros(len(i), dtype=bool)
    same_day = fuzzy[forms["birth"].to_numpy()[i[fuzzy]] == forms["birth"].to_numpy()[j[fuzzy]]]
    apart[same_day] = both_in_one_source(forms, i[same_day], j[same_day])
    sim[apart] = 0.0
    out["given"] = _level(gmiss, exact, transposed, sim >= GIVEN_CLOSE, sim >= GIVEN_SIMILAR)
    out["given_sim"] = sim
    # A clerk's slip changes one jamo (or one Latin letter); twins' names differ by a syllable.
    # Not a level of its own: it decides whether a shared household may count in full (em).
    typo = np.zeros(len(i), dtype=bool)
    near = fuzzy[(sim[fuzzy] >= GIVEN_SIMILAR) & ~foreign[fuzzy]]
    typo[near] = one_edit(forms, i[near], j[near])
    out["given_typo"] = typo
    out["surname"][foreign] = -1

    birth = forms["birth"].to_numpy()
    bi, bj = birth[i], birth[j]
    yi, yj = bi // 10000, bj // 10000
    mi, mj = bi // 100 % 100, bj // 100 % 100
    di, dj = bi % 100, bj % 100
    same_y = yi == yj
    swap = same_y & (mi == dj) & (di == mj)
    same_md = (mi == mj) & (di == dj)
    one_off = (same_y.astype(np.int8) + (mi == mj) + (di == dj)) == 2
    # One decimal digit of the year: the units (1948/1949) or the tens (1948/1958).
    year_digit = same_md & (
        ((yi // 10 == yj // 10) & (yi != yj)) | ((yi % 10 == yj % 10) & (yi // 100 == yj // 100))
    )
    del yi, yj, mi, mj, di, dj, same_md
    # Only pairs that differ can be a lunar reading or a day apart.
    lunar = np.zeros(len(i), dtype=bool)
    day_off = np.zeros(len(i), dtype=bool)
    differ = np.flatnonzero((bi != bj) & (bi > 0) & (bj > 0))
    if len(differ):
        bl = lunar_birth(forms)
        li, lj = bl[i[differ]], bl[j[differ]]
        lunar[differ] = ((li > 0) & (li == bj[differ])) | ((lj > 0) & (lj == bi[differ]))
        bd = birth_days(forms)
        day_off[differ] = np.abs(bd[i[differ]] - bd[j[differ]]) == 1
    out["birth"] = _level(
        (bi == 0) | (bj == 0), bi == bj, lunar, swap, day_off, year_digit, one_off
    )
    del bi, bj, swap, one_off, lunar, day_off, year_digit

    sex = forms["sex"].to_numpy()
    si, sj = sex[i], sex[j]
    out["sex"] = _level((si == 0) | (sj == 0), si == sj)

    for name, col in (("rrn", "rrn_index"), ("phone", "phone"), ("dong", "dong")):
        eq, miss = _equal(forms, col, i, j)
        out[name] = _level(miss, eq)
    # Two different full numbers: a slip when their digits (known in memory for this run only,
    # never stored) are one digit or one swap apart.
    if "rrn_digits" in forms:
        differ = np.flatnonzero(out["rrn"] == 1)
        digits = forms["rrn_digits"].to_numpy()
        slip = rrn_slip(digits[i[differ]], digits[j[differ]])
        out["rrn"][differ] = np.where(slip, RRN_SLIP, RRN_DIFFERENT)
    else:
        out["rrn"][out["rrn"] == 1] = RRN_DIFFERENT

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
