from django.core.management.base import BaseCommand

from cases.alerts import crisis_alerts, due_date_alerts


class Command(BaseCommand):
    help = "Alert caseworkers of due dates within three days and of new crisis signals."

    def handle(self, *args, **options):
        # The same work as the nightly task cases.nightly_alerts; safe to run twice (keys).
        due, crisis = due_date_alerts(), crisis_alerts()
        self.stdout.write(f"{due} due-date alerts, {crisis} crisis-signal alerts (new or kept)")
