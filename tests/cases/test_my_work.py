"""내 사례, my visits by week, the joint visit both members write into, visit edits with
history, worklists paged and sorted, the crisis list fed by the report's signals, newborn
households (#16 item 2)."""

from datetime import date, timedelta

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone

from cases import actions
from cases.models import Visit, VisitReason, VisitRevision
from intake.actions import rollback_run
from tests.cases.factories import CaseFactory, ResidentFactory, VisitFactory, link_records

TODAY = timezone.localdate


def _html(client, name, **params) -> str:
    return client.get(reverse(name), params).content.decode()


# ---------------------------------------------------------------------------------------------
# 내 사례


def test_my_cases_lists_mine_with_the_overdue_first(
    client, personas, world, django_assert_max_num_queries
):
    cw = personas.caseworker_a
    late = CaseFactory(
        resident=ResidentFactory(name="늦은사례", home_centre=personas.centre_a),
        owner=cw,
        stage_due=TODAY() - timedelta(days=3),
    )
    following = CaseFactory(
        resident=ResidentFactory(name="사후관리중", home_centre=personas.centre_a),
        owner=cw,
        stage="follow_up",
        closed_on=TODAY() - timedelta(days=10),
        follow_up_due=TODAY() + timedelta(days=20),
    )
    done = CaseFactory(
        resident=ResidentFactory(name="끝난사례", home_centre=personas.centre_a),
        owner=cw,
        stage="follow_up",
        closed_on=TODAY() - timedelta(days=100),
        follow_up_due=TODAY() - timedelta(days=10),
        follow_up_result="안정",
    )
    colleague = CaseFactory(
        resident=ResidentFactory(name="동료사례", home_centre=personas.centre_a),
        owner=personas.nurse_a,
    )
    client.force_login(cw)
    _html(client, "cases:my_cases")
    with django_assert_max_num_queries(14):
        html = _html(client, "cases:my_cases")
    links = [reverse("cases:case", args=[c.pk]) for c in (late, world.case_in, following)]
    positions = [html.index(u) for u in links]
    assert positions == sorted(positions), "overdue first, then by the next due date"
    assert "기한 초과" in html and following.follow_up_due.isoformat() in html
    for c in (done, colleague):
        assert reverse("cases:case", args=[c.pk]) not in html
    client.force_login(personas.caseworker_b)
    assert reverse("cases:case", args=[late.pk]) not in _html(client, "cases:my_cases")


# ---------------------------------------------------------------------------------------------
# my visits, a week at a time


def test_my_visits_shows_the_week_planned_and_done(client, personas, world):
    monday = TODAY() - timedelta(days=TODAY().weekday())
    planned = VisitFactory(
        resident=world.inside,
        caseworker=personas.caseworker_a,
        nurse=personas.nurse_a,
        created_by=personas.caseworker_a,
        visited_on=monday + timedelta(days=6),
        status="planned",
    )
    last_week = VisitFactory(
        resident=world.inside,
        caseworker=personas.caseworker_a,
        created_by=personas.caseworker_a,
        visited_on=monday - timedelta(days=1),
    )
    client.force_login(personas.caseworker_a)
    html = _html(client, "cases:my_visits")
    assert reverse("cases:visit", args=[planned.pk]) in html
    assert reverse("cases:visit", args=[world.visit_in.pk]) in html  # done today
    assert reverse("cases:visit", args=[last_week.pk]) not in html
    assert "예정" in html and "완료" in html
    earlier = _html(client, "cases:my_visits", week=(monday - timedelta(days=7)).isoformat())
    assert reverse("cases:visit", args=[last_week.pk]) in earlier
    # The nurse of the pair sees the joint visit in her week too.
    client.force_login(personas.nurse_a)
    assert reverse("cases:visit", args=[planned.pk]) in _html(client, "cases:my_visits")
    client.force_login(personas.caseworker_b)
    assert reverse("cases:visit", args=[planned.pk]) not in _html(client, "cases:my_visits")


def test_a_visit_dated_in_the_future_cannot_be_recorded_as_done(client, personas, world):
    tomorrow = TODAY() + timedelta(days=1)
    with pytest.raises(ValidationError) as e:
        actions.record_visit(
            personas.caseworker_a,
            world.inside,
            visited_on=tomorrow,
            status="done",
            reason="crisis",
            caseworker=personas.caseworker_a,
        )
    assert e.value.messages == ["미래 날짜의 방문은 완료로 기록할 수 없습니다."]
    client.force_login(personas.caseworker_a)
    data = {
        "visited_on": tomorrow.isoformat(),
        "status": "done",
        "reason": "crisis",
        "caseworker": personas.caseworker_a.pk,
        "risk": "low",
    }
    url = reverse("cases:visit_new", args=[world.inside.pk])
    assert "미래 날짜의 방문은 완료로" in client.post(url, data).content.decode()
    assert Visit.objects.filter(visited_on=tomorrow).count() == 0
    client.post(url, {**data, "status": "planned"})
    assert Visit.objects.get(visited_on=tomorrow).status == "planned"


# ---------------------------------------------------------------------------------------------
# the joint visit and its edits


def _edit_data(visit, **extra) -> dict:
    return {
        "visited_on": visit.visited_on.isoformat(),
        "status": visit.status,
        "reason": visit.reason,
        "nurse": visit.nurse_id or "",
        "risk": visit.risk,
        "notes": visit.notes,
        **extra,
    }


def test_the_nurse_writes_health_notes_into_the_caseworkers_visit(client, personas, world):
    visit = VisitFactory(
        resident=world.inside,
        caseworker=personas.caseworker_a,
        nurse=personas.nurse_a,
        created_by=personas.caseworker_a,
        health_notes="",
        notes="혼자 지냄",
    )
    url = reverse("cases:visit_edit", args=[visit.pk])
    client.force_login(personas.nurse_a)
    response = client.post(url, _edit_data(visit, health_notes="혈압 160/100"), follow=True)
    assert "저장했습니다." in response.content.decode()
    visit.refresh_from_db()
    assert visit.health_notes == "혈압 160/100" and visit.notes == "혼자 지냄"
    assert Visit.objects.filter(resident=world.inside).count() == 2  # no second visit
    # The caseworker (not the case owner) cannot see or write health notes.
    client.force_login(personas.caseworker_a)
    assert "혈압" not in client.get(url).content.decode()
    client.post(url, _edit_data(visit, notes="혼자 지냄, 이웃 왕래", health_notes="지움"))
    visit.refresh_from_db()
    assert visit.health_notes == "혈압 160/100" and visit.notes == "혼자 지냄, 이웃 왕래"
    page = client.get(reverse("cases:visit", args=[visit.pk])).content.decode()
    assert "수정 이력" in page and "혼자 지냄" in page and "혈압" not in page


def test_a_visit_edit_keeps_the_old_values(personas, world):
    visit = world.visit_in
    actions.edit_visit(personas.caseworker_a, visit, risk="urgent", notes="다시 봄")
    revision = VisitRevision.objects.get(visit=visit)
    assert revision.by == personas.caseworker_a
    assert revision.before == {"risk": "low", "notes": ""}
    actions.edit_visit(personas.caseworker_a, visit, risk="urgent")  # nothing changed
    assert VisitRevision.objects.filter(visit=visit).count() == 1
    with pytest.raises(ValidationError):
        actions.edit_visit(
            personas.caseworker_a, visit, visited_on=TODAY() + timedelta(days=3), status="done"
        )


@pytest.mark.parametrize("persona", ["caseworker_b", "data_admin", "outsider"])
def test_others_cannot_edit_a_visit(client, personas, world, persona):
    client.force_login(getattr(personas, persona))
    url = reverse("cases:visit_edit", args=[world.visit_in.pk])
    assert client.post(url, _edit_data(world.visit_in, notes="x")).status_code == 404
    assert not VisitRevision.objects.exists()


# ---------------------------------------------------------------------------------------------
# worklists


def test_worklists_page_past_fifty_and_sort(client, personas, world):
    year = TODAY().year - 65
    people = [
        ResidentFactory(
            name=f"가{i:02d}",
            birth_date=date(year, 1, 1) + timedelta(days=i),
            home_centre=personas.centre_a,
        )
        for i in range(60)
    ]
    client.force_login(personas.caseworker_a)
    first = _html(client, "cases:worklist")
    assert "(60)" in first and "1 / 2" in first
    assert reverse("cases:resident", args=[people[0].pk]) in first
    assert reverse("cases:resident", args=[people[55].pk]) not in first
    second = _html(client, "cases:worklist", **{"turning_65-page": 2})
    assert reverse("cases:resident", args=[people[55].pk]) in second
    assert reverse("cases:resident", args=[people[0].pk]) not in second
    youngest = _html(client, "cases:worklist", sort="-birth")
    assert reverse("cases:resident", args=[people[59].pk]) in youngest
    assert reverse("cases:resident", args=[people[0].pk]) not in youngest


def _crisis_rows(client) -> str:
    html = _html(client, "cases:worklist")
    return html[html.index('id="list-crisis"') : html.index('id="list-screening"')]


def test_the_crisis_list_reads_the_reports_signals_and_a_rollback_empties_it(
    client, personas, world
):
    from cases.screening import read_inputs

    old = ResidentFactory(name="오래된신호", home_centre=personas.centre_a)
    records = link_records(old, 1)
    # An old signal still counts, as it does in the screening report.
    records[0].signals.update(observed_on=TODAY() - timedelta(days=700))
    client.force_login(personas.caseworker_a)
    listed = _crisis_rows(client)
    crisis_ids = set(read_inputs(TODAY()).crisis_ids.tolist())
    for r in (old, world.spare):
        assert (reverse("cases:resident", args=[r.pk]) in listed) == (r.pk in crisis_ids)
    assert old.pk in crisis_ids
    rollback_run(records[0].run, None)
    assert reverse("cases:resident", args=[old.pk]) not in _crisis_rows(client)
    assert old.pk not in set(read_inputs(TODAY()).crisis_ids.tolist())


def test_newborn_means_a_household_with_a_newborn(client, personas, world):
    address = "서울특별시 종로구 평창문화로 10, 101동 202호"
    mother = ResidentFactory(
        name="엄마", birth_date=date(1992, 5, 5), home_centre=personas.centre_a, address=address
    )
    father = ResidentFactory(
        name="아빠", birth_date=date(1990, 5, 5), home_centre=personas.centre_a, address=address
    )
    baby = ResidentFactory(
        name="아기",
        birth_date=TODAY() - timedelta(days=30),
        home_centre=personas.centre_a,
        address=address,
    )
    one_year_old = ResidentFactory(
        name="돌지난아이", birth_date=TODAY() - timedelta(days=400), home_centre=personas.centre_a
    )
    assert baby.unit_key and baby.unit_key == mother.unit_key
    client.force_login(personas.caseworker_a)
    html = _html(client, "cases:worklist")
    births = html[html.index('id="list-birth"') : html.index('id="list-crisis"')]
    # One row for the household, visited at its eldest member; not the baby, not the mother.
    assert reverse("cases:resident", args=[father.pk]) in births
    for r in (mother, baby, one_year_old):
        assert reverse("cases:resident", args=[r.pk]) not in births
    VisitFactory(
        resident=mother,
        reason=VisitReason.BIRTH,
        caseworker=personas.caseworker_a,
        created_by=personas.caseworker_a,
    )
    html = _html(client, "cases:worklist")
    births = html[html.index('id="list-birth"') : html.index('id="list-crisis"')]
    assert reverse("cases:resident", args=[father.pk]) not in births
