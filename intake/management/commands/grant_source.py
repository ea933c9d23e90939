"""``python manage.py grant_source USER CODE…``: give (or with ``--revoke`` take back) data
sources to a data administrator, recorded as the command line's administrative events."""

from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError

from intake.actions import grant_source, revoke_source
from intake.models import DataSource


class Command(BaseCommand):
    help = "Grant data sources (by code, or --all) to a data administrator; --revoke ends them."

    def add_arguments(self, parser):
        parser.add_argument("username")
        parser.add_argument("codes", nargs="*", help="source codes, e.g. city ministry")
        parser.add_argument("--all", action="store_true", help="every registered source")
        parser.add_argument("--revoke", action="store_true", help="take the sources back")

    def handle(self, *args, username: str, codes: list[str], all: bool, revoke: bool, **options):
        try:
            user = get_user_model().objects.get_by_natural_key(username)
        except get_user_model().DoesNotExist:
            raise CommandError(f"no user {username!r}") from None
        sources = DataSource.objects.order_by("code")
        if not all:
            sources = sources.filter(code__in=codes)
            missing = set(codes) - {s.code for s in sources}
            if missing or not codes:
                raise CommandError(
                    f"no data source {', '.join(sorted(missing)) or '(none named)'}"
                    " (name codes or use --all)"
                )
        action = revoke_source if revoke else grant_source
        for source in sources:
            try:
                action(user, source, acting_user=None)
            except ValidationError as e:
                raise CommandError("; ".join(e.messages)) from None
            self.stdout.write(
                f"{'revoked' if revoke else 'granted'} {source.code} "
                f"{'from' if revoke else 'to'} {username}"
            )
