"""Rolling back from the screen: a confirmation, then a POST; out of scope is a 404."""

from __future__ import annotations

from pathlib import Path

from django.urls import reverse

from intake.models import RunStatus, SourceRecord
from tests.intake.conftest import city_file, import_file
from tests.intake.malformed.make_corpus import city_row

MINISTRY_OK = Path(__file__).parent / "malformed" / "ministry_ok.xlsx"


def test_it_asks_before_rolling_back(
    manager, sources, client, tmp_path, django_assert_max_num_queries
):
    run = import_file(sources["city"], city_file(tmp_path, city_row(1)))
    with django_assert_max_num_queries(8):
        response = client.get(reverse("intake:run_rollback", args=[run.pk]))
    assert response.status_code == 200
    run.refresh_from_db()
    assert run.status == RunStatus.DONE


def test_a_post_rolls_back(manager, sources, client, tmp_path, django_assert_max_num_queries):
    run = import_file(sources["city"], city_file(tmp_path, city_row(1)))
    with django_assert_max_num_queries(20):
        response = client.post(reverse("intake:run_rollback", args=[run.pk]))
    assert response.status_code == 302
    run.refresh_from_db()
    assert (run.status, run.rolled_back_by) == (RunStatus.ROLLED_BACK, manager)
    assert SourceRecord.objects.get().status == "retracted"


def test_it_refuses_a_run_out_of_scope(manager, sources, client, tmp_path):
    run = import_file(sources["ministry"], MINISTRY_OK)
    assert client.post(reverse("intake:run_rollback", args=[run.pk])).status_code == 404
    run.refresh_from_db()
    assert run.status != RunStatus.ROLLED_BACK
