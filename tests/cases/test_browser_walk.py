"""A caseworker's day in Debian's Chromium: sign in → search with a typo → one-stop page →
record a visit → open a case; a caseworker of another centre gets a 404. Every rendered page of
the walk is dumped and searched for an unmasked RRN; screenshots go to tests/artifacts/."""

from __future__ import annotations

from tests.browser import ARTIFACTS as ROOT
from tests.browser import FULL_RRN, MARKS

ARTIFACTS = ROOT / "cases-walk"
pytestmark = MARKS


class Walk:
    """Keeps every page it sees, in order, for the RRN check."""

    def __init__(self, page, base: str, who: str):
        self.page, self.base, self.who, self.pages = page, base, who, []
        ARTIFACTS.mkdir(parents=True, exist_ok=True)

    def snap(self, name: str) -> str:
        html = self.page.content()
        self.pages.append((name, html))
        stem = ARTIFACTS / f"{self.who}-{len(self.pages):02d}-{name}"
        stem.with_suffix(".html").write_text(html, encoding="utf-8")
        self.page.screenshot(path=str(stem.with_suffix(".png")), full_page=True)
        return html

    def sign_in(self, username: str) -> None:
        self.page.goto(self.base + "/accounts/login/")
        self.page.fill("#id_username", username)
        self.page.fill("#id_password", "test-password")
        self.page.click("button[type=submit].primary")
        self.page.wait_for_load_state()


def test_a_caseworker_walks_from_search_to_a_case(
    transactional_db, live_server, browser, personas, world
):
    from cases.models import Case, Visit

    context = browser.new_context(viewport={"width": 1280, "height": 800})  # a 10-inch tablet
    walk = Walk(context.new_page(), live_server.url, "a")

    walk.sign_in("caseworker_a")
    assert walk.page.url.endswith("/worklist/")
    walk.snap("worklist")

    walk.page.goto(live_server.url + "/search/")
    walk.page.fill("#id_q", "김영히")  # a typo for 김영희
    walk.page.keyboard.press("Enter")
    link = walk.page.locator(f"#results a[href='/residents/{world.inside.pk}/']")
    link.wait_for()
    assert walk.page.locator(f"#results a[href='/residents/{world.outside.pk}/']").count() == 0
    walk.snap("search")

    link.click()
    walk.page.wait_for_url(f"**/residents/{world.inside.pk}/")
    html = walk.snap("resident")
    assert "500301-2******" in html

    walk.page.click(f"a[href='/residents/{world.inside.pk}/visits/new/']")
    walk.page.select_option("#id_reason", "turning_65")
    walk.page.select_option("#id_nurse", str(personas.nurse_a.pk))
    walk.page.select_option("#id_risk", "high")
    walk.page.fill("#id_finding_income", "연금만 있음")
    walk.snap("visit-form")
    walk.page.click("button[type=submit].primary")
    walk.page.wait_for_url("**/visits/*/")
    walk.snap("visit")
    visit = Visit.objects.latest("pk")
    assert visit.caseworker == personas.caseworker_a and visit.nurse == personas.nurse_a

    walk.page.fill("#summary", "소득 위기")
    # 김영희 has an open case already (the world's): another one needs a stated reason.
    walk.page.fill("#second_case_reason", "가구원 돌봄 위기, 별도 관리")
    walk.page.click("form[action$='/open-case/'] button")
    walk.page.wait_for_url("**/cases/*/")
    walk.snap("case")
    case = Case.objects.get(visits=visit)
    assert case.summary == "소득 위기" and case.owner == personas.caseworker_a
    assert case.second_case_reason == "가구원 돌봄 위기, 별도 관리"

    other = browser.new_context()
    walk_b = Walk(other.new_page(), live_server.url, "b")
    walk_b.sign_in("caseworker_b")
    response = walk_b.page.goto(f"{live_server.url}/residents/{world.inside.pk}/")
    assert response.status == 404
    walk_b.snap("other-centre-404")
    other.close()
    context.close()

    for name, page_html in walk.pages + walk_b.pages:
        assert not FULL_RRN.search(page_html), f"an unmasked RRN in the {name} page"
