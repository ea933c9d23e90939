"""The monthly eligibility report: made from a screening, reviewed, approved, sent to visits,
outcomes recorded; scoped to supervisors of the centre, checked on every write."""

from datetime import date

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse

from cases import actions
from cases.models import EligibilityReport, ReportItem, VisitReason, WorklistEntry
from cases.rules import load_rules
from cases.screening import run_screening
from tests.cases.screening_world import ON, ministry_run, person

pytestmark = pytest.mark.django_db


@pytest.fixture
def report(personas):
    load_rules()
    run = ministry_run()
    person(personas.centre_a, run=run, name="이순자", income=800_000, crisis=True)
    for i in range(3):
        person(personas.centre_a, run=run, name=f"박민{i}", income=1_000_000)
    # 장애인연금's thresholds are unverified (U): the report must flag them.
    person(personas.centre_a, run=run, name="정하늘", income=1_000_000, disability="severe")
    person(personas.centre_other_district, run=run, name="최먼곳", income=800_000)
    run_screening(ON)
    assert actions.make_reports(date(2026, 6, 15)) == 2
    return EligibilityReport.objects.get(centre=personas.centre_a)


def test_reports_are_made_per_centre_once_a_month(report, personas):
    assert report.month == date(2026, 6, 1) and report.status == "draft"
    assert actions.make_reports(date(2026, 6, 30)) == 0
    items = list(report.items.order_by("-priority", "pk"))
    assert items[0].priority == 2 and items[0].resident.name == "이순자"  # crisis first
    programmes = {i.programme for i in items}
    assert programmes >= {"B01", "B02", "B03", "P02"}
    assert "SEOUL_BASIC" not in programmes  # blind_spot = false in the rules


def test_draft_reviewed_approved_with_comments(report, personas):
    sup = personas.supervisor_district_a
    actions.advance_report(sup, report, "looked at the crisis households first")
    actions.advance_report(sup, report)
    report.refresh_from_db()
    assert report.status == "approved" and report.approved_by == sup
    assert list(report.comments.values_list("status", "text")) == [
        ("draft", "looked at the crisis households first")
    ]
    with pytest.raises(ValidationError):
        actions.advance_report(sup, report)


@pytest.mark.parametrize(
    "who", ["caseworker_a", "nurse_a", "caseworker_b", "data_admin", "auditor", "outsider"]
)
def test_only_supervisors_review(report, personas, who):
    user = getattr(personas, who)
    with pytest.raises(PermissionDenied):
        actions.advance_report(user, report)
    with pytest.raises(PermissionDenied):
        actions.send_to_visits(user, report, [])


def test_sending_needs_approval_then_fills_the_worklist_once(report, personas, client):
    sup = personas.supervisor_district_a
    chosen = list(report.items.filter(resident__name="이순자").values_list("pk", flat=True))
    with pytest.raises(ValidationError):
        actions.send_to_visits(sup, report, chosen)
    actions.advance_report(sup, report)
    actions.advance_report(sup, report)
    assert actions.send_to_visits(sup, report, chosen) == len(chosen)
    assert actions.send_to_visits(sup, report, chosen) == 0  # not twice
    entry = WorklistEntry.objects.get()
    assert entry.reason == VisitReason.SCREENING and entry.centre == personas.centre_a
    client.force_login(personas.caseworker_a)
    html = client.get(reverse("cases:worklist")).content.decode()
    assert "이순자" in html and 'id="wl-screening"' in html


def test_an_outcome_is_recorded_by_the_centre(report, personas):
    sup = personas.supervisor_district_a
    actions.advance_report(sup, report)
    actions.advance_report(sup, report)
    item = report.items.first()
    with pytest.raises(ValidationError):
        actions.record_outcome(personas.caseworker_a, item, "enrolled")  # not sent yet
    actions.send_to_visits(sup, report, [item.pk])
    item.refresh_from_db()
    with pytest.raises(PermissionDenied):
        actions.record_outcome(personas.caseworker_b, item, "enrolled")
    actions.record_outcome(personas.caseworker_a, item, "enrolled")
    assert ReportItem.objects.get(pk=item.pk).outcome == "enrolled"


def test_another_districts_report_is_a_404(report, personas, client):
    other = EligibilityReport.objects.exclude(pk=report.pk).get()
    client.force_login(personas.supervisor_district_a)
    assert client.get(reverse("cases:report", args=[other.pk])).status_code == 404
    assert client.post(reverse("cases:report_advance", args=[other.pk])).status_code == 404
    other.refresh_from_db()
    assert other.status == "draft"


def test_the_report_page_explains_and_costs_the_same_whatever_its_length(
    report, personas, client, django_assert_max_num_queries
):
    client.force_login(personas.supervisor_district_a)
    url = reverse("cases:report", args=[report.pk])
    client.get(url)
    with django_assert_max_num_queries(14):
        html = client.get(url).content.decode()
    assert "₩820,556" in html and "flag-u" in html  # 장애인연금 is unverified
    for i in range(3, 40):
        person(personas.centre_a, name=f"박민{i}", income=1_000_000)
    EligibilityReport.objects.all().delete()
    run_screening(ON)
    actions.make_reports(date(2026, 6, 1))
    big = EligibilityReport.objects.get(centre=personas.centre_a)
    with django_assert_max_num_queries(14):
        client.get(reverse("cases:report", args=[big.pk]))


def test_rollup_and_dashboard_have_bounded_queries(
    report, personas, client, django_assert_max_num_queries
):
    client.force_login(personas.supervisor_district_a)
    client.get(reverse("cases:rollup"))
    with django_assert_max_num_queries(14):
        html = client.get(reverse("cases:rollup")).content.decode()
    assert "종로구" in html
    with django_assert_max_num_queries(18):
        html = client.get(reverse("cases:dashboard")).content.decode()
    assert "<path" in html and "SGIS" in html and "CC BY 4.0" in html


def test_the_report_list_has_bounded_queries(
    report, personas, client, django_assert_max_num_queries
):
    client.force_login(personas.supervisor_district_a)
    client.get(reverse("cases:reports"))
    with django_assert_max_num_queries(10):
        html = client.get(reverse("cases:reports")).content.decode()
    assert f"/reports/{report.pk}/" in html
    assert "최먼곳" not in html  # the other district's report is not listed
