"""The one-stop page's household: residents in one dwelling (unit key), however their addresses
are spelled, with how each is known; the same household size as screening uses."""

import pytest
from django.urls import reverse

from cases.rules import load_rules
from cases.screening import read_inputs
from tests.cases.factories import ResidentFactory, link_records
from tests.cases.screening_world import ON, person

pytestmark = pytest.mark.django_db

JO = "서울 종로구 무악로 132 115동 1801호"
PARK = "서울특별시 종로구 무악로 132, 115동 1801호"


def _html(client, user, resident) -> str:
    client.force_login(user)
    response = client.get(reverse("cases:resident", args=[resident.pk]))
    assert response.status_code == 200
    return response.content.decode()


def _panel(html: str) -> str:
    start = html.index('id="household-h"')
    return html[start : html.index("</section>", start)]


def test_two_spellings_of_one_dwelling_are_one_household(client, personas):
    jo = ResidentFactory(name="조정희", address=JO, home_centre=personas.centre_a)
    ResidentFactory(name="박영수", address=PARK, home_centre=personas.centre_a)
    ResidentFactory(
        name="이웃집", address="서울 종로구 무악로 132 115동 1802호", home_centre=personas.centre_a
    )
    panel = _panel(_html(client, personas.caseworker_a, jo))
    assert "박영수" in panel and PARK in panel
    assert "이웃집" not in panel  # the flat next door is another household
    assert "2인 가구" in panel


def test_each_member_shows_the_sources_that_know_them(client, personas):
    jo = ResidentFactory(name="조정희", address=JO, home_centre=personas.centre_a)
    park = ResidentFactory(name="박영수", address=PARK, home_centre=personas.centre_a)
    link_records(park, 2, with_benefits=False)
    panel = _panel(_html(client, personas.caseworker_a, jo))
    assert "출처 보건복지부 기초연금" in panel


def test_members_outside_the_users_centres_are_counted_not_named(client, personas):
    jo = ResidentFactory(name="조정희", address=JO, home_centre=personas.centre_a)
    ResidentFactory(name="박영수", address=PARK, home_centre=personas.centre_other_district)
    panel = _panel(_html(client, personas.caseworker_a, jo))
    assert "박영수" not in panel
    assert "이 집에 담당 센터 밖의 주민 1명이 더 있습니다" in panel
    assert "2인 가구" in panel


def test_the_page_and_screening_agree_on_household_size(client, personas):
    load_rules()
    # The sources say 2 for 조정희; 박영수's source is silent: the dwelling counts 2 as well.
    jo = person(personas.centre_a, address=JO, size=2, income=1_210_000, name="조정희")
    park = person(
        personas.centre_a, address=PARK, size=None, income=1_210_000, name="박영수", sex="M"
    )
    people = read_inputs(ON).people.set_index("resident_id")
    assert people.loc[jo.pk, "household_size"] == 2
    assert people.loc[park.pk, "household_size"] == 2  # from the grouping
    for r in (jo, park):
        html = _html(client, personas.caseworker_a, r)
        assert "2인 가구" in _panel(html)
        assert "2인 가구, 소득인정액" in html  # the screening's own words
    assert people.loc[jo.pk, "couple"] and people.loc[park.pk, "couple"]


def test_when_sources_and_dwelling_disagree_both_are_shown_and_the_sources_screen(client, personas):
    load_rules()
    jo = person(personas.centre_a, address=JO, size=3, income=1_210_000, name="조정희")
    ResidentFactory(name="박영수", address=PARK, home_centre=personas.centre_a)
    assert read_inputs(ON).people.set_index("resident_id").loc[jo.pk, "household_size"] == 3
    html = _html(client, personas.caseworker_a, jo)
    panel = _panel(html)
    assert "3인 가구" in panel
    assert "출처의 가구원수 3명, 이 집에 알려진 주민 2명" in panel
    assert "3인 가구, 소득인정액" in html


def test_an_address_that_names_no_dwelling_forms_no_household(client, personas):
    alone = ResidentFactory(name="조정희", address="종로구 무악로", home_centre=personas.centre_a)
    ResidentFactory(name="박영수", address="종로구 무악로", home_centre=personas.centre_a)
    panel = _panel(_html(client, personas.caseworker_a, alone))
    assert "박영수" not in panel and "가구를 묶을 수 없습니다" in panel


@pytest.mark.parametrize("members", [1, 6])
def test_the_page_costs_the_same_whatever_the_household(
    client, personas, django_assert_num_queries, members
):
    from tests.cases.test_resident_page import page_queries

    load_rules()
    resident = ResidentFactory(name="조정희", address=JO, home_centre=personas.centre_a)
    link_records(resident, 1)
    for i in range(members):
        member = ResidentFactory(name=f"가족{i}", address=PARK, home_centre=personas.centre_a)
        link_records(member, 2, with_benefits=False)
    client.force_login(personas.caseworker_a)
    client.get(reverse("cases:resident", args=[resident.pk]))
    # The resident page's count: no case here, so no referrals read; the members' sources
    # (one query, whatever their number) take its place.
    with django_assert_num_queries(page_queries()):
        response = client.get(reverse("cases:resident", args=[resident.pk]))
    assert response.content.decode().count("가족") == members
