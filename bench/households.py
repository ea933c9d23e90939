"""Households by unit key against the true households (issue 13 item 3).

    python -m bench.households --data /tmp/bigcare-bench-50000

``--data`` is a world written by ``bench.linkage``. Links the records (``link_frame``), takes each
resident's golden address (``cluster.golden``) and its unit key (``matching.address``), and
compares "same unit key" with "same true household" over pairs of residents: pairwise precision,
recall and F1 (residents without a key are singletons). Each resident stands for the truth person
most of its records belong to.
"""

from __future__ import annotations

import argparse
from pathlib import Path

import numpy as np
import pandas as pd


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--data", type=Path, required=True)
    ap.add_argument(
        "--text",
        action="store_true",
        help="group by the address text instead (the page before unit keys)",
    )
    args = ap.parse_args()
    d = args.data

    from matching import cluster
    from matching.address import address_keys
    from matching.evaluate import evaluate
    from matching.pipeline import link_frame

    records = pd.read_parquet(d / "parsed-records.parquet")
    truth = pd.read_parquet(d / "parsed-truth.parquet")
    people = pd.read_csv(
        d / "truth" / "residents.csv", dtype=str, usecols=["resident_id", "household_id"]
    ).set_index("resident_id")
    result = link_frame(records)
    gold = cluster.golden(records, result.forms, result.labels.astype(np.int64))
    owner = pd.DataFrame({"label": result.labels, "person": truth["resident"].to_numpy()})
    person = owner.groupby("label")["person"].agg(lambda s: s.mode().iloc[0]).reindex(gold.index)
    # One resident per truth person (a split person counts once: households, not linkage).
    keep = ~person.duplicated().to_numpy()
    address = gold["address"].astype(str)
    unit = (
        address.to_numpy(object) if args.text else address_keys(address)["unit_key"].to_numpy()
    )[keep]
    household = person[keep].map(people["household_id"]).to_numpy()
    alone = np.flatnonzero(unit == "")
    unit = unit.astype(object)
    unit[alone] = [f"~{i}" for i in alone]  # no key: a household of one
    figures = evaluate(pd.factorize(unit)[0], pd.factorize(household)[0])
    print(f"residents {int(keep.sum()):,}; with a key {1 - len(alone) / keep.sum():.1%}")
    print(
        f"household pairs: precision {figures['precision']:.4f}  recall "
        f"{figures['recall']:.4f}  F1 {figures['f1']:.4f}"
    )


if __name__ == "__main__":
    main()
