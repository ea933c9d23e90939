"""Referrals keep ownership, transfers pass it; per-case grants last as long as they do."""

from datetime import timedelta

import pytest
from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.urls import reverse
from django.utils import timezone

from bigcare.actions import end_membership
from bigcare.models import Membership
from cases import actions
from cases.access import case_for_user, resident_for_user, residents_for_user
from cases.models import CaseUserObjectPermission, ReferralStatus


def _refer(p, case, kind="referral", to=None):
    return actions.refer_case(
        p.caseworker_a,
        case,
        kind=kind,
        to_centre=to or p.centre_b,
        facility_name="",
        reason="moved in with daughter",
        consent_on=timezone.localdate(),
        consent_note="signed form",
    )


def test_a_referral_grants_the_receiving_centre_until_it_ends(personas, world):
    p = personas
    referral = _refer(p, world.case_in)
    assert case_for_user(p.caseworker_b, world.case_in.pk) == world.case_in
    assert resident_for_user(p.caseworker_b, world.inside.pk) == world.inside
    actions.decide_referral(p.caseworker_b, referral, accept=True)
    assert case_for_user(p.caseworker_b, world.case_in.pk).owner_centre == p.centre_a
    actions.end_referral(p.caseworker_a, referral)
    with pytest.raises(Http404):
        case_for_user(p.caseworker_b, world.case_in.pk)
    with pytest.raises(Http404):
        resident_for_user(p.caseworker_b, world.inside.pk)


def test_a_declined_referral_ends_the_grant(personas, world):
    referral = _refer(personas, world.case_in)
    actions.decide_referral(personas.caseworker_b, referral, accept=False)
    with pytest.raises(Http404):
        case_for_user(personas.caseworker_b, world.case_in.pk)


def test_only_the_receiver_decides(personas, world):
    referral = _refer(personas, world.case_in)
    with pytest.raises(PermissionDenied):
        actions.decide_referral(personas.caseworker_a, referral, accept=True)


def test_a_transfer_passes_ownership_on_acceptance(personas, world):
    p = personas
    transfer = _refer(p, world.case_in, kind="transfer")
    assert case_for_user(p.caseworker_b, world.case_in.pk).owner_centre == p.centre_a
    actions.decide_referral(p.caseworker_b, transfer, accept=True)
    case = case_for_user(p.caseworker_b, world.case_in.pk, write=True)
    assert case.owner_centre == p.centre_b and case.owner == p.caseworker_b
    transfer.refresh_from_db()
    assert transfer.status == ReferralStatus.ACCEPTED and not transfer.is_live
    # Centre A still holds the resident (home centre) but no longer the case.
    with pytest.raises(Http404):
        case_for_user(p.caseworker_a, world.case_in.pk)


def test_consent_must_be_recorded(personas, world):
    with pytest.raises(ValidationError):
        actions.refer_case(
            personas.caseworker_a,
            world.case_in,
            kind="referral",
            to_centre=personas.centre_b,
            facility_name="",
            reason="x",
            consent_on=timezone.localdate(),
            consent_note=" ",
        )


def test_only_the_owning_centre_refers(personas, world):
    _refer(personas, world.case_in)
    with pytest.raises(PermissionDenied):
        actions.refer_case(
            personas.caseworker_b,
            world.case_in,
            kind="referral",
            to_centre=personas.centre_other_district,
            facility_name="",
            reason="x",
            consent_on=timezone.localdate(),
            consent_note="ok",
        )


def test_the_referral_screens(client, personas, world):
    p = personas
    client.force_login(p.caseworker_a)
    response = client.post(
        reverse("cases:referral_new", args=[world.case_in.pk]),
        {
            "kind": "referral",
            "to_centre": p.centre_b.pk,
            "reason": "care",
            "consent_on": "2025-03-01",
            "consent_note": "signed form",
        },
    )
    referral = world.case_in.referrals.get(to_centre=p.centre_b)
    assert response["Location"] == reverse("cases:referral", args=[referral.pk])
    client.force_login(p.caseworker_b)
    html = client.get(reverse("cases:referrals")).content.decode()
    assert reverse("cases:referral", args=[referral.pk]) in html
    client.post(reverse("cases:referral_decide", args=[referral.pk]), {"accept": "1"})
    referral.refresh_from_db()
    assert referral.status == ReferralStatus.ACCEPTED
    # The receiver reads the case but may not change it.
    assert client.get(reverse("cases:case", args=[world.case_in.pk])).status_code == 200
    assert client.post(reverse("cases:case_advance", args=[world.case_in.pk])).status_code == 403
    client.post(reverse("cases:referral_end", args=[referral.pk]))
    assert client.get(reverse("cases:case", args=[world.case_in.pk])).status_code == 404


def test_a_third_centre_never_sees_the_referral(client, personas, world):
    from tests.cases.conftest import outside_staff

    referral = _refer(personas, world.case_in)
    client.force_login(outside_staff(personas))
    assert client.get(reverse("cases:referral", args=[referral.pk])).status_code == 404
    assert (
        client.post(
            reverse("cases:referral_decide", args=[referral.pk]), {"accept": "1"}
        ).status_code
        == 404
    )


def test_reading_a_referral_writes_an_access_row_naming_its_resident(client, personas, world):
    from bigcare.models import AccessLog

    client.force_login(personas.caseworker_a)
    assert client.get(reverse("cases:referral", args=[world.referral_in.pk])).status_code == 200
    entry = AccessLog.objects.get(action="view_referral")
    assert list(entry.subjects.values_list("resident_id", flat=True)) == [world.inside.pk]


def test_a_pending_referral_shows_no_health_notes_to_the_receiving_centre(client, personas, world):
    from bigcare.actions import grant_membership
    from tests.cases.factories import VisitFactory

    p = personas
    nurse_b = get_user_model().objects.create_user("nurse_b", password="test-password")
    grant_membership(nurse_b, "nurse", centre=p.centre_b, acting_user=None)
    notes = "당뇨 약 복용 중"
    visit = VisitFactory(
        resident=world.inside,
        case=world.case_in,
        caseworker=p.caseworker_a,
        nurse=p.nurse_a,
        created_by=p.caseworker_a,
        health_notes=notes,
    )
    referral = _refer(p, world.case_in)

    client.force_login(nurse_b)
    for url in (
        reverse("cases:visit", args=[visit.pk]),
        reverse("cases:resident", args=[world.inside.pk]),
    ):
        response = client.get(url)
        assert response.status_code == 200 and notes not in response.content.decode(), url

    actions.decide_referral(p.caseworker_b, referral, accept=True)
    client.force_login(nurse_b)
    assert notes in client.get(reverse("cases:visit", args=[visit.pk])).content.decode()


def _reads(client, world, referral, visit) -> dict[str, int]:
    """What the signed-in user gets for the case, profile, visit and referral pages."""
    urls = {
        "case": reverse("cases:case", args=[world.case_in.pk]),
        "profile": reverse("cases:resident", args=[world.inside.pk]),
        "visit": reverse("cases:visit", args=[visit.pk]),
        "referral": reverse("cases:referral", args=[referral.pk]),
    }
    return {what: client.get(url).status_code for what, url in urls.items()}


def _referred_with_a_visit(p, world):
    referral = _refer(p, world.case_in)
    visit = actions.record_visit(
        p.caseworker_a,
        world.inside,
        case=world.case_in,
        caseworker=p.caseworker_a,
        reason="crisis",
        health_notes="혈압 높음",
    )
    return referral, visit


def test_a_referral_grant_ends_with_the_receivers_membership(client, personas, world):
    p = personas
    referral, visit = _referred_with_a_visit(p, world)
    client.force_login(p.caseworker_b)
    assert set(_reads(client, world, referral, visit).values()) == {200}
    end_membership(p.caseworker_b.memberships.get(), acting_user=None)
    assert _reads(client, world, referral, visit) == dict.fromkeys(
        ["case", "profile", "visit", "referral"], 404
    )
    assert not CaseUserObjectPermission.objects.filter(user=p.caseworker_b).exists()


def test_a_membership_whose_end_date_has_come_carries_no_grant(client, personas, world):
    """A fixed-term membership ends on its date, with nobody calling end_membership: the grants
    it carried are still in the tables, and scope must not read them any more."""
    p = personas
    referral, visit = _referred_with_a_visit(p, world)
    today = timezone.localdate()
    Membership.objects.filter(user=p.caseworker_b).update(ended=today)
    client.force_login(p.caseworker_b)
    assert _reads(client, world, referral, visit) == dict.fromkeys(
        ["case", "profile", "visit", "referral"], 404
    )
    assert not residents_for_user(p.caseworker_b).exists()
    # Nor can they act on it: deciding or ending the referral needs a membership in force.
    with pytest.raises(PermissionDenied):
        actions.decide_referral(p.caseworker_b, referral, accept=True)
    with pytest.raises(PermissionDenied):
        actions.end_referral(p.caseworker_b, referral)


def test_a_membership_not_yet_started_carries_no_grant(client, personas, world):
    p = personas
    referral, visit = _referred_with_a_visit(p, world)
    tomorrow = timezone.localdate() + timedelta(days=1)
    Membership.objects.filter(user=p.caseworker_b).update(started=tomorrow)
    client.force_login(p.caseworker_b)
    assert set(_reads(client, world, referral, visit).values()) == {404}
