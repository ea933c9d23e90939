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
