"""A full extract retires the keys it no longer lists; rolling its run back brings them back."""

from __future__ import annotations

import pytest
from django.urls import reverse

from intake.actions import rollback_run
from intake.errors import RunStateError
from intake.models import RecordStatus, Retirement, SourceRecord
from tests.intake.conftest import import_file
from tests.intake.malformed.make_corpus import CITY_HEADER, city, city_row

pytestmark = pytest.mark.usefixtures("no_linkage")

MAY = [city_row(1), city_row(2, 성명="박민준", 성별="남"), city_row(3, 성명="이서연")]
JUNE = [city_row(1), city_row(3, 성명="이서연")]  # 박민준 is gone from the city's list


def _write(tmp_path, name, rows, header=CITY_HEADER):
    path = tmp_path / name
    path.write_bytes(city(*rows, header=header).encode("cp949"))
    return path


def _status(key):
    return SourceRecord.objects.filter(source_key=key).order_by("-version").first().status


def test_the_city_extract_is_declared_full(sources):
    assert sources["city"].full_extract and not sources["facility"].full_extract


def test_a_key_absent_from_a_full_extract_is_retired_by_that_run(
    manager, sources, client, tmp_path
):
    import_file(sources["city"], _write(tmp_path, "may.csv", MAY))
    june = import_file(sources["city"], _write(tmp_path, "june.csv", JUNE))
    assert _status("SC00000002") == RecordStatus.RETIRED
    assert june.retired == 1
    page = client.get(reverse("intake:run", args=[june.pk])).content.decode()
    assert "이 전체 명단에 없는 기록 1건이 종료되었습니다" in page
    assert _status("SC00000001") == _status("SC00000003") == RecordStatus.CURRENT
    assert list(Retirement.objects.values_list("run_id", "record__source_key")) == [
        (june.pk, "SC00000002")
    ]


def test_rollback_brings_the_retired_person_back(sources, tmp_path):
    import_file(sources["city"], _write(tmp_path, "may.csv", MAY))
    june = import_file(sources["city"], _write(tmp_path, "june.csv", JUNE))
    changed = rollback_run(june, None)
    assert _status("SC00000002") == RecordStatus.CURRENT
    gone = SourceRecord.objects.get(source_key="SC00000002")
    assert gone.pk in changed
    assert gone.enrollments.get().programme.code == "SEOUL_BASIC"
    # The run's history keeps what it had retired.
    assert Retirement.objects.filter(run=june, record=gone).exists()


def test_a_rejected_row_does_not_retire_its_person(sources, tmp_path):
    import_file(sources["city"], _write(tmp_path, "may.csv", MAY))
    june = [*JUNE, city_row(2, 성명="박민준", 성별="남", 생년월일="1950.02.30")]
    run = import_file(sources["city"], _write(tmp_path, "june.csv", june))
    assert run.rejected == 1
    assert _status("SC00000002") == RecordStatus.CURRENT


def test_a_partial_source_retires_nobody(sources, tmp_path):
    sources["city"].full_extract = False
    sources["city"].save(update_fields=["full_extract"])
    import_file(sources["city"], _write(tmp_path, "may.csv", MAY))
    import_file(sources["city"], _write(tmp_path, "june.csv", JUNE))
    assert _status("SC00000002") == RecordStatus.CURRENT
    assert not Retirement.objects.exists()


def test_a_retiring_run_cannot_be_rolled_back_after_the_person_came_back(sources, tmp_path):
    import_file(sources["city"], _write(tmp_path, "may.csv", MAY))
    june = import_file(sources["city"], _write(tmp_path, "june.csv", JUNE))
    july = import_file(sources["city"], _write(tmp_path, "july.csv", [*MAY, city_row(4)]))
    assert _status("SC00000002") == RecordStatus.CURRENT  # a new version, not the retired one
    with pytest.raises(RunStateError):
        rollback_run(june, None)
    rollback_run(july, None)
    rollback_run(june, None)
    assert [
        s
        for (s,) in SourceRecord.objects.filter(source_key="SC00000002")
        .order_by("version")
        .values_list("status")
    ] == [RecordStatus.CURRENT, RecordStatus.RETRACTED]


def test_an_earlier_run_whose_record_was_retired_waits_for_the_retiring_run(sources, tmp_path):
    may = import_file(sources["city"], _write(tmp_path, "may.csv", MAY))
    import_file(sources["city"], _write(tmp_path, "june.csv", JUNE))
    with pytest.raises(RunStateError):
        rollback_run(may, None)


LIFE_HEADER = CITY_HEADER + ",가구번호,전출일자"


def test_moved_out_date_and_household_number_are_read_from_the_city_extract(sources, tmp_path):
    rows = [city_row(1) + ",H001,2026.03.02", city_row(2, 성명="박민준", 성별="남") + ",H001,"]
    import_file(sources["city"], _write(tmp_path, "may.csv", rows, header=LIFE_HEADER))
    one, two = SourceRecord.objects.order_by("source_key")
    assert (one.life_event, str(one.life_event_on), one.household_ref) == (
        "moved_out",
        "2026-03-02",
        "H001",
    )
    assert (two.life_event, two.life_event_on, two.household_ref) == ("", None, "H001")


def test_an_unchanged_person_adds_no_version_when_the_new_columns_arrive_blank(sources, tmp_path):
    import_file(sources["city"], _write(tmp_path, "may.csv", MAY))
    rows = [r + ",," for r in MAY]
    june = import_file(sources["city"], _write(tmp_path, "june.csv", rows, header=LIFE_HEADER))
    assert june.records_added == 0
