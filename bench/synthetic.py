"""Benchmark of the synthetic-source generator: residents per second, median of the runs.

python -m bench.synthetic --residents 1000000 --repeat 3
"""

from __future__ import annotations

import argparse
import os
import platform
import shutil
import statistics
import tempfile
import time
from pathlib import Path

from seoulgen.generate import generate

RESULTS = Path(__file__).resolve().parent / "results" / "synthetic.md"


def run(residents: int, repeat: int, seed: int) -> dict:
    """Generate ``repeat`` times into a scratch directory; return timings and the last counts."""
    times = []
    manifest: dict = {}
    for i in range(repeat):
        out = Path(tempfile.mkdtemp(prefix="bigcare-synth-"))
        try:
            started = time.perf_counter()
            manifest = generate(residents, seed + i, out)
            times.append(time.perf_counter() - started)
            size = sum(p.stat().st_size for p in out.rglob("*") if p.is_file())
        finally:
            shutil.rmtree(out, ignore_errors=True)
        print(f"run {i + 1}: {times[-1]:.1f}s, {residents / times[-1]:,.0f} residents/s")
    return {"times": times, "manifest": manifest, "bytes": size}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--residents", type=int, default=1_000_000)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args()
    result = run(args.residents, args.repeat, args.seed)
    median = statistics.median(result["times"])
    rate = args.residents / median
    m = result["manifest"]
    print(f"median {median:.1f}s: {rate:,.0f} residents/s, {m['records_total']:,} records")
    lines = [
        "# Synthetic-source generator benchmark",
        "",
        f"`python -m bench.synthetic --residents {args.residents} --repeat {args.repeat}` on "
        f"{platform.machine()}, {os.cpu_count()} CPUs, Python {platform.python_version()}.",
        "",
        "| residents | runs (s) | median (s) | residents/s | records | output |",
        "|---:|---|---:|---:|---:|---:|",
        f"| {args.residents:,} | {', '.join(f'{t:.1f}' for t in result['times'])} | "
        f"{median:.1f} | {rate:,.0f} | {m['records_total']:,} | "
        f"{result['bytes'] / 1e6:,.0f} MB |",
        "",
        "Records per source (last run): "
        + ", ".join(f"{k} {v:,}" for k, v in m["counts"].items())
        + f"; blind spots {m['blind_spots']:,}.",
        "",
    ]
    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    RESULTS.write_text("\n".join(lines), encoding="utf-8")


if __name__ == "__main__":
    main()
