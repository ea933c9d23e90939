"""Fellegi–Sunter weights: u from random pairs, m by EM over pattern counts, TF adjustment.

EM runs over *distinct comparison vectors* with their counts, not over pairs: a few million
candidate pairs collapse to a few thousand patterns, so each iteration is microseconds.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from matching.compare import FIELDS, RRN_DIFFERENT, RRN_SAME, compare
from matching.normalize import as_categoricals, codes

# A rare name's TF u is floored: one record in ten thousand. Below that the weight of an exact
# given name would outgrow a different birth date, which is exactly the false merge to avoid.
TF_FLOOR = 1e-4
# m and u are kept inside (ε, 1-ε): a level never seen among matches is improbable, not impossible.
EPS = 1e-5
# Among matches no level is rarer than this: a moved person's dong differs, a clerk mistypes a
# birth date. Without the floor EM learns "never" from the labelled pairs and vetoes a level.
M_FLOOR = 0.005
HOUSEHOLD = ("phone", "address", "dong")
# Random pairs almost never share a phone, so its weight grows with the population (16 bits at
# 100 k records); but two records of one family agreeing on surname and birth date (twins) share
# it as a matter of course. Capped, a shared household can no longer outvote a different given name.
HOUSEHOLD_CAP = 8.0


@dataclass
class Model:
    """The trained parameters; ``params()`` is what LinkageModel stores as JSON."""

    m: dict[str, list[float]]
    u: dict[str, list[float]]  # among candidate pairs (EM)
    prior: float  # share of matches among candidate pairs
    tf: dict[str, dict[str, float]] = field(default_factory=dict)  # column → value → frequency
    u_random: dict[str, list[float]] = field(default_factory=dict)  # among random pairs
    link_threshold: float = 4.0  # total weight (bits) from which a pair is a link
    # From which a pair is a review item: posterior p ≥ 0.5. From −2 bits (p ≥ 0.2) the queue
    # held 1.4 % of residents at 100 k, and the extra items between p 0.2 and 0.5 were one
    # person in 13 (bench/results/linkage.md).
    review_threshold: float = 0.0
    iterations: int = 0

    def weights(self) -> dict[str, np.ndarray]:
        return {f: np.log2(np.asarray(self.m[f]) / np.asarray(self.u[f])) for f in self.m}

    def params(self) -> dict:
        return {
            "m": self.m,
            "u": self.u,
            "u_random": self.u_random,
            "prior": self.prior,
            "tf": self.tf,
            "link_threshold": self.link_threshold,
            "review_threshold": self.review_threshold,
            "iterations": self.iterations,
        }

    @classmethod
    def from_params(cls, p: dict) -> Model:
        return cls(
            m=p["m"],
            u=p["u"],
            prior=p["prior"],
            tf=p.get("tf", {}),
            u_random=p.get("u_random", {}),
            link_threshold=p["link_threshold"],
            review_threshold=p["review_threshold"],
            iterations=p.get("iterations", 0),
        )


def level_shares(levels: pd.DataFrame) -> dict[str, list[float]]:
    """Share of each level among pairs where the field is not missing."""
    out = {}
    for f, labels in FIELDS.items():
        col = levels[f].to_numpy()
        counts = np.bincount(col[col >= 0], minlength=len(labels))[: len(labels)].astype(float)
        shares = (counts + 0.5) / (counts.sum() + 0.5 * len(labels))  # smoothed
        out[f] = np.clip(shares, EPS, 1 - EPS).tolist()
    return out


def estimate_u(forms: pd.DataFrame, n_pairs: int = 400_000, seed: int = 0) -> dict:
    """u-probabilities from random pairs (almost all non-matches)."""
    rng = np.random.default_rng(seed)
    n = len(forms)
    n_pairs = min(n_pairs, max(n * (n - 1) // 2, 1))
    i = rng.integers(0, n, n_pairs)
    j = rng.integers(0, n, n_pairs)
    keep = i != j
    return level_shares(compare(forms, i[keep], j[keep]))


def _categorical_forms(forms: pd.DataFrame) -> pd.DataFrame:
    if all(isinstance(forms[c].dtype, pd.CategoricalDtype) for c in ("rom_sur", "rom_given")):
        return forms
    return as_categoricals(forms)


def term_frequencies(forms: pd.DataFrame, top: int = 20_000) -> dict[str, dict[str, float]]:
    """Frequencies of surname and given-name keys (the most common ``top``), for TF weights."""
    forms = _categorical_forms(forms)
    tf = {}
    for col in ("rom_sur", "rom_given"):
        c = codes(forms, col)
        c = c[c >= 0]
        counts = np.bincount(c, minlength=len(forms[col].cat.categories))
        top_k = np.argsort(-counts, kind="stable")[:top]
        top_k = top_k[counts[top_k] > 0]
        cats = np.asarray(forms[col].cat.categories, dtype=object)
        tf[col] = dict(
            zip(cats[top_k].tolist(), (counts[top_k] / max(len(c), 1)).tolist(), strict=True)
        )
    # Birth dates too: real registers pile people on 1 January, and a clamp piles them anywhere.
    b = forms["birth"].to_numpy()
    values, counts = np.unique(b[b > 0], return_counts=True)
    top_k = np.argsort(-counts, kind="stable")[:top]
    tf["birth"] = dict(
        zip(
            [str(v) for v in values[top_k].tolist()],
            (counts[top_k] / max(int((b > 0).sum()), 1)).tolist(),
            strict=True,
        )
    )
    return tf


def tf_lookup(forms: pd.DataFrame, col: str, table: dict[str, float]) -> np.ndarray:
    """Frequency per record of its ``col`` value under ``table`` (TF_FLOOR when not in it).

    Looked up once per category (or per distinct birth date), then gathered by code: no string
    is touched per pair.
    """
    if col == "birth":
        b = forms["birth"].to_numpy()
        keys = np.array([int(k) for k in table], dtype=np.int64)
        vals = np.array(list(table.values()), dtype=np.float64)
        order = np.argsort(keys)
        keys, vals = keys[order], vals[order]
        at = np.clip(np.searchsorted(keys, b), 0, max(len(keys) - 1, 0))
        found = (keys[at] == b) if len(keys) else np.zeros(len(b), dtype=bool)
        return np.where(found, vals[at] if len(keys) else 0.0, TF_FLOOR)
    cats = pd.Series(np.asarray(forms[col].cat.categories, dtype=object))
    per_cat = np.append(cats.map(table).fillna(TF_FLOOR).to_numpy(np.float64), TF_FLOOR)
    return per_cat[codes(forms, col)]


def patterns(levels: pd.DataFrame) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(distinct level rows, their counts, pattern index per pair)."""
    code = np.zeros(len(levels), dtype=np.int64)
    for f, labels in FIELDS.items():
        code = code * (len(labels) + 1) + (levels[f].to_numpy().astype(np.int64) + 1)
    # factorize hashes ten million int64s in a fraction of np.unique's sort.
    inverse, uniq = pd.factorize(code)
    counts = np.bincount(inverse, minlength=len(uniq))
    pats = np.empty((len(uniq), len(FIELDS)), dtype=np.int16)
    rest = np.asarray(uniq, dtype=np.int64)
    for k, labels in reversed(list(enumerate(FIELDS.values()))):
        pats[:, k] = rest % (len(labels) + 1) - 1
        rest = rest // (len(labels) + 1)
    return pats, counts, inverse


def train_em(
    levels: pd.DataFrame,
    u: dict[str, list[float]],
    iterations: int = 60,
    prior: float = 0.3,
    tol: float = 1e-6,
    m: dict[str, list[float]] | None = None,
) -> tuple[dict[str, list[float]], dict[str, list[float]], float, int]:
    """m, u among candidate pairs, and the match share among them, by EM.

    ``u`` (from random pairs) is the starting point of u. It cannot stay fixed: candidate pairs
    are chosen for agreeing (same building, same phone, same birth date), so their non-matches
    agree far more often than random pairs do, and with u pinned to random pairs EM explains every
    candidate as a match. Re-estimating u among candidates is what lets a household's shared
    address and phone weigh little against a different sex, given name or birth date.
    """
    pats, counts, _ = patterns(levels)
    counts = counts.astype(float)
    fields = list(FIELDS)
    if m is None:
        # Start from "matches mostly agree": 0.8 on the strongest level, the rest spread.
        m = {
            f: np.r_[0.8, np.full(len(labels) - 1, 0.2 / (len(labels) - 1))]
            for f, labels in FIELDS.items()
        }
    m = {f: np.asarray(v, dtype=float) for f, v in m.items()}
    uu = {f: np.asarray(u[f], dtype=float) for f in fields}
    if counts.sum() == 0:
        # No candidate pairs (a first import of a handful of records): nothing to learn from.
        # Iterating would divide 0 by 0 and store a NaN prior that JSON cannot hold.
        return (
            {f: v.tolist() for f, v in m.items()},
            {f: v.tolist() for f, v in uu.items()},
            prior,
            0,
        )
    it = 0
    for it in range(1, iterations + 1):  # noqa: B007 — the count is reported
        lm = np.zeros(len(pats))
        lu = np.zeros(len(pats))
        for k, f in enumerate(fields):
            lv = pats[:, k]
            ok = lv >= 0
            lm[ok] += np.log(m[f])[lv[ok]]
            lu[ok] += np.log(uu[f])[lv[ok]]
        a = np.log(prior) + lm
        b = np.log1p(-prior) + lu
        post = 1.0 / (1.0 + np.exp(np.clip(b - a, -700, 700)))
        w = counts * post
        new_prior = float(w.sum() / counts.sum())
        delta = abs(new_prior - prior)
        for k, f in enumerate(fields):
            lv = pats[:, k]
            ok = lv >= 0
            k_levels = len(FIELDS[f])
            sums = np.bincount(lv[ok], weights=w[ok], minlength=k_levels)
            new = np.clip(sums / max(sums.sum(), 1e-12), M_FLOOR, 1 - EPS)
            new /= new.sum()
            delta = max(delta, float(np.abs(new - m[f]).max()))
            m[f] = new
            rest = np.bincount(lv[ok], weights=counts[ok] - w[ok], minlength=k_levels)
            uu[f] = np.clip(rest / max(rest.sum(), 1e-12), EPS, 1 - EPS)
        prior = min(max(new_prior, EPS), 1 - EPS)
        if delta < tol:
            break
    return (
        {f: v.tolist() for f, v in m.items()},
        {f: v.tolist() for f, v in uu.items()},
        prior,
        it,
    )


def labelled_start(levels: pd.DataFrame) -> tuple[dict, dict, float]:
    """m, u and the match share from the pairs the full RRN decides: same number, same person;
    different numbers, different people. EM starts here, not from a guess: started blind it
    settles on "same household" as its match class, since households agree on address, phone
    and dong as strongly as one person's records do."""
    rrn = levels["rrn"].to_numpy()
    # A slip is neither: it is what EM is to weigh.
    same, diff = levels[rrn == RRN_SAME], levels[rrn == RRN_DIFFERENT]
    if len(same) < 20 or len(diff) < 20:
        return {}, {}, 0.3
    m, u = level_shares(same), level_shares(diff)
    # The RRN field itself: keep the labelled shares away from certainty.
    m["rrn"], u["rrn"] = [0.98, 0.01, 0.01], [0.01, 0.001, 0.989]
    return m, u, float(len(same) / max(len(same) + len(diff), 1))


def prior_bits(model: Model) -> float:
    """The prior's log2 odds: where every pair's total starts before any field speaks."""
    return float(np.log2(model.prior / (1 - model.prior)))


def _lookup(model: Model) -> dict[str, np.ndarray]:
    """Weight per level of each field, float32, with a trailing 0 that level -1 (missing) hits."""
    return {f: np.append(w, 0.0).astype(np.float32) for f, w in model.weights().items()}


def _identity(levels: pd.DataFrame) -> np.ndarray:
    """Pairs whose given names agree or differ by one slip (one jamo), whose birth dates agree
    and whose sex and RRN do not differ: nothing a shared household could outvote, so its
    evidence is not capped (see _household). Twins' names differ by more than one jamo."""
    given = levels["given"].to_numpy()
    typo = levels["given_typo"].to_numpy() if "given_typo" in levels else False
    return (
        ((given == 0) | ((given > 0) & typo))
        & (levels["birth"].to_numpy() == 0)
        & (levels["sex"].to_numpy() != 1)
        & (levels["rrn"].to_numpy() != RRN_DIFFERENT)
    )


def _household(house: np.ndarray, uncapped: np.ndarray | None = None) -> np.ndarray:
    """Phone, building and dong are one piece of evidence when shared: a household shares all
    three. Only the strongest agreement among them counts, so that a different sex, given name
    or birth date outweighs living together (spouses, parents and children, twins). Likewise
    a move changes address and phone at once: only the strongest disagreement counts.
    ``house`` holds the three weights per pair; returns them with all but one zeroed.

    The cap exists for pairs that disagree on who they are (twins differ in given name, a parent
    in birth date). Where ``uncapped`` is true, name, birth date and sex agree: a family member
    cannot be such a pair, and the shared phone counts in full (at 1 M records the cap left
    thousands of one person's records, identical down to phone and building, under the link
    threshold)."""
    strongest, weakest = house.argmax(axis=1), house.argmin(axis=1)
    keep = np.where(house.max(axis=1) > 0, strongest, weakest)
    out = np.zeros_like(house)
    rows = np.arange(len(house))
    cap = HOUSEHOLD_CAP if uncapped is None else np.where(uncapped, np.inf, HOUSEHOLD_CAP)
    out[rows, keep] = np.minimum(house[rows, keep], cap)
    return out


def _tf_adjust(
    levels: pd.DataFrame, model: Model, forms: pd.DataFrame, i: np.ndarray
) -> dict[str, tuple[np.ndarray, np.ndarray]]:
    """Term frequency: agreeing on 김 or 영숙 proves less than agreeing on 남궁 or 채린. The exact
    weight moves by log2(average chance of agreeing / this value's chance), as Splink does.
    Returns, per field, the exact pairs and their adjustment (bits)."""
    out = {}
    for f, col in (("surname", "rom_sur"), ("given", "rom_given"), ("birth", "birth")):
        table = model.tf.get(col)
        if not table or f not in model.u_random:
            continue
        exact = np.flatnonzero(levels[f].to_numpy() == 0)
        freq = np.maximum(tf_lookup(forms, col, table)[i[exact]], TF_FLOOR)
        out[f] = exact, np.log2(model.u_random[f][0] / freq).astype(np.float32)
    return out


def score(
    levels: pd.DataFrame, model: Model, forms: pd.DataFrame, i: np.ndarray, j: np.ndarray
) -> np.ndarray:
    """Total match weight (bits, prior included) of every pair.

    Without term frequencies a pair's weight is a function of its level pattern alone, so the
    household rule runs over the few hundred possible (phone, address, dong) patterns and every
    field is one table gather: no per-pair temporaries beyond the total.
    """
    forms = _categorical_forms(forms)
    lut = _lookup(model)
    total = np.full(len(levels), prior_bits(model), dtype=np.float32)
    for f in FIELDS:
        if f not in HOUSEHOLD:
            total += lut[f][levels[f].to_numpy()]
    sizes = [len(FIELDS[f]) + 1 for f in HOUSEHOLD]
    grid = np.stack(
        np.meshgrid(*[np.arange(k) - 1 for k in sizes], indexing="ij"), axis=-1
    ).reshape(-1, len(HOUSEHOLD))
    house = np.stack([lut[f][grid[:, k]] for k, f in enumerate(HOUSEHOLD)], axis=1)
    capped = _household(house).sum(axis=1).astype(np.float32)
    full = _household(house, np.ones(len(house), dtype=bool)).sum(axis=1).astype(np.float32)
    code = np.zeros(len(levels), dtype=np.int32)
    for f, k in zip(HOUSEHOLD, sizes, strict=True):
        code = code * k + (levels[f].to_numpy().astype(np.int32) + 1)
    total += np.where(_identity(levels), full[code], capped[code])
    for _f, (exact, adjust) in _tf_adjust(levels, model, forms, i).items():
        total[exact] += adjust
    return total


def explain(
    levels: pd.DataFrame, model: Model, forms: pd.DataFrame, i: np.ndarray, j: np.ndarray
) -> pd.DataFrame:
    """Weight (bits) of every field for the given pairs: what the review screen shows. The sum
    of a row plus the prior's log-odds (:func:`prior_bits`) is the pair's total from
    :func:`score`."""
    forms = _categorical_forms(forms)
    lut = _lookup(model)
    out = {f: lut[f][levels[f].to_numpy()] for f in FIELDS}
    for f, (exact, adjust) in _tf_adjust(levels, model, forms, i).items():
        out[f][exact] += adjust
    house = _household(np.stack([out[f] for f in HOUSEHOLD], axis=1), _identity(levels))
    for k, f in enumerate(HOUSEHOLD):
        out[f] = house[:, k]
    return pd.DataFrame(out)
