"""Error pages show no personal data, even with DEBUG on as in the demo (issue 12 item 9).

Django's technical 500 page prints the exception, every frame's local variables and the POST
data: during an import those held people's rows with clear identity numbers.
"""

from __future__ import annotations

import pytest
from django.urls import reverse

from intake import views

NUMBERS = ["500101-2345672", "500101 2345672", "５００１０１－２３４５６７２"]


@pytest.fixture
def broken_page(monkeypatch, personas, client, settings):
    settings.DEBUG = True

    def run_for_user(user, pk):
        rows = [{"성명": "김영숙", "주민등록번호": n} for n in NUMBERS]  # noqa: F841 — a local
        name = "김영숙"  # noqa: F841
        raise ValueError(f"cannot read the row with {NUMBERS[0]} and {NUMBERS[1]}")

    monkeypatch.setattr(views, "run_for_user", run_for_user)
    client.force_login(personas.data_admin)
    client.raise_request_exception = False
    return reverse("intake:run", args=[1])


@pytest.mark.parametrize("accept", ["text/html", "text/plain"])
def test_the_debug_error_page_shows_no_identity_number_nor_row(broken_page, client, accept):
    response = client.get(broken_page, HTTP_ACCEPT=accept)

    assert response.status_code == 500
    page = response.content.decode()
    assert "ValueError" in page  # still a useful page for the developer
    for number in NUMBERS:
        assert number not in page
    assert "500101-2******" in page
    assert "김영숙" not in page  # locals show their type only


def test_posted_values_are_hidden_on_the_debug_page(broken_page, client):
    response = client.post(reverse("intake:run_rollback", args=[1]), {"q": "김영숙 500101-2345672"})
    assert response.status_code == 500
    page = response.content.decode()
    assert "김영숙" not in page and "500101-2345672" not in page
