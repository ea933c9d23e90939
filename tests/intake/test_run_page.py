"""The run page shows rejected rows, people's raw data: every look is in the access log."""

from __future__ import annotations

from django.urls import reverse

from bigcare.models import AccessLog
from tests.intake.conftest import city_file, import_file
from tests.intake.malformed.make_corpus import city_row


def test_reading_a_run_page_writes_an_access_row_naming_the_run(manager, sources, client, tmp_path):
    run = import_file(sources["city"], city_file(tmp_path, city_row(1)))
    assert client.get(reverse("intake:run", args=[run.pk])).status_code == 200
    entry = AccessLog.objects.get(action="view_record")
    assert entry.username == manager.username
    assert entry.detail.startswith(f"import run {run.pk} (city)")
