"""Residents known only to sources without a dong code get a home centre (issue 13 item 2):
a small synthetic Seoul through the real imports, linkage and the building DB loader."""

from __future__ import annotations

import pandas as pd
import pytest
from django.core.management import call_command

from matching.models import BuildingDbLoad, BuildingDong, RecordLink, Resident

from .conftest import SOURCE_FILES, import_file


def _import_and_link(sources, synthetic) -> None:
    """The four imports, then the linkage their commits would queue (on_commit does not fire
    inside a test's transaction)."""
    from matching.actions import run_linkage

    for code, name in SOURCE_FILES.items():
        import_file(sources[code], synthetic / name)
    run_linkage(full=True)


def _true_dong(synthetic) -> dict[int, str]:
    """Big Care resident id → true dong of the truth person most of its records belong to."""
    from matching.reach import true_dongs

    return true_dongs(synthetic).to_dict()


def _ministry_only() -> set[int]:
    sources = pd.DataFrame(
        list(
            RecordLink.objects.filter(record__status="current").values_list(
                "resident_id", "record__source__code"
            )
        ),
        columns=["resident", "source"],
    )
    per = sources.groupby("resident")["source"].agg(set)
    return {int(r) for r, s in per.items() if s == {"ministry"}}


@pytest.mark.django_db(transaction=False)
def test_ministry_only_residents_get_their_true_centre_from_the_building_db(
    sources, centres, synthetic, capsys
):
    call_command("load_building_db", str(synthetic / "build_seoul.txt"))
    out = capsys.readouterr().out
    load = BuildingDbLoad.objects.get()
    assert load.rejected == 0 and load.entries > 0
    assert f"buildings keyed {load.entries:,}" in out
    _import_and_link(sources, synthetic)

    only = _ministry_only()
    assert len(only) > 100
    placed = dict(
        Resident.objects.filter(pk__in=only, home_centre__isnull=False).values_list(
            "pk", "home_centre__code"
        )
    )
    # Nearly all of them placed (3 % of buildings are missing from the file), and placed right
    # unless the ministry shows the address they moved away from.
    assert len(placed) / len(only) > 0.95
    truth = _true_dong(synthetic)
    right = sum(truth.get(r) == code for r, code in placed.items())
    assert right / len(placed) > 0.9
    # Votes came from the records carrying a dong code, with their counts.
    votes = BuildingDong.objects.filter(origin="votes")
    assert votes.exists() and all(v.votes >= 1 for v in votes[:50])


@pytest.mark.django_db(transaction=False)
def test_residents_linked_before_the_gazetteer_are_placed_by_address_keys(
    sources, centres, synthetic
):
    _import_and_link(sources, synthetic)
    # As linked before this change: no centre where no record named a dong.
    unplaced = Resident.objects.filter(active=True, home_centre__isnull=True)
    before = unplaced.count()
    BuildingDong.objects.all().delete()
    path = synthetic / "build_seoul.txt"
    from matching.gazetteer import read_building_db
    from matching.places import _write

    _write(read_building_db(path.read_bytes()).entries, "db")
    call_command("address_keys")
    assert unplaced.count() < before / 5
