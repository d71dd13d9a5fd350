"""Calendars: private iCalendar feeds and single bookings as .ics, read back with the
icalendar library as a phone calendar would."""

from datetime import datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from django.test import Client
from icalendar import Calendar

from exchange import bookings, resources
from exchange.models import Resource
from tests.exchange.factories import make_listing, resident
from tests.factories import client_for

pytestmark = pytest.mark.django_db
STHLM = ZoneInfo("Europe/Stockholm")
FEEDS = "/api/v1/calendars/"


def room(**facts: Any) -> Resource:
    listing = make_listing(
        "Mötesrum på biblioteket", owner=resident(), category="space", address="Storgatan 1"
    )
    return resources.describe(
        actor=listing.owner, listing=listing, facts={"max_days_ahead": 800, **facts}
    )


def feed_of(user: Any, **body: Any) -> str:
    made = client_for(user).post(FEEDS, body, format="json")
    assert made.status_code == 201, made.json()
    url: str = made.json()["url"]
    return url[url.index("/calendar/") :]


def events(body: bytes) -> list[Any]:
    return list(Calendar.from_ical(body).walk("VEVENT"))


def test_times_read_back_in_stockholm_time_on_both_sides_of_the_october_change() -> None:
    space = room(instant_booking=True)
    booker = resident()
    for day in (datetime(2027, 10, 25, 10, tzinfo=STHLM), datetime(2027, 11, 1, 10, tzinfo=STHLM)):
        bookings.book(
            booker=booker, resource=space, slots=[bookings.Slot(day, day + timedelta(hours=2))]
        )
    url = feed_of(booker)

    response = Client().get(url)

    assert response.status_code == 200
    assert response["Content-Type"] == "text/calendar; charset=utf-8"
    calendar = Calendar.from_ical(response.content)
    starts = [event.decoded("dtstart").isoformat() for event in calendar.walk("VEVENT")]
    assert starts == ["2027-10-25T10:00:00+02:00", "2027-11-01T10:00:00+01:00"]
    [zone] = calendar.walk("VTIMEZONE")
    assert str(zone["TZID"]) == "Europe/Stockholm"
    assert b"DTSTART;TZID=Europe/Stockholm:20271101T100000" in response.content


def test_a_bookings_uid_stays_when_it_changes_and_a_cancellation_says_so() -> None:
    space = room()
    booker = resident()
    start = datetime(2027, 5, 3, 18, tzinfo=STHLM)
    [booking] = bookings.book(
        booker=booker, resource=space, slots=[bookings.Slot(start, start + timedelta(hours=2))]
    )
    url = feed_of(booker)

    [requested] = events(Client().get(url).content)
    bookings.approve(actor=space.listing.owner, booking=booking)
    [confirmed] = events(Client().get(url).content)
    bookings.cancel(actor=booker, booking=booking)
    [cancelled] = events(Client().get(url).content)

    assert requested["UID"] == confirmed["UID"] == cancelled["UID"]
    assert (str(requested["STATUS"]), str(confirmed["STATUS"]), str(cancelled["STATUS"])) == (
        "TENTATIVE",
        "CONFIRMED",
        "CANCELLED",
    )
    assert int(requested["SEQUENCE"]) < int(confirmed["SEQUENCE"]) < int(cancelled["SEQUENCE"])
    # The exact address only once confirmed, as in the API.
    assert str(requested["LOCATION"]) != "Storgatan 1"
    assert str(confirmed["LOCATION"]) == "Storgatan 1"


def test_feeds_are_private_revocable_and_a_resource_feed_is_its_owners() -> None:
    space = room(instant_booking=True)
    booker, other = resident(), resident()
    start = datetime(2027, 5, 3, 18, tzinfo=STHLM)
    bookings.book(
        booker=booker, resource=space, slots=[bookings.Slot(start, start + timedelta(hours=1))]
    )
    bookings.book(
        booker=other,
        resource=space,
        slots=[bookings.Slot(start + timedelta(hours=2), start + timedelta(hours=3))],
    )
    mine = feed_of(booker)
    owners = feed_of(space.listing.owner, resource=space.pk)
    refused = client_for(booker).post(FEEDS, {"resource": space.pk}, format="json")

    assert len(events(Client().get(mine).content)) == 1
    owner_events = events(Client().get(owners).content)
    assert len(owner_events) == 2
    assert refused.status_code == 403
    listed = client_for(booker).get(FEEDS).json()
    assert [feed["resource"] for feed in listed] == [None]
    assert "url" not in listed[0]  # the secret was shown once

    revoked = client_for(booker).delete(f"{FEEDS}{listed[0]['id']}/")
    again = client_for(booker).delete(f"{FEEDS}{listed[0]['id']}/")

    assert revoked.status_code == 204
    assert again.status_code == 404
    assert Client().get(mine).status_code == 404
    assert Client().get("/calendar/not-a-token.ics").status_code == 404
    assert Client().get(owners).status_code == 200


def test_one_booking_as_an_ics_file_for_its_parties_only() -> None:
    space = room(instant_booking=True)
    booker = resident()
    start = datetime(2027, 5, 3, 18, tzinfo=STHLM)
    [booking] = bookings.book(
        booker=booker, resource=space, slots=[bookings.Slot(start, start + timedelta(hours=1))]
    )
    url = f"/api/v1/bookings/{booking.pk}/ics/"

    mine = client_for(booker).get(url)
    owners = client_for(space.listing.owner).get(url)

    assert mine.status_code == 200
    [event] = events(mine.content)
    assert event.decoded("dtstart").isoformat() == "2027-05-03T18:00:00+02:00"
    assert str(event["UID"]).startswith(f"booking-{booking.pk}@")
    assert owners.status_code == 200
    assert client_for(resident()).get(url).status_code == 404


@pytest.mark.parametrize("feed_id", ["null,null", "abc", "1.5"])
def test_revoking_a_feed_by_an_id_that_is_not_a_number_is_not_found(feed_id: str) -> None:
    response = client_for(resident()).delete(f"{FEEDS}{feed_id}/")

    assert response.status_code == 404
    assert response.json()["code"] == "not_found"
