"""Household numbers, deaths, moves out of Seoul and the city's next full extract.

Drawn from a generator of their own (seeded from the world's seed), so adding them leaves every
other file byte-identical to what the same seed gave before. Rates: docs/synthetic-sources.md.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from .formats import REFERENCE_DATE, date_strings

# Share of the ministry's people who died in the period before its extract (사망일자 given).
DEATH_RATE = 0.006
# Share of the city's people who moved out of Seoul (전출일자 given in its extract).
MOVE_OUT_RATE = 0.012
# Share of the city's other people whose every city service ended before its next extract.
ENDED_RATE = 0.03
# Share of city rows without the city's household number (registered before it kept one).
CITY_HOUSEHOLD_BLANK = 0.10
# Deaths and moves out happen within this many days before the reference date.
EVENT_DAYS = 180


def _stream(seed: int) -> np.random.Generator:
    return np.random.default_rng([seed, 13])


def draw_events(
    seed: int, n_residents: int, ministry: np.ndarray, city: np.ndarray
) -> pd.DataFrame:
    """Per resident: ``life_event`` ("", "deceased", "moved_out") and ``life_event_on``.

    Deaths among the ministry's people (it learns them from the registry), moves out among the
    city's (it learns them from the move-out report); nobody both."""
    rng = _stream(seed)
    event = np.full(n_residents, "", dtype=object)
    in_ministry = np.unique(ministry)
    dead = in_ministry[rng.random(len(in_ministry)) < DEATH_RATE]
    event[dead] = "deceased"
    in_city = np.setdiff1d(np.unique(city), dead)
    moved = in_city[rng.random(len(in_city)) < MOVE_OUT_RATE]
    event[moved] = "moved_out"
    days = rng.integers(1, EVENT_DAYS, n_residents)
    on = pd.Series(pd.Timestamp(REFERENCE_DATE) - pd.to_timedelta(days, unit="D"))
    on = on.where(event != "", pd.NaT)
    return pd.DataFrame({"life_event": event, "life_event_on": on})


def household_numbers(prefix: str, household: np.ndarray, blank: np.ndarray | None = None):
    """An agency's own number for each row's true household (its own numbering: a prefix and
    the household's position), "" where ``blank``."""
    out = np.char.add(prefix, np.char.zfill((household + 1).astype(str), 8)).astype(object)
    if blank is not None:
        out[blank] = ""
    return out


def event_dates(events: pd.DataFrame, resident: np.ndarray, kind: str, sep: str) -> np.ndarray:
    """The rows' date of ``kind`` in the source's date format, "" for everyone else."""
    on = events["life_event_on"].fillna(pd.Timestamp(REFERENCE_DATE)).to_numpy()
    has = events["life_event"].to_numpy()[resident] == kind
    return date_strings(on.astype("datetime64[D]")[resident], sep, ~has)


def city_blanks(seed: int, n_rows: int) -> np.ndarray:
    return _stream(seed + 1).random(n_rows) < CITY_HOUSEHOLD_BLANK


def next_city_extract(
    seed: int, frame: pd.DataFrame, resident: np.ndarray, events: pd.DataFrame
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """The city's next full extract: the same rows less the people who died, moved out of Seoul
    or whose services ended; and the truth of who disappeared and why."""
    key = frame["관리번호"].to_numpy()
    keys = np.unique(key)
    ended = set(keys[_stream(seed + 2).random(len(keys)) < ENDED_RATE])
    event = events["life_event"].to_numpy()[resident]
    why = np.where(event != "", event, np.where(np.isin(key, list(ended)), "ended", ""))
    # One reason per key: a key's rows all belong to one person.
    gone = pd.DataFrame({"source_record_id": key, "resident": resident, "why": why})
    gone = gone[gone["why"] != ""].drop_duplicates("source_record_id")
    keep = ~np.isin(key, gone["source_record_id"].to_numpy())
    return frame.loc[keep].reset_index(drop=True), gone
