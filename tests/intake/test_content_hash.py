"""Content hashes: recomputable from the stored rows, blind to item order, and never a function
of the RRN's clear digits (they would give the number back to anyone guessing its back half)."""

from __future__ import annotations

import pandas as pd
import pytest

from intake.load import stored_hashes
from intake.models import SourceRecord
from intake.pipeline import ENROLLMENT_COLUMNS, content_hashes
from tests.intake.conftest import SOURCE_FILES, import_file


@pytest.mark.django_db
@pytest.mark.parametrize("code", sorted(SOURCE_FILES))
def test_a_stored_versions_hash_recomputes_from_its_rows(code, sources, synthetic):
    run = import_file(sources[code], synthetic / SOURCE_FILES[code])
    assert run.status == "done" and run.records_added > 0
    stored = dict(
        SourceRecord.objects.filter(source=sources[code]).values_list("id", "content_hash")
    )
    assert stored_hashes(sources[code].pk).to_dict() == stored


def _person(**changes) -> pd.DataFrame:
    person = {
        "source_key": "SC1",
        "name": "김영숙",
        "birth_date": pd.Timestamp("1950-01-01"),
        "sex": "F",
        "phone": "01012345678",
        "rrn_index": "ab" * 16,
        "rrn_masked": "500101-2******",
        "address": "서울특별시 종로구 세종대로 110",
        "dong_code": "1111051500",
        "household_size": 1,
        "recognised_income": 500_000,
        "disability": "",
        "rrn_digits": "5001012345672",
    }
    person.update(changes)
    frame = pd.DataFrame([person])
    for column in ("household_size", "recognised_income"):
        frame[column] = frame[column].astype("Int64")
    return frame


def _items(*amounts: int | None) -> pd.DataFrame:
    return pd.DataFrame(
        {
            "source_key": ["SC1"] * len(amounts),
            "programme_id": [3] * len(amounts),
            "active": [True] * len(amounts),
            "start": pd.to_datetime(["2024-01-01"] * len(amounts)),
            "end": pd.to_datetime([None] * len(amounts)),
            "monthly_amount": pd.array(list(amounts), dtype="Int64"),
        }
    )


def _hash(person: pd.DataFrame, items: pd.DataFrame) -> str:
    return content_hashes(person, items, ENROLLMENT_COLUMNS)[0]


def test_the_hash_follows_every_field_and_item_but_not_item_order():
    base = _hash(_person(), _items(100, 200))
    assert _hash(_person(), _items(200, 100)) == base
    assert _hash(_person(), _items(100, 201)) != base
    assert _hash(_person(), _items(100)) != base
    assert _hash(_person(household_size=None), _items(100, 200)) != base
    assert _hash(_person(birth_date=pd.NaT), _items(100, 200)) != base
    for field, value in [
        ("name", "김영순"),
        ("phone", ""),
        ("rrn_index", "cd" * 16),
        ("dong_code", "1111053000"),
        ("recognised_income", 500_001),
    ]:
        assert _hash(_person(**{field: value}), _items(100, 200)) != base, field


def test_the_hash_reads_the_blind_index_not_the_digits():
    base = _hash(_person(), _items(100))
    assert _hash(_person(rrn_digits="5001012345680"), _items(100)) == base


def test_a_person_hashes_the_same_whether_or_not_others_in_the_part_have_items():
    alone = content_hashes(_person(), _items()[:0], ENROLLMENT_COLUMNS)[0]
    others = _items(100).assign(source_key="SC2")
    assert content_hashes(_person(), others, ENROLLMENT_COLUMNS)[0] == alone
