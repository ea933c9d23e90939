"""A supervisor's month in Debian's Chromium: open the eligibility report, approve it, send a
resident to visits, download the Excel file, which opens with openpyxl and holds the listed
residents. Screenshots go to tests/artifacts/report-walk/."""

from __future__ import annotations

import io

from tests.browser import ARTIFACTS as ROOT
from tests.browser import FULL_RRN, MARKS

ARTIFACTS = ROOT / "report-walk"
pytestmark = MARKS


def test_a_supervisor_approves_sends_and_exports(
    transactional_db, live_server, browser, personas, world
):
    import openpyxl

    from bigcare.models import AccessLog
    from cases.models import ReportItem, WorklistEntry

    report = world.report_in
    report.status = "reviewed"
    report.save(update_fields=["status"])
    ReportItem.objects.filter(report=report).update(sent_at=None)
    ARTIFACTS.mkdir(parents=True, exist_ok=True)

    context = browser.new_context(viewport={"width": 1280, "height": 800}, accept_downloads=True)
    page = context.new_page()
    page.goto(live_server.url + "/accounts/login/")
    page.fill("#id_username", "supervisor_a")
    page.fill("#id_password", "test-password")
    page.click("button[type=submit].primary")
    page.wait_for_load_state()

    page.goto(live_server.url + "/reports/")
    page.click(f"#reports a[href='/reports/{report.pk}/']")
    page.wait_for_url(f"**/reports/{report.pk}/")
    assert world.inside.name in page.content()
    page.screenshot(path=str(ARTIFACTS / "01-report.png"), full_page=True)

    page.fill("#id_comment", "검토 완료, 위기가구 우선 방문")
    page.click("#advance")
    page.wait_for_load_state()
    report.refresh_from_db()
    assert report.status == "approved"

    page.check(f"input[name=item][value='{report.items.get().pk}']")
    page.click("#send-button")
    page.wait_for_load_state()
    assert WorklistEntry.objects.filter(resident=world.inside, reason="screening").exists()
    page.screenshot(path=str(ARTIFACTS / "02-sent.png"), full_page=True)

    page.fill("#id_reason", "월간 사각지대 점검 회의")
    with page.expect_download() as info:
        page.click("#export-xlsx")
    download = info.value
    path = ARTIFACTS / "report.xlsx"
    download.save_as(str(path))
    sheet = openpyxl.load_workbook(io.BytesIO(path.read_bytes())).active
    rows = list(sheet.iter_rows(values_only=True))
    # Under the title block, one line per listed resident: name and masked RRN, no internal id.
    # (The browser asks for its own language, so the header may be either.)
    header = next(i for i, r in enumerate(rows) if r[0] in ("우선순위", "Priority"))
    assert [(r[1], r[2]) for r in rows[header + 1 :]] == [
        (world.inside.name, world.inside.rrn_masked)
    ]
    assert AccessLog.objects.get(action="export").reason == "월간 사각지대 점검 회의"
    assert not FULL_RRN.search(page.content())
    context.close()
