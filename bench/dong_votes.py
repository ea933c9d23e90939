"""Residents placed in a dong by the sources' own codes (issue 13 item 2): before and after votes.

    python -m bench.dong_votes --data /tmp/bigcare-bench-50000

``--data`` is a world written by ``bench.linkage`` (its parsed-records/-truth parquet files and
truth/residents.csv). Links the records (``link_frame``), takes each resident's golden dong as
linkage does (``cluster.golden``), then fills the blanks from ``matching.gazetteer.vote_dongs``
over every record's building form and dong code, exactly as ``run_linkage`` does. Prints the
share of residents with a dong (so a home centre) before and after, and how many vote-derived
dongs equal the true current dong of the resident's majority truth person.
"""

from __future__ import annotations

import argparse
from pathlib import Path

import numpy as np
import pandas as pd


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--data", type=Path, required=True)
    d = ap.parse_args().data

    from matching import cluster
    from matching.gazetteer import fill_dongs, vote_dongs
    from matching.normalize import address_forms, text
    from matching.pipeline import link_frame

    records = pd.read_parquet(d / "parsed-records.parquet")
    truth = pd.read_parquet(d / "parsed-truth.parquet")
    people = pd.read_csv(
        d / "truth" / "residents.csv", dtype=str, usecols=["resident_id", "dong_code"]
    ).set_index("resident_id")
    result = link_frame(records)
    forms = result.forms
    gold = cluster.golden(records, forms, result.labels.astype(np.int64))
    dongs = vote_dongs(text(forms, "building"), text(forms, "dong"))
    building = text(address_forms(gold["address"].astype(str)), "building")
    filled = fill_dongs(gold["dong"], building, dongs)
    # The true person of each resident: the one most of its records belong to.
    owner = pd.DataFrame({"label": result.labels, "person": truth["resident"].to_numpy()})
    person = owner.groupby("label")["person"].agg(lambda s: s.mode().iloc[0])
    true_dong = person.reindex(gold.index).map(people["dong_code"]).fillna("")
    before, after = (gold["dong"] != "").mean(), (filled != "").mean()
    new = (gold["dong"] == "") & (filled != "")
    right = (filled[new] == true_dong[new]).mean() if new.any() else float("nan")
    kept = gold["dong"] != ""
    print(
        f"records {len(records):,}; residents {len(gold):,}; buildings resolved by votes "
        f"{len(dongs):,}"
    )
    print(
        f"residents with a dong: before {before:.1%}  after {after:.1%}  "
        f"(+{int(new.sum()):,} from votes)"
    )
    print(
        f"vote-derived dongs equal to the true current dong: {right:.2%}; "
        f"dongs from the residents' own records: "
        f"{(gold['dong'][kept] == true_dong[kept]).mean():.2%}"
    )


if __name__ == "__main__":
    main()
