import json
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import transaction

from catalogue.evaluation import CUTOFF, evaluate, read_judgements
from catalogue.importing import ImportFileError, import_catalogue, read_rows
from catalogue.models import Project

HERE = Path(__file__).resolve().parents[2] / "evaluation"


class Command(BaseCommand):
    help = (
        "Measure catalogue search: load a catalogue fixture (the import format) in a "
        "transaction that is rolled back, run judged queries through the API's search, and "
        "print MRR, nDCG@10 and recall@10."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--projects", type=Path, default=HERE / "projects.csv")
        parser.add_argument("--qrels", type=Path, default=HERE / "qrels.jsonl")
        parser.add_argument("--json", action="store_true", help="Print the figures as JSON.")
        parser.add_argument(
            "--misses", action="store_true", help="List the queries whose best answer is not first."
        )

    def handle(self, *args: Any, projects: Path, qrels: Path, misses: bool, **options: Any) -> None:
        try:
            judgements = read_judgements(qrels)
        except (OSError, ValueError) as error:
            raise CommandError(str(error)) from error
        with transaction.atomic():
            # Only the fixture is searched; everything is rolled back at the end.
            Project.objects.all().delete()
            try:
                with projects.open("rb") as stream:
                    report = import_catalogue(read_rows(stream, projects.name))
            except (OSError, ImportFileError) as error:
                raise CommandError(str(error)) from error
            if report.problems:
                first = report.problems[0]
                raise CommandError(f"{projects}: line {first.line}: {first.reason}")
            known = set(Project.objects.values_list("external_id", flat=True))
            unknown = {pid for j in judgements for pid in j.relevant} - known
            if unknown:
                raise CommandError(f"Judged projects not in the fixture: {sorted(unknown)}")
            evaluation = evaluate(judgements)
            titles = dict(Project.objects.values_list("external_id", "title"))
            transaction.set_rollback(True)
        summary = evaluation.summary()
        summary["projects"] = report.created
        if options["json"]:
            self.stdout.write(_json(summary))
            return
        self.stdout.write(
            f"{summary['queries']} queries over {report.created} projects: "
            f"MRR {summary['mrr']:.3f}  nDCG@{CUTOFF} {summary[f'ndcg@{CUTOFF}']:.3f}  "
            f"recall@{CUTOFF} {summary[f'recall@{CUTOFF}']:.3f}"
        )
        for kind, figures in summary["by_kind"].items():
            self.stdout.write(
                f"  {kind:<14} {figures['queries']:>3} queries  MRR {figures['mrr']:.3f}  "
                f"nDCG@{CUTOFF} {figures[f'ndcg@{CUTOFF}']:.3f}  "
                f"recall@{CUTOFF} {figures[f'recall@{CUTOFF}']:.3f}"
            )
        if misses:
            for result in evaluation.results:
                best = max(result.judgement.relevant.values())
                top = result.ranked[0] if result.ranked else None
                if top is None or result.judgement.relevant.get(top, 0) < best:
                    wanted = [p for p, g in result.judgement.relevant.items() if g == best]
                    self.stdout.write(
                        f"  miss {result.judgement.query!r}: first {titles.get(top or '', '-')!r}"
                        f", wanted {[titles[p] for p in wanted]}"
                    )


def _json(data: Any) -> str:
    return json.dumps(data, ensure_ascii=False, indent=2)
