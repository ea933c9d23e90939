"""The deployment shape on PostgreSQL (issue 12 §8): who owns the tables and who merely uses them.

The access log and the administrative audit trail refuse UPDATE and DELETE by trigger, but a
trigger binds only a role that cannot remove it. A superuser or a table's owner can TRUNCATE,
``ALTER TABLE … DISABLE TRIGGER`` or ``SET session_replication_role = replica`` and rewrite them.
So a deployment has two roles:

- the *owner* role owns the database, its schema and every table; migrations run as it;
- the *application* role (the web server, the Celery workers) owns nothing, may SELECT and
  INSERT on the append-only tables and SELECT, INSERT, UPDATE, DELETE on the others, never
  TRUNCATE or TRIGGER, and is no superuser.

``create_roles`` sets this up (the ``create_db_roles`` command); ``role_findings`` says what the
connected role could do to the log or the source tables (``check_db_roles``, ``check --deploy``).
"""

from __future__ import annotations

import re

from django.apps import apps
from django.db.backends.base.base import BaseDatabaseWrapper

# Append-only: the application role may read and add rows, nothing more.
APPEND_ONLY = ("bigcare.AccessLog", "bigcare.AccessLogSubject", "bigcare.AdminEvent")
TABLE_PRIVILEGES = "SELECT, INSERT, UPDATE, DELETE"


def append_only_tables() -> list[str]:
    return [apps.get_model(label)._meta.db_table for label in APPEND_ONLY]


def project_tables() -> list[str]:
    """Every table Django manages here, the source tables among them."""
    return sorted(
        {
            m._meta.db_table
            for m in apps.get_models(include_auto_created=True)
            if m._meta.managed and not m._meta.proxy
        }
    )


_ROLE_NAME = re.compile(r"[a-z_][a-z0-9_]{0,62}")


def _role(name: str) -> str:
    """A role name, checked before it is written into SQL (utility statements take no bind
    parameters for names)."""
    if not _ROLE_NAME.fullmatch(name):
        raise ValueError(f"{name!r}: a role name is lower-case letters, digits and _")
    return f'"{name}"'


def create_roles(
    connection: BaseDatabaseWrapper,
    owner: str,
    app: str,
    *,
    owner_password: str | None = None,
    app_password: str | None = None,
) -> list[str]:
    """Create (or bring back into shape) the owner and application roles for the connected
    database, and hand every table to the owner. Run as a superuser; idempotent. Returns the
    statements it executed, passwords left out."""
    qn = connection.ops.quote_name
    owner_q, app_q = _role(owner), _role(app)
    done: list[str] = []
    with connection.cursor() as cursor:

        def run(statement: str, params=None) -> None:
            cursor.execute(statement, params)
            done.append(statement.replace("%s", "'…'") if params else statement)

        cursor.execute("SELECT rolsuper FROM pg_roles WHERE rolname = current_user")
        if not cursor.fetchone()[0]:
            raise PermissionError("create_db_roles must run as a superuser (e.g. postgres)")
        cursor.execute("SELECT current_database(), current_schema()")
        database, schema = cursor.fetchone()
        db, sch = qn(database), qn(schema)
        for role, quoted, password in (
            (owner, owner_q, owner_password),
            (app, app_q, app_password),
        ):
            cursor.execute("SELECT 1 FROM pg_roles WHERE rolname = %s", [role])
            verb = "ALTER" if cursor.fetchone() else "CREATE"
            run(
                f"{verb} ROLE {quoted} LOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE "
                "NOREPLICATION NOBYPASSRLS"
            )
            if password:
                run(f"ALTER ROLE {quoted} PASSWORD %s", [password])
        # The application role must not hold the owner's rights through membership.
        cursor.execute("SELECT pg_has_role(%s, %s, 'MEMBER')", [app, owner])
        if cursor.fetchone()[0]:
            run(f"REVOKE {owner_q} FROM {app_q}")

        run(f"ALTER DATABASE {db} OWNER TO {owner_q}")
        run(f"ALTER SCHEMA {sch} OWNER TO {owner_q}")
        cursor.execute(
            "SELECT c.relname, c.relkind FROM pg_class c JOIN pg_namespace n "
            "ON n.oid = c.relnamespace WHERE n.nspname = %s AND c.relkind IN ('r', 'p', 'v', 'm') "
            "AND c.relowner <> %s::regrole ORDER BY 1",
            [schema, owner],
        )
        kinds = {"r": "TABLE", "p": "TABLE", "v": "VIEW", "m": "MATERIALIZED VIEW"}
        for name, kind in cursor.fetchall():
            # A table's sequences (serial, identity) follow it to the new owner.
            run(f"ALTER {kinds[kind]} {sch}.{qn(name)} OWNER TO {owner_q}")
        cursor.execute(
            "SELECT p.oid::regprocedure::text FROM pg_proc p JOIN pg_namespace n "
            "ON n.oid = p.pronamespace WHERE n.nspname = %s AND p.prokind = 'f' "
            "AND p.proowner <> %s::regrole AND NOT EXISTS (SELECT 1 FROM pg_depend d "
            "WHERE d.objid = p.oid AND d.deptype = 'e') ORDER BY 1",
            [schema, owner],
        )
        for (signature,) in cursor.fetchall():
            # The trigger functions; regprocedure's text is quoted where it must be.
            run(f"ALTER FUNCTION {signature} OWNER TO {owner_q}")

        run(f"GRANT CONNECT, TEMPORARY ON DATABASE {db} TO {app_q}")
        run(f"REVOKE CREATE ON SCHEMA {sch} FROM PUBLIC")
        run(f"GRANT USAGE ON SCHEMA {sch} TO {app_q}")
        run(f"REVOKE ALL ON ALL TABLES IN SCHEMA {sch} FROM {app_q}")
        run(f"GRANT {TABLE_PRIVILEGES} ON ALL TABLES IN SCHEMA {sch} TO {app_q}")
        run(f"GRANT USAGE, SELECT ON ALL SEQUENCES IN SCHEMA {sch} TO {app_q}")
        for table in append_only_tables():
            run(f"REVOKE UPDATE, DELETE ON {sch}.{qn(table)} FROM {app_q}")
        # Tables that later migrations create (run as the owner) are usable by the application;
        # run this command again after them so that new append-only tables lose UPDATE, DELETE.
        for what, privileges in (("TABLES", TABLE_PRIVILEGES), ("SEQUENCES", "USAGE, SELECT")):
            run(
                f"ALTER DEFAULT PRIVILEGES FOR ROLE {owner_q} IN SCHEMA {sch} "
                f"GRANT {privileges} ON {what} TO {app_q}"
            )
        if connection.pg_version >= 150000:
            # PostgreSQL 15 lets a superuser grant SET on a parameter: take it back if so.
            run(f"REVOKE SET ON PARAMETER session_replication_role FROM {app_q}")
    return done


def role_findings(connection: BaseDatabaseWrapper) -> list[str]:
    """What the connected role could do to the append-only log or the source tables; empty
    when it is safe to run the application as."""
    log, tables = append_only_tables(), project_tables()
    findings = []
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT current_user, rolsuper, rolbypassrls FROM pg_roles WHERE rolname = current_user"
        )
        user, superuser, bypass = cursor.fetchone()
        if superuser:
            return [
                f"{user} is a superuser: it can TRUNCATE any table, disable the log's "
                "triggers and SET session_replication_role = replica"
            ]
        cursor.execute(
            "SELECT c.relname, pg_has_role(current_user, c.relowner, 'USAGE'), "
            "pg_has_role(current_user, n.nspowner, 'USAGE'), "
            "has_table_privilege(current_user, c.oid, 'UPDATE'), "
            "has_table_privilege(current_user, c.oid, 'DELETE'), "
            "has_table_privilege(current_user, c.oid, 'TRUNCATE'), "
            "has_table_privilege(current_user, c.oid, 'TRIGGER') "
            "FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace "
            "WHERE c.oid = ANY(ARRAY(SELECT to_regclass(t) FROM unnest(%s::text[]) t)) "
            "ORDER BY c.relname",
            [tables],
        )
        owned, schema_owner, truncate = [], False, []
        for name, owns, owns_schema, update, delete, trunc, trigger in cursor.fetchall():
            schema_owner |= owns_schema
            if owns:
                owned.append(name)
            if trunc:
                truncate.append(name)
            if name in log:
                changes = [
                    p
                    for p, held in (("UPDATE", update), ("DELETE", delete), ("TRIGGER", trigger))
                    if held
                ]
                if owns:
                    findings.append(
                        f"{user} owns {name}: it can disable its trigger, truncate or drop it"
                    )
                elif changes:
                    findings.append(f"{user} holds {', '.join(changes)} on {name}")
        if schema_owner:
            findings.append(f"{user} owns the schema: it can drop and recreate the log")
        if truncate:
            truncate.sort(key=lambda t: (not t.startswith("intake_"), t))  # source tables first
            findings.append(
                f"{user} holds TRUNCATE on {len(truncate)} tables: "
                f"{', '.join(truncate[:5])}" + (" …" if len(truncate) > 5 else "")
            )
        others = [t for t in owned if t not in log]
        if others:
            findings.append(
                f"{user} owns {len(others)} tables ({', '.join(others[:5])}"
                + (" …" if len(others) > 5 else "")
                + "): it can alter or drop them"
            )
        if bypass:
            findings.append(f"{user} bypasses row-level security")
        if connection.pg_version >= 150000:
            cursor.execute(
                "SELECT has_parameter_privilege(current_user, 'session_replication_role', 'SET')"
            )
        if connection.pg_version >= 150000 and cursor.fetchone()[0]:
            findings.append(
                f"{user} may SET session_replication_role = replica, which "
                "silences the log's triggers"
            )
    return findings
