"""Editing a source's mapping on screen: validated before it is saved, scope checked on write."""

from __future__ import annotations

import json

from django.urls import reverse

from bigcare.models import AdminAction, AdminEvent


def test_a_valid_mapping_is_saved(manager, sources, client, django_assert_max_num_queries):
    mapping = dict(sources["city"].mapping)
    mapping["person"] = {
        **mapping["person"],
        "phone": {"columns": ["전화번호"], "transform": "phone"},
    }
    with django_assert_max_num_queries(12):
        response = client.post(
            reverse("intake:source_mapping", args=[sources["city"].pk]),
            {"mapping": json.dumps(mapping)},
        )
    assert response.status_code == 302
    sources["city"].refresh_from_db()
    assert sources["city"].mapping == mapping


def test_an_invalid_mapping_is_refused_with_the_reason(manager, sources, client):
    mapping = dict(sources["city"].mapping)
    mapping["person"] = {
        **mapping["person"],
        "birth_date": {"columns": ["생년월일"], "transform": "date"},
    }
    before = sources["city"].mapping
    response = client.post(
        reverse("intake:source_mapping", args=[sources["city"].pk]),
        {"mapping": json.dumps(mapping)},
    )
    assert response.status_code == 400
    assert "needs formats" in response.content.decode()
    sources["city"].refresh_from_db()
    assert sources["city"].mapping == before


def test_broken_json_is_refused(manager, sources, client):
    response = client.post(
        reverse("intake:source_mapping", args=[sources["city"].pk]), {"mapping": "{nope"}
    )
    assert response.status_code == 400


def test_it_refuses_a_source_out_of_scope(manager, sources, client):
    response = client.post(
        reverse("intake:source_mapping", args=[sources["ministry"].pk]),
        {"mapping": json.dumps(sources["ministry"].mapping)},
    )
    assert response.status_code == 404


def test_a_saved_mapping_records_who_changed_it_from_what_to_what(manager, sources, client):
    before = sources["city"].mapping
    mapping = {
        **before,
        "person": {
            **before["person"],
            "address": {"columns": ["주소"], "transform": "text"},
            "phone": {"columns": ["휴대전화"], "transform": "phone"},
        },
    }
    client.post(
        reverse("intake:source_mapping", args=[sources["city"].pk]),
        {"mapping": json.dumps(mapping)},
    )
    event = AdminEvent.objects.get(action=AdminAction.EDIT_MAPPING)
    assert event.user == manager and event.object_id == str(sources["city"].pk)
    assert event.before == {"mapping": before} and event.after == {"mapping": mapping}


def test_a_refused_mapping_records_nothing(manager, sources, client):
    client.post(reverse("intake:source_mapping", args=[sources["city"].pk]), {"mapping": "{nope"})
    assert not AdminEvent.objects.filter(action=AdminAction.EDIT_MAPPING).exists()


def test_redefining_a_source_from_its_file_is_recorded_once(sources):
    from intake.actions import define_source

    events = AdminEvent.objects.filter(
        action=AdminAction.DEFINE_SOURCE, object_id=str(sources["city"].pk)
    )
    assert [e.before for e in events] == [None]  # registered by the fixture
    definition = {**_definition(sources["city"]), "name": "city (renamed)"}
    define_source(definition, acting_user=None)
    define_source(definition, acting_user=None)  # the same again: nothing changed
    assert [e.after["name"] for e in events.order_by("pk")] == [
        sources["city"].name,
        "city (renamed)",
    ]


def _definition(source) -> dict:
    return {
        "code": source.code,
        "name": source.name,
        "kind": source.kind,
        "file_format": source.file_format,
        "encoding": source.encoding,
        "mapping": source.mapping,
    }
