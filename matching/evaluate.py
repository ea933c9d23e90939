"""Linkage quality against known truth: pairwise and cluster-level figures, by noise type."""

from __future__ import annotations

import numpy as np
import pandas as pd

from matching.blocking import pairs_in_blocks

NOISE_TYPES = (
    "romanised",
    "typo",
    "space",
    "variant",
    "date_swap",
    "moved",
    "phone_changed",
    "phone_missing",
    "masked_rrn",
    "dong_missing",
    "duplicate_id",
)


def _pairs(labels: np.ndarray) -> np.ndarray:
    codes, _ = pd.factorize(labels)
    return pairs_in_blocks(codes.astype(np.int64), cap=10**9)


def evaluate(predicted: np.ndarray, truth: np.ndarray, noise: np.ndarray | None = None) -> dict:
    """Pairwise precision/recall/F1, cluster figures and a per-noise-type breakdown.

    ``predicted`` and ``truth`` are a cluster label per record; ``noise`` the ``;``-joined noise
    of each record (truth/records.csv). A pair counts for a noise type when either record has it.
    """
    n = len(predicted)
    pred, true = _pairs(predicted), _pairs(truth)
    tp_codes = np.intersect1d(pred, true, assume_unique=True)
    tp, fp, fn = len(tp_codes), len(pred) - len(tp_codes), len(true) - len(tp_codes)
    precision = tp / max(tp + fp, 1)
    recall = tp / max(tp + fn, 1)
    f1 = 2 * precision * recall / max(precision + recall, 1e-12)

    # Clusters: a true resident is "exact" when its records form exactly one predicted cluster.
    frame = pd.DataFrame({"p": predicted, "t": truth})
    per_true = frame.groupby("t")["p"].nunique()
    size_p = frame.groupby("p").size()
    size_t = frame.groupby("t").size()
    first = frame.drop_duplicates("t").set_index("t")["p"]
    exact = (per_true == 1) & (size_p.reindex(first).to_numpy() == size_t.reindex(first.index))
    out = {
        "records": n,
        "true_pairs": len(true),
        "predicted_pairs": len(pred),
        "tp": tp,
        "fp": fp,
        "fn": fn,
        "precision": precision,
        "recall": recall,
        "f1": f1,
        "true_residents": int(frame["t"].nunique()),
        "predicted_residents": int(len(size_p)),
        "residents_exact": float(exact.mean()),
        "residents_split": int((per_true > 1).sum()),
        "clusters_merged": int((frame.groupby("p")["t"].nunique() > 1).sum()),
    }
    if noise is not None:
        out["by_noise"] = breakdown(pred, true, tp_codes, n, noise)
    return out


def breakdown(
    pred: np.ndarray, true: np.ndarray, tp: np.ndarray, n: int, noise: np.ndarray
) -> dict[str, dict]:
    tokens = pd.Series(noise).fillna("").astype(str)
    fp_codes = np.setdiff1d(pred, tp, assume_unique=True)
    fn_codes = np.setdiff1d(true, tp, assume_unique=True)
    rows = {}
    for kind in (*NOISE_TYPES, "none"):
        if kind == "none":
            has = (tokens == "").to_numpy()
        else:
            has = tokens.str.contains(rf"(?:^|;){kind}(?:;|$)", regex=True).to_numpy()

        def touching(codes: np.ndarray, mask: np.ndarray = has) -> int:
            return int((mask[codes // n] | mask[codes % n]).sum())

        t, f_p, f_n = touching(tp), touching(fp_codes), touching(fn_codes)
        rows[kind] = {
            "records": int(has.sum()),
            "tp": t,
            "fp": f_p,
            "fn": f_n,
            "precision": t / max(t + f_p, 1),
            "recall": t / max(t + f_n, 1),
        }
    return rows


def report(figures: dict) -> str:
    """The figures as the plain text the command and the benchmark print."""
    lines = [
        f"records {figures['records']:,}  true pairs {figures['true_pairs']:,}  "
        f"predicted pairs {figures['predicted_pairs']:,}",
        f"pairwise precision {figures['precision']:.4f}  recall {figures['recall']:.4f}  "
        f"F1 {figures['f1']:.4f}  (fp {figures['fp']:,}, fn {figures['fn']:,})",
        f"residents: true {figures['true_residents']:,}  predicted "
        f"{figures['predicted_residents']:,}  exactly reconstructed "
        f"{figures['residents_exact']:.4f}  split {figures['residents_split']:,}  "
        f"clusters mixing people {figures['clusters_merged']:,}",
    ]
    if "by_noise" in figures:
        lines.append(f"{'noise':<14}{'records':>9}{'precision':>11}{'recall':>9}{'fp':>7}{'fn':>7}")
        for kind, r in figures["by_noise"].items():
            if r["records"]:
                lines.append(
                    f"{kind:<14}{r['records']:>9,}{r['precision']:>11.4f}"
                    f"{r['recall']:>9.4f}{r['fp']:>7,}{r['fn']:>7,}"
                )
    return "\n".join(lines)
