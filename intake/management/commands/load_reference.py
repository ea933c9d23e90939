from django.core.management.base import BaseCommand

from intake.reference import load_reference


class Command(BaseCommand):
    help = "Load the programme and crisis-indicator code lists (intake/reference.toml)."

    def handle(self, *args, **options):
        programmes, indicators = load_reference()
        self.stdout.write(f"{programmes} programmes, {indicators} crisis indicators")
