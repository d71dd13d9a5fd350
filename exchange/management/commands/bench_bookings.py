import random
import threading
import time
from datetime import datetime, timedelta
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import close_old_connections, connection, transaction
from django.utils import timezone

from exchange import bookings
from exchange.models import Booking, Listing, OpeningHours, Resource, ResourceEquipment
from smartplatform.accounts.models import User
from smartplatform.core import benchmarking
from smartplatform.organisations.models import Municipality

BENCH_DOMAIN = "bench-bookings.example"


class Command(BaseCommand):
    help = (
        "Booking throughput and free-time search latency: bookings per second on one "
        "contended resource and on many resources (threads, each booking distinct slots, "
        "through the booking service with its row lock and constraint), then the free-time "
        "search over N resources (median and p95). Run on a scratch PostgreSQL database (make "
        "bench does); what it seeds is removed afterwards unless --keep."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--resources", type=int, default=10_000)
        parser.add_argument("--threads", type=int, default=8)
        parser.add_argument("--bookings", type=int, default=400)
        parser.add_argument("--repeat", type=int, default=30)
        parser.add_argument("--keep", action="store_true")

    def handle(self, *args: Any, **options: Any) -> None:
        if Listing.objects.exclude(owner__email__endswith=BENCH_DOMAIN).exists():
            raise CommandError("Run this on a scratch database: it holds real listings.")
        rng = random.Random(2026)  # noqa: S311 (repeatable test data)
        started = time.perf_counter()
        resources, bookers = self._seed(options["resources"], rng)
        self.stdout.write(
            f"seeded {len(resources)} resources in {time.perf_counter() - started:.1f} s"
        )
        threads, count = options["threads"], options["bookings"]
        # Open around the clock, so every slot of the run is within opening hours.
        always_open = [r for r in resources if not r.opening_hours.exists()][: threads + 1]
        one = self._throughput([always_open[0]] * threads, bookers, count)
        self.stdout.write(
            f"one contended resource, {threads} threads: {count} bookings in {one:.2f} s = "
            f"{count / one:.0f} bookings/s"
        )
        many = self._throughput(always_open[1 : threads + 1], bookers, count)
        self.stdout.write(
            f"{threads} resources, {threads} threads: {count} bookings in {many:.2f} s = "
            f"{count / many:.0f} bookings/s"
        )
        benchmarking.analyse(
            "exchange_listing", "exchange_resource", "exchange_booking", "exchange_openinghours"
        )
        day = timezone.localdate() + timedelta(days=10)
        evening = datetime(day.year, day.month, day.day, 18, tzinfo=bookings.STOCKHOLM)
        window = {
            "free_from": evening.isoformat(),
            "free_to": (evening + timedelta(hours=2)).isoformat(),
        }
        benchmarking.time_queries(
            "/api/v1/resources/",
            [
                {},
                {"category": "space", "capacity_min": 20, **window},
                {"category": "space", "municipality": "1276", "step_free": "true", **window},
                {"category": "car", "fuel": "el", **window},
                {"equipment": ["projector", "wifi"], **window},
            ],
            repeat=options["repeat"],
            write=self.stdout.write,
            label=f"{len(resources)} resources",
        )
        if not options["keep"]:
            Booking.objects.filter(booker__email__endswith=BENCH_DOMAIN).delete()
            Listing.objects.filter(owner__email__endswith=BENCH_DOMAIN).delete()
            User.objects.filter(email__endswith=BENCH_DOMAIN).delete()

    def _seed(self, count: int, rng: random.Random) -> tuple[list[Resource], list[User]]:
        municipalities = list(Municipality.objects.all())
        now = timezone.now()
        with transaction.atomic():
            owners = User.objects.bulk_create(
                User(email=f"owner{n}@{BENCH_DOMAIN}", display_name=f"Ägare {n}")
                for n in range(max(1, count // 10))
            )
            bookers = User.objects.bulk_create(
                User(email=f"booker{n}@{BENCH_DOMAIN}", display_name=f"Bokare {n}")
                for n in range(200)
            )
            listings = Listing.objects.bulk_create(
                Listing(
                    kind="offer",
                    category="space" if n % 3 else "car",
                    title=f"Resurs {n}",
                    description="Bokningsbar resurs.",
                    owner=rng.choice(owners),
                    municipality=rng.choice(municipalities),
                    state="published",
                    published_at=now,
                    expires_at=now + timedelta(days=60),
                )
                for n in range(count)
            )
            resources = Resource.objects.bulk_create(
                Resource(
                    listing=listing,
                    instant_booking=True,
                    capacity=rng.choice((6, 12, 20, 40)) if listing.category == "space" else None,
                    step_free=rng.random() < 0.6,
                    seats=5 if listing.category == "car" else None,
                    fuel=rng.choice(("el", "bensin", "hybrid"))
                    if listing.category == "car"
                    else "",
                    buffer_minutes=rng.choice((0, 15, 30)),
                    max_days_ahead=365,
                    max_duration_minutes=24 * 60,
                    min_duration_minutes=15,
                )
                for listing in listings
            )
            OpeningHours.objects.bulk_create(
                OpeningHours(resource=resource, weekday=day, opens="08:00", closes="21:00")
                for resource in resources
                if rng.random() < 0.5
                for day in range(7)
            )
            ResourceEquipment.objects.bulk_create(
                ResourceEquipment(resource=resource, item=item)
                for resource in resources
                if resource.capacity is not None and rng.random() < 0.3
                for item in ("projector", "wifi")
            )
            # Existing bookings: a tenth of the resources are taken one evening.
            taken = []
            first_day = timezone.localdate() + timedelta(days=1)
            for resource in resources:
                if rng.random() >= 0.1:
                    continue
                day = first_day + timedelta(days=rng.randrange(0, 20))
                begins = datetime(day.year, day.month, day.day, 18, tzinfo=bookings.STOCKHOLM)
                ends = begins + timedelta(hours=2)
                taken.append(
                    Booking(
                        resource=resource,
                        booker=rng.choice(bookers),
                        starts_at=begins,
                        ends_at=ends,
                        blocked_until=ends + timedelta(minutes=resource.buffer_minutes),
                        state="confirmed",
                    )
                )
            Booking.objects.bulk_create(taken)
        return resources, bookers

    def _throughput(self, targets: list[Resource], bookers: list[User], count: int) -> float:
        """Book ``count`` distinct half-hour slots, spread over ``targets`` (one per thread),
        from as many threads at once; seconds taken."""
        per_thread = count // len(targets)
        barrier = threading.Barrier(len(targets))
        failures: list[Exception] = []
        base = timezone.now().replace(minute=0, second=0, microsecond=0) + timedelta(days=30)

        def work(index: int, resource: Resource) -> None:
            try:
                barrier.wait()
                for number in range(per_thread):
                    # Slots interleave across threads on a shared resource: each distinct.
                    slot = base + timedelta(minutes=30 * (number * len(targets) + index))
                    bookings.book(
                        booker=bookers[(index * per_thread + number) % len(bookers)],
                        resource=resource,
                        slots=[bookings.Slot(slot, slot + timedelta(minutes=15))],
                        driver_confirmed=True,
                    )
            except Exception as exc:  # reported below: the figure would lie
                failures.append(exc)
            finally:
                connection.close()

        workers = [
            threading.Thread(target=work, args=(index, resource))
            for index, resource in enumerate(targets)
        ]
        began = time.perf_counter()
        for worker in workers:
            worker.start()
        for worker in workers:
            worker.join()
        taken = time.perf_counter() - began
        close_old_connections()
        if failures:
            raise CommandError(f"{len(failures)} threads failed: {failures[0]!r}")
        return taken
