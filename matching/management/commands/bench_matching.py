import random
import resource
import statistics
import time
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.test.utils import override_settings

from exchange.management.commands import bench_listings
from exchange.models import Listing
from matching import ranking, services
from matching.models import Match
from smartplatform.accounts.models import User
from smartplatform.core import benchmarking


class Command(BaseCommand):
    help = (
        "Matching latency: the online path (one listing ranked against every published "
        "listing of the other kind in its category) for a sample of listings, median and "
        "p95; then the nightly recomputation of every listing through the batch path, its "
        "time and peak memory, and whether it stored the online path's top matches for the "
        "same sample. Seeds the marketplace like bench_listings on a scratch database (make "
        "bench does)."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--listings", type=int, default=100_000)
        parser.add_argument("--samples", type=int, default=20)
        parser.add_argument(
            "--nights", type=int, default=2, help="nightly recomputations to time in a row"
        )
        parser.add_argument("--keep", action="store_true")

    def handle(self, *args: Any, **options: Any) -> None:
        # Timed as production runs it: DEBUG's query log would keep every bulk write's SQL.
        with override_settings(DEBUG=False):
            self._run(options)

    def _run(self, options: dict[str, Any]) -> None:
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
        self._nightly(sample, options["nights"])
        if not options["keep"]:
            _remove(domain)

    def _nightly(self, sample: list[int], nights: int) -> None:
        """The nightly recomputation through the batch path, timed whole with its peak
        memory: the first night from no matches at all (every row new), the next ones over
        the last night's (most rows updated); then its stored matches for the sample
        against the online path's."""
        Match.objects.all().delete()
        for night in range(1, nights + 1):
            rss_before = _peak_rss_mb()
            started = time.perf_counter()
            done = services.recompute_all()
            took = time.perf_counter() - started
            self.stdout.write(
                f"nightly recomputation (batch path), night {night}: {done} listings in "
                f"{took / 60:.1f} minutes ({took / max(done, 1) * 1000:.1f} ms each), "
                f"{Match.objects.count()} matches stored; peak memory of the process "
                f"{_peak_rss_mb():.0f} MB (before it {rss_before:.0f} MB)"
            )
        same = 0
        for pk in sample:
            listing = Listing.objects.select_related("municipality").get(pk=pk)
            online = [
                (int(s.key), s.score)
                for s in ranking.rank_for(listing, limit=services.TOP)
                if s.score >= services.MIN_SCORE
            ]
            stored = list(
                Match.objects.filter(listing=listing)
                .order_by("-score", "other_id")
                .values_list("other_id", "score")
            )
            same += [other for other, _ in online] == [other for other, _ in stored]
        self.stdout.write(
            f"same top matches as the online path: {same} of {len(sample)} sampled listings"
        )


def _peak_rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def _remove(domain: str) -> None:
    Listing.objects.filter(owner__email__endswith=domain).delete()
    User.objects.filter(email__endswith=domain).delete()
