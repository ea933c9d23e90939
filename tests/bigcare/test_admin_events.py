"""Changes to who may see what leave a trace: who, when, what, on which object, before and after
(issue 12 §16). Source, mapping and rule edits are tested beside their screens."""

import pytest
from django.db import DatabaseError, connection, transaction

from bigcare.actions import end_membership, grant_membership
from bigcare.models import AdminAction, AdminEvent
from tests.conftest import requires_postgres


def test_granting_a_membership_records_who_granted_what_to_whom(personas):
    p = personas
    membership = grant_membership(
        p.outsider, "caseworker", centre=p.centre_b, acting_user=p.supervisor_district_a
    )
    event = AdminEvent.objects.get(
        action=AdminAction.GRANT_MEMBERSHIP, object_id=str(membership.pk)
    )
    assert event.user == p.supervisor_district_a and event.username == "supervisor_a"
    assert event.object_type == "bigcare.membership" and event.before is None
    assert event.after == {
        "user": "outsider",
        "role": "caseworker",
        "centre": p.centre_b.code,
        "district": None,
        "started": membership.started.isoformat(),
        "ended": None,
    }


def test_ending_a_membership_records_the_end_and_every_grant_it_withdrew(personas):
    """The data sources a data administrator held end with their membership, each with its
    row, all under the name of whoever ended it."""
    from intake.actions import grant_source
    from tests.cases.factories import DataSourceFactory

    p = personas
    sources = [
        DataSourceFactory(code="city-a", name="a"),
        DataSourceFactory(code="city-b", name="b"),
    ]
    for source in sources:
        grant_source(p.data_admin, source, acting_user=p.supervisor_district_a)
    end_membership(p.data_admin.memberships.get(), acting_user=p.supervisor_district_a)
    events = AdminEvent.objects.filter(user=p.supervisor_district_a).order_by("pk")
    assert [e.action for e in events] == [
        AdminAction.GRANT_SOURCE,
        AdminAction.GRANT_SOURCE,
        AdminAction.END_MEMBERSHIP,
        AdminAction.REVOKE_SOURCE,
        AdminAction.REVOKE_SOURCE,
    ]
    ended = events[2]
    assert ended.before["ended"] is None and ended.after["ended"] is not None
    assert [e.before for e in events[3:]] == [
        {"user": "data_admin", "source": "city-a"},
        {"user": "data_admin", "source": "city-b"},
    ]


def test_a_membership_already_ended_cannot_be_ended_again(personas):
    from django.core.exceptions import ValidationError

    membership = personas.caseworker_a.memberships.get()
    end_membership(membership, acting_user=None)
    with pytest.raises(ValidationError):
        end_membership(membership, acting_user=None)
    assert (
        AdminEvent.objects.filter(
            action=AdminAction.END_MEMBERSHIP, object_id=str(membership.pk)
        ).count()
        == 1
    )


def test_the_command_line_is_recorded_as_nobody(personas):
    grant_membership(personas.outsider, "auditor", acting_user=None)
    event = AdminEvent.objects.filter(action=AdminAction.GRANT_MEMBERSHIP).latest("pk")
    assert event.user is None and event.username == ""


def test_the_model_refuses_updates_and_deletes(personas):
    event = AdminEvent.objects.latest("pk")
    with pytest.raises(PermissionError):
        event.save()
    with pytest.raises(PermissionError):
        event.delete()
    with pytest.raises(PermissionError):
        AdminEvent.objects.update(username="x")
    with pytest.raises(PermissionError):
        AdminEvent.objects.all().delete()


@requires_postgres
def test_postgres_refuses_updates_and_deletes_behind_the_orm(personas):
    event = AdminEvent.objects.latest("pk")
    for sql in (
        "UPDATE bigcare_adminevent SET username = 'x' WHERE id = %s",
        "DELETE FROM bigcare_adminevent WHERE id = %s",
    ):
        with (
            pytest.raises(DatabaseError, match="append-only"),
            transaction.atomic(),
            connection.cursor() as cursor,
        ):
            cursor.execute(sql, [event.pk])
