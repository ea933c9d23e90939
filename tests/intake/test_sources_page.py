"""The landing page lists the sources the administrator manages, in a fixed number of queries."""

from __future__ import annotations

from django.urls import reverse


def test_it_lists_granted_sources_only(manager, sources, client, django_assert_max_num_queries):
    with django_assert_max_num_queries(8):
        response = client.get(reverse("intake:sources"))
    assert response.status_code == 200
    text = response.content.decode()
    assert sources["city"].name in text
    assert sources["ministry"].name not in text


def test_it_requires_login(client, db):
    response = client.get(reverse("intake:sources"))
    assert response.status_code == 302


def test_a_source_page_shows_history_and_mapping(
    manager, sources, client, django_assert_max_num_queries
):
    with django_assert_max_num_queries(10):
        response = client.get(reverse("intake:source", args=[sources["city"].pk]))
    assert response.status_code == 200
    assert "관리번호" in response.content.decode()


def test_a_source_out_of_scope_is_a_404(manager, sources, client):
    response = client.get(reverse("intake:source", args=[sources["ministry"].pk]))
    assert response.status_code == 404
