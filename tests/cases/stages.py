"""Walk a case through its stages with the content each one needs (for tests)."""

from __future__ import annotations

from datetime import timedelta

from django.utils import timezone

from cases import actions
from cases.models import Case, Stage


def fill(case: Case, user, supervisor=None) -> Case:
    """Give the current stage what it needs to move on (and its approval, if a supervisor is
    given); returns the case as saved."""
    today = timezone.localdate()
    if case.stage == Stage.INTAKE:
        actions.edit_case(user, case, consultation="혼자 사는 어르신, 소득 감소로 상담 요청")
    elif case.stage == Stage.ASSESSMENT:
        actions.save_assessment(user, case, area="income", level="high", note="연금만 있음")
    elif case.stage == Stage.CONFERENCE:
        actions.add_conference(
            user, case, held_on=today, participants="복지플래너, 방문간호사", decisions="생계 지원"
        )
    elif case.stage == Stage.SERVICE_PLAN:
        if not case.plan_approved_at:
            actions.edit_case(user, case, plan_goals="소득 안정")
            actions.add_service(
                user,
                case,
                facility_name="종로노인복지관",
                description="도시락",
                provider="복지관 사회복지사",
                start=today,
                end=today + timedelta(days=90),
            )
            actions.submit_plan(user, case)
            if supervisor is not None:
                actions.approve_case(supervisor, case)
    elif case.stage == Stage.DELIVERY:
        actions.add_contact(user, case, on=today, kind="phone", note="도시락 잘 받음")
    elif case.stage == Stage.CLOSURE:
        actions.edit_case(
            user,
            case,
            closure_reason="goals_met",
            closure_outcome="소득 안정",
            follow_up_due=today + timedelta(days=30),
        )
        if supervisor is not None and not case.closure_approved_at:
            actions.approve_case(supervisor, case)
    return Case.objects.get(pk=case.pk)


def advance_to(case: Case, user, stage: str, supervisor=None) -> Case:
    """Fill and advance until the case is at ``stage`` (nothing filled in ``stage`` itself)."""
    while case.stage != stage:
        case = actions.advance_case(user, fill(case, user, supervisor))
    return case
