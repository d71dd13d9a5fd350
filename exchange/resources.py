"""Making a car or space offer bookable: its resource, facts, rules, opening hours,
equipment and blackouts. Only the listing's side changes them."""

from datetime import datetime
from typing import Any

from django.db import transaction
from django.utils.translation import gettext_lazy as _

from exchange import permissions
from exchange.listings import NotYourListing
from exchange.models import Blackout, Listing, OpeningHours, Resource, ResourceEquipment
from smartplatform.accounts.models import User
from smartplatform.core.errors import DomainError

BOOKABLE_CATEGORIES = (Listing.Category.CAR, Listing.Category.SPACE)


class NotBookableKind(DomainError):
    code = "listing_not_bookable"
    default_message = _("Only offers of cars and spaces can be booked.")


class UnknownBlackout(DomainError):
    status_code = 404
    code = "not_found"
    default_message = _("No such blackout.")


def _check_owner(actor: User, listing: Listing) -> None:
    if not permissions.can_manage(actor, listing):
        raise NotYourListing()


@transaction.atomic
def describe(
    *,
    actor: User,
    listing: Listing,
    facts: dict[str, Any],
    equipment: list[str] | None = None,
    opening_hours: list[dict[str, Any]] | None = None,
) -> Resource:
    """Create or change the resource of a car or space offer. ``equipment`` and
    ``opening_hours``, when given, replace what was there."""
    _check_owner(actor, listing)
    if listing.category not in BOOKABLE_CATEGORIES or listing.kind != Listing.Kind.OFFER:
        raise NotBookableKind()
    resource, _created = Resource.objects.select_for_update().get_or_create(listing=listing)
    for name, value in facts.items():
        setattr(resource, name, value)
    resource.save()
    if equipment is not None:
        resource.equipment.all().delete()
        ResourceEquipment.objects.bulk_create(
            ResourceEquipment(resource=resource, item=item) for item in sorted(set(equipment))
        )
    if opening_hours is not None:
        resource.opening_hours.all().delete()
        OpeningHours.objects.bulk_create(
            OpeningHours(resource=resource, **window) for window in opening_hours
        )
    return resource


@transaction.atomic
def add_blackout(
    *, actor: User, resource: Resource, starts_at: datetime, ends_at: datetime, reason: str = ""
) -> Blackout:
    """Bookings already made in the period stay: the owner cancels them with a reason if
    need be."""
    _check_owner(actor, resource.listing)
    return Blackout.objects.create(
        resource=resource, starts_at=starts_at, ends_at=ends_at, reason=reason.strip()
    )


@transaction.atomic
def remove_blackout(*, actor: User, resource: Resource, blackout_id: int) -> None:
    _check_owner(actor, resource.listing)
    deleted, _rows = Blackout.objects.filter(resource=resource, pk=blackout_id).delete()
    if not deleted:
        raise UnknownBlackout()
