"""Read a truth file (who each source record really is) and line it up with the current links.

A truth file is any table naming, per record, its source, its record id in that source and the
id of the person it truly is; the columns are named by the caller (another generator, another
agency's test set). Records the truth names but linkage never placed — rows rejected at import —
are counted as residents of their own, so every true pair through them is a miss: leaving them
out would score linkage only on the rows intake let through, and flatter its recall.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

TRUTH_COLUMNS = {"source": "source", "record": "source_record_id", "truth": "resident_id"}


class TruthFileError(ValueError):
    """The truth file lacks a named column (the message lists the columns it has)."""


def read_truth(
    path: Path,
    source: str = TRUTH_COLUMNS["source"],
    record: str = TRUTH_COLUMNS["record"],
    truth: str = TRUTH_COLUMNS["truth"],
    noise: str | None = "noise",
) -> pd.DataFrame:
    """The truth as columns ``source``, ``record``, ``truth`` and ``noise`` (text; noise "" when
    the file has no such column). CSV (any delimiter, UTF-8 or CP949), JSON lines or Parquet,
    by the file's suffix. One row per (source, record): verbatim repeats of a row count once."""
    path = Path(path)
    suffix = path.suffix.lower()
    if suffix in (".jsonl", ".ndjson"):
        frame = pd.read_json(path, lines=True, dtype=str)
    elif suffix == ".parquet":
        frame = pd.read_parquet(path)
    else:
        frame = _read_delimited(path)
    wanted = {"source": source, "record": record, "truth": truth}
    missing = [name for name in wanted.values() if name not in frame.columns]
    if missing:
        raise TruthFileError(
            f"{path.name}: no column {', '.join(missing)} (columns: {', '.join(map(str, frame))})"
        )
    out = pd.DataFrame(
        {key: frame[name].fillna("").astype(str).str.strip() for key, name in wanted.items()}
    )
    has_noise = noise is not None and noise in frame.columns
    out["noise"] = frame[noise].fillna("").astype(str) if has_noise else ""
    out = out[(out["record"] != "") & (out["truth"] != "")]
    return out.drop_duplicates(["source", "record"]).reset_index(drop=True)


def _read_delimited(path: Path) -> pd.DataFrame:
    for encoding in ("utf-8-sig", "cp949"):
        try:
            # sep=None: the python engine sniffs the delimiter (comma, tab, semicolon, bar).
            return pd.read_csv(
                path, sep=None, engine="python", dtype=str, keep_default_na=False, encoding=encoding
            )
        except UnicodeDecodeError:
            continue
    raise TruthFileError(f"{path.name}: neither UTF-8 nor CP949")


@dataclass
class Aligned:
    """Predicted and true labels per truth record, ready for :func:`matching.evaluate.evaluate`."""

    predicted: np.ndarray  # resident id; a negative id of its own for a record never linked
    truth: np.ndarray
    noise: np.ndarray
    linked: int  # truth records found among the links
    missed: int  # truth records of imported sources with no link: rejected at import
    skipped_sources: list[str]  # sources the truth names that were never imported


def align(truth: pd.DataFrame, links: pd.DataFrame) -> Aligned:
    """Line the truth up with ``links`` (columns ``source``, ``record``, ``resident``).

    Truth records of a source that was imported but that have no link count as residents of
    their own (their true pairs are misses). Sources never imported are left out and named:
    evaluating a partial import is a choice, not a failure of linkage.
    """
    links = links.assign(
        source=links["source"].astype(str), record=links["record"].astype(str).str.strip()
    ).drop_duplicates(["source", "record"])
    imported = set(links["source"])
    named = set(truth["source"])
    skipped = sorted(named - imported)
    truth = truth[truth["source"].isin(imported)]
    joined = truth.merge(links, on=["source", "record"], how="left")
    found = joined["resident"].notna().to_numpy()
    predicted = np.where(found, joined["resident"].fillna(0).to_numpy(np.int64), 0)
    # Each rejected row a resident alone: negative ids never collide with a real resident.
    predicted[~found] = -1 - np.arange(int((~found).sum()), dtype=np.int64)
    return Aligned(
        predicted=predicted,
        truth=joined["truth"].to_numpy(),
        noise=joined["noise"].to_numpy(),
        linked=int(found.sum()),
        missed=int((~found).sum()),
        skipped_sources=skipped,
    )
