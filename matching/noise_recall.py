"""Recall per kind of noise: of the true pairs where either record carries a kind, how many the
linkage joined (issue 14's table). Kinds are read from the truth's ``noise`` column (``;``-joined,
seoulgen.noise.KINDS), so a new kind of the generator shows up without a change here.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from matching.blocking import Candidates, pairs_in_blocks

# Not a defect of the pair: a row repeated in its file (intake drops it).
IGNORED = frozenset({"repeated_row"})


def _pairs(labels: np.ndarray) -> np.ndarray:
    codes, _ = pd.factorize(labels)
    return pairs_in_blocks(codes.astype(np.int64), cap=10**9)


def kind_masks(noise: np.ndarray) -> dict[str, np.ndarray]:
    """Per kind present in ``noise``, which records carry it; ``none`` = records with no kind."""
    tokens = pd.Series(noise).fillna("").astype(str)
    exploded = tokens.str.split(";").explode()
    exploded = exploded[(exploded != "") & ~exploded.isin(IGNORED)]
    masks = {}
    for kind in sorted(exploded.unique()):
        has = np.zeros(len(tokens), dtype=bool)
        has[exploded.index[exploded == kind].to_numpy()] = True
        masks[kind] = has
    carried = np.zeros(len(tokens), dtype=bool)
    carried[exploded.index.to_numpy()] = True
    masks["none"] = ~carried
    return masks


def recall_by_noise(predicted: np.ndarray, truth: np.ndarray, noise: np.ndarray) -> dict:
    """Per kind: true pairs touching it, those found (joined), recall, and false links touching
    it. ``predicted``/``truth`` are a cluster label per record, ``noise`` its truth text. For
    ``none`` both records carry no kind."""
    n = len(predicted)
    pred, true = _pairs(predicted), _pairs(truth)
    found = np.isin(true, pred, assume_unique=True)
    false = pred[~np.isin(pred, true, assume_unique=True)]
    out = {}
    for kind, has in kind_masks(noise).items():
        if kind == "none":
            on_true = has[true // n] & has[true % n]
            on_false = has[false // n] & has[false % n]
        else:
            on_true = has[true // n] | has[true % n]
            on_false = has[false // n] | has[false % n]
        t = int(on_true.sum())
        f = int((on_true & found).sum())
        out[kind] = {
            "records": int(has.sum()),
            "true_pairs": t,
            "found": f,
            "recall": f / t if t else float("nan"),
            "false_links": int(on_false.sum()),
        }
    return out


def blocking_by_noise(
    cands: Candidates, per_rule: dict[str, np.ndarray], truth: np.ndarray, noise: np.ndarray
) -> dict[str, dict[str, float]]:
    """Blocking recall per kind: of the true pairs touching each kind, the share among all
    candidates and the share each rule alone yields (``per_rule``: rule → its pair codes
    ``i * n + j``)."""
    n = len(truth)
    true = _pairs(truth)
    cand = cands.left.astype(np.int64) * n + cands.right
    out = {}
    for kind, has in kind_masks(noise).items():
        on = true[has[true // n] | has[true % n]] if kind != "none" else true
        if not len(on):
            continue
        row = {"true_pairs": float(len(on)), "all rules": float(np.isin(on, cand).mean())}
        for rule, codes_ in per_rule.items():
            row[rule] = float(np.isin(on, codes_).mean())
        out[kind] = row
    return out


def noise_table(rows: dict) -> str:
    """``recall_by_noise`` as the plain text the commands print."""
    lines = [f"{'noise on the pair':<18}{'records':>9}{'true pairs':>12}{'recall':>9}{'fp':>7}"]
    for kind, r in rows.items():
        lines.append(
            f"{kind:<18}{r['records']:>9,}{r['true_pairs']:>12,}{r['recall']:>9.4f}"
            f"{r['false_links']:>7,}"
        )
    return "\n".join(lines)


def blocking_table(rows: dict) -> str:
    """``blocking_by_noise`` as text: one line per kind, the share each rule reaches."""
    if not rows:
        return ""
    rules = [k for k in next(iter(rows.values())) if k != "true_pairs"]
    lines = ["blocking recall per kind (share of its true pairs among candidates, per rule)"]
    for kind, r in rows.items():
        lines.append(
            f"  {kind:<16} {int(r['true_pairs']):>7,} pairs: "
            + ", ".join(f"{k} {r[k]:.3f}" for k in rules)
        )
    return "\n".join(lines)
