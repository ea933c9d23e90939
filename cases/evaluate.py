"""Recall and precision of the screening's blind spots against the synthetic truth (issue 6).

Truth residents become Big Care residents through truth/records.csv → SourceRecord (source code,
source key) → RecordLink. A split person (two residents) or a merged pair (one resident for two
people) is scored generously in neither direction: a predicted pair is right when any truth
person behind its resident has that blind spot, and a truth pair is found when any resident
holding that person's records has it.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from cases.screening import _t, read_frame
from intake.models import DataSource, SourceRecord
from matching.models import RecordLink

# What the generator plants (docs/synthetic-sources.md): city programmes are not scored.
PLANTED = ("B01", "B02", "B03", "B04", "P01", "P02", "C01")


@dataclass
class Score:
    truth: int
    truth_known: int
    predicted: int
    found: int
    found_known: int
    correct: int

    @property
    def recall_known(self) -> float:
        return self.found_known / self.truth_known if self.truth_known else 0.0

    @property
    def recall_all(self) -> float:
        return self.found / self.truth if self.truth else 0.0

    @property
    def precision(self) -> float:
        return self.correct / self.predicted if self.predicted else 0.0


def resident_map(truth_dir: Path, codes: dict[str, str] | None = None) -> pd.DataFrame:
    """truth resident_id ↔ Big Care resident id, one row per distinct pair."""
    codes = codes or {}
    records = pd.read_csv(
        truth_dir / "truth" / "records.csv",
        usecols=["source", "source_record_id", "resident_id"],
        dtype=str,
    )
    records["source"] = records["source"].map(lambda s: codes.get(s, s))
    linked = read_frame(
        f"SELECT s.code, r.source_key, l.resident_id FROM {_t(RecordLink)} l "  # noqa: S608
        f"JOIN {_t(SourceRecord)} r ON r.id = l.record_id "
        f"JOIN {_t(DataSource)} s ON s.id = r.source_id WHERE r.status = %s",
        ["source", "source_record_id", "resident"],
        ["current"],
    )
    pairs = records.merge(linked, on=["source", "source_record_id"])
    pairs = pairs[["resident_id", "resident"]].drop_duplicates()
    # Truth ids stay text (R00001484): they are only ever compared with each other.
    pairs["resident"] = pairs["resident"].astype("int64")
    return pairs


def score(truth_dir: Path, predicted: pd.DataFrame, codes: dict[str, str] | None = None) -> Score:
    """``predicted``: Big Care blind spots, columns resident (Big Care id), programme."""
    truth = pd.read_csv(truth_dir / "truth" / "blind_spots.csv", dtype={"resident_id": str})
    truth = truth[truth["programme"].isin(PLANTED)].drop_duplicates(["resident_id", "programme"])
    truth["known"] = truth["known"].astype(str).str.lower().isin(["true", "1"])
    predicted = predicted[predicted["programme"].isin(PLANTED)].drop_duplicates()
    pairs = resident_map(truth_dir, codes)
    # Predicted pairs in truth space, one row per (Big Care pair, truth person behind it).
    pred_t = predicted.merge(pairs, on="resident")
    hits = pred_t.merge(truth[["resident_id", "programme"]], on=["resident_id", "programme"])
    correct = hits[["resident", "programme"]].drop_duplicates()
    found = (
        hits[["resident_id", "programme"]]
        .drop_duplicates()
        .merge(truth, on=["resident_id", "programme"])
    )
    return Score(
        truth=len(truth),
        truth_known=int(truth["known"].sum()),
        predicted=len(predicted),
        found=len(found),
        found_known=int(found["known"].sum()),
        correct=len(correct),
    )
