"""Building → administrative dong, from what the sources themselves say (issue 13 item 2).

Column code (no Django). City and crisis records carry a dong code; ministry and facility records
carry only a road address. Every record with both a building form and a dong code votes for that
building's dong. A building resolves when at least :data:`MIN_VOTES` votes agree and they are more
than half of its votes; anything less stays unresolved rather than guessed.

Not wired into linkage yet: on the synthetic world (``python -m bench.dong_votes``) vote-derived
dongs match the truth for only ~73 % of the residents they would place, because the generator's
building forms are not unique across sibling dongs (its roads are named by the dong's stem, so
상계로 12 exists in 상계1동 and 상계2동). A wrong home centre shows a person to the wrong
caseworkers, so this waits for unique buildings (generator, item 5) or the official building DB.

Not yet: the official building database as a second feed, and valid-from/valid-to for stale codes
(용신동 → 신설동/용두동): a stale code votes like any other.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

MIN_VOTES = 2


def vote_dongs(building: np.ndarray, dong: np.ndarray) -> pd.Series:
    """Resolved dong code per building form (index), from per-record building and dong strings
    ("" = missing)."""
    b = pd.Series(building, dtype=object)
    d = pd.Series(dong, dtype=object)
    keep = ((b != "") & (d != "")).to_numpy()
    counts = pd.DataFrame({"b": b[keep].to_numpy(), "d": d[keep].to_numpy()}).value_counts()
    if counts.empty:
        return pd.Series(dtype=object)
    counts = counts.rename("n").reset_index()
    counts["total"] = counts.groupby("b")["n"].transform("sum")
    best = counts.sort_values(["b", "n"], ascending=[True, False], kind="stable")
    best = best.drop_duplicates("b")
    best = best[(best["n"] >= MIN_VOTES) & (best["n"] * 2 > best["total"])]
    return pd.Series(best["d"].to_numpy(), index=best["b"].to_numpy(), dtype=object)


def fill_dongs(dong: pd.Series, building: np.ndarray, resolved: pd.Series) -> pd.Series:
    """``dong`` with its blanks filled from ``resolved`` by ``building`` (same order)."""
    out = dong.fillna("").astype(object).copy()
    blank = (out == "").to_numpy()
    if blank.any() and len(resolved):
        found = pd.Series(np.asarray(building, dtype=object)[blank]).map(resolved)
        out[blank] = found.fillna("").to_numpy()
    return out
