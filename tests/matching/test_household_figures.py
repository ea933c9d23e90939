"""The stored households scored against a synthetic world's true ones (evaluate_reach)."""

from __future__ import annotations

import pytest

from matching.households import household_lines, regroup_households, stored_household_figures
from matching.models import RecordLink
from tests.cases.factories import ImportRunFactory, ResidentFactory, SourceRecordFactory

pytestmark = pytest.mark.django_db


def test_the_figures_count_pairs_of_residents_in_the_stored_households(tmp_path):
    (tmp_path / "truth").mkdir()
    (tmp_path / "truth" / "residents.csv").write_text(
        "resident_id,household_id\nR1,H1\nR2,H1\nR3,H2\n", encoding="utf-8"
    )
    (tmp_path / "truth" / "records.csv").write_text(
        "source,source_record_id,resident_id\ncity-basic,K1,R1\ncity-basic,K2,R2\n"
        "city-basic,K3,R3\n",
        encoding="utf-8",
    )
    run = ImportRunFactory()
    # Mother and son: the son's address is the old flat, the city's number joins them.
    addresses = ["서울특별시 종로구 율곡로 1, 3동 101호", "서울특별시 종로구 율곡로 9, 1동 1호"]
    people = []
    for i, (address, ref) in enumerate(
        zip([*addresses, "서울특별시 종로구 율곡로 1, 3동 102호"], ["H7", "H7", ""], strict=True)
    ):
        resident = ResidentFactory(address=address)
        record = SourceRecordFactory(run=run, source_key=f"K{i + 1}", household_ref=ref)
        RecordLink.objects.create(record=record, resident=resident)
        people.append(resident)
    regroup_households()
    figures = stored_household_figures(tmp_path)
    assert figures["residents"] == 3
    assert figures["unit_key_recall"] == 0.0 and figures["household_key_recall"] == 1.0
    assert figures["household_key_precision"] == 1.0
    assert "F1 1.0000" in household_lines(figures)[2]
