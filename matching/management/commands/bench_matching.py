import random
import statistics
import time
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from exchange.management.commands import bench_listings
from exchange.models import Listing
from matching import ranking
from smartplatform.accounts.models import User
from smartplatform.core import benchmarking


class Command(BaseCommand):
    help = (
        "Matching latency: the online path (one listing ranked against every published "
        "listing of the other kind in its category) for a sample of listings, median and "
        "p95, and the nightly recomputation's time estimated from the same sample. Seeds "
        "the marketplace like bench_listings on a scratch database (make bench does)."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--listings", type=int, default=100_000)
        parser.add_argument("--samples", type=int, default=20)
        parser.add_argument("--keep", action="store_true")

    def handle(self, *args: Any, **options: Any) -> None:
        seeder = bench_listings.Command()
        domain = bench_listings.BENCH_DOMAIN
        if Listing.objects.exclude(owner__email__endswith=domain).exists():
            raise CommandError("Run this on a scratch database: it holds real listings.")
        rng = random.Random(2026)  # noqa: S311 (repeatable test data)
        wanted = options["listings"]
        if Listing.objects.count() != wanted:  # a kept marketplace of another size: anew
            _remove(domain)
            started = time.perf_counter()
            seeder._seed(wanted, rng)
            benchmarking.analyse("exchange_listing", "exchange_listing_tags", "exchange_listingtag")
            self.stdout.write(f"seeded {wanted} listings in {time.perf_counter() - started:.1f} s")
        ids = list(Listing.objects.order_by("pk").values_list("pk", flat=True))
        sample = rng.sample(ids, min(options["samples"], len(ids)))
        timings, pools = [], []
        for pk in sample:
            listing = Listing.objects.select_related("municipality").get(pk=pk)
            started = time.perf_counter()
            ranking.rank_for(listing, limit=20)
            timings.append(time.perf_counter() - started)
            pools.append(ranking.candidates(listing).count())
        median = statistics.median(timings)
        self.stdout.write(
            f"online path, {len(ids)} listings: median {median * 1000:.0f} ms, "
            f"p95 {benchmarking.p95(timings) * 1000:.0f} ms over {len(sample)} listings "
            f"(pools of {min(pools)} to {max(pools)} candidates)"
        )
        published = Listing.objects.filter(state=Listing.State.PUBLISHED).count()
        self.stdout.write(
            f"nightly recomputation, one way, estimated from the same: "
            f"{published * statistics.mean(timings) / 60:.0f} minutes for {published} listings"
        )
        if not options["keep"]:
            _remove(domain)


def _remove(domain: str) -> None:
    Listing.objects.filter(owner__email__endswith=domain).delete()
    User.objects.filter(email__endswith=domain).delete()
