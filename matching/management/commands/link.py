from django.core.management.base import BaseCommand
from tqdm import tqdm

from matching.actions import run_linkage

STAGES = ["normalise", "block", "compare", "train", "score", "cluster"]


class Command(BaseCommand):
    help = "Link current source records into residents (incremental unless --full)."

    def add_arguments(self, parser):
        parser.add_argument("--full", action="store_true", help="relink everything, retrain")

    def handle(self, *args, full: bool = False, **options):
        bar = tqdm(total=len(STAGES), desc="linkage", unit="stage")
        run = run_linkage(
            full=full, progress=lambda stage: (bar.set_postfix_str(stage), bar.update(1))
        )
        bar.close()
        self.stdout.write(
            f"records {run.records:,}  pairs {run.pairs:,}  links {run.links:,}  "
            f"review items {run.review_items:,}  residents {run.residents:,}"
        )
