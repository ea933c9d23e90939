"""What the benchmarks say about the machine they ran on."""

from __future__ import annotations

import os
import statistics
import threading


class LoadSampler:
    """The 1-minute load average every ``every`` seconds while a benchmark runs: a figure
    measured on a busy machine says so."""

    def __init__(self, every: float = 5.0):
        self.samples: list[float] = []
        self._stop = threading.Event()
        self._every = every
        self._thread = threading.Thread(target=self._run, daemon=True)

    def _run(self) -> None:
        while True:
            self.samples.append(os.getloadavg()[0])
            if self._stop.wait(self._every):
                return

    def __enter__(self) -> LoadSampler:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._thread.join()

    def summary(self) -> str:
        if not self.samples:
            return "not sampled"
        return (
            f"min {min(self.samples):.1f}, median {statistics.median(self.samples):.1f}, "
            f"max {max(self.samples):.1f}"
        )
