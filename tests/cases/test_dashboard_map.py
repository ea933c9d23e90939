"""The supervisor's map and roll-up on a tablet (issue 16 §6): their own district first, a tap
opens a dong's figures, a legend, and numbers that add up."""

from __future__ import annotations

import re

import pytest
from django.urls import reverse

from cases.rules import load_rules
from cases.screening import run_screening
from tests.cases.screening_world import ON, ministry_run, person

pytestmark = pytest.mark.django_db


@pytest.fixture
def screened(personas):
    load_rules()
    run = ministry_run()
    person(personas.centre_a, run=run, name="이순자", income=800_000, crisis=True)
    for i in range(3):
        person(personas.centre_a, run=run, name=f"박민{i}", income=1_000_000)
    person(personas.centre_b, run=run, name="정하늘", income=1_000_000, disability="severe")
    person(personas.centre_b, run=run, name="한결", income=700_000)
    person(personas.centre_other_district, run=run, name="최먼곳", income=800_000)
    run_screening(ON)


def _drawn(html: str) -> set[str]:
    return set(re.findall(r'data-dong="(\d+)"', html))


def test_the_map_opens_on_the_supervisors_district(client, personas, screened):
    client.force_login(personas.supervisor_district_a)
    html = client.get(reverse("cases:dashboard")).content.decode()
    district = personas.centre_a.district
    mine = set(district.centres.values_list("code", flat=True))
    assert _drawn(html) == mine  # every dong of 종로구 can be tapped, and no other
    paths = html.count("<path")
    assert len(mine) <= paths < 150  # neighbours frame it; the rest of Seoul's 427 is left out
    view_box = re.search(r'viewBox="([\d. -]+)" width="100%" role="img"', html)[1]
    assert float(view_box.split()[2]) < 400  # zoomed in from the whole city's 640 units


def test_a_tap_on_a_dong_shows_its_figures(client, personas, screened):
    client.force_login(personas.supervisor_district_a)
    url = reverse("cases:dashboard")
    html = client.get(url, {"figure": "blind_spots", "dong": personas.centre_a.code}).content
    html = html.decode()
    panel = html[html.index('id="dong-figures"') :]
    assert personas.centre_a.name_ko in panel[:300]
    rollup = client.get(reverse("cases:rollup")).context
    row = next(c for c in rollup["centres"] if c["centre__name_ko"] == personas.centre_a.name_ko)
    blind = re.search(r"사각지대[^<]*</th><td>(\d+)</td>", panel)
    assert blind and int(blind[1]) == row["blind"] > 0


def test_a_dong_outside_the_supervision_opens_nothing(client, personas, screened):
    client.force_login(personas.supervisor_district_a)
    html = client.get(
        reverse("cases:dashboard"), {"dong": personas.centre_other_district.code}
    ).content.decode()
    assert 'id="dong-figures"' not in html
    assert personas.centre_other_district.code not in _drawn(html)


def test_the_map_has_a_legend_naming_its_figure(client, personas, screened):
    client.force_login(personas.supervisor_district_a)
    html = client.get(reverse("cases:dashboard"), {"figure": "open_cases"}).content.decode()
    legend = html[html.index('class="legend"') :]
    assert "진행 중인 사례" in legend[:400] or "사례" in legend[:400]
    assert "관할 밖" in legend or "자료 없음" in legend


def test_the_rollup_adds_up(client, personas, screened):
    """Centres sum to their districts, districts to the supervised total; programmes sum to the
    city's line; and the map's figures to the same totals."""
    client.force_login(personas.supervisor_district_a)
    ctx = client.get(reverse("cases:rollup")).context
    for key in ("eligible", "blind", "unknown"):
        centres = sum(c[key] for c in ctx["centres"])
        districts = sum(d[key] for d in ctx["districts"])
        assert centres == districts == ctx["total"][key]
        assert sum(p[key] for p in ctx["programmes"]) == ctx["city"][key]
    assert ctx["city"]["blind"] > ctx["total"]["blind"] > 0  # the other district counts city-wide
    html = client.get(reverse("cases:rollup")).content.decode()
    assert html.count(">담당 지역 합계<") == 2  # under the districts and under the centres
    html = client.get(reverse("cases:dashboard"), {"figure": "blind_spots"}).content.decode()
    map_values = [int(v) for v in re.findall(r'aria-label="[^":]+: (\d+)" data-dong', html)]
    assert sum(map_values) == ctx["total"]["blind"]
