"""Households: residents grouped by their dwelling and by the household numbers sources give.

Two residents are one household when they share a unit key (matching.address: the same
dwelling) or a household number of one source (an agency's 가구번호, ``household_ref``), and
the grouping is closed under both: the connected components of residents joined through those
keys. A number outranks the address: a dwelling where two numbered households live joins only
its residents without a number. Each resident's group is stored as ``Resident.household_key``
(the smallest key of its group; "" when it has neither), so the one-stop page and screening read
the same groups.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
from django.db import connection
from scipy.sparse import coo_matrix
from scipy.sparse.csgraph import connected_components

BATCH = 50_000


def _components(n: int, left: np.ndarray, right: np.ndarray) -> np.ndarray:
    """Connected components of ``n`` nodes joined by the edges ``left``–``right``."""
    graph = coo_matrix((np.ones(len(left), dtype=np.int8), (left, right)), shape=(n, n))
    return connected_components(graph, directed=False)[1]


def household_labels(
    unit_key: np.ndarray, ref_resident: np.ndarray, ref_key: np.ndarray
) -> np.ndarray:
    """Each resident's household key: the smallest key among the residents joined to it.

    ``unit_key`` holds one key per resident ("" for none); ``ref_resident`` (positions) and
    ``ref_key`` (e.g. ``"#3:H0012"``, source-qualified) the household numbers residents carry.
    A household number outranks the address: where residents of one dwelling carry numbers of
    two households (a 다가구 house written without unit numbers, say), the dwelling joins only
    those without a number; otherwise it joins everyone in it. Column work: two passes of
    connected components over a sparse graph of residents and keys.
    """
    n = len(unit_key)
    unit_key = np.asarray(unit_key, dtype=object)
    ref_resident = np.asarray(ref_resident, dtype=np.int64)
    has_unit = np.flatnonzero(unit_key != "")
    keys, codes = np.unique(
        np.r_[unit_key[has_unit], np.asarray(ref_key, dtype=object)].astype(str),
        return_inverse=True,
    )
    unit_code, ref_code = codes[: len(has_unit)], codes[len(has_unit) :]
    size = n + len(keys)
    if not len(codes):
        return np.full(n, "", dtype=object)
    # Pass 1: the households the numbers alone make (nodes: residents, then keys).
    by_number = _components(size, ref_resident, n + ref_code)
    numbered = np.zeros(n, dtype=bool)
    numbered[ref_resident] = True
    # Dwellings holding residents of two numbered households join only the unnumbered.
    dwelling = pd.DataFrame({"unit": unit_code, "group": by_number[has_unit]})
    dwelling = dwelling[numbered[has_unit]]
    crowded = dwelling.groupby("unit")["group"].nunique()
    crowded = crowded.index[crowded.to_numpy() > 1].to_numpy()
    joins = ~(np.isin(unit_code, crowded) & numbered[has_unit])
    # Pass 2: numbers and dwellings together.
    component = _components(
        size,
        np.r_[ref_resident, has_unit[joins]],
        np.r_[n + ref_code, n + unit_code[joins]],
    )
    # The smallest key of each component names it (keys are sorted: the smallest code).
    first_key = pd.Series(np.arange(len(keys))).groupby(component[n:]).min()
    names = pd.Series(keys[first_key.to_numpy()], index=first_key.index)
    return names.reindex(component[:n]).fillna("").to_numpy(dtype=object)


def regroup_households() -> int:
    """Recompute every active resident's ``household_key`` from the stored unit keys and the
    household numbers of their current records; write those that changed. Returns how many.

    Two bulk reads, one component pass, batched updates of the changed rows only. Call inside
    the transaction that changed residents or links (linkage does).
    """
    from matching.frames import read_frame
    from matching.models import RecordLink, Resident

    residents = read_frame(
        Resident.objects.filter(active=True).values_list("id", "unit_key", "household_key"),
        ["id", "unit_key", "household_key"],
        {"id": "int64"},
    )
    refs = read_frame(
        RecordLink.objects.filter(record__status="current", resident__active=True)
        .exclude(record__household_ref="")
        .values_list("resident_id", "record__source_id", "record__household_ref"),
        ["resident", "source", "ref"],
        {"resident": "int64"},
    )
    position = pd.Series(np.arange(len(residents)), index=residents["id"].to_numpy())
    refs = refs[refs["resident"].isin(position.index)]
    labels = household_labels(
        residents["unit_key"].to_numpy(dtype=object),
        position.reindex(refs["resident"]).to_numpy(np.int64),
        ("#" + refs["source"].astype(str) + ":" + refs["ref"].astype(str)).to_numpy(object),
    )
    changed = labels != residents["household_key"].to_numpy(dtype=object)
    rows = list(
        zip(
            labels[changed].tolist(),
            residents["id"].to_numpy()[changed].tolist(),
            strict=True,
        )
    )
    table = connection.ops.quote_name(Resident._meta.db_table)
    with connection.cursor() as cur:
        for start in range(0, len(rows), BATCH):
            batch = rows[start : start + BATCH]
            if connection.vendor == "postgresql":  # one statement per batch, not per row
                keys, ids = zip(*batch, strict=True)
                cur.execute(
                    f"UPDATE {table} r SET household_key = v.k FROM (SELECT "  # noqa: S608
                    f"unnest(%s::bigint[]) AS id, unnest(%s::text[]) AS k) v WHERE r.id = v.id",
                    [list(ids), list(keys)],
                )
            else:
                cur.executemany(
                    f"UPDATE {table} SET household_key = %s WHERE id = %s",  # noqa: S608
                    batch,
                )
    return len(rows)


def stored_household_figures(data, codes: dict[str, str] | None = None) -> dict[str, float]:
    """Pairwise precision, recall and F1 of the stored households (``household_key``) against
    the true ones of a synthetic world (``data``: the folder make_sources wrote), with the same
    figures for the unit key alone as the baseline. Each resident stands for the truth person
    most of its current records belong to; a person split over residents counts once."""
    from pathlib import Path

    from matching.evaluate import evaluate
    from matching.frames import read_frame
    from matching.models import RecordLink, Resident

    codes = codes or {}
    data = Path(data)
    truth = pd.read_csv(
        data / "truth" / "records.csv",
        usecols=["source", "source_record_id", "resident_id"],
        dtype=str,
    ).drop_duplicates(["source", "source_record_id"])
    truth["source"] = truth["source"].map(lambda s: codes.get(s, s))
    linked = read_frame(
        RecordLink.objects.filter(record__status="current", resident__active=True).values_list(
            "record__source__code", "record__source_key", "resident_id"
        ),
        ["source", "source_record_id", "resident"],
        {"resident": "int64"},
    )
    both = truth.merge(linked, on=["source", "source_record_id"])
    owner = (
        both.groupby(["resident", "resident_id"])
        .size()
        .rename("n")
        .reset_index()
        .sort_values(["resident", "n"], ascending=[True, False], kind="stable")
        .drop_duplicates("resident")
        .drop_duplicates("resident_id")  # one resident per truth person
        .set_index("resident")["resident_id"]
    )
    households = pd.read_csv(
        data / "truth" / "residents.csv", usecols=["resident_id", "household_id"], dtype=str
    ).set_index("resident_id")["household_id"]
    stored = (
        read_frame(
            Resident.objects.filter(pk__in=list(owner.index)).values_list(
                "id", "unit_key", "household_key"
            ),
            ["id", "unit_key", "household_key"],
            {"id": "int64"},
        )
        .set_index("id")
        .reindex(owner.index)
    )
    true = owner.map(households).to_numpy()
    out = {"residents": len(owner)}
    for name in ("unit_key", "household_key"):
        key = stored[name].fillna("").to_numpy(dtype=object).copy()
        alone = np.flatnonzero(key == "")
        key[alone] = [f"~{i}" for i in alone]  # no key: a household of one
        f = evaluate(pd.factorize(key)[0], pd.factorize(true)[0])
        out.update({f"{name}_{k}": f[k] for k in ("precision", "recall", "f1")})
    return out


def household_lines(figures: dict[str, float]) -> list[str]:
    """The figures as ``evaluate_reach`` prints them."""
    return [
        f"households (pairwise, {figures['residents']:,} residents against the true households)",
        *(
            f"  {label:<32} precision {figures[f'{k}_precision']:.4f}  "
            f"recall {figures[f'{k}_recall']:.4f}  F1 {figures[f'{k}_f1']:.4f}"
            for k, label in (
                ("unit_key", "by dwelling (baseline):"),
                ("household_key", "by dwelling and 가구번호:"),
            )
        ),
    ]
