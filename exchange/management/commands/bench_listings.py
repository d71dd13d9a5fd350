import random
import time
from datetime import timedelta
from decimal import Decimal
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import transaction
from django.utils import timezone

from exchange import demo, search
from exchange.models import Listing, ListingTag
from smartplatform.accounts.models import User
from smartplatform.core import benchmarking
from smartplatform.organisations.models import Municipality

BENCH_DOMAIN = "bench.example"
QUERIES: tuple[dict[str, Any], ...] = (
    {},
    {"category": "car"},
    {"kind": "request", "municipality": ["1283", "1284"]},
    {"search": "trädgården"},
    {"search": "hjälp"},  # in most listings: the worst case for ranking
    {"search": "elbil", "category": "car"},
    {"search": "tradgard gräsklippning"},
    {"near": "56.05,12.70", "radius_km": 10, "ordering": "nearest"},
    {"compensation": "time_credits", "tag": "trädgård"},
    {"page": 50},  # deep in the list (fewer pages at a small scale)
)


class Command(BaseCommand):
    help = (
        "Seed N published listings (from the demo marketplace's texts, mixed) and time the "
        "listing endpoint for a set of searches and filters: median and p95 per query and "
        "overall. Run it on a scratch database with the anonymous rate limit raised (make "
        "bench does both); the seeded listings and owners are removed afterwards unless --keep."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--listings", type=int, default=100_000)
        parser.add_argument("--repeat", type=int, default=30)
        parser.add_argument("--keep", action="store_true")
        parser.add_argument("--seed", type=int, default=2026)

    def handle(
        self, *args: Any, listings: int, repeat: int, keep: bool, seed: int, **options: Any
    ) -> None:
        if Listing.objects.exclude(owner__email__endswith=BENCH_DOMAIN).exists():
            raise CommandError("Run this on a scratch database: it holds real listings.")
        started = time.perf_counter()
        self._seed(listings, random.Random(seed))  # noqa: S311 (repeatable test data)
        self.stdout.write(f"seeded {listings} listings in {time.perf_counter() - started:.1f} s")
        benchmarking.analyse(
            "exchange_listing", Listing.tags.through._meta.db_table, "accounts_user"
        )
        queries = [
            {"page": max(1, min(query["page"], listings // 20))} if "page" in query else query
            for query in QUERIES
        ]
        benchmarking.time_queries(
            "/api/v1/listings/",
            queries,
            repeat=repeat,
            write=self.stdout.write,
            label=f"{listings} listings",
        )
        if not keep:
            Listing.objects.filter(owner__email__endswith=BENCH_DOMAIN).delete()
            User.objects.filter(email__endswith=BENCH_DOMAIN).delete()

    def _seed(self, count: int, rng: random.Random) -> None:
        templates = [*demo.LISTINGS, *demo.PENDING]
        municipalities = list(Municipality.objects.all())
        now = timezone.now()
        with transaction.atomic():
            owners = User.objects.bulk_create(
                User(email=f"owner{n}@{BENCH_DOMAIN}", display_name=f"Ägare {n}")
                for n in range(max(1, count // 20))
            )
            tags = {
                name: ListingTag.objects.get_or_create(name=name)[0]
                for template in templates
                for name in template.tags
            }
            batch: list[Listing] = []
            chosen_tags: list[list[str]] = []
            for number in range(count):
                base, other = rng.choice(templates), rng.choice(templates)
                municipality = rng.choice(municipalities)
                compensation = base.compensation
                listing = Listing(
                    kind=base.kind,
                    category=base.category,
                    title=f"{base.title} {number}"[:150],
                    description=f"{base.description} {other.description}",
                    owner=rng.choice(owners),
                    municipality=municipality,
                    latitude=municipality.latitude + rng.uniform(-0.05, 0.05),
                    longitude=municipality.longitude + rng.uniform(-0.08, 0.08),
                    remote=base.remote,
                    compensation=compensation,
                    hours=Decimal(base.hours or "1") if compensation == "time_credits" else None,
                    amount_sek=base.amount_sek if compensation == "paid" else None,
                    availability=base.availability,
                    state=Listing.State.PUBLISHED,
                    published_at=now - timedelta(minutes=number),
                    expires_at=now + timedelta(days=60),
                )
                listing.municipality = municipality
                columns = search.search_columns(listing, tag_names=list(base.tags))
                listing.search_title = columns["search_title"]
                listing.search_body = columns["search_body"]
                batch.append(listing)
                chosen_tags.append(list(base.tags))
                if len(batch) == 2000:
                    self._flush(batch, chosen_tags, tags)
                    batch, chosen_tags = [], []
            if batch:
                self._flush(batch, chosen_tags, tags)

    @staticmethod
    def _flush(batch: list[Listing], chosen: list[list[str]], tags: dict[str, ListingTag]) -> None:
        created = Listing.objects.bulk_create(batch)
        Through = Listing.tags.through
        Through.objects.bulk_create(
            Through(listing_id=listing.pk, listingtag_id=tags[name].pk)
            for listing, names in zip(created, chosen, strict=True)
            for name in names
        )
