"""How far the data has moved from the model that links it, and when to retrain.

Incremental linking scores new records with the model the last training left. That model's
prior is tied to the population it was trained on (expected matches over all pairs), and its m
and u to the sources it saw: a model trained on the first source alone has never seen two
sources disagree on a phone or an address. Measured on every incremental run, no Django here:

- ``growth``: records now over records the model was trained on. The prior is a share of all
  pairs, which grow with the square of the population.
- ``review_share``: the share of the run's candidate pairs in the review band, against the
  share at training (``review_ratio``). A model that no longer fits leaves more pairs undecided.
- ``weight_shift``: EM re-fitted on a sample of the run's pairs; per field, the expected change
  of a match's weight, Σ m_new · |log2(m_new / m_old)| (bits); the largest field's.
- ``levels_changed``: the comparison fields or their levels are not the ones the model was
  trained with (a comparator was added): the model cannot score them, retraining is required.

A run whose figures cross :data:`THRESHOLDS` is followed by a retraining run (actions), which
relinks only the residents whose pairs change decision under the new weights.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from matching import em
from matching.compare import FIELDS

# Documented in docs/matching.md ("Retraining"). Growth: at 1.25× the prior is off by up to
# log2(1.25²) ≈ 0.64 bits for a population whose matches do not grow with it. Review ratio:
# twice the band's share at training. Weight shift: two bits of a match's expected weight in one
# field, half the link threshold. At one bit a small import of an already-known source (crisis,
# 1.8 k records at 100 k residents: 1.5 bits on phone) retrained a model whose new weights then
# changed 9 of 18 k pairs: the refit on one delta's pairs is noisier than a bit.
THRESHOLDS = {"growth": 1.25, "review_ratio": 2.0, "weight_shift": 2.0}
# EM on more pairs than this adds nothing to the estimate of a few dozen m-values.
SAMPLE = 200_000
# Below this many pairs a run's band share and EM refit are noise (a delta of a few records):
# only growth and changed levels count.
MIN_PAIRS = 2_000


def level_labels() -> dict[str, list[str]]:
    """The comparison fields and their levels now: stored with every model (``levels``)."""
    return {f: list(labels) for f, labels in FIELDS.items()}


def levels_changed(params: dict) -> bool:
    """Whether the stored parameters were trained on other fields or levels than today's.
    Models stored before the labels were kept are judged by their fields' level counts."""
    stored = params.get("levels")
    if stored is not None:
        return stored != level_labels()
    m = params.get("m", {})
    return set(m) != set(FIELDS) or any(len(m[f]) != len(FIELDS[f]) for f in FIELDS)


def review_share(total: np.ndarray, model: em.Model) -> float:
    """Share of scored pairs in the review band."""
    if not len(total):
        return 0.0
    band = (total >= model.review_threshold) & (total < model.link_threshold)
    return float(band.mean())


def weight_shift(levels: pd.DataFrame, model: em.Model, seed: int = 0) -> dict[str, float]:
    """Per field, Σ m_new · |log2(m_new / m_old)| after EM re-fitted on a sample of ``levels``.

    EM starts where training starts (the pairs the full RRN decides), so the refit answers "what
    would training find in these pairs", not "how far can EM wander from the old m"."""
    if len(levels) > SAMPLE:
        pick = np.random.default_rng(seed).choice(len(levels), SAMPLE, replace=False)
        levels = levels.iloc[np.sort(pick)].reset_index(drop=True)
    if len(levels) < 100:
        return {}
    m0, u0, prior0 = em.labelled_start(levels)
    m, _, _, _ = em.train_em(levels, u0 or model.u, m=m0 or model.m, prior=prior0)
    out = {}
    for f in FIELDS:
        if f not in model.m or len(model.m[f]) != len(m[f]):
            continue
        new, old = np.asarray(m[f]), np.asarray(model.m[f])
        out[f] = float((new * np.abs(np.log2(new / old))).sum())
    return out


def measure(
    model: em.Model,
    params: dict,
    levels: pd.DataFrame,
    total: np.ndarray,
    records: int,
    trained_on: int,
) -> dict:
    """The drift figures of one incremental run (JSON for LinkageRun.drift), with ``crossed``:
    the thresholds crossed, empty when the model still fits."""
    share = review_share(total, model)
    trained_share = params.get("review_share")
    shifts = weight_shift(levels, model)
    out = {
        "growth": round(records / max(trained_on, 1), 4),
        "review_share": round(share, 6),
        "review_ratio": round(share / trained_share, 4) if trained_share else None,
        "weight_shift": round(max(shifts.values(), default=0.0), 4),
        "weight_shift_field": max(shifts, key=shifts.get) if shifts else "",
        "levels_changed": levels_changed(params),
        "pairs": int(len(total)),
    }
    out["crossed"] = crossed(out)
    return out


def crossed(figures: dict, thresholds: dict | None = None) -> list[str]:
    """Names of the figures past their threshold (``levels_changed`` when it is true)."""
    limits = {**THRESHOLDS, **(thresholds or {})}
    if figures.get("pairs", 0) < MIN_PAIRS:
        limits = {k: v for k, v in limits.items() if k == "growth"}
    names = [k for k, limit in limits.items() if (figures.get(k) or 0) >= limit]
    return ["levels_changed", *names] if figures.get("levels_changed") else names
