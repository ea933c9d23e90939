"""Synthetic Seoul welfare sources with known truth (pure numpy/pandas; no Django).

A tool for testing and benchmarking Big Care, not part of the product: nothing in bigcare/,
intake/, matching/ or cases/ imports it but the `make_sources` command. The files follow the
contract in docs/synthetic-sources.md.
"""

from .generate import generate

__all__ = ["generate"]
