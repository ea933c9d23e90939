"""``python manage.py create_db_roles``: the owner and application roles of a production database
(README, "In production"). Run once as a superuser, and again after each ``migrate``."""

import os

from django.core.management.base import BaseCommand, CommandError
from django.db import DEFAULT_DB_ALIAS, connections, transaction

from bigcare.dbroles import create_roles


class Command(BaseCommand):
    help = (
        "Create the owner role (owns every table; migrations run as it) and the application "
        "role (owns nothing; may not alter the access log or TRUNCATE) on PostgreSQL."
    )

    def add_arguments(self, parser):
        parser.add_argument("--owner", default="bigcare_owner", help="the owner role's name")
        parser.add_argument("--app", default="bigcare_app", help="the application role's name")
        parser.add_argument("--database", default=DEFAULT_DB_ALIAS)
        parser.add_argument(
            "--passwords-from-env",
            action="store_true",
            help="set passwords from BIGCARE_DB_OWNER_PASSWORD and BIGCARE_DB_APP_PASSWORD "
            "(never on the command line, where ps would show them)",
        )

    def handle(
        self, *args, owner: str, app: str, database: str, passwords_from_env: bool, **options
    ):
        connection = connections[database]
        if connection.vendor != "postgresql":
            raise CommandError(
                "database roles are a PostgreSQL deployment's; this database is "
                f"{connection.vendor}"
            )
        if owner == app:
            raise CommandError("the owner and the application need two different roles")
        passwords = {}
        if passwords_from_env:
            passwords = {
                "owner_password": os.environ.get("BIGCARE_DB_OWNER_PASSWORD"),
                "app_password": os.environ.get("BIGCARE_DB_APP_PASSWORD"),
            }
            if not all(passwords.values()):
                raise CommandError("set BIGCARE_DB_OWNER_PASSWORD and BIGCARE_DB_APP_PASSWORD")
        try:
            with transaction.atomic(using=database):
                done = create_roles(connection, owner, app, **passwords)
        except (PermissionError, ValueError) as e:
            raise CommandError(str(e)) from None
        if options["verbosity"] > 1:
            self.stdout.write("\n".join(done))
        if options["verbosity"] == 0:
            return
        self.stdout.write(
            f"{owner} owns the database and its tables: run migrate as {owner}.\n"
            f"{app} owns nothing: the web server and the workers connect as {app}.\n"
            f"Check with: DATABASE_URL=postgres://{app}@…/{connection.settings_dict['NAME']} "
            "python manage.py check_db_roles"
        )
