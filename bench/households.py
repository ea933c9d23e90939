"""Households against the true households (issue 13 item 3).

    python -m bench.households --data /tmp/bigcare-bench-50000

``--data`` is a world written by ``bench.linkage`` (generated here the same way when missing:
``--records 50000``, ``--seed``, default 2026). Links the records (``link_frame``), takes each
resident's golden address (``cluster.golden``) and its unit key (``matching.address``), and the
household numbers (가구번호) the city and ministry extracts give, and compares the groups with
the true households over pairs of residents: pairwise precision, recall and F1 (residents
without a key are singletons). Each resident stands for the truth person most of its records
belong to.

Printed in one run: by address text (the page before unit keys), by unit key alone (the
baseline), and by unit key and household numbers together (``matching.households``: what the
page and screening group by).
"""

from __future__ import annotations

import argparse
import tempfile
from pathlib import Path

import numpy as np
import pandas as pd

HOUSEHOLD_NUMBER_FILES = {
    "city": ("city_welfare.csv", "관리번호"),
    "ministry": ("ministry_benefits", "수급자번호"),
}


def household_numbers(d: Path) -> pd.DataFrame:
    """(source, source_key, ref) of every record whose extract gives a household number."""
    parts = []
    for source, (name, key) in HOUSEHOLD_NUMBER_FILES.items():
        if name == "city_welfare.csv":
            frame = pd.read_csv(d / name, encoding="cp949", dtype=str, keep_default_na=False)
        elif (d / f"{name}.csv").exists():
            frame = pd.read_csv(d / f"{name}.csv", dtype=str, keep_default_na=False)
        else:
            frame = pd.read_excel(d / f"{name}.xlsx", dtype=str).fillna("")
        if "가구번호" not in frame:
            continue
        frame = frame[frame["가구번호"] != ""].drop_duplicates(key)
        parts.append(
            pd.DataFrame({"source": source, "source_key": frame[key], "ref": frame["가구번호"]})
        )
    if not parts:
        return pd.DataFrame(columns=["source", "source_key", "ref"])
    return pd.concat(parts, ignore_index=True)


def pairwise(labels: np.ndarray, household: np.ndarray) -> dict[str, float]:
    from matching.evaluate import evaluate

    return evaluate(pd.factorize(labels)[0], pd.factorize(household)[0])


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--data", type=Path)
    ap.add_argument("--seed", type=int, default=2026, help="when --data must be generated")
    args = ap.parse_args()
    d = args.data or Path(tempfile.gettempdir()) / "bigcare-bench-50000"
    from bench.linkage import RECORDS_PER_RESIDENT, parse_once

    if not (d / "truth" / "records.csv").exists():
        from seoulgen.generate import generate

        generate(int(50_000 / RECORDS_PER_RESIDENT), args.seed, d)
    parse_once(d)

    from matching import cluster
    from matching.address import address_keys
    from matching.households import household_labels
    from matching.pipeline import link_frame

    records = pd.read_parquet(d / "parsed-records.parquet")
    truth = pd.read_parquet(d / "parsed-truth.parquet")
    people = pd.read_csv(
        d / "truth" / "residents.csv", dtype=str, usecols=["resident_id", "household_id"]
    ).set_index("resident_id")
    result = link_frame(records)
    labels = result.labels.astype(np.int64)
    gold = cluster.golden(records, result.forms, labels)
    owner = pd.DataFrame({"label": labels, "person": truth["resident"].to_numpy()})
    person = owner.groupby("label")["person"].agg(lambda s: s.mode().iloc[0]).reindex(gold.index)
    # One resident per truth person (a split person counts once: households, not linkage).
    keep = ~person.duplicated().to_numpy()
    household = person[keep].map(people["household_id"]).to_numpy()
    address = gold["address"].astype(str)
    unit = address_keys(address)["unit_key"].to_numpy(dtype=object)
    position = pd.Series(np.arange(len(gold)), index=gold.index)

    # Household numbers of each resident's records, as matching.households reads them.
    refs = household_numbers(d).merge(records[["source", "source_key", "rid"]])
    resident_of = pd.Series(labels, index=records["rid"].to_numpy())
    ref_resident = position.reindex(resident_of.reindex(refs["rid"]).to_numpy()).to_numpy()
    ref_key = ("#" + refs["source"] + ":" + refs["ref"]).to_numpy(dtype=object)
    grouped = household_labels(unit, ref_resident, ref_key)

    def singletons(key: np.ndarray) -> np.ndarray:
        key = key.astype(object).copy()
        alone = np.flatnonzero(key == "")
        key[alone] = [f"~{i}" for i in alone]  # no key: a household of one
        return key

    print(f"residents {int(keep.sum()):,}; with a unit key {(unit[keep] != '').mean():.1%}")
    for label, key in (
        ("address text", address.to_numpy(dtype=object)),
        ("unit key (baseline)", unit),
        ("unit key + household numbers", grouped),
    ):
        f = pairwise(singletons(key)[keep], household)
        print(
            f"{label:<30} precision {f['precision']:.4f}  recall {f['recall']:.4f}  "
            f"F1 {f['f1']:.4f}"
        )


if __name__ == "__main__":
    main()
