"""Dong resolution of a million records: the gazetteer beside the old text lookup (issue 13).

    nice python -m bench.dong_resolution --records 1000000 --seed 2026

Builds a synthetic Seoul's people and buildings in memory (seoulgen: unique buildings, the
building file in the official layout covering 97 %), then a million records drawn from its
residents as the four sources write addresses (30 % lot addresses, road addresses with the
sources' habits, the address moved from for 4 % of records, a dong code on 20 %). Setup (the
world, the records, parsing the building file) is timed apart from what is measured:

- **gazetteer** (what linkage runs): building keys of every address (matching.address, over the
  distinct texts), votes from the records with a code, and resolution against building DB +
  votes + street neighbours;
- **baseline, same run**: the text lookup intake used before (``intake.normalize.
  dong_from_address``: the dong named in the address text, plus the record's own code).

Prints time, the share of records given a dong, and the share right against the truth (the dong
of the building the record's address names).
"""

from __future__ import annotations

import argparse
import time
from pathlib import Path

import numpy as np
import pandas as pd


def world_records(n_records: int, seed: int):
    """(records: address, dong_code, true dong; building file bytes) for ``n_records``."""
    from seoulgen.addresses import format_addresses, load_dongs
    from seoulgen.buildingdb import building_rows, file_bytes
    from seoulgen.generate import DEFAULT_DONGS_CSV
    from seoulgen.people import make_population

    rng = np.random.default_rng(seed)
    dongs = load_dongs(Path(DEFAULT_DONGS_CSV))
    residents, households = make_population(rng, int(n_records / 1.63), dongs)
    hh = residents["hh"].to_numpy()[rng.integers(0, len(residents), n_records)]
    old = households["moved"].to_numpy()[hh] & (rng.random(n_records) < 0.5)
    cols = [c.split("_", 1)[1] for c in households.columns if c.startswith("cur_")]
    places = pd.DataFrame(
        {
            c: np.where(
                old,
                households[f"prev_{c}"].to_numpy()[hh],
                households[f"cur_{c}"].to_numpy()[hh],
            )
            for c in cols
        }
    )
    style = rng.random(n_records)
    habit = {k: rng.random(n_records) < r for k, r in [("suffix", 0.3), ("nospace", 0.05)]}
    habit["shorthand"] = rng.random(n_records) < 0.15
    road = format_addresses(places, dongs, "road", **habit)
    short = format_addresses(places, dongs, "road_short", **habit)
    lot = format_addresses(places, dongs, "jibun")
    address = np.where(style < 0.3, lot, np.where(style < 0.8, road, short))
    true = dongs["dong_code"].to_numpy()[places["dong_idx"].to_numpy()]
    own = np.where(rng.random(n_records) < 0.2, true, "")
    frame, _table = building_rows(rng, households, dongs)
    data = file_bytes(frame)
    records = pd.DataFrame({"address": address, "dong_code": own, "true": true})
    return records, data, dongs


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--records", type=int, default=1_000_000)
    ap.add_argument("--seed", type=int, default=2026)
    args = ap.parse_args()

    from bench.machine import LoadSampler
    from intake.normalize import dong_from_address, dong_name_key
    from matching.address import address_keys
    from matching.gazetteer import read_building_db, resolve, vote_table

    t = time.perf_counter()
    records, data, dongs = world_records(args.records, args.seed)
    db = read_building_db(data)
    names = dict(
        zip(
            zip(dongs["gu_name"], dong_name_key(dongs["dong_name"]), strict=True),
            dongs["dong_code"],
            strict=True,
        )
    )
    print(
        f"setup {time.perf_counter() - t:.1f}s: {len(records):,} records, "
        f"{records['address'].nunique():,} distinct addresses; building file "
        f"{db.lines:,} lines → {len(db.entries):,} keys"
    )
    true = records["true"].to_numpy()
    own = records["dong_code"].to_numpy()

    def report(name: str, seconds: float, dong: np.ndarray) -> None:
        has = dong != ""
        print(
            f"{name:<34} {seconds:6.2f} s   with a dong {has.mean():7.2%}   "
            f"right {(dong[has] == true[has]).mean():7.2%}"
        )

    with LoadSampler() as load:
        t = time.perf_counter()
        found = dong_from_address(records["address"], names).to_numpy()
        base = np.where(own != "", own, found)
        report("baseline: text lookup + own code", time.perf_counter() - t, base)

        t = time.perf_counter()
        keys = address_keys(records["address"])["building_key"].to_numpy()
        parsed = time.perf_counter() - t
        print(f"  building keys of every record (matching.address): {parsed:.2f} s")
        t = time.perf_counter()
        voting = own != ""
        votes = vote_table(keys[voting], own[voting])
        gz, _origin = resolve(keys, pd.concat([db.entries, votes], ignore_index=True))
        resolved = time.perf_counter() - t
        print(f"  votes and resolution, given the keys: {resolved:.2f} s")
        report("gazetteer: DB + votes + street", parsed + resolved, gz)

        t = time.perf_counter()
        gz, _origin = resolve(keys, vote_table(keys[voting], own[voting]))
        report("gazetteer: votes only, given keys", time.perf_counter() - t, gz)
    print(f"load average (2 cores): {load.summary()}")


if __name__ == "__main__":
    main()
