"""The deployment shape on PostgreSQL: the application's role cannot rewrite the access log
(issue 12 §8). With the README's ``postgres`` role, TRUNCATE, DISABLE TRIGGER and
session_replication_role = replica all did."""

from __future__ import annotations

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import DatabaseError, connection, connections
from django.db.backends.postgresql.base import DatabaseWrapper

from bigcare.checks import database_role_is_the_application_role
from bigcare.dbroles import role_findings
from tests.conftest import requires_postgres

# Roles are cluster-wide and created for real (committed), so the test needs its own database's
# name in them, and undoes them at the end.
pytestmark = [requires_postgres, pytest.mark.django_db(transaction=True)]

ATTACKS = {
    "truncate the log": "TRUNCATE bigcare_accesslog CASCADE",
    "disable its trigger": "ALTER TABLE bigcare_accesslog DISABLE TRIGGER access_log_append_only",
    "update the log": "UPDATE bigcare_accesslog SET reason = 'nothing to see'",
    "delete from the log": "DELETE FROM bigcare_accesslog",
    "update the audit trail": "UPDATE bigcare_adminevent SET username = 'someone else'",
    "silence triggers": "SET session_replication_role = replica",
    "truncate the source records": "TRUNCATE intake_sourcerecord CASCADE",
    "drop the log": "DROP TABLE bigcare_accesslog CASCADE",
}


@pytest.fixture
def app_connection():
    """A connection as the application role that ``create_db_roles`` made, registered as the
    ``app_role`` database alias; roles and ownership are undone afterwards."""
    name = connection.settings_dict["NAME"]
    owner, app = f"{name}_owner", f"{name}_app"
    call_command("create_db_roles", owner=owner, app=app, verbosity=0)
    wrapper = DatabaseWrapper(
        {**connection.settings_dict, "USER": app, "PASSWORD": ""}, alias="app_role"
    )
    connections["app_role"] = wrapper
    try:
        yield wrapper
    finally:
        wrapper.close()
        del connections["app_role"]
        with connection.cursor() as cursor:
            cursor.execute("SELECT current_user")
            me = cursor.fetchone()[0]
            for role in (owner, app):
                cursor.execute(f'REASSIGN OWNED BY "{role}" TO "{me}"')
                cursor.execute(f'DROP OWNED BY "{role}"')
                cursor.execute(f'DROP ROLE "{role}"')


def test_the_application_role_cannot_rewrite_the_log(app_connection):
    with app_connection.cursor() as cursor:
        # It is an application role: it reads and appends.
        cursor.execute(
            "INSERT INTO bigcare_accesslog (at, username, action, path, detail, "
            "reason, subject_count) VALUES (now(), 'caseworker_a', 'search', '', '', "
            "'', 0)"
        )
        cursor.execute("SELECT count(*) FROM bigcare_accesslog")
        assert cursor.fetchone()[0] == 1
    refused = {}
    for what, statement in ATTACKS.items():
        try:
            with app_connection.cursor() as cursor:
                cursor.execute(statement)
        except DatabaseError as e:
            refused[what] = str(e).splitlines()[0]
    assert set(refused) == set(ATTACKS), f"allowed: {set(ATTACKS) - set(refused)}"
    with app_connection.cursor() as cursor:
        cursor.execute("SELECT count(*), min(reason) FROM bigcare_accesslog")
        assert cursor.fetchone() == (1, "")


def test_the_check_says_postgres_is_unsafe_and_the_application_role_safe(app_connection, capsys):
    assert any("superuser" in f for f in role_findings(connection))
    assert [e.id for e in database_role_is_the_application_role()] == ["bigcare.E101"]
    with pytest.raises(CommandError, match="unsafe: .*superuser"):
        call_command("check_db_roles")

    assert role_findings(app_connection) == []
    call_command("check_db_roles", database="app_role")
    assert capsys.readouterr().out.startswith("safe:")


def test_the_check_names_what_a_role_with_too_much_may_do(app_connection):
    """A hand-made role that owns the log and holds TRUNCATE: each hole is named."""
    app = app_connection.settings_dict["USER"]
    with connection.cursor() as cursor:
        cursor.execute(
            f'GRANT TRUNCATE, UPDATE ON intake_sourcerecord, bigcare_accesslog TO "{app}"'
        )
        cursor.execute(f'ALTER TABLE bigcare_adminevent OWNER TO "{app}"')
    findings = "\n".join(role_findings(app_connection))
    assert "holds UPDATE on bigcare_accesslog" in findings
    assert "owns bigcare_adminevent" in findings
    # Owning a table is holding TRUNCATE on it too; the source tables come first.
    assert "TRUNCATE on 3 tables: intake_sourcerecord, bigcare_accesslog" in findings
