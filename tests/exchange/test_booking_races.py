"""No double booking under any concurrency, on PostgreSQL with real threads through the API:
the resource's row lock serialises bookings, and the exclusion constraint stands behind it."""

import itertools
from datetime import timedelta
from typing import Any

import pytest
from django.db import connection
from django.utils import timezone
from rest_framework.test import APIClient

from exchange import resources
from exchange.models import Booking
from tests.exchange.factories import make_listing, resident
from tests.races import MAX_THREADS, run_together

pytestmark = [pytest.mark.postgres, pytest.mark.serial, pytest.mark.django_db(transaction=True)]


def overlapping_active_pairs() -> int:
    """A self-join: pairs of active bookings of one resource whose blocked ranges overlap."""
    with connection.cursor() as cursor:
        cursor.execute(
            """
            SELECT count(*) FROM exchange_booking a JOIN exchange_booking b
                ON a.resource_id = b.resource_id AND a.id < b.id
                AND a.starts_at < b.blocked_until AND b.starts_at < a.blocked_until
            WHERE a.state IN ('requested', 'confirmed') AND b.state IN ('requested', 'confirmed')
            """
        )
        return int(cursor.fetchone()[0])


def test_forty_threads_book_one_slot_and_exactly_one_gets_it() -> None:
    listing = make_listing("Mötesrum", owner=resident(), category="space")
    space = resources.describe(
        actor=listing.owner, listing=listing, facts={"instant_booking": True, "buffer_minutes": 15}
    )
    bookers = [resident() for _ in range(MAX_THREADS)]
    queue = iter(bookers)
    keys = itertools.count()
    start = (timezone.now() + timedelta(days=3)).replace(minute=0, second=0, microsecond=0)

    def book_it() -> Any:
        client = APIClient()
        client.force_authenticate(next(queue))
        # Each thread asks for a slightly different hour that overlaps all the others.
        offset = timedelta(minutes=next(keys) % 30)
        return client.post(
            "/api/v1/bookings/",
            {
                "resource": space.pk,
                "start": (start + offset).isoformat(),
                "end": (start + offset + timedelta(hours=1)).isoformat(),
            },
            format="json",
            HTTP_IDEMPOTENCY_KEY=f"slot-{next(keys)}",
        )

    answers = run_together(MAX_THREADS, book_it)

    statuses = [answer.status_code for answer in answers]
    assert statuses.count(201) == 1
    assert statuses.count(409) == MAX_THREADS - 1
    assert {a.json()["code"] for a in answers if a.status_code == 409} == {"booking_conflict"}
    assert Booking.objects.count() == 1
    assert overlapping_active_pairs() == 0


def test_forty_passengers_race_for_three_seats_and_three_get_one() -> None:
    from datetime import datetime, time
    from zoneinfo import ZoneInfo

    from exchange import lifts
    from exchange.models import SeatBooking
    from smartplatform.organisations.models import Municipality

    driver = resident()
    listing = make_listing("Samåkning", owner=driver, category="car")
    day = timezone.localdate() + timedelta(days=2)
    departure = datetime.combine(day, time(7), tzinfo=ZoneInfo("Europe/Stockholm"))
    trip = lifts.describe_trip(
        actor=driver,
        listing=listing,
        facts={
            "from_municipality": Municipality.objects.get(code="1275"),
            "to_municipality": Municipality.objects.get(code="1283"),
            "departs_at": departure,
            "seats": 3,
        },
    )
    passengers = iter([resident() for _ in range(MAX_THREADS)])

    def ride() -> Any:
        client = APIClient()
        client.force_authenticate(next(passengers))
        return client.post(
            f"/api/v1/trips/{trip.pk}/seats/",
            {"departure": departure.isoformat(), "seats": 1},
            format="json",
        )

    answers = run_together(MAX_THREADS, ride)

    statuses = [answer.status_code for answer in answers]
    assert statuses.count(201) == 3
    assert statuses.count(409) == MAX_THREADS - 3
    assert {a.json()["code"] for a in answers if a.status_code == 409} == {"seats_sold_out"}
    assert lifts.seats_taken(trip, departure) == 3
    assert SeatBooking.objects.filter(state="booked").count() == 3


def test_the_booking_benchmark_runs_at_a_small_scale_and_cleans_up() -> None:
    from io import StringIO

    from django.core.management import call_command

    from exchange.models import Listing

    out = StringIO()
    call_command(
        "bench_bookings",
        "--resources",
        "40",
        "--threads",
        "2",
        "--bookings",
        "10",
        "--repeat",
        "1",
        stdout=out,
    )

    assert "one contended resource, 2 threads: 10 bookings" in out.getvalue()
    assert "overall (postgresql, 40 resources" in out.getvalue()
    assert not Listing.objects.exists()
