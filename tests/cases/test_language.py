"""Korean by default, English on request.

The compiled catalogues are committed so that a fresh install shows Korean without GNU gettext;
a test keeps them in step with the .po files.
"""

import gettext
import shutil
import subprocess
from pathlib import Path

import pytest
from django.conf import settings
from django.urls import reverse

LOCALE = Path(settings.BASE_DIR) / "locale"


def test_the_screens_are_korean_by_default_and_english_on_request(client, personas):
    client.force_login(personas.caseworker_a)
    assert "주민 찾기" in client.get(reverse("cases:search")).content.decode()
    client.post(reverse("set_language"), {"language": "en"})
    assert "Find a resident" in client.get(reverse("cases:search")).content.decode()


@pytest.mark.skipif(shutil.which("msgfmt") is None, reason="needs GNU gettext's msgfmt")
@pytest.mark.parametrize("language", ["ko", "en"])
def test_the_committed_catalogue_is_compiled_from_the_current_po(tmp_path, language):
    folder = LOCALE / language / "LC_MESSAGES"
    fresh = tmp_path / "django.mo"
    subprocess.run(
        ["msgfmt", "--check-format", "-o", str(fresh), str(folder / "django.po")], check=True
    )
    with fresh.open("rb") as a, (folder / "django.mo").open("rb") as b:
        expected = gettext.GNUTranslations(a)._catalog
        committed = gettext.GNUTranslations(b)._catalog
    assert committed == expected, "run: python manage.py compilemessages"
