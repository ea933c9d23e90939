"""``python manage.py check_db_roles``: may the role this process connects as alter the access
log or TRUNCATE the source tables? Exit status 1 if it may (README, "In production")."""

from django.core.management.base import BaseCommand, CommandError
from django.db import DEFAULT_DB_ALIAS, connections

from bigcare.dbroles import role_findings


class Command(BaseCommand):
    help = (
        "Say whether the database role in use can alter the append-only access log or holds "
        "TRUNCATE on the source tables; exit 1 if so."
    )

    def add_arguments(self, parser):
        parser.add_argument("--database", default=DEFAULT_DB_ALIAS)

    def handle(self, *args, database: str, **options):
        connection = connections[database]
        if connection.vendor != "postgresql":
            self.stdout.write(
                f"{connection.vendor}: no database roles to check (a PostgreSQL "
                "deployment's application role is what this command checks)"
            )
            return
        findings = role_findings(connection)
        with connection.cursor() as cursor:
            cursor.execute("SELECT current_user")
            user = cursor.fetchone()[0]
        if findings:
            raise CommandError("unsafe: " + "; ".join(findings))
        self.stdout.write(
            f"safe: {user} cannot alter the access log, truncate a table or "
            "silence the log's triggers"
        )
