"""Bookable cars and spaces: describing a resource, its rules and their 4xx bodies, the
approval flow, series across daylight saving, availability, cancellations and hours."""

from datetime import datetime, time, timedelta
from decimal import Decimal
from typing import Any
from urllib.parse import urlencode
from zoneinfo import ZoneInfo

import pytest
from django.utils import timezone
from rest_framework.test import APIClient

from exchange import bookings, resources, timebank
from exchange.models import Booking, Listing, Resource
from smartplatform.organisations.models import Municipality
from tests.exchange.factories import make_listing, resident
from tests.factories import client_for

pytestmark = pytest.mark.django_db
STHLM = ZoneInfo("Europe/Stockholm")
BOOKINGS = "/api/v1/bookings/"


def at(day: int, hour: int, minute: int = 0) -> datetime:
    """A local time ``day`` days from today."""
    base = timezone.localdate() + timedelta(days=day)
    return datetime.combine(base, time(hour, minute), tzinfo=STHLM)


def room(owner: Any = None, **rules: Any) -> Resource:
    listing = make_listing(
        "Mötesrum på biblioteket",
        owner=owner or resident(),
        category="space",
        address="Stadsbiblioteket, Landskrona",
        municipality=Municipality.objects.get(code="1282"),
    )
    return resources.describe(
        actor=listing.owner, listing=listing, facts={"capacity": 20, "step_free": True, **rules}
    )


def car(owner: Any = None, **rules: Any) -> Resource:
    listing = make_listing("Elbil att låna", owner=owner or resident(), category="car")
    return resources.describe(
        actor=listing.owner, listing=listing, facts={"seats": 5, "fuel": "el", **rules}
    )


def book(user: Any, resource: Resource, start: datetime, end: datetime, **extra: Any) -> Any:
    return client_for(user).post(
        BOOKINGS,
        {"resource": resource.pk, "start": start.isoformat(), "end": end.isoformat(), **extra},
        format="json",
    )


def move(user: Any, booking_id: int, name: str, **body: Any) -> Any:
    return client_for(user).post(f"{BOOKINGS}{booking_id}/{name}/", body, format="json")


@pytest.fixture(autouse=True)
def _sound_ledger() -> Any:
    yield
    assert timebank.ledger_problems() == []


# --- Describing a resource ------------------------------------------------------------------


def test_the_owner_makes_a_space_bookable_and_anyone_reads_it() -> None:
    owner = resident()
    listing = make_listing("Föreningskök", owner=owner, category="space")
    url = f"/api/v1/listings/{listing.pk}/resource/"
    body = {
        "capacity": 12,
        "step_free": True,
        "equipment": ["kitchen", "wifi"],
        "house_rules": "Diska efter er.",
        "instant_booking": True,
        "opening_hours": [{"weekday": 0, "opens": "08:00", "closes": "22:00"}],
    }

    by_other = client_for(resident()).put(url, body, format="json")
    made = client_for(owner).put(url, body, format="json")
    shown = APIClient().get(f"/api/v1/resources/{made.json()['id']}/")

    assert by_other.status_code == 403
    assert made.status_code == 200
    assert shown.json()["equipment"] == ["kitchen", "wifi"]
    assert shown.json()["opening_hours"] == [{"weekday": 0, "opens": "08:00", "closes": "22:00"}]
    assert shown.json()["capacity"] == 12
    request = make_listing("Söker lokal", owner=owner, category="space", kind="request")
    refused = client_for(owner).put(f"/api/v1/listings/{request.pk}/resource/", body, format="json")
    assert (refused.status_code, refused.json()["code"]) == (400, "listing_not_bookable")
    wrong = client_for(owner).put(
        url, {"opening_hours": [{"weekday": 7, "opens": "10:00", "closes": "09:00"}]}, format="json"
    )
    assert wrong.status_code == 400
    assert "opening_hours" in wrong.json()["fields"]


# --- The approval flow ----------------------------------------------------------------------


def test_a_request_waits_for_the_owner_and_the_address_opens_on_confirmation(events: Any) -> None:
    space = room()
    booker = resident(display_name="Karin")

    asked = book(booker, space, at(3, 10), at(3, 12), note="Stickcafé")
    booking = asked.json()["bookings"][0]
    approved = move(space.listing.owner, booking["id"], "approve")

    assert asked.status_code == 201
    assert asked.json()["series"] is None
    assert booking["state"]["value"] == "requested"
    assert booking["address"] is None
    assert booking["start"] == at(3, 10).isoformat()
    assert approved.json()["state"]["value"] == "confirmed"
    seen = client_for(booker).get(f"{BOOKINGS}{booking['id']}/").json()
    assert seen["address"] == "Stadsbiblioteket, Landskrona"
    assert [e.event_type for e in events.all()][-2:] == ["booking.requested", "booking.confirmed"]
    assert move(booker, booking["id"], "approve").status_code == 409  # not requested any more


def test_instant_booking_confirms_at_once_and_the_owner_declines_with_a_reason() -> None:
    instant, asked_for = room(instant_booking=True), room()
    booker = resident()

    at_once = book(booker, instant, at(2, 10), at(2, 11)).json()["bookings"][0]
    waiting = book(booker, asked_for, at(2, 10), at(2, 11)).json()["bookings"][0]
    no_reason = move(asked_for.listing.owner, waiting["id"], "decline")
    declined = move(asked_for.listing.owner, waiting["id"], "decline", reason="Stängt för städning")
    by_booker = move(booker, at_once["id"], "approve")

    assert at_once["state"]["value"] == "confirmed"
    assert no_reason.status_code == 400
    assert declined.json()["state"]["value"] == "declined"
    assert declined.json()["reason"] == "Stängt för städning"
    assert (by_booker.status_code, by_booker.json()["code"]) == (
        409,
        "booking_transition_not_allowed",
    )


def test_nobody_books_their_own_resource_or_an_unpublished_one() -> None:
    space = room()
    own = book(space.listing.owner, space, at(2, 10), at(2, 11))
    Listing.objects.filter(pk=space.listing_id).update(state="paused")
    paused = book(resident(), space, at(2, 10), at(2, 11))

    assert (own.status_code, own.json()["code"]) == (409, "cannot_book_own_resource")
    assert paused.status_code == 404  # a paused listing's resource is not shown


# --- The rules, each with its 4xx body ----------------------------------------------------


def test_back_to_back_bookings_both_fit_but_an_overlap_names_the_conflict() -> None:
    space = room(instant_booking=True)
    first = book(resident(), space, at(2, 10), at(2, 11))
    second = book(resident(), space, at(2, 11), at(2, 12))
    overlapping = book(resident(), space, at(2, 10, 30), at(2, 11, 30))

    assert (first.status_code, second.status_code) == (201, 201)
    assert overlapping.status_code == 409
    assert overlapping.json()["code"] == "booking_conflict"
    assert overlapping.json()["conflicts"] == [
        {"start": at(2, 10).isoformat(), "end": at(2, 11).isoformat()},
        {"start": at(2, 11).isoformat(), "end": at(2, 12).isoformat()},
    ]


def test_the_buffer_keeps_time_free_after_each_booking() -> None:
    space = room(instant_booking=True, buffer_minutes=30)
    book(resident(), space, at(2, 10), at(2, 11))

    too_soon = book(resident(), space, at(2, 11, 15), at(2, 12, 15))
    after_buffer = book(resident(), space, at(2, 11, 30), at(2, 12, 30))
    before = book(resident(), space, at(2, 9), at(2, 10))  # its own buffer reaches 10:30

    assert (too_soon.status_code, too_soon.json()["code"]) == (409, "booking_conflict")
    assert after_buffer.status_code == 201
    assert (before.status_code, before.json()["code"]) == (409, "booking_conflict")


def test_opening_hours_and_blackouts() -> None:
    listing = make_listing("Verkstad", owner=resident(), category="space")
    day = at(2, 0)
    space = resources.describe(
        actor=listing.owner,
        listing=listing,
        facts={},
        opening_hours=[{"weekday": day.weekday(), "opens": time(9), "closes": time(17)}],
    )
    resources.add_blackout(
        actor=listing.owner,
        resource=space,
        starts_at=at(2, 12),
        ends_at=at(2, 13),
        reason="Lunchstängt",
    )
    booker = resident()

    early = book(booker, space, at(2, 8), at(2, 10))
    late = book(booker, space, at(2, 16), at(2, 18))
    other_day = book(booker, space, at(3, 10), at(3, 11))
    blacked = book(booker, space, at(2, 11, 30), at(2, 12, 30))
    fine = book(booker, space, at(2, 9), at(2, 11))

    assert (early.status_code, early.json()["code"]) == (400, "outside_opening_hours")
    assert early.json()["opening_hours"] == [
        {"weekday": day.weekday(), "opens": "09:00", "closes": "17:00"}
    ]
    assert late.json()["code"] == "outside_opening_hours"
    assert other_day.json()["code"] == "outside_opening_hours"
    assert (blacked.status_code, blacked.json()["code"]) == (409, "resource_blacked_out")
    assert blacked.json()["blackout"] == {
        "start": at(2, 12).isoformat(),
        "end": at(2, 13).isoformat(),
    }
    assert fine.status_code == 201


def test_durations_days_ahead_the_past_and_quotas() -> None:
    space = room(
        instant_booking=True,
        min_duration_minutes=60,
        max_duration_minutes=180,
        max_days_ahead=14,
        monthly_quota_hours=4,
    )
    booker = resident()

    short = book(booker, space, at(2, 10), at(2, 10, 30))
    long = book(booker, space, at(2, 10), at(2, 14))
    far = book(booker, space, at(20, 10), at(20, 11))
    past = book(booker, space, at(-1, 10), at(-1, 11))
    backwards = book(booker, space, at(2, 11), at(2, 10))
    first = book(booker, space, at(2, 10), at(2, 13))
    over = book(booker, space, at(3, 10), at(3, 12))

    assert (short.status_code, short.json()["code"]) == (400, "booking_duration_out_of_range")
    assert short.json()["min_minutes"] == 60
    assert long.json()["max_minutes"] == 180
    assert (far.status_code, far.json()["code"]) == (400, "booking_too_far_ahead")
    assert (past.status_code, past.json()["code"]) == (400, "invalid_interval")
    assert (backwards.status_code, list(backwards.json()["fields"])) == (400, ["end"])
    assert first.status_code == 201
    if at(2, 10).month == at(3, 10).month:
        assert (over.status_code, over.json()["code"]) == (409, "booking_quota_exceeded")
        assert over.json()["quota_hours"] == 4
        assert over.json()["booked_hours"] == "3.00"


def test_a_car_needs_the_driver_to_confirm_age_and_licence() -> None:
    electric = car(instant_booking=True, minimum_driver_age=21)

    unconfirmed = book(resident(), electric, at(2, 10), at(2, 12))
    confirmed = book(resident(), electric, at(2, 10), at(2, 12), driver_confirmed=True)

    assert (unconfirmed.status_code, unconfirmed.json()["code"]) == (
        400,
        "driver_confirmation_required",
    )
    assert unconfirmed.json()["minimum_driver_age"] == 21
    assert "driver_confirmed" in unconfirmed.json()["fields"]
    assert confirmed.status_code == 201
    assert confirmed.json()["bookings"][0]["driver_confirmed_at"] is not None


# --- Series and daylight saving -------------------------------------------------------------


@pytest.mark.parametrize(
    ("first", "expected"),
    [
        # The last Sunday of March 2027 is the 28th: +01:00 before, +02:00 after.
        (
            datetime(2027, 3, 22, 10, tzinfo=STHLM),
            ["2027-03-22T10:00:00+01:00", "2027-03-29T10:00:00+02:00", "2027-04-05T10:00:00+02:00"],
        ),
        # The last Sunday of October 2027 is the 31st: +02:00 before, +01:00 after.
        (
            datetime(2027, 10, 25, 10, tzinfo=STHLM),
            ["2027-10-25T10:00:00+02:00", "2027-11-01T10:00:00+01:00", "2027-11-08T10:00:00+01:00"],
        ),
    ],
)
def test_a_weekly_series_keeps_its_local_time_across_daylight_saving(
    first: datetime, expected: list[str]
) -> None:
    space = room(instant_booking=True, max_days_ahead=800)

    made = book(
        resident(),
        space,
        first,
        first + timedelta(hours=2),
        repeat={"every_weeks": 1, "count": 3},
    )

    assert made.status_code == 201
    assert [b["start"] for b in made.json()["bookings"]] == expected
    assert [b["end"][11:19] for b in made.json()["bookings"]] == ["12:00:00"] * 3
    assert len({b["series"] for b in made.json()["bookings"]}) == 1


def test_one_conflicting_occurrence_refuses_the_whole_series_and_names_it() -> None:
    space = room(instant_booking=True, max_days_ahead=800)
    start = at(7, 18)
    book(resident(), space, start + timedelta(weeks=2), start + timedelta(weeks=2, hours=2))

    refused = book(
        resident(),
        space,
        start,
        start + timedelta(hours=2),
        repeat={"every_weeks": 1, "count": 4},
    )

    assert refused.status_code == 409
    assert refused.json()["conflicts"] == [
        {
            "start": (start + timedelta(weeks=2)).isoformat(),
            "end": (start + timedelta(weeks=2, hours=2)).isoformat(),
        }
    ]
    assert Booking.objects.count() == 1
    too_many = book(
        resident(), space, start, start + timedelta(hours=1), repeat={"every_weeks": 3, "count": 53}
    )
    assert too_many.status_code == 400
    assert "repeat" in too_many.json()["fields"]


# --- Availability ---------------------------------------------------------------------------


def test_availability_shows_free_and_busy_times_without_naming_bookers() -> None:
    listing = make_listing("Arbetsplats", owner=resident(), category="space")
    day = at(2, 0)
    space = resources.describe(
        actor=listing.owner,
        listing=listing,
        facts={"instant_booking": True, "buffer_minutes": 15},
        opening_hours=[{"weekday": day.weekday(), "opens": time(8), "closes": time(17)}],
    )
    resources.add_blackout(
        actor=listing.owner, resource=space, starts_at=at(2, 15), ends_at=at(2, 16)
    )
    book(resident(), space, at(2, 10), at(2, 12))

    shown = APIClient().get(
        f"/api/v1/resources/{space.pk}/availability/",
        {"from": at(2, 0).isoformat(), "to": at(3, 0).isoformat()},
    )

    assert shown.status_code == 200
    body = shown.json()
    assert body["timezone"] == "Europe/Stockholm"
    assert body["free"] == [
        {"start": at(2, 8).isoformat(), "end": at(2, 10).isoformat()},
        {"start": at(2, 12, 15).isoformat(), "end": at(2, 15).isoformat()},
        {"start": at(2, 16).isoformat(), "end": at(2, 17).isoformat()},
    ]
    assert [b["reason"] for b in body["busy"]] == ["booked", "buffer", "blackout"]
    assert "booker" not in str(body)
    wide = APIClient().get(
        f"/api/v1/resources/{space.pk}/availability/",
        {"from": at(2, 0).isoformat(), "to": at(40, 0).isoformat()},
    )
    assert (wide.status_code, list(wide.json()["fields"])) == (400, ["to"])


# --- Cancelling, completing, hours ----------------------------------------------------------


def test_cancellation_deadline_and_the_owners_reason(events: Any) -> None:
    space = room(instant_booking=True, cancellation_deadline_hours=48)
    booker = resident()
    soon = book(booker, space, at(1, 10), at(1, 11)).json()["bookings"][0]
    later = book(booker, space, at(5, 10), at(5, 11)).json()["bookings"][0]

    too_late = move(booker, soon["id"], "cancel")
    in_time = move(booker, later["id"], "cancel")
    owner_without_reason = move(space.listing.owner, soon["id"], "cancel")
    by_owner = move(space.listing.owner, soon["id"], "cancel", reason="Vattenläcka i lokalen")
    stranger = move(resident(), later["id"], "cancel")

    assert (too_late.status_code, too_late.json()["code"]) == (409, "cancellation_deadline_passed")
    assert in_time.json()["state"]["value"] == "cancelled"
    assert (owner_without_reason.status_code, owner_without_reason.json()["code"]) == (
        400,
        "reason_required",
    )
    assert by_owner.json()["reason"] == "Vattenläcka i lokalen"
    assert stranger.status_code == 404
    cancelled = events.of_type("booking.cancelled")
    assert [(e["by"], e["booker"], e["owner"]) for e in cancelled] == [
        (booker.pk, booker.pk, space.listing.owner_id),
        (space.listing.owner_id, booker.pk, space.listing.owner_id),
    ]


def test_hours_are_held_on_confirmation_and_paid_on_completion() -> None:
    owner, booker, other = resident(), resident(), resident()
    listing = make_listing(
        "Bastu att hyra", owner=owner, category="space", compensation="time_credits", hours=1
    )
    sauna = resources.describe(actor=owner, listing=listing, facts={"instant_booking": True})
    start = timezone.now() + timedelta(days=2)
    start = start.replace(minute=0, second=0, microsecond=0)
    made = bookings.book(
        booker=booker, resource=sauna, slots=[bookings.Slot(start, start + timedelta(hours=2))]
    )[0]
    skipped = bookings.book(
        booker=other,
        resource=sauna,
        slots=[bookings.Slot(start + timedelta(hours=3), start + timedelta(hours=4))],
    )[0]
    account = timebank.account_of_user(booker)
    assert (account.balance, account.held) == (0, Decimal("2.00"))

    later = start + timedelta(hours=5)
    bookings.complete(actor=owner, booking=made, now=later)
    bookings.no_show(actor=owner, booking=skipped, now=later)

    account = timebank.account_of_user(booker)
    assert (account.balance, account.held) == (Decimal("-2.00"), 0)
    assert timebank.account_of_user(owner).balance == Decimal("2.00")
    assert timebank.account_of_user(other).held == 0
    with pytest.raises(bookings.BookingTransitionNotAllowed):
        bookings.complete(actor=owner, booking=made, now=later)


def test_the_day_before_the_booker_is_reminded_once(events: Any) -> None:
    space = room(instant_booking=True)
    tomorrow = book(resident(), space, at(1, 10), at(1, 11)).json()["bookings"][0]
    book(resident(), space, at(3, 10), at(3, 11))

    first = bookings.remind_tomorrows_bookings()
    again = bookings.remind_tomorrows_bookings()

    assert (first, again) == (1, 0)
    assert [e["booking"] for e in events.of_type("booking.reminder")] == [tomorrow["id"]]


def test_the_booking_list_costs_the_same_for_few_and_many(assert_constant_queries: Any) -> None:
    space = room(instant_booking=True)
    booker = resident()
    hours = iter(range(8, 23))

    def make_rows(n: int) -> None:
        for _ in range(n):
            hour = next(hours)
            book(booker, space, at(2, hour), at(2, hour + 1))

    assert_constant_queries(client_for(booker), BOOKINGS, make_rows)
    owner_view = client_for(space.listing.owner).get(BOOKINGS, {"role": "owner"}).json()
    assert owner_view["count"] == 12


@pytest.mark.postgres
def test_postgresql_itself_refuses_overlapping_active_bookings() -> None:
    from django.db import IntegrityError, transaction

    space = room()
    booker = resident()

    def insert(start: datetime, end: datetime, state: str = "confirmed") -> Booking:
        return Booking.objects.create(
            resource=space,
            booker=booker,
            starts_at=start,
            ends_at=end,
            blocked_until=end,
            state=state,
        )

    insert(at(2, 10), at(2, 11))
    insert(at(2, 11), at(2, 12))  # back to back: fine
    insert(at(2, 10), at(2, 11), state="cancelled")  # not active: fine
    with pytest.raises(IntegrityError), transaction.atomic():
        insert(at(2, 10, 30), at(2, 10, 45))


# --- Searching by facts and free time -------------------------------------------------------


def test_the_free_time_search_returns_only_what_is_free_for_the_whole_interval() -> None:
    day = at(3, 0)
    evening: dict[str, str] = {
        "free_from": at(3, 18).isoformat(),
        "free_to": at(3, 20).isoformat(),
    }
    klippan = Municipality.objects.get(code="1276")

    def space(title: str, **facts: Any) -> Resource:
        listing = make_listing(title, owner=resident(), category="space", municipality=klippan)
        return resources.describe(
            actor=listing.owner,
            listing=listing,
            facts={"capacity": 25, "step_free": True, "instant_booking": True, **facts},
        )

    free = space("Ledigt rum")
    booked = space("Bokat rum")
    assert book(resident(), booked, at(3, 19), at(3, 21)).status_code == 201
    buffered = space("Rum med marginal", buffer_minutes=60)
    assert book(resident(), buffered, at(3, 16), at(3, 17, 30)).status_code == 201  # to 18:30
    tail = space("Rum som bokas strax efter", buffer_minutes=30)
    # Our 20:00 and its 30 minutes of buffer would run into this one.
    assert book(resident(), tail, at(3, 20, 15), at(3, 21, 15)).status_code == 201
    closed = space("Stänger 17")
    resources.describe(
        actor=closed.listing.owner,
        listing=closed.listing,
        facts={},
        opening_hours=[{"weekday": day.weekday(), "opens": time(8), "closes": time(17)}],
    )
    open_late = space("Öppet till 22")
    resources.describe(
        actor=open_late.listing.owner,
        listing=open_late.listing,
        facts={},
        opening_hours=[{"weekday": day.weekday(), "opens": time(8), "closes": time(22)}],
    )
    blacked = space("Spärrat rum")
    resources.add_blackout(
        actor=blacked.listing.owner, resource=blacked, starts_at=at(3, 19), ends_at=at(4, 0)
    )
    space("För litet", capacity=10)
    space("Trappor", step_free=False)
    space("Kort maxtid", max_duration_minutes=60)

    found = APIClient().get(
        "/api/v1/resources/",
        {
            "category": "space",
            "municipality": "klippan",
            "capacity_min": "20",
            "step_free": "true",
            **evening,
        },
    )

    assert found.status_code == 200
    titles = sorted(r["listing"]["title"] for r in found.json()["results"])
    assert titles == ["Ledigt rum", "Öppet till 22"]
    # Every resource the search finds takes a booking of that interval.
    for row in found.json()["results"]:
        made = book(resident(), Resource.objects.get(pk=row["id"]), at(3, 18), at(3, 20))
        assert made.status_code == 201, made.json()
    assert free.pk in [row["id"] for row in found.json()["results"]]


def test_an_electric_car_near_a_place_and_bad_search_input() -> None:
    angelholm = Municipality.objects.get(code="1292")
    listing = make_listing(
        "Elbil i Ängelholm",
        owner=resident(),
        category="car",
        municipality=angelholm,
        latitude=angelholm.latitude,
        longitude=angelholm.longitude,
    )
    resources.describe(actor=listing.owner, listing=listing, facts={"fuel": "el", "seats": 5})
    diesel = make_listing("Dieselbil", owner=resident(), category="car", municipality=angelholm)
    resources.describe(actor=diesel.owner, listing=diesel, facts={"fuel": "diesel"})
    client = APIClient()

    near = client.get(
        "/api/v1/resources/",
        {"fuel": "el", "near": f"{angelholm.latitude},{angelholm.longitude}", "radius_km": "10"},
    )
    far = client.get("/api/v1/resources/", {"fuel": "el", "near": "55.6,13.0", "radius_km": "10"})

    assert [r["listing"]["title"] for r in near.json()["results"]] == ["Elbil i Ängelholm"]
    assert far.json()["results"] == []
    for params, field in (
        ({"free_from": at(2, 10).isoformat()}, "free_to"),
        ({"free_from": at(2, 10).isoformat(), "free_to": at(2, 9).isoformat()}, "free_to"),
        ({"fuel": "kol"}, "fuel"),
        ({"capacity_min": "många"}, "capacity_min"),
        ({"near": "56,13"}, "radius_km"),
    ):
        refused = client.get("/api/v1/resources/", params)
        assert (refused.status_code, field in refused.json()["fields"]) == (400, True), params


def test_the_resource_search_costs_the_same_for_few_and_many(assert_constant_queries: Any) -> None:
    def make_rows(n: int) -> None:
        for _ in range(n):
            room()

    window = urlencode({"free_from": at(2, 10).isoformat(), "free_to": at(2, 11).isoformat()})
    assert_constant_queries(APIClient(), f"/api/v1/resources/?{window}", make_rows)


def test_the_exact_address_opens_to_a_booker_once_confirmed_in_the_listing_too() -> None:
    space = room()
    booker, other = resident(), resident()
    mine = book(booker, space, at(3, 10), at(3, 12)).json()["bookings"][0]
    book(other, space, at(3, 13), at(3, 14))
    url = f"/api/v1/listings/{space.listing_id}/"

    before = client_for(booker).get(url).json()["address"]
    move(space.listing.owner, mine["id"], "approve")
    after = client_for(booker).get(url).json()["address"]
    listed = client_for(booker).get("/api/v1/listings/").json()["results"]

    assert before is None
    assert after == "Stadsbiblioteket, Landskrona"
    assert [r["address"] for r in listed if r["id"] == space.listing_id] == [after]
    assert client_for(other).get(url).json()["address"] is None  # still only requested


def test_a_blackout_naming_a_field_it_does_not_take_is_refused() -> None:
    space = room()
    owner = client_for(space.listing.owner, language="en")
    url = f"/api/v1/resources/{space.pk}/blackouts/"
    body = {"starts_at": at(2, 12).isoformat(), "ends_at": at(2, 13).isoformat()}

    sneaky = owner.post(url, {**body, "resource": 1, "id": 99}, format="json")
    plain = owner.post(url, body, format="json")

    assert sneaky.status_code == 400
    assert sorted(sneaky.json()["fields"]) == ["id", "resource"]
    assert plain.status_code == 201
    assert space.blackouts.count() == 1
