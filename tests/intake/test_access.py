"""Scope of data sources: grants only; superusers and global permissions do not widen it."""

from __future__ import annotations

import pytest
from django.contrib.auth.models import Permission
from django.core.exceptions import ValidationError
from django.http import Http404
from django.utils import timezone

from bigcare.actions import end_membership, grant_membership
from bigcare.models import Membership
from intake.access import run_for_user, source_for_user, sources_for_user
from intake.actions import grant_source
from tests.intake.conftest import city_file, import_file
from tests.intake.malformed.make_corpus import city_row


def test_a_data_administrator_sees_only_granted_sources(personas, sources):
    grant_source(personas.data_admin, sources["city"], acting_user=None)
    assert list(sources_for_user(personas.data_admin)) == [sources["city"]]
    assert source_for_user(personas.data_admin, sources["city"].pk) == sources["city"]
    with pytest.raises(Http404):
        source_for_user(personas.data_admin, sources["ministry"].pk)


def test_a_superuser_or_a_global_permission_gets_no_source(personas, sources):
    boss = personas.outsider
    boss.is_superuser = True
    boss.save()
    boss.user_permissions.add(Permission.objects.get(codename="manage_source"))
    assert not sources_for_user(boss).exists()
    with pytest.raises(Http404):
        source_for_user(boss, sources["city"].pk)


def test_caseworkers_and_anonymous_users_get_no_source(personas, sources):
    from django.contrib.auth.models import AnonymousUser

    assert not sources_for_user(personas.caseworker_a).exists()
    assert not sources_for_user(AnonymousUser()).exists()


def test_runs_follow_their_source(personas, sources, tmp_path):
    run = import_file(sources["city"], city_file(tmp_path, city_row(1)))
    with pytest.raises(Http404):
        run_for_user(personas.data_admin, run.pk)
    grant_source(personas.data_admin, sources["city"], acting_user=None)
    assert run_for_user(personas.data_admin, run.pk) == run
    with pytest.raises(Http404):
        run_for_user(personas.data_admin, "not-a-number")


def test_ending_a_data_administrators_membership_revokes_their_sources(personas, sources):
    grant_source(personas.data_admin, sources["city"], acting_user=None)
    end_membership(personas.data_admin.memberships.get(), acting_user=None)
    assert not sources_for_user(personas.data_admin).exists()
    # Given a new membership, they start with no source: the old grant is gone, not dormant.
    grant_membership(personas.data_admin, "data_admin", acting_user=None)
    assert not sources_for_user(personas.data_admin).exists()


def test_a_data_administrator_whose_membership_ended_by_date_sees_no_source(personas, sources):
    grant_source(personas.data_admin, sources["city"], acting_user=None)
    Membership.objects.filter(user=personas.data_admin).update(ended=timezone.localdate())
    assert not sources_for_user(personas.data_admin).exists()
    with pytest.raises(Http404):
        source_for_user(personas.data_admin, sources["city"].pk)


def test_sources_are_granted_to_data_administrators_in_office_only(personas, sources):
    with pytest.raises(ValidationError):
        grant_source(personas.caseworker_a, sources["city"], acting_user=None)
