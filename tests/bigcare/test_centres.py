import csv

import pytest

from bigcare.centres import DONGS_CSV, english_dong_name, load_centres
from bigcare.models import CommunityCentre, District


def test_every_district_and_dong_of_seoul_is_loaded(centres):
    assert District.objects.count() == 25
    assert CommunityCentre.objects.count() == 427


def test_codes_are_unique_and_every_centre_lies_in_its_district(centres):
    with DONGS_CSV.open(encoding="utf-8") as handle:
        rows = list(csv.DictReader(handle))
    assert len({r["dong_code"] for r in rows}) == 427
    by_code = {c.code: c for c in centres}
    for row in rows:
        centre = by_code[row["dong_code"]]
        assert centre.district.code == row["gu_code"]
        # Administrative dong codes begin with their district's code.
        assert centre.code.startswith(centre.district.code)
        assert centre.name_ko == row["dong_name_ko"]


def test_the_2025_split_of_yongsin_dong_is_there(centres):
    dongdaemun = CommunityCentre.objects.filter(district__name_ko="동대문구")
    names = set(dongdaemun.values_list("name_ko", flat=True))
    assert {"신설동", "용두동"} <= names
    assert "용신동" not in names


def test_loading_twice_changes_nothing(centres):
    before = list(CommunityCentre.objects.order_by("code").values())
    assert load_centres() == (25, 427)
    assert list(CommunityCentre.objects.order_by("code").values()) == before


def test_current_centres_exclude_those_that_ended(centres):
    from datetime import date

    ended = CommunityCentre.objects.first()
    ended.valid_to = date(2025, 7, 1)
    ended.save(update_fields=["valid_to"])
    assert ended not in CommunityCentre.objects.current(date(2026, 1, 1))
    assert ended in CommunityCentre.objects.current(date(2025, 6, 30))


@pytest.mark.parametrize(
    ("korean", "english"),
    [("청운효자동", "Cheongunhyoja-dong"), ("상일1동", "Sangil 1-dong"), ("사직동", "Sajik-dong")],
)
def test_english_names_are_romanised_readably(korean, english):
    assert english_dong_name(korean) == english


def test_the_running_project_does_not_need_shared(settings):
    assert DONGS_CSV.is_relative_to(settings.BASE_DIR / "fixtures")
    assert (settings.BASE_DIR / "fixtures" / "README.md").read_text().count("CC BY 4.0") >= 1
