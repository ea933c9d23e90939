"""The supervisor's map, the auditor's review and the data administrator's imports in Debian's
Chromium, at desktop (1366×768) and tablet (800×1280, touch) sizes (issue 16 "Done when").

Each step asserts what a person would check on the screen — Korean words, their own district,
the figure they tapped, the rows their filter asked for, a downloaded file they can open — and
saves a screenshot under tests/artifacts/roles/.
"""

from __future__ import annotations

import io
import re

import openpyxl
import pytest

from tests.browser import ARTIFACTS as ROOT
from tests.browser import FULL_RRN, MARKS

ARTIFACTS = ROOT / "roles"
pytestmark = MARKS

SIZES = {
    "desktop": {"viewport": {"width": 1366, "height": 768}},
    "tablet": {"viewport": {"width": 800, "height": 1280}, "has_touch": True, "is_mobile": True},
}


class Screen:
    def __init__(self, browser, base: str, size: str, who: str):
        self.context = browser.new_context(**SIZES[size], accept_downloads=True, locale="ko-KR")
        self.page, self.base, self.size, self.who, self.n = (
            self.context.new_page(),
            base,
            size,
            who,
            0,
        )
        ARTIFACTS.mkdir(parents=True, exist_ok=True)
        self.page.goto(base + "/accounts/login/")
        self.page.fill("#id_username", who)
        self.page.fill("#id_password", "test-password")
        self.page.click("button[type=submit].primary")
        self.page.wait_for_load_state()

    def go(self, path: str) -> None:
        response = self.page.goto(self.base + path)
        assert response.status == 200, path

    def press(self, locator) -> None:
        """A tap on the tablet, a click on the desktop."""
        if self.size == "tablet":
            locator.tap()
        else:
            locator.click()

    def snap(self, name: str) -> str:
        self.n += 1
        html = self.page.content()
        assert not FULL_RRN.search(html), f"an unmasked RRN on {name}"
        path = ARTIFACTS / f"{self.who}-{self.size}-{self.n:02d}-{name}.png"
        self.page.screenshot(path=str(path), full_page=True)
        return html

    def no_horizontal_scroll(self) -> None:
        """The page fits the screen's width: wide tables scroll inside their card."""
        width = self.page.evaluate("document.documentElement.scrollWidth")
        assert width <= SIZES[self.size]["viewport"]["width"] + 1

    def close(self) -> None:
        self.context.close()


@pytest.fixture
def screened(personas):
    from cases.rules import load_rules
    from cases.screening import run_screening
    from tests.cases.screening_world import ON, ministry_run, person

    load_rules()
    run = ministry_run()
    person(personas.centre_a, run=run, name="이순자", income=800_000, crisis=True)
    person(personas.centre_a, run=run, name="박민", income=1_000_000)
    person(personas.centre_b, run=run, name="한결", income=700_000)
    person(personas.centre_other_district, run=run, name="최먼곳", income=800_000)
    run_screening(ON)


@pytest.mark.parametrize("size", SIZES)
def test_the_supervisor_taps_a_dong_on_the_map(
    transactional_db, live_server, browser, personas, screened, size
):
    screen = Screen(browser, live_server.url, size, "supervisor_a")
    screen.go("/dashboard/?figure=blind_spots")
    html = screen.snap("map")
    assert "담당 지역 행정동 지도" in html and "사각지대" in html
    centre = personas.centre_a
    # Only 종로구's dongs can be tapped: the map opens on the supervisor's district.
    tappable = screen.page.locator("svg.dongmap a[data-dong]")
    codes = {tappable.nth(i).get_attribute("data-dong") for i in range(tappable.count())}
    assert codes == set(centre.district.centres.values_list("code", flat=True))
    legend = screen.page.locator(".legend")
    assert legend.is_visible() and "관할 밖" in legend.inner_text()

    screen.press(screen.page.locator(f'svg.dongmap a[data-dong="{centre.code}"] path'))
    screen.page.wait_for_url(f"**dong={centre.code}*")
    panel = screen.page.locator("#dong-figures")
    panel.wait_for()
    text = panel.inner_text()
    assert centre.name_ko in text
    blind = re.search(r"사각지대[^\n]*\n?\s*(\d+)", text)
    assert blind and int(blind[1]) >= 1  # 이순자 and 박민 are blind spots in centre A
    screen.snap("dong-figures")
    screen.no_horizontal_scroll()

    screen.go("/reports/rollup/")
    rollup = screen.snap("rollup")
    assert rollup.count(">담당 지역 합계<") == 2
    screen.no_horizontal_scroll()
    screen.close()


@pytest.fixture
def logged(personas, world):
    from bigcare.accesslog import record_access

    record_access(personas.caseworker_a, "view_profile", [world.inside.pk], path="/r/")
    record_access(
        personas.caseworker_a,
        "search",
        [],
        path="/worklist/",
        detail=f"worklist centre={personas.centre_a.code}",
    )
    record_access(personas.nurse_a, "search", [], path="/search/", detail="name=박")


@pytest.mark.parametrize("size", SIZES)
def test_the_auditor_filters_reviews_and_exports_the_log(
    transactional_db, live_server, browser, personas, world, logged, size
):
    from django.utils import timezone

    from bigcare.models import AccessLog

    screen = Screen(browser, live_server.url, size, "auditor")
    screen.go("/audit/access-log/")
    html = screen.snap("log")
    # The date filters say from and to in dates, not "sent from / received by".
    assert "시작일" in html and "종료일" in html and "보낸 곳" not in html
    screen.page.fill("#id_user", "caseworker_a")
    screen.press(screen.page.get_by_role("button", name="조회"))
    screen.page.wait_for_url("**user=caseworker_a*")
    rows = screen.page.locator("section.card table").first.locator("tbody tr")
    users = {rows.nth(i).locator("td").nth(1).inner_text() for i in range(rows.count())}
    assert users == {"caseworker_a"}
    html = screen.snap("filtered")
    assert f"{personas.centre_a.name_ko} 대상자 목록" in html and "centre=" not in html

    screen.page.fill("#export-reason", "12월 정기 점검")
    with screen.page.expect_download() as download:
        screen.press(screen.page.get_by_role("button", name=re.compile("내보내기")))
    book = openpyxl.load_workbook(io.BytesIO(download.value.path().read_bytes()))
    cells = [c for row in book.active.iter_rows(values_only=True) for c in row if c]
    assert "12월 정기 점검" in cells and "nurse_a" not in cells
    assert AccessLog.objects.filter(action="export", username="auditor").count() == 1

    screen.go(f"/audit/review/?month={timezone.localdate():%Y-%m}")
    review = screen.snap("review")
    assert "프로필 조회" in review and "view_profile" not in review
    screen.no_horizontal_scroll()
    screen.close()


@pytest.fixture
def city_source(personas):
    from pathlib import Path

    from intake.actions import define_source, grant_source, read_mapping_file
    from intake.reference import load_reference

    load_reference()
    mappings = Path(__file__).resolve().parents[2] / "intake" / "mappings"
    source = define_source(read_mapping_file(mappings / "city.toml"))[0]
    grant_source(personas.data_admin, source, acting_user=None)
    return source


@pytest.mark.parametrize("size", SIZES)
def test_the_data_administrator_uploads_fixes_rolls_back_and_imports_again(
    transactional_db, live_server, browser, personas, city_source, tmp_path, size, settings
):
    from tests.intake.malformed.make_corpus import city, city_row

    settings.MEDIA_ROOT = tmp_path / "media"
    bad = tmp_path / "city-bad.csv"
    bad.write_bytes(city(city_row(1), city_row(2, 생년월일="1950.13.01")).encode("cp949"))
    fixed = tmp_path / "city-fixed.csv"
    fixed.write_bytes(city(city_row(1), city_row(2), city_row(3)).encode("cp949"))

    screen = Screen(browser, live_server.url, size, "data_admin")
    screen.go(f"/intake/sources/{city_source.pk}/")
    html = screen.snap("source")
    assert "파일 가져오기" in html and "가져오기 이력" in html

    def upload(path) -> str:
        screen.go(f"/intake/sources/{city_source.pk}/")
        screen.page.set_input_files("#file", str(path))
        screen.press(screen.page.get_by_role("button", name="가져오기", exact=True))
        screen.page.wait_for_url("**/intake/runs/*/")
        screen.page.get_by_text("완료").first.wait_for(timeout=60_000)
        return screen.page.url

    first = upload(bad)
    html = screen.snap("rejected")
    # The clerk reads why the row was refused, in Korean, with the format as they write it.
    assert "실제 날짜가 아닙니다" in html and "연도4자리.월2자리.일2자리" in html
    assert "%Y" not in html and "is not" not in html

    screen.press(screen.page.get_by_role("link", name="이 가져오기 되돌리기…"))
    screen.page.wait_for_url("**/rollback")
    assert "이 가져오기를 되돌릴까요?" in screen.snap("rollback-confirm")
    screen.press(screen.page.get_by_role("button", name="되돌리기"))
    screen.page.wait_for_url(first)
    screen.page.get_by_text("되돌림").first.wait_for()
    screen.snap("rolled-back")

    with screen.page.expect_navigation():
        screen.press(screen.page.get_by_role("button", name="이 파일 다시 가져오기"))
    screen.page.wait_for_url(lambda url: url != first and re.search(r"/intake/runs/\d+/$", url))
    screen.page.get_by_text("완료").first.wait_for(timeout=60_000)
    screen.snap("imported-again")

    upload(fixed)
    html = screen.snap("fixed")
    assert "거부된 행" not in html  # every row of the corrected file was accepted
    screen.no_horizontal_scroll()
    screen.close()
