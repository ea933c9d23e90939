"""The data administrator adds and renames programmes on a screen (issue 16 §4): an extract's
service code the packaged reference.toml lacks no longer has to be dropped."""

from __future__ import annotations

import pytest
from django.urls import reverse

from bigcare.models import AdminEvent
from intake.models import Programme
from tests.cases.test_korean_pages import _allowed_data, english_or_codes
from tests.intake.conftest import city_file, import_file
from tests.intake.malformed.make_corpus import city_row

pytestmark = pytest.mark.django_db

NEW = {"code": "SEOUL_CARE", "name_ko": "돌봄SOS", "name_en": "Care SOS", "agency": "city"}


def test_a_data_administrator_adds_a_programme_and_the_change_is_audited(client, personas):
    client.force_login(personas.data_admin)
    response = client.post(reverse("intake:programme_save"), NEW, follow=True)
    assert "SEOUL_CARE" in response.content.decode() and "추가했습니다" in response.content.decode()
    assert Programme.objects.get(code="SEOUL_CARE").name_ko == "돌봄SOS"
    event = AdminEvent.objects.get(action="edit_programme")
    assert event.before is None and event.after["name_ko"] == "돌봄SOS"
    assert event.username == personas.data_admin.username


def test_renaming_keeps_the_old_name_in_the_history(client, personas):
    client.force_login(personas.data_admin)
    client.post(reverse("intake:programme_save"), NEW)
    client.post(reverse("intake:programme_save"), NEW | {"name_ko": "돌봄SOS센터"})
    client.post(reverse("intake:programme_save"), NEW | {"name_ko": "돌봄SOS센터"})  # no change
    events = list(AdminEvent.objects.filter(action="edit_programme").order_by("at", "pk"))
    assert len(events) == 2
    assert (events[1].before["name_ko"], events[1].after["name_ko"]) == ("돌봄SOS", "돌봄SOS센터")
    html = client.get(reverse("intake:programmes")).content.decode()
    assert "돌봄SOS센터" in html and "돌봄SOS" in html


def test_a_bad_code_is_refused_with_a_korean_sentence(client, personas):
    client.force_login(personas.data_admin)
    response = client.post(reverse("intake:programme_save"), NEW | {"code": "돌봄 SOS!"})
    assert response.status_code == 400
    assert "코드는" in response.content.decode()
    assert not Programme.objects.filter(name_ko="돌봄SOS").exists()


@pytest.mark.parametrize("persona", ["caseworker_a", "supervisor_district_a", "auditor"])
def test_only_a_data_administrator_may_change_the_list(client, personas, persona):
    client.force_login(getattr(personas, persona))
    assert client.get(reverse("intake:programmes")).status_code == 404
    assert client.post(reverse("intake:programme_save"), NEW).status_code == 404
    assert not Programme.objects.filter(code="SEOUL_CARE").exists()


def test_the_page_reads_in_korean_and_costs_a_few_queries(
    client, personas, django_assert_max_num_queries
):
    client.force_login(personas.data_admin)
    client.post(reverse("intake:programme_save"), NEW)
    with django_assert_max_num_queries(8):
        html = client.get(reverse("intake:programmes")).content.decode()
    assert english_or_codes(html, _allowed_data() | {"SEOUL_CARE", "Care SOS", "SOS"}) == []


def test_an_extract_with_the_new_code_is_accepted_once_the_programme_is_added(
    manager, sources, tmp_path, client
):
    row = city_row(1, 서비스코드="SEOUL_CARE", 서비스명="돌봄SOS")
    first = import_file(sources["city"], city_file(tmp_path, row, name="a.csv"))
    assert first.rejected == 1  # an unknown programme code
    client.post(reverse("intake:programme_save"), NEW)
    mapping = sources["city"].mapping
    again = import_file(sources["city"], city_file(tmp_path, row, city_row(2), name="b.csv"))
    assert again.rejected == 0, mapping
