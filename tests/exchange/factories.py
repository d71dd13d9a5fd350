"""Listings for tests, written through the services the API uses."""

from datetime import datetime, timedelta
from itertools import count
from typing import Any

from django.utils import timezone

from exchange import listings
from exchange.models import Booking, Listing, Resource
from smartplatform.accounts.models import User
from smartplatform.organisations.models import Municipality
from tests.factories import verified_user

_numbers = count(1)


def resident(*, established: bool = True, **fields: Any) -> User:
    user = verified_user(**fields)
    if established:
        user.established_at = timezone.now()
        user.save(update_fields=["established_at"])
    return user


def make_listing(
    title: str | None = None,
    *,
    owner: User | None = None,
    published: bool = True,
    published_at: datetime | None = None,
    **fields: Any,
) -> Listing:
    values: dict[str, Any] = {
        "kind": Listing.Kind.OFFER,
        "category": Listing.Category.SERVICE,
        "title": title or f"Annons {next(_numbers)}",
        "description": "Jag hjälper gärna till.",
        "municipality": Municipality.objects.get(code="1283"),
        **fields,
    }
    data = listings.ListingData(**values, given=set(values))
    owner = owner or resident()
    listing = listings.create_listing(actor=owner, data=data)
    if published:
        listing = listings.publish_listing(actor=owner, listing=listing)
        assert listing.state == Listing.State.PUBLISHED, listing.state
        if published_at is not None:
            Listing.objects.filter(pk=listing.pk).update(published_at=published_at)
            listing.refresh_from_db()
    return listing


def booked_car(owner: User, booker: User, title: str = "Elbil") -> tuple[Resource, Booking]:
    """A car of ``owner``'s, bookable at once up to 800 days ahead, and ``booker``'s
    confirmed booking of it a week from now, two hours on the hour."""
    from exchange import bookings, resources

    listing = make_listing(title, owner=owner, category=Listing.Category.CAR, address="Storgatan 1")
    car = resources.describe(
        actor=owner, listing=listing, facts={"max_days_ahead": 800, "instant_booking": True}
    )
    start = timezone.localtime().replace(minute=0, second=0, microsecond=0) + timedelta(days=7)
    [booking] = bookings.book(
        booker=booker,
        resource=car,
        slots=[bookings.Slot(start, start + timedelta(hours=2))],
        driver_confirmed=True,
    )
    return car, booking
