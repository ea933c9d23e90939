"""Link a delta of records into an already linked population without recomputing everything.

Only blocks holding a new record are paired; the residents a new record links to, with all their
records, are re-linked together with the new records (block, compare, score, constrained
clustering on that subset); every other resident keeps its records untouched. With the same model
this gives the clusters a full run gives, since a full run's components that hold no new record
are exactly the old ones (tested in tests/matching/test_incremental.py).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import NamedTuple

import numpy as np
import pandas as pd

from matching import blocking, em
from matching.compare import (
    RRN_SAME,
    combo_counts,
    combo_keys,
    compare,
    registers,
    with_combo,
    with_derived,
)
from matching.normalize import concat_forms, normalize
from matching.pipeline import link_frame


def link_delta(
    old_records: pd.DataFrame,
    old_forms: pd.DataFrame,
    old_labels: np.ndarray,
    new_records: pd.DataFrame,
    model: em.Model,
    new_forms: pd.DataFrame | None = None,
    must: tuple[np.ndarray, np.ndarray] | None = None,
    cannot: tuple[np.ndarray, np.ndarray] | None = None,
    measure: Callable[[pd.DataFrame, np.ndarray], dict] | None = None,
) -> tuple[np.ndarray, dict, Pairs, pd.DataFrame]:
    """Cluster labels for old + new positions (old first, in order), a few counts, the
    review-band pairs and the forms of old + new.

    ``must``/``cannot`` are position pairs into the concatenation of old and new records.
    ``measure`` is given the levels and totals of the delta's pairs; what it returns is
    ``stats["drift"]`` (matching.drift: how well the model still fits the new records).
    """
    n_old = len(old_records)
    if new_forms is None:
        new_forms = normalize(new_records)
    records = pd.concat([old_records, new_records], ignore_index=True)
    forms = with_combo(concat_forms([old_forms, new_forms]), records["source"], registers(records))
    if "rrn_digits" in records:
        forms["rrn_digits"] = records["rrn_digits"].fillna(0).to_numpy(np.int64)
    forms = with_derived(forms, records["name"])
    only = np.zeros(len(forms), dtype=bool)
    only[n_old:] = True
    cands = blocking.block(forms, only=only)
    levels = compare(forms, cands.left, cands.right)
    total = em.score(levels, model, forms, cands.left, cands.right)
    drift = measure(levels, total) if measure is not None else {}
    linked = (total >= model.link_threshold) | (levels["rrn"].to_numpy() == RRN_SAME)
    touched = np.r_[cands.left[linked], cands.right[linked]]
    # New records can change how crowded a (name, birth date) is in a source, which weighs in
    # every pair of that combination: residents whose records' count changed are re-linked too.
    keys = combo_keys(forms)
    shared = np.flatnonzero(np.isin(keys[:n_old], keys[n_old:][keys[n_old:] >= 0]))
    before = combo_counts(forms.iloc[shared], old_records["source"].to_numpy()[shared])
    shared = shared[forms["combo_n"].to_numpy()[shared] != before]
    affected_labels = np.unique(np.r_[old_labels[touched[touched < n_old]], old_labels[shared]])
    in_a = np.r_[np.isin(old_labels, affected_labels), np.ones(len(new_forms), dtype=bool)]
    subset = np.flatnonzero(in_a)
    position = np.full(len(forms), -1, dtype=np.int64)
    position[subset] = np.arange(len(subset))

    def restrict(pairs: tuple[np.ndarray, np.ndarray] | None):
        if pairs is None or not len(pairs[0]):
            return None
        a, b = position[np.asarray(pairs[0])], position[np.asarray(pairs[1])]
        ok = (a >= 0) & (b >= 0)
        return a[ok], b[ok]

    sub = link_frame(
        records.iloc[subset].reset_index(drop=True),
        model=model,
        forms=forms.iloc[subset].reset_index(drop=True),
        must=restrict(must),
        cannot=restrict(cannot),
    )
    labels = np.r_[old_labels, np.full(len(new_forms), -1, dtype=np.int64)]
    labels[subset] = old_labels.max(initial=-1) + 1 + sub.labels
    _, labels = np.unique(labels, return_inverse=True)
    # Review-band pairs a full run would also see: every pair holding a new record, and the
    # pairs inside the re-linked residents (a retracted bridge may leave two halves that only
    # a person can join). Positions are into old + new.
    band = (total >= model.review_threshold) & ~linked
    sub_band = np.flatnonzero(sub.reviews)
    review = Pairs(
        np.r_[cands.left[band], subset[sub.left[sub_band]]],
        np.r_[cands.right[band], subset[sub.right[sub_band]]],
        np.r_[total[band], sub.total[sub_band]],
        pd.concat([levels[band], sub.levels.iloc[sub_band]], ignore_index=True),
    )
    stats = {
        "delta_pairs": int(len(cands.left)),
        "relinked_records": int(len(subset)),
        "subset_pairs": int(len(sub.left)),
        "drift": drift,
    }
    return labels.astype(np.int64), stats, review, forms


class Pairs(NamedTuple):
    """Scored candidate pairs: positions, total weight and comparison levels."""

    left: np.ndarray
    right: np.ndarray
    total: np.ndarray
    levels: pd.DataFrame
