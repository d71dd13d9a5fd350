import random
import time
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import transaction

from catalogue.importing import read_rows
from catalogue.models import Project, Theme
from smartplatform.core import analysis, benchmarking
from smartplatform.organisations.models import Organisation

HERE = Path(__file__).resolve().parents[2]
TEMPLATES = (HERE / "evaluation" / "projects.csv", HERE / "demo" / "projects.csv")
PREFIX = "BENCH-"
QUERIES: tuple[dict[str, Any], ...] = (
    {"search": "digital tvilling"},
    {"search": "detaljplanen"},
    {"search": "planer"},
    {"search": "matsvinn skola"},
    {"search": "hoganas tvilling"},
    {"search": "trygghetsvandringar"},
    {"search": "äldreomsorgen sensorer"},
    {"search": "solceller"},
    {"search": "kommun"},  # matches nearly everything: the worst case for ranking
    {"search": "cykel", "municipality": ["1283", "1284"], "theme": "mobilitet"},
    {"theme": "digitalisering", "status": "completed"},
    {},
)


class Command(BaseCommand):
    help = (
        "Seed N catalogue projects (from the fixture's texts, mixed) and time the list endpoint "
        "for a set of searches and filters, facets included: median and p95 per query and "
        "overall. Run it on a scratch database with the anonymous rate limit raised "
        "(make bench does both); the seeded projects are removed afterwards unless --keep."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--projects", type=int, default=10_000)
        parser.add_argument("--repeat", type=int, default=30)
        parser.add_argument("--keep", action="store_true")
        parser.add_argument("--seed", type=int, default=2026)

    def handle(
        self, *args: Any, projects: int, repeat: int, keep: bool, seed: int, **options: Any
    ) -> None:
        if Project.objects.exclude(external_id__startswith=PREFIX).exists():
            raise CommandError("Run this on a scratch database: it holds real projects.")
        started = time.perf_counter()
        self._seed(projects, random.Random(seed))  # noqa: S311 (repeatable test data)
        self.stdout.write(f"seeded {projects} projects in {time.perf_counter() - started:.1f} s")
        benchmarking.analyse("catalogue_project", Project.themes.through._meta.db_table)
        benchmarking.time_queries(
            "/api/v1/catalogue/projects/",
            QUERIES,
            repeat=repeat,
            write=self.stdout.write,
            label=f"{projects} projects",
        )
        if not keep:
            Project.objects.filter(external_id__startswith=PREFIX).delete()

    def _seed(self, count: int, rng: random.Random) -> None:
        templates = []
        for path in TEMPLATES:
            with path.open("rb") as stream:
                templates += [row for _line, row in read_rows(stream, path.name)]
        owners = list(
            Organisation.objects.filter(kind="municipality").select_related("municipality")
        )
        themes = list(Theme.objects.all())
        statuses = Project.Status.values
        with transaction.atomic():
            batch: list[Project] = []
            links: list[tuple[int, list[Theme]]] = []
            for number in range(count):
                base, other = rng.choice(templates), rng.choice(templates)
                owner = rng.choice(owners)
                title = f"{base['title']} {number}"
                summary = f"{base['summary']} {other.get('purpose', '')}"
                body = [base.get("method", ""), other.get("results", ""), base.get("lessons", "")]
                chosen = rng.sample(themes, rng.randint(1, 3))
                start = rng.randint(2012, 2026)
                project = Project(
                    external_id=f"{PREFIX}{number}",
                    slug=f"bench-{number}",
                    title=title[:200],
                    summary=summary[:2000],
                    method=body[0],
                    results=body[1],
                    lessons=body[2],
                    owner=owner,
                    municipality=owner.municipality,
                    status=rng.choice(statuses),
                    start_year=start,
                    end_year=rng.choice([None, start + rng.randint(0, 3)]),
                    is_published=rng.random() > 0.05,
                    search_title=analysis.index_text(title),
                    search_keywords=analysis.index_text(
                        base.get("tags", "").replace(";", " "),
                        *(f"{t.name} {t.name_en}" for t in chosen),
                        owner.name,
                        owner.municipality.name if owner.municipality else "",
                    ),
                    search_summary=analysis.index_text(summary),
                    search_body=analysis.index_text(*body),
                )
                batch.append(project)
                links.append((number, chosen))
                if len(batch) == 1000:
                    self._flush(batch, links)
                    batch, links = [], []
            if batch:
                self._flush(batch, links)

    @staticmethod
    def _flush(batch: list[Project], links: list[tuple[int, list[Theme]]]) -> None:
        created = Project.objects.bulk_create(batch)
        Through = Project.themes.through
        Through.objects.bulk_create(
            Through(project_id=project.pk, theme_id=theme.pk)
            for project, (_n, chosen) in zip(created, links, strict=True)
            for theme in chosen
        )
