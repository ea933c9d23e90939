"""The scoping helpers with every persona (DESIGN.md principle 5)."""

import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.models import AnonymousUser
from django.http import Http404

from bigcare.access import centre_for_user, centre_ids, centres_for_user, district_for_user
from bigcare.actions import end_membership, grant_membership


def test_a_caseworker_serves_only_their_own_centre(personas):
    p = personas
    assert list(centres_for_user(p.caseworker_a)) == [p.centre_a]
    assert centre_for_user(p.caseworker_a, p.centre_a.pk) == p.centre_a
    with pytest.raises(Http404):
        centre_for_user(p.caseworker_a, p.centre_b.pk)


def test_a_caseworker_of_another_centre_gets_a_404_for_centre_a(personas):
    with pytest.raises(Http404):
        centre_for_user(personas.caseworker_b, personas.centre_a.pk)


def test_a_district_supervisor_reaches_every_centre_of_the_district_and_no_other(personas):
    p = personas
    reach = set(centres_for_user(p.supervisor_district_a))
    assert reach == set(p.district_a.centres.all())
    assert p.centre_other_district not in reach
    assert centre_for_user(p.supervisor_district_a, p.centre_b.pk, "supervise") == p.centre_b
    assert district_for_user(p.supervisor_district_a, p.district_a.pk) == p.district_a


def test_caseworkers_cannot_supervise(personas):
    assert not centres_for_user(personas.caseworker_a, "supervise").exists()
    with pytest.raises(Http404):
        centre_for_user(personas.caseworker_a, personas.centre_a.pk, "supervise")


@pytest.mark.parametrize("persona", ["data_admin", "auditor", "outsider"])
def test_roles_without_a_centre_see_no_residents_anywhere(personas, persona):
    user = getattr(personas, persona)
    assert not centres_for_user(user).exists()
    with pytest.raises(Http404):
        district_for_user(user, personas.district_a.pk)


def test_superusers_and_global_permissions_do_not_widen_scope(personas):
    boss = get_user_model().objects.create_superuser("boss", password="test-password")
    assert not centres_for_user(boss).exists()
    with pytest.raises(Http404):
        centre_for_user(boss, personas.centre_a.pk)


def test_anonymous_and_inactive_users_have_no_scope(personas):
    assert not centres_for_user(AnonymousUser()).exists()
    personas.caseworker_a.is_active = False
    personas.caseworker_a.save(update_fields=["is_active"])
    assert not centres_for_user(personas.caseworker_a).exists()


def test_garbage_ids_are_404s_not_errors(personas):
    for bad in ("abc", None, 10**12):
        with pytest.raises(Http404):
            centre_for_user(personas.caseworker_a, bad)


def test_ending_a_membership_withdraws_its_scope(personas):
    p = personas
    membership = p.caseworker_a.memberships.get()
    end_membership(membership, acting_user=None)
    assert not centres_for_user(p.caseworker_a).exists()
    assert not p.caseworker_a.groups.filter(name="caseworker").exists()


def test_ending_one_of_two_memberships_keeps_the_other(personas):
    p = personas
    second = grant_membership(p.caseworker_a, "caseworker", centre=p.centre_b, acting_user=None)
    end_membership(second, acting_user=None)
    assert list(centres_for_user(p.caseworker_a)) == [p.centre_a]
    assert p.caseworker_a.groups.filter(name="caseworker").exists()


def test_scope_is_read_in_one_query_once_per_request(personas, django_assert_num_queries):
    user = personas.supervisor_district_a
    with django_assert_num_queries(1):
        first = centre_ids(user)
        assert centre_ids(user) == first  # kept on the user object, as for one request
    assert first == {c.pk for c in personas.district_a.centres.all()}


def test_a_grant_is_seen_by_the_same_user_object(personas):
    user = personas.outsider
    assert centre_ids(user) == frozenset()
    grant_membership(user, "caseworker", centre=personas.centre_a, acting_user=None)
    assert centre_ids(user) == {personas.centre_a.pk}


def test_a_membership_must_fit_its_role(personas):
    from django.core.exceptions import ValidationError

    with pytest.raises(ValidationError):
        # A caseworker needs a centre.
        grant_membership(personas.outsider, "caseworker", acting_user=None)
    with pytest.raises(ValidationError):
        grant_membership(personas.outsider, "auditor", centre=personas.centre_a, acting_user=None)
