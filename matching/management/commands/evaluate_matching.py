import json
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from matching import evaluation, metrics
from matching.devset import InvalidSet, load_listings, load_qrels


class Command(BaseCommand):
    help = (
        "Rank the offers of each judged request through the real engine (listings saved in a "
        "transaction that is rolled back) and print MRR, nDCG@10, recall@5 and P@1."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--listings", type=Path, required=True)
        parser.add_argument("--qrels", type=Path, required=True)
        parser.add_argument("--json", action="store_true", help="one JSON object")
        parser.add_argument(
            "--split",
            choices=(*evaluation.SPLITS, "each"),
            default="all",
            help="requests with odd or even numbers, all of them, or each of the three",
        )
        parser.add_argument(
            "--no-taxonomy", action="store_true", help="rank without the topic taxonomy"
        )

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            listings = load_listings(options["listings"])
            qrels = load_qrels(options["qrels"], listings)
        except InvalidSet as exc:
            raise CommandError(str(exc)) from exc
        splits = evaluation.SPLITS if options["split"] == "each" else (options["split"],)
        try:
            results = evaluation.evaluate(
                listings, qrels, use_taxonomy=not options["no_taxonomy"], splits=splits
            )
        except ValueError as exc:
            raise CommandError(str(exc)) from exc
        if options["json"]:
            self.stdout.write(
                json.dumps(results[splits[0]] if len(splits) == 1 else results, sort_keys=True)
            )
            return
        for split, result in results.items():
            self.stdout.write(
                f"{split:4} "
                + "  ".join(f"{metric} {result[metric]:.3f}" for metric in metrics.METRICS)
                + f"  ({result['queries']:.0f} request{'' if result['queries'] == 1 else 's'})"
            )
