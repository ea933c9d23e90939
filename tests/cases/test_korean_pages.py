"""Every page, for every persona who may open it, reads in Korean (issue 16 §4).

The URLs and personas come from the URL matrix (tests/cases/test_url_matrix.py), so a new page
is checked here as soon as the matrix knows it. Each page is rendered in Korean mode and its
visible text — text nodes outside <script>/<style>, and the attributes a person reads
(placeholder, title, aria-label, alt, a button's value) — is searched for:

- an English word: any run of two or more Latin letters;
- a raw code: ``snake_case`` identifiers (``turning_65``), ``key=value`` pairs
  (``centre=1111057000``) and strftime patterns (``%Y.%m.%d``).

What is allowed, and why (nothing else is):

- data that people typed or that names something outside Big Care: every username, the data
  sources' names and codes, file names, and the free text the test world's people typed
  (``TYPED``), and the contents of <textarea> (a person's own entry);
- file formats, units and checksums a Korean office writes in Latin letters (``ALLOWED_WORDS``,
  and hexadecimal digests of 12 or more digits: a file's SHA-256);
- the language switcher's own name for English ("English"), shown in its own language, and the
  map data's attribution, which its licence asks to be shown as published;
- on the two screens where they are typed (the programme code list and the rules), the
  programmes' codes, English names and the administrator's notes on a rule; anywhere else a
  programme's code is a raw code;
- an element marked ``translate="no"``: the technical detail of a failed import, kept after its
  Korean summary for whoever supports the system.

The 403/404/500 pages are rendered too, as the Korean templates a person sees with DEBUG off.
"""

from __future__ import annotations

import re
from html.parser import HTMLParser

import pytest
from django.db import transaction
from django.test import override_settings
from django.urls import reverse
from django.utils import timezone

from tests.cases.test_url_matrix import ANON, PERSONAS, SPECS, _objects

pytestmark = pytest.mark.django_db

# Formats and units written in Latin letters in Korean offices (엑셀 aside, nobody writes
# "씨에스브이").
ALLOWED_WORDS = {"CSV", "PDF", "Excel", "XLSX", "JSON", "TOML", "UTF", "CP", "km", "SHA", "DB"}
ALLOWED_PHRASES = (
    "English",  # the language switcher names each language in its own language
    # fixtures/README.md: the boundaries' attribution, as the licence asks
    "(SGIS)",
    "vuski/admdongkor",
    "CC BY 4.0",
)
# Free text the test world's people typed (tests/cases/conftest.py, factories.py).
TYPED = ("signed form", "meals", "blood pressure high", "fixture", "granted facility")

HEX_DIGEST = re.compile(r"\b[0-9a-f]{12,}")
LATIN = re.compile(r"[A-Za-z]{2,}")
CODE = re.compile(r"\b[a-z]+_[a-z0-9_]+\b|\b\w+=\S+|%[YmdHMSbB]")
VISIBLE_ATTRS = {"placeholder", "title", "aria-label", "alt"}
VOID = {"area", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source", "wbr"}

# Extra GET variants a person reaches by a link or filter on the page.
QUERIES = {
    "cases:access_log": [
        {},
        {"action": "view_profile"},
        {"start": "2020-01-01", "end": "2030-01-01", "user": "caseworker_a"},
    ],
    "cases:dashboard": [{"figure": "open_cases"}, {"figure": "blind_spots"}],
    "cases:access_review": [{}, {"month": f"{timezone.localdate():%Y-%m}"}],
}


class _VisibleText(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.skip = 0
        self.open: list[bool] = []  # per open element: whether it started a skipped stretch
        self.chunks: list[str] = []

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        skipped = tag in ("script", "style", "textarea") or attrs.get("translate") == "no"
        if tag not in VOID:
            self.open.append(skipped)
            self.skip += skipped
        for name in VISIBLE_ATTRS & attrs.keys():
            self.chunks.append(attrs[name] or "")
        if tag == "input" and attrs.get("type") in ("submit", "button"):
            self.chunks.append(attrs.get("value") or "")

    def handle_endtag(self, tag):
        if tag not in VOID and self.open:
            self.skip -= self.open.pop()

    def handle_data(self, data):
        if not self.skip and data.strip():
            self.chunks.append(data.strip())


def visible_text(html: str) -> list[str]:
    parser = _VisibleText()
    parser.feed(html)
    return parser.chunks


def english_or_codes(html: str, allowed_data: set[str]) -> list[str]:
    """The visible chunks that hold an English word or a raw code, after taking out what the
    module docstring allows."""
    found = []
    for chunk in visible_text(html):
        text = chunk
        for value in sorted(allowed_data, key=len, reverse=True):
            text = text.replace(value, " ")
        for phrase in ALLOWED_PHRASES:
            text = text.replace(phrase, " ")
        text = HEX_DIGEST.sub(" ", text)
        words = [w for w in LATIN.findall(text) if w not in ALLOWED_WORDS]
        if words or CODE.search(text):
            found.append(chunk[:120])
    return found


def _allowed_data(personas=None, world=None) -> set[str]:
    from django.contrib.auth import get_user_model

    from intake.models import DataSource, ImportRun

    values = set(get_user_model().objects.values_list("username", flat=True))
    for name, code in DataSource.objects.values_list("name", "code"):
        values |= {name, code}
    values |= set(ImportRun.objects.values_list("filename", flat=True))
    return {v for v in values | set(TYPED) if v}


def _programme_codes() -> set[str]:
    from cases.models import ProgrammeRule
    from intake.models import Programme

    values = {v for row in Programme.objects.values_list("code", "name_en") for v in row if v}
    for row in ProgrammeRule.objects.values_list("programme", "name_en", "note"):
        values |= {v for v in row if v}
    return values


def _pages():
    for name, spec in SPECS.items():
        if spec.method != "get":
            continue
        for query in QUERIES.get(name, [spec.data or {}]):
            yield name, spec, query


def test_every_page_reads_in_korean_for_every_persona(client, personas, world):
    from cases.rules import load_rules

    load_rules()  # the rules screen with its parameters, not an empty table
    allowed_data = _allowed_data(personas, world)
    # Something in the access log for the auditor's screens to show.
    client.force_login(personas.caseworker_a)
    client.get(reverse("cases:resident", args=[world.inside.pk]))

    problems, pages = [], 0
    for name, spec, query in _pages():
        obj = _objects(world, "inside")[spec.obj] if spec.obj else None
        url = reverse(name, args=[obj.pk]) if obj else reverse(name)
        for persona in PERSONAS:
            if persona == ANON or persona not in spec.allowed:
                continue
            client.logout()
            client.force_login(getattr(personas, persona))
            with transaction.atomic():
                response = client.get(url, query, HTTP_ACCEPT_LANGUAGE="ko")
                transaction.set_rollback(True)
            if response.status_code != 200 or "html" not in response.get("Content-Type", ""):
                continue
            pages += 1
            code_screen = name in ("intake:programmes", "cases:rules")
            page_data = allowed_data | (_programme_codes() if code_screen else set())
            for chunk in english_or_codes(response.content.decode(), page_data):
                problems.append(f"{name} {query or ''} as {persona}: {chunk!r}")
    print(f"\nKorean mode: {pages} pages rendered, {len(problems)} English or raw-code strings")
    assert pages > 20
    assert not problems, "\n".join(problems)


def test_the_sign_in_page_reads_in_korean(client, personas, world):
    response = client.get(reverse("login"), HTTP_ACCEPT_LANGUAGE="ko")
    assert not english_or_codes(response.content.decode(), _allowed_data(personas, world))


@override_settings(DEBUG=False)
def test_a_page_out_of_scope_is_a_korean_404(client, personas, world):
    client.force_login(personas.caseworker_a)
    response = client.get(reverse("cases:resident", args=[world.outside.pk]))
    assert response.status_code == 404
    html = response.content.decode()
    assert "페이지를 찾을 수 없습니다" in html
    assert not english_or_codes(html, _allowed_data(personas, world))


@pytest.mark.parametrize("status", [400, 403, 404, 500])
def test_each_error_page_is_a_korean_template(status, rf):
    from django.template.loader import render_to_string

    html = render_to_string(f"{status}.html", {"request_path": "/x/"})
    assert re.search("[가-힣]", html)
    assert not english_or_codes(html, set())


@pytest.mark.parametrize(
    "html",
    [
        "<h1>Import run #5</h1>",
        "<button>Roll back this run…</button>",
        "<td>생년월일 1990.13.01 is not a real date in the form %Y.%m.%d</td>",
        "<label>보낸 곳</label><td>worklist centre=1111057000</td>",
        "<td>turning_65</td>",
        "<td>view</td>",
        '<input placeholder="Search">',
    ],
)
def test_the_detector_catches_the_issues_examples(html):
    assert english_or_codes(html, set())


@pytest.mark.parametrize(
    "html",
    [
        "<td>김영희</td><td>850101-1******</td><td>12,345원</td>",
        "<a>CSV로 내려받기</a>",
        "<textarea>[fields]\nname = 'x'</textarea>",
        "<script>var x = 1;</script>",
        "<td>city.csv</td>",
    ],
)
def test_the_detector_lets_korean_numbers_and_typed_data_through(html):
    assert not english_or_codes(html, {"city.csv"})
