"""Korean by default, English on request (translations compiled by ``compilemessages``)."""

from pathlib import Path

import pytest
from django.conf import settings
from django.urls import reverse

MO = Path(settings.BASE_DIR) / "locale" / "ko" / "LC_MESSAGES" / "django.mo"


@pytest.mark.skipif(not MO.exists(), reason="run `python manage.py compilemessages` first")
def test_the_screens_are_korean_by_default_and_english_on_request(client, personas):
    client.force_login(personas.caseworker_a)
    assert "주민 찾기" in client.get(reverse("cases:search")).content.decode()
    client.post(reverse("set_language"), {"language": "en"})
    assert "Find a resident" in client.get(reverse("cases:search")).content.decode()
