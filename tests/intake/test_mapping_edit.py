"""Editing a source's mapping on screen: validated before it is saved, scope checked on write."""

from __future__ import annotations

import json

from django.urls import reverse


def test_a_valid_mapping_is_saved(manager, sources, client, django_assert_max_num_queries):
    mapping = dict(sources["city"].mapping)
    mapping["person"] = {**mapping["person"], "phone": {"columns": ["전화번호"],
                                                        "transform": "phone"}}
    with django_assert_max_num_queries(12):
        response = client.post(reverse("intake:source_mapping", args=[sources["city"].pk]),
                               {"mapping": json.dumps(mapping)})
    assert response.status_code == 302
    sources["city"].refresh_from_db()
    assert sources["city"].mapping == mapping


def test_an_invalid_mapping_is_refused_with_the_reason(manager, sources, client):
    mapping = dict(sources["city"].mapping)
    mapping["person"] = {**mapping["person"], "birth_date": {"columns": ["생년월일"],
                                                             "transform": "date"}}
    before = sources["city"].mapping
    response = client.post(reverse("intake:source_mapping", args=[sources["city"].pk]),
                           {"mapping": json.dumps(mapping)})
    assert response.status_code == 400
    assert "needs formats" in response.content.decode()
    sources["city"].refresh_from_db()
    assert sources["city"].mapping == before


def test_broken_json_is_refused(manager, sources, client):
    response = client.post(reverse("intake:source_mapping", args=[sources["city"].pk]),
                           {"mapping": "{nope"})
    assert response.status_code == 400


def test_it_refuses_a_source_out_of_scope(manager, sources, client):
    response = client.post(reverse("intake:source_mapping", args=[sources["ministry"].pk]),
                           {"mapping": json.dumps(sources["ministry"].mapping)})
    assert response.status_code == 404
