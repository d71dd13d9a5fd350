"""The demo marketplace `make run` loads: alive everywhere, with work for the moderators."""

from io import StringIO

import pytest
from django.core.management import call_command
from rest_framework.test import APIClient

from exchange.models import Listing
from smartplatform.organisations.models import Municipality

pytestmark = pytest.mark.django_db


def test_the_demo_marketplace_covers_every_municipality_category_and_kind(settings) -> None:
    settings.DEBUG = True
    call_command("load_demo_data", stdout=StringIO())

    rows = APIClient().get("/api/v1/listings/", {"page_size": 100}).json()["results"]

    assert {row["municipality"]["code"] for row in rows} == set(
        Municipality.objects.values_list("code", flat=True)
    )
    assert {row["category"]["value"] for row in rows} == {"expertise", "service", "car", "space"}
    assert {row["kind"]["value"] for row in rows} == {"offer", "request"}
    assert any(row["title"] == "Help moving furniture" for row in Listing.objects.values("title"))
    assert Listing.objects.filter(state="pending_review").count() == 2
    assert Listing.objects.filter(state="hidden").count() == 1
    assert all(row["address"] is None for row in rows)


def test_the_demo_has_exchanges_reviews_and_hours_and_loads_twice(settings) -> None:
    from exchange import timebank
    from exchange.models import Exchange, Review, Transfer
    from smartplatform.accounts.models import User
    from tests.factories import client_for

    settings.DEBUG = True
    call_command("load_demo_data", stdout=StringIO())
    call_command("load_demo_data", stdout=StringIO())  # idempotent

    states = sorted(Exchange.objects.values_list("state", flat=True))
    assert states == ["accepted", "completed", "completed", "proposed"]
    assert Review.objects.count() == 3
    assert Transfer.objects.filter(kind="gift").count() == 1
    assert timebank.ledger_problems() == []
    birgitta = User.objects.get(email="birgitta@example.com")
    profile = APIClient().get(f"/api/v1/users/{birgitta.pk}/").json()
    assert profile["reviews"] == {"average": "5.0", "count": 1}
    statement = client_for(birgitta).get("/api/v1/timebank/entries/").json()["results"]
    assert [line["hours"] for line in statement] == ["-1.00", "2.00"]
    johan = User.objects.get(email="johan@example.com")
    account = client_for(johan).get("/api/v1/timebank/account/").json()
    assert account["held"] == "1.00"  # his accepted request holds the lift's hour


def test_the_demo_has_bookable_cars_spaces_and_a_lift_with_bookings(settings) -> None:
    from exchange.models import Booking, Resource, SeatBooking, Trip

    settings.DEBUG = True
    call_command("load_demo_data", stdout=StringIO())
    call_command("load_demo_data", stdout=StringIO())  # idempotent

    titles = set(Resource.objects.values_list("listing__title", flat=True))
    assert "Kommunens bilpool: elbilar för anställda och föreningar" in titles
    assert "Mötesrum på Landskrona stadsbibliotek" in titles
    assert {"Föreningskök i Bjuv", "Kontorshotell i Klippan"} <= titles
    assert Trip.objects.filter(weekly=True).count() == 1
    assert SeatBooking.objects.count() == 1
    assert Booking.objects.count() == 4
    assert Booking.objects.filter(state="confirmed").count() >= 3
    found = APIClient().get("/api/v1/resources/", {"category": "space", "step_free": "true"})
    assert found.json()["count"] >= 3
