"""The one-stop page screens its resident on the fly: every programme, with the reason."""

from datetime import date

import pytest
from django.urls import reverse
from django.utils import translation

from cases.rules import load_rules
from cases.screening import screen_one
from intake.models import SourceRecord
from tests.cases.screening_world import ON, person

pytestmark = pytest.mark.django_db


def verdicts(resident, household=()):
    from cases.rules import rules_from_db

    records = list(
        SourceRecord.objects.filter(link__resident=resident)
        .select_related("run", "source")
        .prefetch_related("enrollments__programme", "signals")
    )
    return {
        v.programme: v for v in screen_one(resident, records, list(household), rules_from_db(ON))
    }


def test_every_programme_is_listed_with_its_reason(personas):
    load_rules()
    r = person(personas.centre_a, size=2, income=1_210_000, receives=("B02",))
    with translation.override("en"):
        v = verdicts(r)
    assert v["B01"].status == "eligible" and not v["B01"].receiving
    assert v["B01"].text == (
        "2-person household, recognised income ₩1,210,000 ≤ 32 % of 2026 median ₩1,343,773"
    )
    assert v["B02"].receiving
    assert v["P01"].status == "not_eligible"  # 46 years old
    assert v["SEOUL_DIDIMDOL"].status == "eligible"
    assert v["P02"].unverified and v["SEOUL_BASIC"].unverified and not v["B01"].unverified


def test_the_explanation_is_korean_by_default(personas):
    load_rules()
    r = person(personas.centre_a, size=2, income=1_210_000)
    with translation.override("ko"):
        text = verdicts(r)["B01"].text
    assert "2인 가구" in text and "₩1,343,773" in text and "기준 중위소득" in text


def test_missing_income_is_unknown_and_says_what_is_missing(personas):
    load_rules()
    r = person(personas.centre_a, income=None)
    with translation.override("en"):
        v = verdicts(r)
    assert v["B01"].status == "unknown" and "recognised income" in v["B01"].text
    assert v["C01"].status == "not_eligible"


def test_over_the_line_says_so(personas):
    load_rules()
    r = person(personas.centre_a, birth=date(1950, 1, 1), income=2_470_001)
    with translation.override("en"):
        v = verdicts(r)
    assert v["P01"].text == "Recognised income ₩2,470,001 > the single line ₩2,470,000"


def test_the_page_shows_the_screening_and_flags_unverified_rules(client, personas):
    load_rules()
    r = person(personas.centre_a, income=800_000)
    client.force_login(personas.caseworker_a)
    html = client.get(reverse("cases:resident", args=[r.pk])).content.decode()
    assert 'id="screening"' in html and "flag-u" in html
    assert "₩820,556" in html
