import json
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from matching import metrics
from matching.baselines import BASELINES
from matching.devset import InvalidSet, load_listings, load_qrels


class Command(BaseCommand):
    help = (
        "The two reference rankings (BM25 over whitespace tokens; BM25 over Swedish stems "
        "with far cars and spaces last) over an evaluation set, with the same metrics as "
        "evaluate_matching."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--listings", type=Path, required=True)
        parser.add_argument("--qrels", type=Path, required=True)
        parser.add_argument("--json", action="store_true", help="one JSON object per baseline")

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            listings = load_listings(options["listings"])
            qrels = load_qrels(options["qrels"], listings)
        except InvalidSet as exc:
            raise CommandError(str(exc)) from exc
        results = {name: metrics.evaluate(run(listings), qrels) for name, run in BASELINES.items()}
        if options["json"]:
            self.stdout.write(json.dumps(results, sort_keys=True))
            return
        for name, result in results.items():
            self.stdout.write(
                f"{name:16} "
                + "  ".join(f"{metric} {result[metric]:.3f}" for metric in metrics.METRICS)
                + f"  ({result['queries']:.0f} request{'' if result['queries'] == 1 else 's'})"
            )
