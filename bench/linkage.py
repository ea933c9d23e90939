"""Benchmark: link N source records from scratch (column core, no database), then a 100 k delta.

    python -m bench.linkage --records 1000000 [--data DIR] [--delta 100000]

Generates a synthetic Seoul big enough for ``--records`` (or reads ``--data``), then prints wall
time per stage, peak memory (ru_maxrss), candidate pairs and F1 against truth. The delta run links
the last ``--delta`` records into the linked rest with the trained model (matching.incremental).
"""

from __future__ import annotations

import argparse
import resource
import time
from pathlib import Path

import numpy as np

from matching.evaluate import evaluate, report
from matching.frames import records_from_sources
from matching.incremental import link_delta
from matching.pipeline import link_frame

RECORDS_PER_RESIDENT = 0.81  # distinct source records per generated resident at default noise


def peak_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--records", type=int, default=1_000_000)
    ap.add_argument("--data", type=Path)
    ap.add_argument("--delta", type=int, default=100_000)
    ap.add_argument("--seed", type=int, default=2026)
    args = ap.parse_args()
    data = args.data or Path(f"/tmp/bigcare-bench-{args.records}")
    if not (data / "truth" / "records.csv").exists():
        from bigcare.synthetic.generate import generate

        t = time.perf_counter()
        generate(int(args.records / RECORDS_PER_RESIDENT), args.seed, data)
        print(f"generated in {time.perf_counter() - t:.1f}s → {data}")
    t = time.perf_counter()
    records, truth = records_from_sources(data)
    records = records.head(args.records)
    truth = truth.head(args.records)
    print(f"loaded {len(records):,} records in {time.perf_counter() - t:.1f}s "
          f"(file parsing, not linkage; peak {peak_mb():,.0f} MB)")

    rss_before = peak_mb()
    t = time.perf_counter()
    result = link_frame(records)
    wall = time.perf_counter() - t
    figures = evaluate(result.labels, truth["resident"].to_numpy(), truth["noise"].to_numpy())
    print(f"FULL: {len(records):,} records linked in {wall:.1f}s; peak RSS {peak_mb():,.0f} MB "
          f"(before linking {rss_before:,.0f} MB)")
    print("  stages: " + ", ".join(f"{k} {v:.2f}s" for k, v in result.seconds.items()))
    print(f"  candidate pairs {len(result.left):,}  links {int(result.links.sum()):,}  "
          f"review pairs {int(result.reviews.sum()):,}  residents {len(np.unique(result.labels)):,}")
    print("  per rule: " + ", ".join(f"{k} {v:,}" for k, v in result.per_rule.items()))
    print(report(figures))

    if args.delta:
        n_old = len(records) - args.delta
        old = records.iloc[:n_old].reset_index(drop=True)
        base = link_frame(old, model=result.model)
        t = time.perf_counter()
        labels, stats = link_delta(old, base.forms, base.labels, records.iloc[n_old:], result.model)
        dwall = time.perf_counter() - t
        f2 = evaluate(labels, truth["resident"].to_numpy())
        print(f"DELTA: {args.delta:,} records into {n_old:,} in {dwall:.1f}s; "
              f"peak RSS {peak_mb():,.0f} MB; {stats}")
        print(f"  F1 after delta {f2['f1']:.4f}")


if __name__ == "__main__":
    main()
