"""A caseworker's day in Debian's Chromium, at desktop (1366×768) and tablet (800×1280) sizes
(#16, "Done when"): search → one-stop page → a joint visit the nurse writes her health notes
into → a case through every stage with its content → a referral → closure and follow-up, with
the supervisor returning an incomplete plan and approving the completed one. Each screen is
checked for what a person would look for (the stage, the Korean message, the alert count) and
for an unmasked RRN; screenshots go to tests/artifacts/day-<size>/ (gitignored)."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from django.utils import timezone

from tests.browser import ARTIFACTS as ROOT
from tests.browser import FULL_RRN, MARKS

pytestmark = MARKS

SIZES = {"desktop": (1366, 768), "tablet": (800, 1280)}


class Person:
    """One signed-in person in their own browser context; keeps every page seen."""

    def __init__(self, browser, base: str, username: str, size: str, pages: list):
        width, height = SIZES[size]
        # A Korean office machine: the browser asks for Korean.
        self.context = browser.new_context(
            viewport={"width": width, "height": height}, locale="ko-KR"
        )
        self.page, self.base, self.who, self.pages = self.context.new_page(), base, username, pages
        self.dir = ROOT / f"day-{size}"
        self.dir.mkdir(parents=True, exist_ok=True)
        self.goto("/accounts/login/")
        self.page.fill("#id_username", username)
        self.page.fill("#id_password", "test-password")
        self.page.click("button[type=submit].primary")
        self.page.wait_for_load_state()

    def goto(self, path: str) -> None:
        response = self.page.goto(self.base + path)
        assert response.status == 200, path

    def click(self, selector: str) -> None:
        self.page.click(selector)
        self.page.wait_for_load_state()

    def snap(self, name: str) -> str:
        html = self.page.content()
        self.pages.append((f"{self.who}/{name}", html))
        shot = self.dir / f"{len(self.pages):02d}-{self.who}-{name}.png"
        self.page.screenshot(path=str(shot), full_page=True)
        return html

    def messages(self) -> str:
        box = self.page.locator("ul.messages")
        return box.inner_text() if box.count() else ""

    def stage(self) -> str:
        return self.page.locator("#stage-h").inner_text()


@pytest.mark.parametrize("size", list(SIZES))
def test_a_caseworkers_day(transactional_db, live_server, browser, personas, world, size):
    from cases.models import Case, Referral, Visit

    pages: list[tuple[str, str]] = []
    today = timezone.localdate()
    resident = world.spare  # 이순자, centre A, no case yet
    cw = Person(browser, live_server.url, "caseworker_a", size, pages)
    assert cw.page.url.endswith("/worklist/")
    assert "알림" in cw.page.locator("header nav").inner_text()
    cw.snap("worklist")

    # search → the one-stop page
    cw.goto("/search/")
    cw.page.fill("#id_q", "이순자")
    cw.page.keyboard.press("Enter")
    link = cw.page.locator(f"#results a[href='/residents/{resident.pk}/']")
    link.wait_for()
    cw.snap("search")
    link.click()
    cw.page.wait_for_url(f"**/residents/{resident.pk}/")
    cw.snap("resident")

    # a joint visit with the nurse
    cw.click(f"a[href='/residents/{resident.pk}/visits/new/']")
    cw.page.select_option("#id_reason", "crisis")
    cw.page.select_option("#id_nurse", str(personas.nurse_a.pk))
    cw.page.select_option("#id_risk", "high")
    cw.page.fill("#id_finding_income", "실직 후 소득 없음")
    cw.page.fill("#id_visited_on", (today + timedelta(days=2)).isoformat())
    cw.click("button[type=submit].primary")
    assert "미래 날짜의 방문은 완료로 기록할 수 없습니다." in cw.snap("visit-in-the-future")
    cw.page.fill("#id_visited_on", today.isoformat())
    cw.click("button[type=submit].primary")
    cw.page.wait_for_url("**/visits/*/")
    assert "저장했습니다." in cw.messages()
    cw.snap("visit")
    visit = Visit.objects.get(resident=resident)
    assert visit.caseworker == personas.caseworker_a and visit.nurse == personas.nurse_a

    # the nurse writes her notes into the same visit
    nurse = Person(browser, live_server.url, "nurse_a", size, pages)
    nurse.goto("/my/visits/")
    nurse.snap("my-visits")
    nurse.click(f"a[href='/visits/{visit.pk}/']")
    nurse.click("#edit-visit")
    nurse.page.fill("#id_health_notes", "혈압 170/100, 복약 중단")
    nurse.snap("visit-edit")
    nurse.click("button[type=submit].primary")
    assert "저장했습니다." in nurse.messages()
    assert "혈압 170/100" in nurse.snap("visit-with-notes")
    assert Visit.objects.filter(resident=resident).count() == 1
    nurse.context.close()

    # the caseworker (not yet the case owner) does not see them; opening the case does
    cw.page.reload()
    assert "혈압" not in cw.page.content()
    cw.page.fill("#summary", "실직 후 생계 위기")
    cw.click("form[action$='/open-case/'] button")
    cw.page.wait_for_url("**/cases/*/")
    case = Case.objects.get(resident=resident)
    assert "초기상담" in cw.stage() and case.stage == "intake"
    cw.snap("case-opened")

    def advance(expect: str) -> None:
        cw.click("#advance")
        assert expect in cw.stage(), cw.messages()

    # intake: cannot move on without the consultation
    cw.click("#advance")
    assert "초기 상담 내용을 기록하십시오" in cw.messages()
    cw.page.fill("#id_consultation", "실직 3개월, 월세 2개월 체납, 혼자 거주")
    cw.click("#consultation button[type=submit]")
    assert "저장했습니다." in cw.messages()
    advance("욕구")
    # assessment by need area
    cw.page.select_option("#assess_area", "income")
    cw.page.select_option("#assess_level", "urgent")
    cw.page.fill("#assess_note", "소득 없음")
    cw.click("#assessment button[type=submit]")
    cw.page.select_option("#assess_area", "housing")
    cw.page.select_option("#assess_level", "high")
    cw.click("#assessment button[type=submit]")
    assert cw.page.locator("#assessment tbody tr").count() == 2
    cw.snap("assessment")
    advance("사례회의")
    # conference
    cw.page.fill("#id_participants", "복지플래너, 방문간호사, 통장")
    cw.page.fill("#id_decisions", "긴급지원 신청, 주거급여 연계")
    cw.click("#conference button[type=submit]")
    cw.snap("conference")
    advance("계획")
    # plan: an empty one is refused, a service ending before it starts is refused in Korean
    cw.click("#submit-plan")
    assert "계획에 목표가 없습니다." in cw.messages()
    cw.page.fill("#id_plan_goals", "3개월 안에 생계 안정")
    cw.click("#goals button[type=submit]")
    cw.page.fill("#id_facility_name", "종로구 주거복지센터")
    cw.page.fill("#id_provider", "주거복지센터 상담사")
    cw.page.fill("#id_start", today.isoformat())
    cw.page.fill("#id_end", (today - timedelta(days=5)).isoformat())
    cw.page.click("#services button[type=submit]")
    cw.page.locator("#services .error").first.wait_for()
    html = cw.snap("service-ends-before-it-starts")
    assert "서비스 종료일은 시작일보다 빠를 수 없습니다." in html and "service_ends" not in html
    cw.page.fill("#id_end", (today + timedelta(days=14)).isoformat())
    cw.page.click("#services button[type=submit]")
    cw.page.locator("#services td", has_text="주거복지센터 상담사").wait_for()
    cw.click("#submit-plan")
    assert "저장했습니다." in cw.messages()
    assert "승인" in cw.snap("plan-submitted")

    # the supervisor is told, returns the plan as incomplete, then approves the completed one
    sup = Person(browser, live_server.url, "supervisor_a", size, pages)
    sup.goto("/supervisor/")
    assert re.search(r"알림\s*\d+", sup.page.locator("header nav").inner_text())
    sup.click("a.alerts-link")
    assert f"사례 #{case.pk} 서비스 계획에 승인이 필요합니다." in sup.snap("inbox")
    sup.click("tr.unread form button")
    sup.page.wait_for_url(f"**/cases/{case.pk}/")
    sup.page.fill("#id_reason", "서비스 기간이 2주로 짧습니다. 생계 지원을 추가하십시오.")
    sup.click("#return-form button")
    assert "관리자가 계획을 반려했습니다" in sup.snap("plan-returned")

    cw.goto(f"/cases/{case.pk}/")
    assert "서비스 기간이 2주로 짧습니다" in cw.page.locator("#returned").inner_text()
    cw.page.fill("#id_facility_name", "종로노인복지관")
    cw.page.fill("#id_provider", "복지관 사회복지사")
    cw.page.fill("#id_start", today.isoformat())
    cw.page.fill("#id_end", (today + timedelta(days=90)).isoformat())
    cw.page.click("#services button[type=submit]")
    cw.page.locator("#services td", has_text="복지관 사회복지사").wait_for()
    cw.click("#submit-plan")
    sup.goto(f"/cases/{case.pk}/")
    sup.click("#approve")
    assert "저장했습니다." in sup.messages()
    sup.snap("plan-approved")

    cw.goto(f"/cases/{case.pk}/")
    advance("제공")
    # delivery and monitoring: a contact, then a referral still pending
    cw.click("#advance")
    assert "상담(모니터링) 기록이 하나 이상" in cw.messages()
    cw.page.select_option("#contact_kind", "phone")
    cw.page.fill("#contact_note", "도시락 배달 시작 확인")
    cw.click("#contacts button[type=submit]")
    cw.snap("contact")
    cw.click(f"a[href='/cases/{case.pk}/refer/']")
    cw.page.fill("#id_facility_name", "종로구 정신건강복지센터")
    cw.page.fill("#id_reason", "우울 선별검사")
    cw.page.fill("#id_consent_note", "서면 동의서")
    cw.click("button[type=submit].primary")
    referral = Referral.objects.get(case=case, facility_name="종로구 정신건강복지센터")
    cw.snap("referral")
    cw.goto(f"/cases/{case.pk}/")
    advance("종결")
    # closure: reason, outcome, follow-up date; not while the referral is pending
    cw.page.select_option("#id_closure_reason", "goals_met")
    cw.page.fill("#id_closure_outcome", "긴급지원과 주거급여 수급, 생계 안정")
    cw.page.fill("#id_follow_up_due", (today + timedelta(days=30)).isoformat())
    cw.click("#closure button[type=submit]")
    sup.goto(f"/cases/{case.pk}/")
    sup.click("#approve")
    assert "처리 대기 중인 의뢰가 있으면 사례를 종결할 수 없습니다." in sup.messages()
    sup.snap("closure-refused")
    cw.goto(f"/referrals/{referral.pk}/")
    cw.click("form[action$='/decide/'] button.primary")  # the facility said yes
    sup.goto(f"/cases/{case.pk}/")
    sup.click("#approve")
    assert "저장했습니다." in sup.messages()
    sup.context.close()

    cw.goto(f"/cases/{case.pk}/")
    advance("사후관리")
    cw.page.fill("#id_follow_up_result", "한 달 뒤 전화: 안정적으로 지냄")
    cw.click("#closure button[type=submit]")
    html = cw.snap("closed")
    assert "저장했습니다." in cw.messages() and "한 달 뒤 전화" in html
    case.refresh_from_db()
    assert case.closed_on == today and case.follow_up_result
    assert list(case.assessments.values_list("area", flat=True)) == ["income", "housing"]
    # 내 사례: still there until the follow-up has its result; the alerts were read
    cw.goto("/my/cases/")
    assert f"/cases/{case.pk}/" not in cw.snap("my-cases")
    cw.context.close()

    for name, html in pages:
        assert not FULL_RRN.search(html), f"an unmasked RRN on {name}"
