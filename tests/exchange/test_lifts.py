"""Lifts: a car listing as a trip, its departures every week at the same local time, seats
that never oversell; and a car's condition at pick-up and return."""

from datetime import datetime, time, timedelta
from io import BytesIO
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone
from PIL import Image
from rest_framework.test import APIClient

from exchange import bookings, lifts, resources
from exchange.models import SeatBooking, Trip
from smartplatform.organisations.models import Municipality
from tests.exchange.factories import make_listing, resident
from tests.factories import client_for

pytestmark = pytest.mark.django_db
STHLM = ZoneInfo("Europe/Stockholm")


def next_weekday(weekday: int, hour: int) -> datetime:
    day = timezone.localdate() + timedelta(days=1)
    while day.weekday() != weekday:
        day += timedelta(days=1)
    return datetime.combine(day, time(hour), tzinfo=STHLM)


def weekly_lift(seats: int = 3) -> Trip:
    driver = resident()
    listing = make_listing(
        "Samåkning Perstorp-Helsingborg",
        owner=driver,
        category="car",
        municipality=Municipality.objects.get(code="1275"),
    )
    return lifts.describe_trip(
        actor=driver,
        listing=listing,
        facts={
            "from_municipality": Municipality.objects.get(code="1275"),
            "to_municipality": Municipality.objects.get(code="1283"),
            "departs_at": next_weekday(0, 7),
            "flexibility_minutes": 10,
            "seats": seats,
            "weekly": True,
        },
    )


def test_the_driver_describes_a_weekly_lift_and_anyone_finds_it() -> None:
    driver = resident()
    listing = make_listing("Samåkning till jobbet", owner=driver, category="car")
    url = f"/api/v1/listings/{listing.pk}/trip/"
    body = {
        "from_municipality": "perstorp",
        "to_municipality": "1283",
        "departs_at": next_weekday(0, 7).isoformat(),
        "seats": 3,
        "weekly": True,
    }

    by_other = client_for(resident()).put(url, body, format="json")
    made = client_for(driver).put(url, body, format="json")
    found = APIClient().get(
        "/api/v1/trips/", {"from_municipality": "1275", "to_municipality": "helsingborg"}
    )
    nowhere = APIClient().get("/api/v1/trips/", {"to_municipality": "1277"})
    space = make_listing("Lokal", owner=driver, category="space")
    not_a_car = client_for(driver).put(f"/api/v1/listings/{space.pk}/trip/", body, format="json")

    assert by_other.status_code == 403
    assert made.status_code == 200
    assert made.json()["from_municipality"] == "1275"
    assert [t["id"] for t in found.json()["results"]] == [made.json()["id"]]
    assert nowhere.json()["results"] == []
    assert (not_a_car.status_code, not_a_car.json()["code"]) == (400, "listing_not_a_lift")


def test_weekly_departures_keep_their_local_time_and_count_seats_left() -> None:
    trip = weekly_lift(seats=3)
    first = lifts.departures(trip, timezone.now(), timezone.now() + timedelta(days=60))
    lifts.book_seats(passenger=resident(), trip=trip, departure=first[1], seats=2)

    shown = (
        APIClient()
        .get(
            f"/api/v1/trips/{trip.pk}/departures/",
            {
                "from": timezone.now().isoformat(),
                "to": (timezone.now() + timedelta(days=22)).isoformat(),
            },
        )
        .json()
    )

    assert all(row["departure"][11:16] == "07:00" for row in shown)
    assert [row["seats_left"] for row in shown[:2]] == [3, 1]


def test_seats_sell_out_and_the_409_says_how_many_are_left() -> None:
    trip = weekly_lift(seats=3)
    departure = next_weekday(0, 7)
    first, second, third = resident(), resident(), resident()

    def ask(who: Any, seats: int, when: datetime = departure) -> Any:
        return client_for(who).post(
            f"/api/v1/trips/{trip.pk}/seats/",
            {"departure": when.isoformat(), "seats": seats},
            format="json",
        )

    two = ask(first, 2)
    again = ask(first, 1)
    too_many = ask(second, 2)
    one = ask(second, 1)
    none_left = ask(third, 1)
    wrong_time = ask(third, 1, departure + timedelta(hours=1))
    own = ask(trip.listing.owner, 1)
    cancelled = client_for(first).post(f"/api/v1/seats/{two.json()['id']}/cancel/")
    after_cancel = ask(third, 2)

    assert two.status_code == 201
    assert (again.status_code, again.json()["code"]) == (409, "already_booked_on_departure")
    assert (too_many.status_code, too_many.json()["code"]) == (409, "seats_sold_out")
    assert too_many.json()["seats_left"] == 1
    assert one.status_code == 201
    assert none_left.json()["seats_left"] == 0
    assert (wrong_time.status_code, wrong_time.json()["code"]) == (400, "no_such_departure")
    assert (own.status_code, own.json()["code"]) == (409, "cannot_book_own_trip")
    assert cancelled.json()["state"]["value"] == "cancelled"
    assert after_cancel.status_code == 201
    assert lifts.seats_taken(trip, departure) == 3


# --- A car's condition ----------------------------------------------------------------------


def photo() -> SimpleUploadedFile:
    buffer = BytesIO()
    Image.new("RGB", (40, 30), "red").save(buffer, "JPEG")
    return SimpleUploadedFile("skada.jpg", buffer.getvalue(), content_type="image/jpeg")


def test_pick_up_and_return_notes_with_photos_for_a_car_booking() -> None:
    listing = make_listing("Elbil", owner=resident(), category="car")
    car = resources.describe(actor=listing.owner, listing=listing, facts={"instant_booking": True})
    booker = resident()
    start = timezone.now().replace(minute=0, second=0, microsecond=0) + timedelta(days=2)
    [booking] = bookings.book(
        booker=booker,
        resource=car,
        slots=[bookings.Slot(start, start + timedelta(hours=3))],
        driver_confirmed=True,
    )
    url = f"/api/v1/bookings/{booking.pk}/condition/"

    pickup = client_for(booker).post(
        url,
        {"stage": "pickup", "text": "Repa på vänster framskärm.", "photos": [photo()]},
        format="multipart",
    )
    returned = client_for(listing.owner).post(
        url, {"stage": "return", "text": "Som vid hämtning."}, format="multipart"
    )
    stranger = client_for(resident()).post(
        url, {"stage": "return", "text": "Hej"}, format="multipart"
    )
    bad = client_for(booker).post(url, {"stage": "mitt", "text": ""}, format="multipart")
    listed = client_for(listing.owner).get(url).json()

    assert pickup.status_code == 201
    assert len(pickup.json()["photos"]) == 1
    assert returned.status_code == 201
    assert stranger.status_code == 404
    assert bad.status_code == 400
    assert set(bad.json()["fields"]) == {"stage", "text"}
    assert [r["stage"] for r in listed] == ["pickup", "return"]
    assert SeatBooking.objects.count() == 0
