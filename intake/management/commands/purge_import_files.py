from django.conf import settings
from django.core.management.base import BaseCommand

from intake.actions import destroy_expired_files


class Command(BaseCommand):
    help = (
        "Destroy kept import files older than BIGCARE_IMPORT_FILE_DAYS, and any clear copy "
        "kept before files were sealed (Celery beat runs this every night)."
    )

    def handle(self, *args, **options):
        destroyed = destroy_expired_files()
        self.stdout.write(
            f"{len(destroyed)} kept files destroyed "
            f"(retention {settings.BIGCARE_IMPORT_FILE_DAYS} days)"
        )
