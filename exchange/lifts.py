"""Lifts (samåkning): a car offer or request as a trip from one place to another, once or
every week at the same local time, and passengers booking seats on a departure.

Lock discipline: booking seats takes ``FOR UPDATE`` on the trip's row, then counts the seats
booked on that departure: two passengers never get the last seat both."""

from datetime import datetime, time, timedelta
from typing import Any

from django.db import IntegrityError, transaction
from django.db.models import Sum
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from exchange import permissions
from exchange.bookings import STOCKHOLM, local
from exchange.listings import NotYourListing
from exchange.models import Listing, SeatBooking, Trip
from smartplatform.accounts.models import User
from smartplatform.core.errors import ConflictError, DomainError
from smartplatform.core.events import publish

# How far ahead a weekly trip's departures are listed and bookable.
WEEKLY_HORIZON = timedelta(days=90)


class NotACarListing(DomainError):
    code = "listing_not_a_lift"
    default_message = _("Only car listings can be lifts.")


class NoSuchDeparture(DomainError):
    code = "no_such_departure"
    default_message = _("The trip does not leave then.")


class SeatsSoldOut(ConflictError):
    code = "seats_sold_out"
    default_message = _("Not enough seats left on this departure.")


class AlreadyOnBoard(ConflictError):
    code = "already_booked_on_departure"
    default_message = _("You already have seats on this departure.")


class CannotRideOwnTrip(ConflictError):
    code = "cannot_book_own_trip"
    default_message = _("You cannot book seats on your own trip.")


class TripNotOpen(ConflictError):
    code = "trip_not_open"
    default_message = _("This trip takes no passengers now.")


class NotYourSeats(DomainError):
    status_code = 403
    code = "not_your_seats"
    default_message = _("Only the passenger or the driver cancels these seats.")


class SeatsNotBooked(ConflictError):
    code = "seats_not_booked"
    default_message = _("These seats are already cancelled.")


@transaction.atomic
def describe_trip(*, actor: User, listing: Listing, facts: dict[str, Any]) -> Trip:
    if not permissions.can_manage(actor, listing):
        raise NotYourListing()
    if listing.category != Listing.Category.CAR:
        raise NotACarListing()
    trip = Trip.objects.select_for_update().filter(listing=listing).first() or Trip(listing=listing)
    for name, value in facts.items():
        setattr(trip, name, value)
    trip.save()
    # Its route and departure are part of what it matches on.
    publish("listing.edited", {"listing": listing.pk})
    return trip


def departures(trip: Trip, start: datetime, end: datetime) -> list[datetime]:
    """The trip's departures between ``start`` and ``end``: its one departure, or every
    week at the same local time (within the weekly horizon)."""
    first = local(trip.departs_at)
    if not trip.weekly:
        return [trip.departs_at] if start <= trip.departs_at < end else []
    found: list[datetime] = []
    week = 0
    limit = min(end, timezone.now() + WEEKLY_HORIZON)
    while True:
        day = first.date() + timedelta(weeks=week)
        moment = datetime.combine(day, time(first.hour, first.minute), tzinfo=STOCKHOLM)
        if moment >= limit:
            return found
        if moment >= start:
            found.append(moment)
        week += 1


def seats_taken(trip: Trip, departure: datetime) -> int:
    taken = SeatBooking.objects.filter(
        trip=trip, departure=departure, state=SeatBooking.State.BOOKED
    ).aggregate(total=Sum("seats"))["total"]
    return int(taken or 0)


def seats_taken_on(trip: Trip, moments: list[datetime]) -> dict[datetime, int]:
    """Seats booked on each of ``moments`` (one query)."""
    rows = (
        SeatBooking.objects.filter(trip=trip, departure__in=moments, state=SeatBooking.State.BOOKED)
        .values("departure")
        .annotate(total=Sum("seats"))
        .values_list("departure", "total")
    )
    return {departure: int(total) for departure, total in rows}


@transaction.atomic
def book_seats(*, passenger: User, trip: Trip, departure: datetime, seats: int) -> SeatBooking:
    trip = (
        Trip.objects.select_for_update(of=("self",))
        .select_related("listing", "listing__owner")
        .get(pk=trip.pk)
    )
    listing = trip.listing
    if listing.state != Listing.State.PUBLISHED or listing.kind != Listing.Kind.OFFER:
        raise TripNotOpen()
    if permissions.on_listing_side_of(passenger, listing):
        raise CannotRideOwnTrip()
    now = timezone.now()
    window = departures(trip, departure - timedelta(seconds=1), departure + timedelta(seconds=1))
    if departure <= now or departure not in window:
        raise NoSuchDeparture(fields={"departure": [str(NoSuchDeparture.default_message)]})
    left = trip.seats - seats_taken(trip, departure)
    if seats > left:
        raise SeatsSoldOut(extra={"seats_left": left})
    try:
        with transaction.atomic():
            made = SeatBooking.objects.create(
                trip=trip, passenger=passenger, departure=departure, seats=seats
            )
    except IntegrityError as exc:
        raise AlreadyOnBoard() from exc
    publish(
        "lift.seats_booked",
        {
            "seat_booking": made.pk,
            "trip": trip.pk,
            "passenger": passenger.pk,
            "driver": listing.owner_id,
            "departure": departure.isoformat(),
        },
    )
    return made


@transaction.atomic
def cancel_seats(*, actor: User, seat_booking: SeatBooking) -> SeatBooking:
    seat_booking = (
        SeatBooking.objects.select_for_update(of=("self",))
        .select_related("trip__listing")
        .get(pk=seat_booking.pk)
    )
    driver = permissions.on_listing_side_of(actor, seat_booking.trip.listing)
    if seat_booking.passenger_id != actor.pk and not driver:
        raise NotYourSeats()
    if seat_booking.state != SeatBooking.State.BOOKED:
        raise SeatsNotBooked()
    seat_booking.state = SeatBooking.State.CANCELLED
    seat_booking.cancelled_at = timezone.now()
    seat_booking.save(update_fields=["state", "cancelled_at"])
    publish(
        "lift.seats_cancelled",
        {
            "seat_booking": seat_booking.pk,
            "trip": seat_booking.trip_id,
            "passenger": seat_booking.passenger_id,
            "driver": seat_booking.trip.listing.owner_id,
            "by": actor.pk,
        },
    )
    return seat_booking
