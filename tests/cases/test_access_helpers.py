"""One access helper per model, with every persona (DESIGN.md principle 5)."""

import pytest
from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied
from django.http import Http404

from cases.access import (
    case_for_user,
    referral_for_user,
    resident_for_user,
    residents_for_user,
    visit_for_user,
)

IN_SCOPE = ["caseworker_a", "nurse_a", "supervisor_district_a"]
OUT_OF_SCOPE = ["caseworker_b", "data_admin", "auditor", "outsider"]


@pytest.mark.parametrize("persona", IN_SCOPE)
def test_staff_of_centre_a_reach_its_resident_and_their_records(personas, world, persona):
    user = getattr(personas, persona)
    assert resident_for_user(user, world.inside.pk) == world.inside
    assert case_for_user(user, world.case_in.pk) == world.case_in
    assert visit_for_user(user, world.visit_in.pk) == world.visit_in
    assert referral_for_user(user, world.referral_in.pk) == world.referral_in


@pytest.mark.parametrize("persona", IN_SCOPE + OUT_OF_SCOPE)
def test_nobody_reaches_a_resident_of_another_district(personas, world, persona):
    user = getattr(personas, persona)
    for helper, pk in [
        (resident_for_user, world.outside.pk),
        (case_for_user, world.case_out.pk),
        (visit_for_user, world.visit_out.pk),
        (referral_for_user, world.referral_out.pk),
    ]:
        with pytest.raises(Http404):
            helper(user, pk)


@pytest.mark.parametrize("persona", OUT_OF_SCOPE)
def test_others_get_a_404_for_centre_a(personas, world, persona):
    user = getattr(personas, persona)
    with pytest.raises(Http404):
        resident_for_user(user, world.inside.pk)
    with pytest.raises(Http404):
        case_for_user(user, world.case_in.pk)
    assert not residents_for_user(user).exists()


def test_a_superuser_sees_nobody(world):
    boss = get_user_model().objects.create_superuser("boss", password="test-password")
    with pytest.raises(Http404):
        resident_for_user(boss, world.inside.pk)


def test_garbage_ids_are_a_404(personas, world):
    with pytest.raises(Http404):
        resident_for_user(personas.caseworker_a, "abc")


def test_a_merged_resident_is_gone(personas, world):
    world.inside.active = False
    world.inside.save(update_fields=["active"])
    with pytest.raises(Http404):
        resident_for_user(personas.caseworker_a, world.inside.pk)


def test_writing_needs_the_owning_centre_even_with_a_grant(personas, world):
    from django.utils import timezone

    from cases import actions

    actions.refer_case(
        personas.caseworker_a,
        world.case_in,
        kind="referral",
        to_centre=personas.centre_b,
        facility_name="",
        reason="x",
        consent_on=timezone.localdate(),
        consent_note="verbal, witnessed",
    )
    assert case_for_user(personas.caseworker_b, world.case_in.pk) == world.case_in
    with pytest.raises(PermissionDenied):
        case_for_user(personas.caseworker_b, world.case_in.pk, write=True)
