"""The Content-Security-Policy holds on the main pages in Debian's Chromium (#12 item 15).

Every page is served with a policy that allows this site's own files only, and none of them, nor
htmx's swaps and polling, nor the select that submits its form, trips it: a violation would mean
either an inline script or style the policy blocks (a broken page) or a policy too loose.
"""

from __future__ import annotations

from tests.browser import MARKS

pytestmark = MARKS

# Records every violation the page reports, before any of its own scripts run.
WATCH = """
window.__csp = [];
document.addEventListener("securitypolicyviolation", (e) => {
  window.__csp.push(`${e.violatedDirective} ${e.blockedURI} ${e.sourceFile}:${e.lineNumber}`);
});
"""


class Visitor:
    def __init__(self, browser, base: str, username: str):
        self.context = browser.new_context(viewport={"width": 1280, "height": 800})
        self.context.add_init_script(WATCH)
        self.page, self.base, self.seen = self.context.new_page(), base, {}
        self.console: list[str] = []
        self.page.on("console", lambda m: self.console.append(m.text))
        self.open("/accounts/login/")
        self.page.fill("#id_username", username)
        self.page.fill("#id_password", "test-password")
        self.page.click("button[type=submit].primary")
        self.page.wait_for_load_state()

    def open(self, path: str) -> None:
        response = self.page.goto(self.base + path)
        assert response.status == 200, path
        policy = response.headers.get("content-security-policy", "")
        assert "script-src 'self'" in policy and "style-src 'self'" in policy, path
        assert "unsafe-inline" not in policy and "unsafe-eval" not in policy, path
        self.check(path)

    def check(self, where: str) -> None:
        self.page.wait_for_load_state("networkidle")
        self.seen[where] = self.page.evaluate("window.__csp")

    def violations(self) -> dict:
        found = {where: v for where, v in self.seen.items() if v}
        blocked = [m for m in self.console if "Content Security Policy" in m]
        return found | ({"console": blocked} if blocked else {})


def test_main_pages_show_no_policy_violation(
    transactional_db, live_server, browser, personas, world
):
    from intake.models import RunStatus

    world.run_in.status = RunStatus.LOADING  # its page polls every second
    world.run_in.save(update_fields=["status"])

    caseworker = Visitor(browser, live_server.url, "caseworker_a")
    for path in (
        "/worklist/",
        "/search/",
        f"/residents/{world.inside.pk}/",
        f"/residents/{world.inside.pk}/visits/new/",
        f"/visits/{world.visit_in.pk}/",
        f"/cases/{world.case_in.pk}/",
        f"/referrals/{world.referral_in.pk}/",
        "/referrals/",
        "/cases/overdue/",
    ):
        caseworker.open(path)
    # htmx: the search form posts and swaps the results in.
    caseworker.open("/search/")
    caseworker.page.fill("#id_q", "김영희")
    caseworker.page.keyboard.press("Enter")
    caseworker.page.locator(f"#results a[href='/residents/{world.inside.pk}/']").wait_for()
    caseworker.check("search results")
    # The language select submits its form from static/bigcare.js, not an inline handler.
    caseworker.page.select_option("#lang", "en")
    caseworker.page.wait_for_load_state()
    caseworker.page.get_by_text("Find a resident").first.wait_for()
    caseworker.check("language change")

    supervisor = Visitor(browser, live_server.url, "supervisor_a")
    for path in (
        "/supervisor/",
        "/reports/",
        f"/reports/{world.report_in.pk}/",
        "/matching/review/",
        "/dashboard/",
    ):
        supervisor.open(path)
    supervisor.page.select_option("#figure", index=1)
    supervisor.page.wait_for_url("**/dashboard/?figure=*")
    supervisor.check("dashboard figure")

    admin = Visitor(browser, live_server.url, "data_admin")
    for path in (
        "/intake/",
        f"/intake/sources/{world.source_in.pk}/",
        f"/intake/runs/{world.run_in.pk}/",
        "/rules/",
    ):
        admin.open(path)
    admin.page.wait_for_timeout(2500)  # two polls of the progress fragment
    admin.check("run progress polling")

    for visitor in (caseworker, supervisor, admin):
        assert visitor.violations() == {}
        visitor.context.close()
