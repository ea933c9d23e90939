"""Deaths, moves out of Seoul and full extracts, through imports, linkage and rollbacks: who is
gone leaves the worklists and screening and the page says so; a benefit is active as of a day."""

from __future__ import annotations

from datetime import date, timedelta
from pathlib import Path

import pytest
from django.urls import reverse
from django.utils import timezone

from cases.profile import build_profile
from cases.rules import load_rules
from cases.screening import read_inputs
from intake.actions import define_source, read_mapping_file, rollback_run
from intake.imports import run_import, start_import
from intake.reference import load_reference
from matching.actions import run_linkage
from matching.models import Resident
from tests.cases.screening_world import ON, person
from tests.intake.malformed.make_corpus import CITY_HEADER, city, city_row

pytestmark = pytest.mark.django_db
MAPPINGS = Path(__file__).resolve().parents[2] / "intake" / "mappings"
HEADER = CITY_HEADER + ",가구번호,전출일자"


@pytest.fixture
def city_source(personas, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    load_reference()
    load_rules()
    return define_source(read_mapping_file(MAPPINGS / "city.toml"))[0]


def _rows(personas, moved_out: str = "", extra: bool = True) -> list[str]:
    """A woman turning 65 this year (on the worklist) and, with ``extra``, a neighbour."""
    born = f"{timezone.localdate().year - 65}.06.01"
    dong = personas.centre_a.code
    rows = [city_row(1, 생년월일=born, 행정동코드=dong, 주민등록번호="") + f",H1,{moved_out}"]
    if extra:
        rows.append(city_row(2, 성명="박민준", 성별="남", 행정동코드=dong) + ",H2,")
    return rows


def _import(source, tmp_path, name, rows):
    path = tmp_path / name
    path.write_bytes(city(*rows, header=HEADER).encode("cp949"))
    run = run_import(start_import(source, path, dispatch=False).pk)
    run_linkage(full=False)
    return run


def _resident(name="김영숙") -> Resident:
    return Resident.objects.get(name=name, active=True)


def _on_worklist(client, personas, resident) -> bool:
    client.force_login(personas.caseworker_a)
    html = client.get(reverse("cases:worklist")).content.decode()
    return reverse("cases:resident", args=[resident.pk]) in html


def _screened(resident) -> bool:
    return resident.pk in set(read_inputs(timezone.localdate()).people["resident_id"])


def test_a_move_out_takes_the_resident_off_the_worklist_and_screening(
    client, personas, city_source, tmp_path
):
    _import(city_source, tmp_path, "may.csv", _rows(personas))
    kim = _resident()
    assert _on_worklist(client, personas, kim) and _screened(kim)
    june = _import(city_source, tmp_path, "june.csv", _rows(personas, moved_out="2026.03.02"))
    kim = _resident()
    assert not _on_worklist(client, personas, kim)
    assert not _screened(kim)
    client.force_login(personas.caseworker_a)
    page = client.get(reverse("cases:resident", args=[kim.pk])).content.decode()
    assert 'id="life-event"' in page and "서울 밖 전출" in page and "2026-03-02" in page
    # Rolled back, the move out was never said: back on the list.
    rollback_run(june, None)
    run_linkage(full=False)
    kim = _resident()
    assert _on_worklist(client, personas, kim) and _screened(kim)


def test_a_death_takes_the_resident_off_the_worklist_and_screening(client, personas):
    load_rules()
    year = timezone.localdate().year
    alive = person(personas.centre_a, birth=date(year - 65, 6, 1), name="이육오")
    dead = person(personas.centre_a, birth=date(year - 65, 6, 2), name="김사망")
    record = dead.links.get().record
    record.life_event, record.life_event_on = "deceased", date(year, 1, 5)
    record.save(update_fields=["life_event", "life_event_on"])
    assert _on_worklist(client, personas, alive) and not _on_worklist(client, personas, dead)
    assert _screened(alive) and not _screened(dead)
    profile = build_profile(personas.caseworker_a, dead)
    assert profile.gone.label == "사망" and profile.screening == []


def test_a_person_absent_from_the_full_extract_loses_their_benefit_until_rolled_back(
    client, personas, city_source, tmp_path
):
    _import(city_source, tmp_path, "may.csv", _rows(personas))
    park = _resident("박민준")

    def receives() -> set:
        got = read_inputs(timezone.localdate()).receives
        return set(got.loc[got["resident_id"] == park.pk, "programme"])

    assert receives() == {"SEOUL_BASIC"}
    june = _import(city_source, tmp_path, "june.csv", _rows(personas, extra=False))
    assert receives() == set()
    rollback_run(june, None)
    run_linkage(full=False)
    park = _resident("박민준")
    assert receives() == {"SEOUL_BASIC"}


def test_a_benefit_ending_tomorrow_is_active_today_and_not_next_week(client, personas):
    load_rules()
    resident = person(personas.centre_a, receives=("B01",), name="이수급")
    enrolment = resident.links.get().record.enrollments.get()
    enrolment.end = ON + timedelta(days=1)
    enrolment.save(update_fields=["end"])

    def received(on) -> bool:
        got = read_inputs(on).receives
        return "B01" in set(got.loc[got["resident_id"] == resident.pk, "programme"])

    assert received(ON) and not received(ON + timedelta(days=7))
    assert build_profile(personas.caseworker_a, resident, on=ON).screening
    verdicts = {
        v.programme: v for v in build_profile(personas.caseworker_a, resident, on=ON).screening
    }
    later = {
        v.programme: v
        for v in build_profile(personas.caseworker_a, resident, on=ON + timedelta(days=7)).screening
    }
    assert verdicts["B01"].receiving and not later["B01"].receiving


def test_a_household_number_groups_residents_whose_addresses_differ(
    client, personas, city_source, tmp_path
):
    dong = personas.centre_a.code
    rows = [
        city_row(1, 행정동코드=dong, 가구원수="") + ",H7,",
        # Her son's record still has the family's old flat: one household by the city's number.
        city_row(
            2,
            성명="박민준",
            성별="남",
            생년월일="1975.03.03",
            행정동코드=dong,
            가구원수="",
            주소='"서울특별시 종로구 율곡로 1, 3동 101호"',
        )
        + ",H7,",
        city_row(3, 성명="이웃집", 행정동코드=dong, 주소='"서울특별시 종로구 율곡로 1, 3동 102호"')
        + ",H8,",
    ]
    _import(city_source, tmp_path, "may.csv", rows)
    kim, park, other = (_resident(n) for n in ("김영숙", "박민준", "이웃집"))
    assert kim.household_key == park.household_key != other.household_key
    people = read_inputs(ON).people.set_index("resident_id")
    assert people.loc[kim.pk, "household_size"] == people.loc[park.pk, "household_size"] == 2
    client.force_login(personas.caseworker_a)
    for r in (kim, park):
        html = client.get(reverse("cases:resident", args=[r.pk])).content.decode()
        assert "2인 가구" in html[html.index('id="household-h"') :]
