"""Residents from links: constrained connected components, stable ids and golden fields.

Two records with different full RRN indexes, or a pair a person declared different, never end in
one cluster (DESIGN.md principle 3). Components are found for all links at once (scipy); only
the few components that hold a conflict are rebuilt edge by edge, strongest link first, refusing
any edge that would join a conflict: the weakest links in a conflicting chain are the ones cut.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
import pandas as pd
from scipy.sparse import coo_matrix
from scipy.sparse.csgraph import connected_components

from matching.normalize import text


def components(n: int, i: np.ndarray, j: np.ndarray) -> np.ndarray:
    graph = coo_matrix((np.ones(len(i), dtype=np.int8), (i, j)), shape=(n, n))
    _, labels = connected_components(graph, directed=False)
    return labels.astype(np.int64)


def cluster(
    n: int,
    i: np.ndarray,
    j: np.ndarray,
    weight: np.ndarray,
    rrn_code: np.ndarray,
    must: tuple[np.ndarray, np.ndarray] | None = None,
    cannot: tuple[np.ndarray, np.ndarray] | None = None,
) -> np.ndarray:
    """A cluster label per position (0..n-1) from link edges ``(i, j)`` with their weights.

    ``rrn_code`` is a code per position for the full RRN index (-1 = none); ``must`` and
    ``cannot`` are human decisions as position pairs. A human "same" outranks a machine link but
    not an RRN conflict (two full numbers are two people, whoever says otherwise).
    """
    if must is not None and len(must[0]):
        i = np.r_[i, must[0]]
        j = np.r_[j, must[1]]
        weight = np.r_[weight, np.full(len(must[0]), np.inf, dtype=np.float64)]
    labels = components(n, i, j)
    conflict = np.zeros(labels.max(initial=-1) + 1, dtype=bool)
    has = rrn_code >= 0
    if has.any():
        per = pd.DataFrame({"c": labels[has], "r": rrn_code[has]}).drop_duplicates()
        multi = per["c"].value_counts()
        conflict[multi.index[multi > 1].to_numpy()] = True
    cannot_pairs: set[tuple[int, int]] = set()
    if cannot is not None and len(cannot[0]):
        ca, cb = np.asarray(cannot[0]), np.asarray(cannot[1])
        same = labels[ca] == labels[cb]
        conflict[labels[ca[same]]] = True
        cannot_pairs = {(int(min(a, b)), int(max(a, b))) for a, b in zip(ca, cb, strict=True)}
    if not conflict.any():
        return labels
    bad = conflict[labels]
    edge_bad = bad[i] & bad[j]
    return _rebuild(
        labels,
        np.flatnonzero(bad),
        i[edge_bad],
        j[edge_bad],
        weight[edge_bad],
        rrn_code,
        cannot_pairs,
    )


def _rebuild(
    labels: np.ndarray,
    nodes: np.ndarray,
    i: np.ndarray,
    j: np.ndarray,
    weight: np.ndarray,
    rrn_code: np.ndarray,
    cannot: set[tuple[int, int]],
) -> np.ndarray:
    """Kruskal over the conflicting components only: strongest edge first, conflicts refused."""
    parent = {int(v): int(v) for v in nodes}
    members = {int(v): [int(v)] for v in nodes}
    rrn = {int(v): int(rrn_code[v]) for v in nodes}

    def find(x: int) -> int:
        while parent[x] != x:
            parent[x] = parent[parent[x]]
            x = parent[x]
        return x

    for k in np.argsort(-weight, kind="stable"):
        a, b = find(int(i[k])), find(int(j[k]))
        if a == b:
            continue
        if rrn[a] >= 0 and rrn[b] >= 0 and rrn[a] != rrn[b]:
            continue
        if cannot and any((min(x, y), max(x, y)) in cannot for x in members[a] for y in members[b]):
            continue
        if len(members[a]) < len(members[b]):
            a, b = b, a
        parent[b] = a
        members[a].extend(members.pop(b))
        rrn[a] = rrn[a] if rrn[a] >= 0 else rrn[b]
    out = labels.copy()
    base = labels.max(initial=-1) + 1
    for v in nodes:
        out[v] = base + find(int(v))
    _, out = np.unique(out, return_inverse=True)
    return out.astype(np.int64)


def assign_ids(
    labels: np.ndarray, previous: np.ndarray, allocate: int | Callable[[int], np.ndarray]
) -> np.ndarray:
    """A resident id per position: each cluster keeps the id of the existing resident holding most
    of its records (each old id goes to one cluster only, the one holding most of it); the
    others get new ids in cluster order, so runs are deterministic.

    ``allocate`` is the first new id (ids from there on), or a function returning ``k`` new ids:
    on PostgreSQL they come from the table's sequence, so that ids handed out here and by
    ``Resident.objects.create`` never collide.
    """
    frame = pd.DataFrame({"c": labels, "p": previous})
    old = frame[frame["p"] > 0].value_counts().rename("n").reset_index()
    old = old.sort_values(["n", "c", "p"], ascending=[False, True, True])
    old = old.drop_duplicates("c").drop_duplicates("p")
    n_clusters = int(labels.max(initial=-1)) + 1
    ids = np.zeros(n_clusters, dtype=np.int64)
    ids[old["c"].to_numpy()] = old["p"].to_numpy()
    present = np.zeros(n_clusters, dtype=bool)
    present[labels] = True
    fresh = np.flatnonzero(present & (ids == 0))
    if callable(allocate):
        new = np.asarray(allocate(len(fresh)), dtype=np.int64) if len(fresh) else fresh
    else:
        new = np.arange(allocate, allocate + len(fresh), dtype=np.int64)
    ids[fresh] = np.sort(new)
    return ids[labels]


def golden(records: pd.DataFrame, forms: pd.DataFrame, resident: np.ndarray) -> pd.DataFrame:
    """Golden fields per resident id, by documented rules.

    name: from the most trusted source (lowest ``trust``), the newest record among equals;
    birth date and sex: the value most records agree on (ties to the most trusted);
    phone and address (with its dong): the newest record that has one;
    RRN: the full index if any record has one, and a masked form.
    """
    f = pd.DataFrame(
        {
            "resident": resident,
            "name": records["name"].to_numpy(),
            "trust": records["trust"].to_numpy(),
            "seen": pd.to_datetime(records["seen"]).to_numpy(),
            "birth": forms["birth"].to_numpy(),
            "sex": forms["sex"].to_numpy(),
            "phone": text(forms, "phone"),
            "address": records["address"].fillna("").to_numpy(),
            "dong": text(forms, "dong"),
            "rrn_index": text(forms, "rrn_index"),
            "rrn_masked": records["rrn_masked"].fillna("").to_numpy(),
            "rid": forms["rid"].to_numpy(),
        }
    )
    by_trust = f.sort_values(
        ["resident", "trust", "seen", "rid"], ascending=[True, True, False, True]
    )
    out = by_trust.groupby("resident", sort=True)[["name"]].first()

    def vote(col: str) -> pd.Series:
        v = by_trust[by_trust[col] != 0][["resident", col]]
        counts = v.groupby(["resident", col], sort=False).size().rename("n").reset_index()
        # Stable sort keeps the trust order within equal counts.
        counts = counts.sort_values(["resident", "n"], ascending=[True, False], kind="stable")
        return counts.drop_duplicates("resident").set_index("resident")[col]

    out["birth"] = vote("birth").reindex(out.index).fillna(0).astype(np.int32)
    out["sex"] = vote("sex").reindex(out.index).fillna(0).astype(np.int8)
    recent = f.sort_values(
        ["resident", "seen", "trust", "rid"], ascending=[True, False, True, True]
    )
    for col in ("phone", "rrn_masked"):
        out[col] = (
            recent[recent[col] != ""].groupby("resident")[col].first().reindex(out.index).fillna("")
        )
    # The encrypted number travels with the index it came from (one record supplies both).
    rrn_cols = ["rrn_index", "rrn_enc"] if "rrn_enc" in records else ["rrn_index"]
    if "rrn_enc" in records:
        recent = recent.assign(rrn_enc=records["rrn_enc"].fillna("").to_numpy()[recent.index])
    rrn = recent[recent["rrn_index"] != ""].groupby("resident")[rrn_cols].first()
    for col in rrn_cols:
        out[col] = rrn[col].reindex(out.index).fillna("")
    addr = recent[recent["address"] != ""].groupby("resident")[["address", "dong"]].first()
    out["address"] = addr["address"].reindex(out.index).fillna("")
    dong = recent[recent["dong"] != ""].groupby("resident")["dong"].first()
    # The dong the address record itself names, and the newest any record names: the home
    # centre's inputs (matching.gazetteer.home_dongs), with the gazetteer between them.
    out["own_dong"] = addr["dong"].reindex(out.index).fillna("")
    out["other_dong"] = dong.reindex(out.index).fillna("")
    out["dong"] = out["own_dong"].where(out["own_dong"] != "", out["other_dong"])
    return out
