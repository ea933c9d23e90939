"""Alerts: who is told what, by which action or nightly job; never by a page view; read and
marked read by their recipient only; the header's count costs one query (#16 item 3)."""

from datetime import timedelta

import pytest
from django.conf import settings
from django.urls import reverse
from django.utils import timezone

from cases import actions
from cases.alerts import crisis_alerts, due_date_alerts
from cases.models import Alert, AlertKind, Stage
from cases.tasks import nightly_alerts
from intake.actions import rollback_run
from tests.cases.factories import CaseFactory, ResidentFactory, link_records
from tests.cases.stages import advance_to, fill

TODAY = timezone.localdate


def _told(user, kind=None) -> list[str]:
    alerts = Alert.objects.filter(user=user)
    if kind:
        alerts = alerts.filter(kind=kind)
    return list(alerts.values_list("text", flat=True))


@pytest.fixture
def quiet(world):
    """The world as built, with the alerts its own set-up made cleared."""
    Alert.objects.all().delete()
    return world


def test_an_incoming_referral_tells_the_receiving_centre(personas, quiet):
    actions.refer_case(
        personas.caseworker_a,
        quiet.case_in,
        kind="referral",
        to_centre=personas.centre_b,
        facility_name="",
        reason="가까운 센터",
        consent_on=TODAY(),
        consent_note="서면",
    )
    told = _told(personas.caseworker_b, AlertKind.REFERRAL)
    assert len(told) == 1 and f"사례 #{quiet.case_in.pk} 의뢰" in told[0]
    # The sender's own centre and a facility referral tell no one.
    assert not _told(personas.caseworker_a) and not _told(personas.nurse_a)


def test_an_incoming_transfer_tells_the_receiving_centre(personas, quiet):
    actions.refer_case(
        personas.caseworker_a,
        quiet.case_in,
        kind="transfer",
        to_centre=personas.centre_b,
        facility_name="",
        reason="전입",
        consent_on=TODAY(),
        consent_note="서면",
    )
    assert "이관 요청" in _told(personas.caseworker_b, AlertKind.TRANSFER)[0]


def test_a_submitted_plan_tells_the_supervisors_and_the_answer_tells_the_owner(personas, quiet):
    cw, sup = personas.caseworker_a, personas.supervisor_district_a
    case = advance_to(quiet.case_in, cw, Stage.SERVICE_PLAN)
    assert not _told(sup)
    case = fill(case, cw)
    assert _told(sup, AlertKind.APPROVAL_NEEDED) == [
        f"사례 #{case.pk} 서비스 계획에 승인이 필요합니다."
    ]
    assert not _told(personas.caseworker_b)  # not a supervisor
    actions.return_plan(sup, case, "기간을 늘리십시오")
    assert "반려되었습니다: 기간을 늘리십시오" in _told(cw, AlertKind.RETURNED)[0]
    actions.submit_plan(cw, case)
    actions.approve_case(sup, case)
    assert _told(cw, AlertKind.APPROVED) == [f"사례 #{case.pk} 서비스 계획이 승인되었습니다."]


def test_a_closure_ready_for_approval_tells_the_supervisors(personas, quiet):
    cw, sup = personas.caseworker_a, personas.supervisor_district_a
    for r in quiet.case_in.referrals.all():
        if r.is_live:
            actions.end_referral(cw, r)
    case = advance_to(quiet.case_in, cw, Stage.CLOSURE, sup)
    Alert.objects.all().delete()
    actions.edit_case(cw, case, closure_reason="goals_met")  # incomplete: nobody told yet
    assert not _told(sup)
    fill(case, cw)
    assert _told(sup, AlertKind.APPROVAL_NEEDED) == [f"사례 #{case.pk} 종결에 승인이 필요합니다."]


def test_residents_sent_to_visits_tell_the_centres_caseworkers(personas, quiet):
    items = [i.pk for i in quiet.report_in.items.all()]
    quiet.report_in.items.update(sent_at=None)
    actions.send_to_visits(personas.supervisor_district_a, quiet.report_in, items)
    assert _told(personas.caseworker_a, AlertKind.SENT_TO_VISITS)
    assert not _told(personas.caseworker_b)


def test_due_dates_within_three_days_are_told_once(personas, quiet):
    soon = CaseFactory(
        resident=ResidentFactory(name="기한임박", home_centre=personas.centre_a),
        owner=personas.caseworker_a,
        stage_due=TODAY() + timedelta(days=3),
    )
    later = CaseFactory(
        resident=ResidentFactory(name="기한여유", home_centre=personas.centre_a),
        owner=personas.caseworker_a,
        stage_due=TODAY() + timedelta(days=4),
    )
    follow = CaseFactory(
        resident=ResidentFactory(name="사후관리", home_centre=personas.centre_a),
        owner=personas.caseworker_b,
        stage="follow_up",
        closed_on=TODAY() - timedelta(days=80),
        follow_up_due=TODAY() + timedelta(days=1),
    )
    due_date_alerts()
    due_date_alerts()  # the job twice: nobody told twice
    told = _told(personas.caseworker_a, AlertKind.DUE_SOON)
    assert any(f"사례 #{soon.pk}" in t for t in told)
    assert not any(f"사례 #{later.pk}" in t for t in told)
    assert len([t for t in told if f"사례 #{soon.pk}" in t]) == 1
    assert _told(personas.caseworker_b, AlertKind.DUE_SOON) == [
        f"사례 #{follow.pk}: 사후관리 기한이 {follow.follow_up_due.isoformat()}입니다."
    ]


def test_a_new_crisis_signal_tells_the_caseworkers_of_the_residents_centre(personas, quiet):
    resident = ResidentFactory(name="위기가구", home_centre=personas.centre_a)
    records = link_records(resident, 1)
    records[0].run.__class__.objects.filter(pk=records[0].run_id).update(finished_at=timezone.now())
    crisis_alerts()
    crisis_alerts()
    told = _told(personas.caseworker_a, AlertKind.CRISIS)
    assert told == ["담당 동주민센터 주민에게 새 위기 신호가 있습니다 (2025-1)."]
    assert Alert.objects.get(user=personas.caseworker_a).url == f"/residents/{resident.pk}/"
    assert not _told(personas.caseworker_b) and not _told(personas.nurse_a)
    # A rolled-back import's signal is nobody's news.
    other = ResidentFactory(name="취소된신호", home_centre=personas.centre_a)
    rolled = link_records(other, 1)[0]
    rolled.run.__class__.objects.filter(pk=rolled.run_id).update(finished_at=timezone.now())
    rollback_run(rolled.run, None)
    crisis_alerts()
    assert len(_told(personas.caseworker_a, AlertKind.CRISIS)) == 1


def test_the_nightly_job_is_scheduled_and_runs_both(personas, quiet):
    tasks = {entry["task"] for entry in settings.CELERY_BEAT_SCHEDULE.values()}
    assert "cases.nightly_alerts" in tasks
    CaseFactory(
        resident=ResidentFactory(name="내일마감", home_centre=personas.centre_a),
        owner=personas.caseworker_a,
        stage_due=TODAY() + timedelta(days=1),
    )
    assert nightly_alerts() >= 1 and _told(personas.caseworker_a, AlertKind.DUE_SOON)


def test_page_views_make_no_alerts(client, personas, quiet):
    CaseFactory(
        resident=ResidentFactory(name="내일마감", home_centre=personas.centre_a),
        owner=personas.caseworker_a,
        stage_due=TODAY() + timedelta(days=1),
    )
    client.force_login(personas.caseworker_a)
    for name, args in [
        ("cases:my_cases", []),
        ("cases:worklist", []),
        ("cases:alerts", []),
        ("cases:case", [quiet.case_in.pk]),
        ("cases:resident", [quiet.inside.pk]),
    ]:
        assert client.get(reverse(name, args=args)).status_code == 200
    assert not Alert.objects.exists()


def test_an_alert_is_read_by_its_recipient_only(client, personas, quiet):
    mine = Alert.objects.create(
        user=personas.caseworker_a, kind="due_soon", text="곧 마감", url="/my/cases/"
    )
    theirs = Alert.objects.create(user=personas.caseworker_b, kind="due_soon", text="남의 알림")
    client.force_login(personas.caseworker_a)
    inbox = client.get(reverse("cases:alerts")).content.decode()
    assert "곧 마감" in inbox and "남의 알림" not in inbox
    assert client.post(reverse("cases:alert_read", args=[theirs.pk])).status_code == 404
    response = client.post(reverse("cases:alert_read", args=[mine.pk]))
    assert response.status_code == 302 and response["Location"] == "/my/cases/"
    mine.refresh_from_db()
    theirs.refresh_from_db()
    assert mine.read_at and not theirs.read_at
    Alert.objects.create(user=personas.caseworker_a, kind="due_soon", text="또")
    client.post(reverse("cases:alerts_read_all"))
    assert not Alert.objects.filter(user=personas.caseworker_a, read_at__isnull=True).exists()
    assert not Alert.objects.get(pk=theirs.pk).read_at


def test_the_header_counts_unread_alerts_in_one_query(
    client, personas, quiet, django_assert_num_queries
):
    client.force_login(personas.caseworker_a)
    url = reverse("cases:my_visits")
    client.get(url)
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as none:
        html = client.get(url).content.decode()
    assert 'class="badge"' not in html
    Alert.objects.bulk_create(
        [Alert(user=personas.caseworker_a, kind="due_soon", text=f"#{i}") for i in range(30)]
    )
    Alert.objects.create(user=personas.caseworker_b, kind="due_soon", text="남의 것")
    with django_assert_num_queries(len(none)):
        html = client.get(url).content.decode()
    assert 'title="읽지 않은 알림">30</span>' in html
    counts = [q for q in none.captured_queries if "cases_alert" in q["sql"]]
    assert len(counts) == 1
