"""The whole column core on one frame: normalise → block → compare → score → cluster.

No Django here: :mod:`matching.actions` loads the frame, calls :func:`link_frame`, and saves.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from matching import blocking, cluster, em
from matching.compare import (
    RRN_SAME,
    RRN_SLIP,
    compare,
    registers,
    with_combo,
    with_derived,
)
from matching.normalize import codes, normalize


@dataclass
class LinkResult:
    forms: pd.DataFrame
    left: np.ndarray  # candidate pairs, positions in forms
    right: np.ndarray
    levels: pd.DataFrame
    total: np.ndarray
    labels: np.ndarray  # cluster label per position
    model: em.Model
    per_rule: dict[str, int]
    seconds: dict[str, float] = field(default_factory=dict)

    def weights(self, k: np.ndarray) -> pd.DataFrame:
        """Per-field weights of candidate pairs ``k`` (indexes into left/right), for display."""
        return em.explain(
            self.levels.iloc[k].reset_index(drop=True),
            self.model,
            self.forms,
            self.left[k],
            self.right[k],
        )

    @property
    def links(self) -> np.ndarray:
        return (self.total >= self.model.link_threshold) | (self.levels["rrn"] == RRN_SAME)

    @property
    def reviews(self) -> np.ndarray:
        return (self.total >= self.model.review_threshold) & ~self.links


COMBO_U_FLOOR = 0.02
# A slip (compare.RRN_SLIP) implies equal birth dates and sex digits, which carry their own
# weight. Its u is the chance that a stranger with the same birth date and sex digit holds a
# number one slip away: 59 of 10^6 serials (6 × 9 one-digit changes, 5 swaps), times about 20
# because registration areas and offices cluster. Random pairs put it near 0 and would make a
# slip worth 10+ bits on top of the birth date: enough alone to link, which it must never be.
SLIP_U_FLOOR = 1e-3


def rrn_codes(forms: pd.DataFrame) -> np.ndarray:
    return codes(forms, "rrn_index").astype(np.int64)


def slip_codes(
    codes_: np.ndarray, left: np.ndarray, right: np.ndarray, slips: np.ndarray
) -> np.ndarray:
    """RRN codes with the numbers of linked slip pairs made one: "two different full numbers
    never in one resident" then holds for numbers that differ beyond a slip (DESIGN.md
    principle 3) and lets a slip whose other evidence links through."""
    if not slips.any():
        return codes_
    a, b = codes_[left[slips]], codes_[right[slips]]
    k = int(codes_.max(initial=-1)) + 1
    label = cluster.components(k, a, b)
    return np.where(codes_ >= 0, label[np.maximum(codes_, 0)], -1)


def train(forms: pd.DataFrame, levels: pd.DataFrame, seed: int = 0) -> em.Model:
    u_random = em.estimate_u(forms, seed=seed)
    m0, u0, prior0 = em.labelled_start(levels)
    m, u_cand, prior, iterations = em.train_em(levels, u0 or u_random, m=m0 or None, prior=prior0)
    # Scoring uses u from random pairs: among candidates, non-matches were chosen for agreeing,
    # so u there understates what an agreement proves. The prior is then the chance that two
    # records drawn at random are one person: expected matches over all pairs.
    n = len(forms)
    all_pairs = max(n * (n - 1) / 2, 1.0)
    prior_all = min(max(prior * len(levels) / all_pairs, 1e-12), 0.5)
    # The combination count is only observed when name and birth date agree, which random pairs
    # almost never do: its u is the one EM estimates among candidates agreeing on both.
    # Floored: in a small population EM finds almost no strangers sharing a name and birthday,
    # and an unfloored u of 1e-5 would make "one per source" worth 16 bits.
    u_combo = np.maximum(np.asarray(u_cand["combo"]), COMBO_U_FLOOR)
    u_random = {**u_random, "combo": (u_combo / u_combo.sum()).tolist()}
    u_rrn = np.asarray(u_random["rrn"])
    u_rrn[RRN_SLIP] = max(u_rrn[RRN_SLIP], SLIP_U_FLOOR)
    u_random["rrn"] = (u_rrn / u_rrn.sum()).tolist()
    model = em.Model(
        m=m,
        u=u_random,
        prior=prior_all,
        tf=em.term_frequencies(forms),
        u_random=u_random,
        iterations=iterations,
    )
    return model


def link_frame(
    records: pd.DataFrame,
    model: em.Model | None = None,
    forms: pd.DataFrame | None = None,
    must: tuple[np.ndarray, np.ndarray] | None = None,
    cannot: tuple[np.ndarray, np.ndarray] | None = None,
    progress: Callable[[str], None] | None = None,
) -> LinkResult:
    """Link ``records`` among themselves. Trains a model unless one is given.

    ``must``/``cannot`` are human decisions as position pairs into ``records``.
    """
    seconds: dict[str, float] = {}
    t = time.perf_counter()

    def stage(name: str) -> None:
        nonlocal t
        now = time.perf_counter()
        seconds[name] = now - t
        t = now
        if progress:
            progress(name)

    if forms is None:
        forms = normalize(records)
        stage("normalise")
    if "combo_n" not in forms:
        forms = with_combo(forms, records["source"], registers(records))
    if "rrn_digits" not in forms and "rrn_digits" in records:
        forms = forms.assign(rrn_digits=records["rrn_digits"].to_numpy(np.int64))
    if "given_rev" not in forms:
        forms = with_derived(forms, records["name"])
    cands = blocking.block(forms)
    stage("block")
    levels = compare(forms, cands.left, cands.right)
    stage("compare")
    if model is None:
        model = train(forms, levels)
        stage("train")
    total = em.score(levels, model, forms, cands.left, cands.right)
    stage("score")
    rrn = levels["rrn"].to_numpy()
    # One full number, one person (DESIGN.md: exact identity apart from fuzzy evidence): a
    # pair sharing the blind index is linked whatever its score; only a person's "different"
    # (``cannot``) separates it, in cluster.
    linked = (total >= model.link_threshold) | (rrn == RRN_SAME)
    labels = cluster.cluster(
        len(forms),
        cands.left[linked],
        cands.right[linked],
        np.where(rrn[linked] == RRN_SAME, np.float32(1e6), total[linked]),
        slip_codes(rrn_codes(forms), cands.left, cands.right, linked & (rrn == RRN_SLIP)),
        must=must,
        cannot=cannot,
    )
    stage("cluster")
    return LinkResult(
        forms, cands.left, cands.right, levels, total, labels, model, cands.per_rule, seconds
    )
