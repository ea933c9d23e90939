from django.core.management.base import BaseCommand
from tqdm import tqdm

from matching.actions import run_linkage
from matching.models import LinkageRun

STAGES = ["normalise", "block", "compare", "train", "score", "cluster"]


def describe(run: LinkageRun) -> str:
    """What a run did, with the model version it used and, for incremental runs, the drift."""
    model = run.model
    lines = [
        f"run #{run.pk} ({'full' if run.full else 'incremental'}): records {run.records:,}  "
        f"pairs {run.pairs:,}  links {run.links:,}  review items {run.review_items:,}  "
        f"residents {run.residents:,}",
    ]
    if model is not None:
        lines.append(
            f"model v{model.pk} ({model.get_reason_display()}, {model.created_at:%Y-%m-%d %H:%M}, "
            f"trained on {model.trained_on:,} records: "
            + ", ".join(f"{s} {n:,}" for s, n in model.sources.items())
            + ")"
        )
    d = run.drift
    if "retrained" in d:
        lines.append(
            f"retrained ({d['retrained']}) from model v{d['previous_model']}: "
            f"{d['changed_pairs']:,} pairs changed decision, "
            f"{d['relinked_residents']:,} residents relinked"
        )
    elif d:
        lines.append(
            f"drift: growth {d['growth']}×  review band {d['review_share']:.4%} of "
            f"{d['pairs']:,} pairs (ratio {d['review_ratio']})  weight shift "
            f"{d['weight_shift']} bits ({d['weight_shift_field'] or '-'})  "
            f"crossed: {', '.join(d['crossed']) or 'none'}"
        )
    return "\n".join(lines)


class Command(BaseCommand):
    help = (
        "Link current source records into residents (incremental unless --full); an "
        "incremental run retrains when drift crosses a threshold (--no-retrain: never)."
    )

    def add_arguments(self, parser):
        parser.add_argument("--full", action="store_true", help="relink everything, retrain")
        parser.add_argument(
            "--no-retrain", action="store_true", help="keep the current model whatever the drift"
        )

    def handle(self, *args, full: bool = False, no_retrain: bool = False, **options):
        bar = tqdm(total=len(STAGES), desc="linkage", unit="stage")
        first = LinkageRun.objects.order_by("-pk").values_list("pk", flat=True).first() or 0
        run = run_linkage(
            full=full,
            progress=lambda stage: (bar.set_postfix_str(stage), bar.update(1)),
            auto_retrain=False if no_retrain else None,
        )
        bar.close()
        for earlier in LinkageRun.objects.filter(pk__gt=first, pk__lt=run.pk).order_by("pk"):
            self.stdout.write(describe(earlier))
        self.stdout.write(describe(run))
