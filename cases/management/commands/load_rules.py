from django.core.management.base import BaseCommand

from cases.rules import load_rules


class Command(BaseCommand):
    help = (
        "Load the median income tables and programme rules of fixtures/programme_rules.toml "
        "(adds only what is missing; never undoes an administrator's edit)."
    )

    def handle(self, *args, **options):
        medians, rules = load_rules()
        self.stdout.write(f"{medians} median figures, {rules} programme rules added")
