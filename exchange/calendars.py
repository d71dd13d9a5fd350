"""Calendars: bookings as iCalendar (RFC 5545) for phone calendars. A booking keeps one UID
for life, its times carry the Europe/Stockholm zone with its VTIMEZONE block, and a
cancelled or declined booking stays in the feed as STATUS:CANCELLED so calendars remove it.

Feeds are private: a secret token in the URL (only its hash is stored), revocable."""

import hashlib
import secrets
from collections.abc import Iterable
from datetime import timedelta
from typing import Any
from urllib.parse import urlsplit

from django.conf import settings
from django.db import transaction
from django.db.models import Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from icalendar import Calendar, Event

from exchange import permissions
from exchange.bookings import STOCKHOLM
from exchange.listings import NotYourListing
from exchange.models import Booking, CalendarFeed, Resource
from smartplatform.accounts.models import User
from smartplatform.core.errors import DomainError

# What a feed shows: bookings from a month back to a year ahead.
FEED_PAST = timedelta(days=31)
FEED_FUTURE = timedelta(days=366)
STATUS = {
    Booking.State.REQUESTED: "TENTATIVE",
    Booking.State.CONFIRMED: "CONFIRMED",
    Booking.State.COMPLETED: "CONFIRMED",
    Booking.State.DECLINED: "CANCELLED",
    Booking.State.CANCELLED: "CANCELLED",
    Booking.State.NO_SHOW: "CANCELLED",
}


# Grows along every path a booking can take (requested, confirmed, then an end), so a
# calendar always takes the newer version of an event.
SEQUENCE = {
    Booking.State.REQUESTED: 0,
    Booking.State.CONFIRMED: 1,
    Booking.State.DECLINED: 2,
    Booking.State.CANCELLED: 2,
    Booking.State.COMPLETED: 2,
    Booking.State.NO_SHOW: 2,
}


class UnknownFeed(DomainError):
    status_code = 404
    code = "not_found"
    default_message = _("No such calendar feed.")


def _hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def feed_url(token: str) -> str:
    return f"{settings.SITE_URL.rstrip('/')}/calendar/{token}.ics"


@transaction.atomic
def create_feed(*, owner: User, resource: Resource | None = None) -> tuple[CalendarFeed, str]:
    """A new feed and its secret token (shown once: only its hash is kept)."""
    if resource is not None and not permissions.on_listing_side_of(owner, resource.listing):
        raise NotYourListing()
    token = secrets.token_urlsafe(32)
    feed = CalendarFeed.objects.create(owner=owner, resource=resource, token_hash=_hash(token))
    return feed, token


@transaction.atomic
def revoke_feed(*, owner: User, feed_id: int) -> None:
    changed = CalendarFeed.objects.filter(pk=feed_id, owner=owner, revoked_at__isnull=True).update(
        revoked_at=timezone.now()
    )
    if not changed:
        raise UnknownFeed()


def feed_for_token(token: str) -> CalendarFeed | None:
    return (
        CalendarFeed.objects.filter(token_hash=_hash(token), revoked_at__isnull=True)
        .select_related("owner", "resource")
        .first()
    )


def bookings_in(feed: CalendarFeed) -> QuerySet[Booking]:
    now = timezone.now()
    window = Q(ends_at__gte=now - FEED_PAST, starts_at__lte=now + FEED_FUTURE)
    found = Booking.objects.filter(window)
    if feed.resource_id is not None:
        found = found.filter(resource_id=feed.resource_id)
    else:
        found = found.filter(booker=feed.owner)
    return found.select_related("resource__listing__municipality", "booker").order_by(
        "starts_at", "pk"
    )


def _uid(booking: Booking) -> str:
    host = urlsplit(settings.SITE_URL).hostname or "smartsamhalle"
    return f"booking-{booking.pk}@{host}"


def _event(booking: Booking, *, viewer: User, edits: set[int]) -> Event:
    listing = booking.resource.listing
    event = Event()
    event.add("uid", _uid(booking))
    event.add("dtstamp", timezone.now())
    event.add("last-modified", booking.updated_at)
    event.add("sequence", SEQUENCE[Booking.State(booking.state)])
    event.add("dtstart", booking.starts_at.astimezone(STOCKHOLM))
    event.add("dtend", booking.ends_at.astimezone(STOCKHOLM))
    event.add("summary", listing.title)
    event.add("status", STATUS[Booking.State(booking.state)])
    owner_side = listing.owner_id == viewer.pk or listing.organisation_id in edits
    booker_sees = booking.booker_id == viewer.pk and booking.state in (
        Booking.State.CONFIRMED,
        Booking.State.COMPLETED,
    )
    place = listing.address if (owner_side or booker_sees) and listing.address else None
    event.add("location", place or listing.municipality.name)
    if owner_side:
        event.add("description", f"{booking.booker.display_name}\n{booking.note}".strip())
    elif booking.note:
        event.add("description", booking.note)
    return event


def render(bookings: Iterable[Booking], *, viewer: User, name: str) -> bytes:
    calendar = Calendar()
    calendar.add("prodid", "-//Smart samhälle//Bokningar//SV")
    calendar.add("version", "2.0")
    calendar.add("calscale", "GREGORIAN")
    calendar.add("x-wr-calname", name)
    calendar.add("x-wr-timezone", "Europe/Stockholm")
    edits = permissions.organisations_edited_by(viewer)
    for booking in bookings:
        calendar.add_component(_event(booking, viewer=viewer, edits=edits))
    calendar.add_missing_timezones()
    data: Any = calendar.to_ical()
    return bytes(data)
