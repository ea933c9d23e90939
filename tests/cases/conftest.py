"""A small world for the caseworker screens: one resident inside centre A, one outside."""

from __future__ import annotations

from dataclasses import dataclass

import pytest
from django.utils import timezone

from bigcare.actions import end_membership
from cases import actions
from cases.models import Alert
from intake.actions import grant_source
from matching.models import ResidentChange, ReviewItem
from tests.cases.factories import (
    CaseFactory,
    DataSourceFactory,
    ImportRunFactory,
    ResidentFactory,
    VisitFactory,
    link_records,
)

INSIDE_RRN = "500301-2345678"
OUTSIDE_RRN = "520505-1876543"


@dataclass
class World:
    inside: object  # resident of centre A
    outside: object  # resident of a centre in another district
    visit_in: object
    visit_out: object
    case_in: object
    case_out: object
    referral_in: object  # case_in referred to a facility (decided by centre A)
    referral_out: object
    review_in: object  # an uncertain pair of records of the resident inside centre A
    review_out: object
    source_in: object  # a data source granted to the data administrator
    source_out: object
    run_in: object
    run_out: object
    report_in: object  # centre A's eligibility report, approved, one blind spot (inside)
    report_out: object
    spare: object  # another resident of centre A with one record: something to merge
    change_in: object  # a recorded (empty) merge touching ``inside``: something to undo
    # An uncertain pair across a scope line: a record of ``inside`` and one of ``outside``.
    review_across: object = None
    alert_in: object = None  # caseworker_a's own alert
    alert_out: object = None  # another centre's caseworker's


@pytest.fixture
def world(personas) -> World:
    p = personas
    inside = ResidentFactory(
        name="김영희",
        home_centre=p.centre_a,
        rrn_full=INSIDE_RRN,
        address="서울특별시 종로구 자하문로 1",
    )
    ResidentFactory(
        name="박철수",
        birth_date=timezone.localdate().replace(year=1980),
        home_centre=p.centre_a,
        address=inside.address,
    )
    outside = ResidentFactory(
        name="김영희", home_centre=p.centre_other_district, rrn_full=OUTSIDE_RRN
    )
    records_in = link_records(inside, 2)
    records_out = link_records(outside, 2)
    visit_in = VisitFactory(
        resident=inside, caseworker=p.caseworker_a, nurse=p.nurse_a, created_by=p.caseworker_a
    )
    other_worker = outside_staff(p)
    visit_out = VisitFactory(resident=outside, caseworker=other_worker, created_by=other_worker)
    # Its intake is recorded: the case may move on to the assessment.
    case_in = CaseFactory(resident=inside, owner=p.caseworker_a, consultation="소득 감소로 상담")
    case_out = CaseFactory(resident=outside, owner=other_worker)
    referral_in = actions.refer_case(
        p.caseworker_a,
        case_in,
        kind="referral",
        to_centre=None,
        facility_name="종로노인복지관",
        reason="meals",
        consent_on=timezone.localdate(),
        consent_note="signed form",
    )
    # Referred to the former staff member's centre while they worked there; then they left.
    actions.refer_case(
        p.caseworker_a,
        case_in,
        kind="referral",
        to_centre=p.centre_former,
        facility_name="",
        reason="care nearer the daughter",
        consent_on=timezone.localdate(),
        consent_note="signed form",
    )
    end_membership(p.former_staff.memberships.get(), acting_user=None)
    referral_out = actions.refer_case(
        other_worker,
        case_out,
        kind="referral",
        to_centre=None,
        facility_name="다른복지관",
        reason="meals",
        consent_on=timezone.localdate(),
        consent_note="signed form",
    )
    review_in = ReviewItem.objects.create(
        record_a=records_in[0], record_b=records_in[1], total=3.5, weights={}, levels={}
    )
    review_out = ReviewItem.objects.create(
        record_a=records_out[0], record_b=records_out[1], total=3.5, weights={}, levels={}
    )
    spare = ResidentFactory(name="이순자", home_centre=p.centre_a)
    link_records(spare, 1, with_benefits=False)
    change_in = ResidentChange.objects.create(kind=ResidentChange.Kind.MERGE, reason="fixture")
    change_in.residents.add(inside)
    source_in = DataSourceFactory(code="facility-granted", name="granted facility")
    grant_source(p.data_admin, source_in, acting_user=None)
    source_out = DataSourceFactory(code="facility-other", name="another facility")
    run_in, run_out = ImportRunFactory(source=source_in), ImportRunFactory(source=source_out)
    review_across = ReviewItem.objects.create(
        record_a=records_in[0], record_b=records_out[0], total=3.0, weights={}, levels={}
    )
    return World(
        inside,
        outside,
        visit_in,
        visit_out,
        case_in,
        case_out,
        referral_in,
        referral_out,
        review_in,
        review_out,
        source_in,
        source_out,
        run_in,
        run_out,
        *eligibility_reports(p, inside, outside),
        spare=spare,
        change_in=change_in,
        review_across=review_across,
        alert_in=Alert.objects.create(
            user=p.caseworker_a, kind="due_soon", text="사례 마감 임박", url=f"/cases/{case_in.pk}/"
        ),
        alert_out=Alert.objects.create(
            user=other_worker, kind="due_soon", text="사례 마감 임박", url=f"/cases/{case_out.pk}/"
        ),
    )


def eligibility_reports(p, inside, outside):
    """An approved report per centre with one blind spot each, already sent to visits, so that
    every report URL (outcome included) has something to act on."""
    from cases.models import EligibilityReport, ReportItem, ScreeningRun

    run = ScreeningRun.objects.create(
        on=timezone.localdate(),
        status="done",
        year=2026,
        rules={
            "B01": {
                "test": "income_vs_median",
                "confidence": "V",
                "name_ko": "생계급여",
                "name_en": "Livelihood benefit",
                "params": {"percent": 32},
                "year": 2026,
            }
        },
    )
    reports = []
    for resident, centre in ((inside, p.centre_a), (outside, p.centre_other_district)):
        report = EligibilityReport.objects.create(
            centre=centre, month=timezone.localdate().replace(day=1), run=run, status="approved"
        )
        ReportItem.objects.create(
            report=report,
            resident=resident,
            programme="B01",
            household_size=1,
            income=800_000,
            line=820_556,
            percent=32,
            sent_at=timezone.now(),
        )
        reports.append(report)
    return reports


def outside_staff(p):
    """A caseworker of the other district's centre (not one of the personas)."""
    from django.contrib.auth import get_user_model

    from bigcare.actions import grant_membership

    user, created = get_user_model().objects.get_or_create(username="caseworker_far")
    if created:
        grant_membership(user, "caseworker", centre=p.centre_other_district, acting_user=None)
    return user
