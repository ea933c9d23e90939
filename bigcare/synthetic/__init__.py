"""Synthetic Seoul welfare sources with known truth (pure numpy/pandas; no Django).

The contract the files follow is docs/synthetic-sources.md.
"""

from .generate import generate

__all__ = ["generate"]
