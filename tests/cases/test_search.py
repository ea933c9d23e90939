"""Search first: by name with typos, birth date, phone or RRN; only within scope; logged."""

import re

import pytest
from django.urls import reverse
from hypothesis import given
from hypothesis import strategies as st

from bigcare.models import AccessLog
from cases.search import comparable, comparable_many, parse_query
from tests.cases.conftest import INSIDE_RRN, OUTSIDE_RRN


def _search(client, user, **params):
    """As the search form sends it: a POST, so nothing typed ends up in the URL."""
    client.force_login(user)
    return client.post(reverse("cases:search"), params)


def test_a_typo_in_the_name_still_finds_the_resident_of_my_centre_only(client, personas, world):
    html = _search(client, personas.caseworker_a, q="김영히").content.decode()
    assert reverse("cases:resident", args=[world.inside.pk]) in html
    assert reverse("cases:resident", args=[world.outside.pk]) not in html


def test_a_romanised_name_finds_the_hangul_one(client, personas, world):
    html = _search(client, personas.caseworker_a, q="Kim Yeonghui").content.decode()
    assert reverse("cases:resident", args=[world.inside.pk]) in html


@pytest.mark.parametrize("q", ["Younghee Kim", "GIM YEONG-HUI", "Kim Yonghee"])
def test_any_romanisation_or_order_finds_a_linked_profile(client, personas, world, q):
    from matching.actions import forms_name_key

    # As linkage stores it: the form a romanised query is read into.
    world.inside.name_key = forms_name_key(world.inside.name)
    world.inside.save(update_fields=["name_key"])
    html = _search(client, personas.caseworker_a, q=q).content.decode()
    assert reverse("cases:resident", args=[world.inside.pk]) in html
    assert reverse("cases:resident", args=[world.outside.pk]) not in html


def test_the_rrn_is_matched_exactly_through_the_blind_index(client, personas, world):
    html = _search(client, personas.caseworker_a, q=INSIDE_RRN).content.decode()
    assert reverse("cases:resident", args=[world.inside.pk]) in html
    html = _search(client, personas.caseworker_a, q=OUTSIDE_RRN).content.decode()
    assert reverse("cases:resident", args=[world.outside.pk]) not in html


def test_birth_date_and_phone(client, personas, world):
    html = _search(client, personas.caseworker_a, q="1950-03-01").content.decode()
    assert reverse("cases:resident", args=[world.inside.pk]) in html
    html = _search(client, personas.caseworker_a, q=world.inside.phone).content.decode()
    assert reverse("cases:resident", args=[world.inside.pk]) in html


def test_an_empty_search_lists_nobody_and_logs_nothing(client, personas, world):
    response = _search(client, personas.caseworker_a)
    assert response.status_code == 200
    assert reverse("cases:resident", args=[world.inside.pk]) not in response.content.decode()
    assert not AccessLog.objects.exists()


def test_every_search_is_logged_without_the_rrn(client, personas, world):
    _search(client, personas.caseworker_a, q=INSIDE_RRN)
    entry = AccessLog.objects.get(action="search")
    assert INSIDE_RRN not in entry.detail and "2345678" not in entry.detail
    assert list(entry.subjects.values_list("resident_id", flat=True)) == [world.inside.pk]


def test_another_centre_finds_nobody(client, personas, world):
    html = _search(client, personas.caseworker_b, q="김영희").content.decode()
    assert reverse("cases:resident", args=[world.inside.pk]) not in html


def test_an_htmx_search_returns_only_the_results(client, personas, world):
    client.force_login(personas.caseworker_a)
    response = client.post(reverse("cases:search"), {"q": "김영희"}, HTTP_HX_REQUEST="true")
    assert "<html" not in response.content.decode()
    assert reverse("cases:resident", args=[world.inside.pk]) in response.content.decode()


def test_recently_viewed_lists_what_i_opened(client, personas, world):
    client.force_login(personas.caseworker_a)
    client.get(reverse("cases:resident", args=[world.inside.pk]))
    html = client.get(reverse("cases:search")).content.decode()
    assert reverse("cases:resident", args=[world.inside.pk]) in html


def test_the_search_form_posts_so_no_identity_number_travels_in_a_url(client, personas):
    client.force_login(personas.caseworker_a)
    html = client.get(reverse("cases:search")).content.decode()
    assert re.search(r'<form[^>]*role="search"[^>]*', html)[0].count('method="post"') == 1
    assert 'hx-post="/search/"' in html and "hx-get" not in html


@pytest.mark.parametrize(
    "q",
    [
        INSIDE_RRN,
        INSIDE_RRN.replace("-", ""),
        INSIDE_RRN.replace("-", " "),
        INSIDE_RRN.replace("-", "%2D"),
    ],
)
def test_a_get_with_an_identity_number_is_refused_and_not_logged(client, personas, world, q):
    client.force_login(personas.caseworker_a)
    response = client.get(reverse("cases:search"), {"q": q})
    assert response.status_code == 302 and response["Location"] == reverse("cases:search")
    assert not AccessLog.objects.exists()


def test_a_signed_out_get_with_an_identity_number_is_not_carried_to_the_sign_in(client):
    response = client.get(reverse("cases:search"), {"q": INSIDE_RRN})
    assert response.status_code == 302 and response["Location"] == reverse("cases:search")


def test_a_get_by_name_still_searches_and_logs(client, personas, world):
    client.force_login(personas.caseworker_a)
    html = client.get(reverse("cases:search"), {"q": "김영희"}).content.decode()
    assert reverse("cases:resident", args=[world.inside.pk]) in html
    assert AccessLog.objects.get(action="search").detail == "name=김영희"


@pytest.mark.parametrize("spelling", [" ", ".", "–", "_", ""])
def test_the_rrn_is_found_in_any_spelling(client, personas, world, spelling):
    html = _search(
        client, personas.caseworker_a, q=INSIDE_RRN.replace("-", spelling)
    ).content.decode()
    assert reverse("cases:resident", args=[world.inside.pk]) in html


def test_query_kinds():
    assert parse_query("500301-2345678").kind == "rrn"
    assert parse_query("５００３０１－２３４５６７８").text == "5003012345678"
    assert parse_query("19500301").kind == "birth_date"
    assert parse_query("010-1234-5678").kind == "phone"
    assert parse_query("김영희").kind == "name"
    assert comparable("김 영희") == comparable("김영희")


@given(
    st.lists(
        st.text(
            alphabet=st.sampled_from(
                list("김이박영희순자민수ㄱㅏ") + list("KimLe-. ,·\n\t") + ["\u1100", "ᄀ"]
            ),
            max_size=8,
        ),
        max_size=30,
    )
)
def test_folding_many_names_at_once_is_folding_each(names):
    assert comparable_many(names) == [comparable(n) for n in names]
