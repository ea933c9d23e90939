"""How far the sources' own dong codes can place records that have none (issue 13 item 2).

    python -m bench.dong_votes --data /tmp/bigcare-bench-50000

``--data`` is a world written by ``bench.linkage`` (its parsed-records/-truth parquet files and
truth/residents.csv). Records that carry a dong code vote for their building (building key of
matching.address); a building resolves when at least 2 votes agree and they are more than half of
its votes. Prints how many records without a code resolve, and how many of those equal the
resident's true current dong. A measurement for the gazetteer, not used by linkage yet.
"""

from __future__ import annotations

import argparse
from pathlib import Path

import pandas as pd

MIN_VOTES = 2


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--data", type=Path, required=True)
    d = ap.parse_args().data

    from matching.address import address_keys

    r = pd.read_parquet(d / "parsed-records.parquet")
    t = pd.read_parquet(d / "parsed-truth.parquet")
    truth = pd.read_csv(d / "truth" / "residents.csv", dtype=str,
                        usecols=["resident_id", "dong_code"]).set_index("resident_id")
    r["true_dong"] = t["resident"].map(truth["dong_code"]).to_numpy()
    r["building"] = address_keys(r["address"])["building_key"].to_numpy()
    r["dong_code"] = r["dong_code"].fillna("")
    voters = r[(r["building"] != "") & (r["dong_code"] != "")]
    counts = voters.groupby(["building", "dong_code"]).size().rename("n").reset_index()
    counts["share"] = counts["n"] / counts.groupby("building")["n"].transform("sum")
    best = counts.sort_values(["building", "n"], ascending=[True, False]).drop_duplicates(
        "building")
    table = best[(best["n"] >= MIN_VOTES) & (best["share"] > 0.5)].set_index("building")[
        "dong_code"]
    need = r[r["dong_code"] == ""]
    got = need["building"].map(table)
    resolved = got.notna()
    right = got[resolved] == need.loc[resolved, "true_dong"]
    buildings = r.loc[r["building"] != "", "building"].nunique()
    print(f"records {len(r):,}; without a dong code {len(need):,}; buildings resolved "
          f"{len(table):,} of {buildings:,}")
    print(f"records without a code resolved by votes: {resolved.sum():,} ({resolved.mean():.1%})"
          f"; equal to the resident's true current dong: {right.sum():,} ({right.mean():.2%})")
    ambiguous = (counts.groupby("building").size() > 1).sum()
    print(f"buildings whose voters disagree: {ambiguous:,} of {counts['building'].nunique():,}")


if __name__ == "__main__":
    main()
