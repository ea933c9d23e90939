"""System checks Big Care adds to ``manage.py check --deploy``."""

from django.core.checks import Error, Tags, Warning, register
from django.db import DEFAULT_DB_ALIAS, DatabaseError, connections

from bigcare.dbroles import role_findings


@register(Tags.security, deploy=True)
def database_role_is_the_application_role(app_configs=None, **kwargs):
    """bigcare.E101: the role the application connects as can alter the append-only log or
    TRUNCATE source tables (issue 12 §8)."""
    connection = connections[DEFAULT_DB_ALIAS]
    if connection.vendor != "postgresql":
        return []
    try:
        findings = role_findings(connection)
    except DatabaseError as e:
        return [Warning(f"could not read the database role's privileges: {e}", id="bigcare.W101")]
    hint = (
        "Connect as the application role made by `manage.py create_db_roles` "
        '(README, "In production"); run migrations as the owner role.'
    )
    return [
        Error(f"the database role can alter the access log: {f}", hint=hint, id="bigcare.E101")
        for f in findings
    ]


@register(Tags.compatibility)
def postgresql_driver_is_psycopg2(app_configs=None, **kwargs):
    """bigcare.E102: Django drives PostgreSQL through psycopg 3 whenever it is importable, but
    the bulk path (bigcare.bulk) speaks psycopg2's COPY API: imports and linkage would fail at
    their first COPY. Said at start-up rather than in the middle of a million-row import."""
    from django.db.backends.postgresql import psycopg_any

    uses_postgresql = any(c.vendor == "postgresql" for c in connections.all(initialized_only=False))
    if not (uses_postgresql and psycopg_any.is_psycopg3):
        return []
    return [
        Error(
            "psycopg 3 is installed, so Django drives PostgreSQL with it; Big Care's bulk "
            "path needs psycopg2 (pyproject.toml).",
            hint="pip uninstall psycopg psycopg-binary (bench/results/bulk_paths.md says why "
            "the project stays on psycopg2).",
            id="bigcare.E102",
        )
    ]
