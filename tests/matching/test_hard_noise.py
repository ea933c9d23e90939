"""Linkage on the hard Korean cases (issue 14): an RRN slip links, twins stay apart, one full
RRN is one person unless a person said otherwise. A model is trained on a small generated Seoul
and the hand-made records are linked with it among the generated ones."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from matching import em
from matching.compare import FIELDS
from matching.frames import records_from_sources
from matching.pipeline import link_frame

HOME = "서울특별시 성북구 보문로 12 101동 202호"


@pytest.fixture(scope="module")
def world(small_sources):
    records, _ = records_from_sources(small_sources)
    return records, link_frame(records).model


def _with(records: pd.DataFrame, rows: list[dict]) -> tuple[pd.DataFrame, np.ndarray]:
    """The generated records plus ``rows``; positions of the added ones."""
    base = {
        "source": "city",
        "sex": "F",
        "phone": "",
        "rrn_index": "",
        "rrn_masked": "",
        "address": HOME,
        "dong_code": "1129052500",
        "trust": 1,
        "seen": pd.Timestamp("2026-01-01"),
        "rrn_digits": 0,
    }
    added = pd.DataFrame([{**base, **r} for r in rows])
    added["birth_date"] = pd.to_datetime(added["birth_date"])
    added["rid"] = records["rid"].max() + 1 + np.arange(len(added))
    added["source_key"] = [f"T{k}" for k in range(len(added))]
    out = pd.concat([records, added[records.columns]], ignore_index=True)
    return out, np.arange(len(records), len(out))


def test_an_rrn_slip_with_everything_else_equal_is_one_person(world):
    records, model = world
    rows = [
        {
            "name": "남궁채린",
            "birth_date": "1951-05-17",
            "phone": "0299991234",
            "rrn_index": "slip-a",
            "rrn_masked": "510517-2******",
            "rrn_digits": 5105172345678,
        },
        {
            "source": "ministry",
            "trust": 0,
            "name": "남궁채린",
            "birth_date": "1951-05-17",
            "phone": "0299991234",
            "rrn_index": "slip-b",
            "rrn_masked": "510517-2******",
            "rrn_digits": 5105172345687,  # the last two digits swapped
        },
    ]
    frame, at = _with(records, rows)
    labels = link_frame(frame, model=model).labels
    assert labels[at[0]] == labels[at[1]]
    # The same two numbers further apart are two people, however alike the rest.
    rows[1]["rrn_digits"] = 5105172340000
    frame, at = _with(records, rows)
    labels = link_frame(frame, model=model).labels
    assert labels[at[0]] != labels[at[1]]


def test_twins_in_one_home_stay_apart(world):
    records, model = world
    twin = {
        "birth_date": "2015-08-09",
        "phone": "0298765432",
        "rrn_masked": "150809-4******",
    }
    rows = [
        {**twin, "name": "이서연"},
        {**twin, "name": "이서윤"},  # one jamo apart, as twins are named
        {**twin, "name": "이서연", "source": "facility", "trust": 2},
        {**twin, "name": "이서윤", "source": "facility", "trust": 2},
    ]
    frame, at = _with(records, rows)
    # Scored with the prior of a city-sized population (100 k records): in the 1,500-resident
    # world almost any shared home and birthday outweighs its −10.7-bit prior.
    city = em.Model.from_params({**model.params(), "prior": model.prior * len(records) / 1e5})
    result = link_frame(frame, model=city)
    labels = result.labels[at]
    assert labels[0] == labels[2] and labels[1] == labels[3]
    assert labels[0] != labels[1]
    # Not by luck: each source lists both names for one birth date, so the names count as
    # different given names, not as one jamo slip.
    pair = (result.left == at[0]) & (result.right == at[1])
    assert FIELDS["given"][result.levels["given"].to_numpy()[pair][0]] == "far"


def test_one_full_rrn_is_one_person_unless_a_person_said_otherwise(world):
    records, model = world
    # Same number, nothing else alike (a clerk typed the number into the wrong person's row,
    # or a name changed): the number decides.
    rows = [
        {"name": "김영숙", "birth_date": "1950-03-02", "rrn_index": "same"},
        {
            "name": "박민준",
            "birth_date": "1987-11-30",
            "sex": "M",
            "rrn_index": "same",
            "address": "서울특별시 강남구 테헤란로 1",
            "source": "crisis",
            "trust": 3,
        },
    ]
    frame, at = _with(records, rows)
    result = link_frame(frame, model=model)
    assert result.labels[at[0]] == result.labels[at[1]]
    # A person's "different" separates them.
    labels = link_frame(frame, model=model, cannot=(at[:1], at[1:])).labels
    assert labels[at[0]] != labels[at[1]]


def test_the_database_path_reads_the_digits_of_encrypted_numbers_in_memory():
    from bigcare.crypto import encrypt_many
    from matching.actions import rrn_digits_of

    tokens = pd.Series(encrypt_many(["510517-2345678", "510517-2345687", "510517-2345678"]))
    tokens = pd.concat([tokens, pd.Series(["", "k9:not-a-token"])], ignore_index=True)
    index = pd.Series(["a", "b", "a", "", "c"])
    digits = rrn_digits_of(tokens, index)
    assert digits.tolist() == [5105172345678, 5105172345687, 5105172345678, 0, 0]
