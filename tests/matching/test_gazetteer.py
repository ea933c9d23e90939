"""Votes of records with a dong code resolve a building's dong only when they clearly agree."""

import numpy as np
import pandas as pd

from matching.gazetteer import fill_dongs, vote_dongs


def _votes(*pairs):
    b, d = zip(*pairs, strict=True)
    return vote_dongs(np.array(b, dtype=object), np.array(d, dtype=object))


def test_two_agreeing_votes_that_are_a_majority_resolve_a_building():
    dongs = _votes(("A", "1"), ("A", "1"), ("A", "2"), ("B", "3"), ("B", "3"))
    assert dongs.to_dict() == {"A": "1", "B": "3"}


def test_one_vote_a_tie_or_no_majority_resolves_nothing():
    dongs = _votes(
        ("A", "1"),
        ("B", "1"),
        ("B", "1"),
        ("B", "2"),
        ("B", "2"),
        ("C", "1"),
        ("C", "1"),
        ("C", "2"),
        ("C", "3"),
        ("D", ""),
        ("", "1"),
    )
    assert dongs.empty


def test_blanks_are_filled_and_known_dongs_are_kept():
    dongs = _votes(("A", "1"), ("A", "1"))
    out = fill_dongs(pd.Series(["", "9", ""]), np.array(["A", "A", "Z"], dtype=object), dongs)
    assert out.tolist() == ["1", "9", ""]
