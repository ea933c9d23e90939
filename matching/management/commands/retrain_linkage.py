from django.core.management.base import BaseCommand

from matching.actions import retrain_linkage
from matching.management.commands.link import describe
from matching.models import LinkageModel


class Command(BaseCommand):
    help = (
        "Train a new linkage model version on every current record and relink only the "
        "residents whose pairs change decision under the new weights."
    )

    def handle(self, *args, **options):
        run = retrain_linkage(reason=LinkageModel.Reason.MANUAL)
        self.stdout.write(describe(run))
