"""Benchmark: link N source records from scratch (column core, no database), then a delta.

    python -m bench.linkage --records 1000000 [--data DIR] [--delta 100000] [--runs 2]

Generates a synthetic Seoul big enough for ``--records`` (or reads ``--data``). Parsing the
generator's files is setup, not linkage: it runs once in a child process that leaves a compact
Parquet copy of the record frame beside the files, so the linking process starts from the frame
alone. Prints wall time per stage, peak memory of the linkage (the peak resident set is reset
just before linking, so it counts the input frame plus everything linkage allocates), candidate
pairs and F1 against truth; with ``--runs`` the median wall time. The delta run links the last
``--delta`` records into the linked rest with the trained model (matching.incremental).
"""

from __future__ import annotations

import argparse
import gc
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
import pandas as pd

from matching.evaluate import evaluate, report
from matching.incremental import link_delta
from matching.pipeline import link_frame

RECORDS_PER_RESIDENT = 0.81  # distinct source records per generated resident at default noise


def _status_mb(field: str) -> float:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith(field + ":"):
            return int(line.split()[1]) / 1024
    return float("nan")


def reset_peak() -> None:
    """Start a new peak resident-set measurement (Linux: "5" to clear_refs resets VmHWM)."""
    gc.collect()
    Path("/proc/self/clear_refs").write_text("5")


def parse_once(data: Path) -> tuple[Path, Path]:
    """The parsed record frame and truth as Parquet, parsed in a child process the first time."""
    records, truth = data / "parsed-records.parquet", data / "parsed-truth.parquet"
    if not records.exists():
        code = ("import sys; from pathlib import Path; from matching.frames import "
                "records_from_sources as r; f, t = r(Path(sys.argv[1])); "
                "f.to_parquet(sys.argv[2]); t.reset_index(names='rid').to_parquet(sys.argv[3])")
        t = time.perf_counter()
        subprocess.run([sys.executable, "-c", code, str(data), str(records), str(truth)],
                       check=True)
        print(f"parsed the source files in {time.perf_counter() - t:.1f}s (setup, not linkage)")
    return records, truth


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--records", type=int, default=1_000_000)
    ap.add_argument("--data", type=Path)
    ap.add_argument("--delta", type=int, default=100_000)
    ap.add_argument("--runs", type=int, default=1)
    ap.add_argument("--seed", type=int, default=2026)
    args = ap.parse_args()
    data = args.data or Path(tempfile.gettempdir()) / f"bigcare-bench-{args.records}"
    if not (data / "truth" / "records.csv").exists():
        from bigcare.synthetic.generate import generate

        t = time.perf_counter()
        generate(int(args.records / RECORDS_PER_RESIDENT), args.seed, data)
        print(f"generated in {time.perf_counter() - t:.1f}s → {data}")
    records_path, truth_path = parse_once(data)
    t = time.perf_counter()
    records = pd.read_parquet(records_path).head(args.records)
    truth = pd.read_parquet(truth_path).head(args.records)
    truth_labels = pd.factorize(truth["resident"])[0]
    print(f"loaded {len(records):,} records in {time.perf_counter() - t:.1f}s; "
          f"frame {records.memory_usage(deep=True).sum() / 2**20:,.0f} MB")

    walls, peaks = [], []
    for _ in range(args.runs):
        result = None
        reset_peak()
        before = _status_mb("VmRSS")
        t = time.perf_counter()
        result = link_frame(records)
        walls.append(time.perf_counter() - t)
        peaks.append(_status_mb("VmHWM"))
        print(f"FULL: {len(records):,} records linked in {walls[-1]:.1f}s; peak RSS "
              f"{peaks[-1]:,.0f} MB (RSS before linking {before:,.0f} MB)")
        print("  stages: " + ", ".join(f"{k} {v:.2f}s" for k, v in result.seconds.items()))
    if args.runs > 1:
        print(f"  median of {args.runs}: {statistics.median(walls):.1f}s, "
              f"peak {statistics.median(peaks):,.0f} MB")
    residents = len(np.unique(result.labels))
    print(f"  candidate pairs {len(result.left):,}  links {int(result.links.sum()):,}  "
          f"review pairs {int(result.reviews.sum()):,}  residents {residents:,}")
    print("  per rule: " + ", ".join(f"{k} {v:,}" for k, v in result.per_rule.items()))
    figures = evaluate(result.labels, truth_labels, truth["noise"].to_numpy())
    print(report(figures))

    if args.delta:
        n_old = len(records) - args.delta
        old = records.iloc[:n_old].reset_index(drop=True)
        model = result.model
        del result
        base = link_frame(old, model=model)
        new = records.iloc[n_old:].reset_index(drop=True)
        dwalls = []
        for _ in range(args.runs):
            reset_peak()
            t = time.perf_counter()
            labels, stats = link_delta(old, base.forms, base.labels, new, model)
            dwalls.append(time.perf_counter() - t)
            print(f"DELTA: {args.delta:,} records into {n_old:,} in {dwalls[-1]:.1f}s; "
                  f"peak RSS {_status_mb('VmHWM'):,.0f} MB; {stats}")
        if args.runs > 1:
            print(f"  median of {args.runs}: {statistics.median(dwalls):.1f}s")
        f2 = evaluate(labels, truth_labels)
        print(f"  F1 after delta {f2['f1']:.4f}")


if __name__ == "__main__":
    main()
