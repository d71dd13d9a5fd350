"""The exchange's events turned into notifications. Each consumer reads the current state
(events carry ids), tells the people concerned, and is safe to run twice: the event's id is
the dedupe key."""

from typing import Any

from django.utils.formats import date_format

from exchange.bookings import local
from exchange.models import Booking, Exchange, Listing
from notifications.services import notify
from smartplatform.accounts.models import User
from smartplatform.core.events import consumer
from smartplatform.core.models import Event
from smartplatform.organisations.models import JoinRequest, Role


def _key(event: Event) -> str:
    return f"event:{event.pk}"


def _exchange(event: Event) -> Exchange | None:
    return (
        Exchange.objects.select_related("listing__owner", "responder")
        .filter(pk=event.payload["exchange"])
        .first()
    )


def _tell_about_exchange(
    event: Event,
    exchange: Exchange,
    type_name: str,
    to: list[User],
    person: User | None,
    **extra: Any,
) -> None:
    notify(
        recipients=to,
        type_name=type_name,
        subject_id=exchange.pk,
        data={
            "listing": exchange.listing.title,
            "person": person.display_name if person else "",
            "person_id": person.pk if person else None,
            **extra,
        },
        dedupe_key=_key(event),
        organisation_id=exchange.listing.organisation_id,
    )


def _sides(exchange: Exchange) -> tuple[User, User]:
    return exchange.listing.owner, exchange.responder


@consumer("exchange.proposed", name="notifications.exchange_proposed")
def exchange_proposed(event: Event) -> None:
    exchange = _exchange(event)
    if exchange is not None:
        owner, responder = _sides(exchange)
        _tell_about_exchange(event, exchange, "exchange_proposed", [owner], responder)


@consumer("exchange.accepted", name="notifications.exchange_accepted")
def exchange_accepted(event: Event) -> None:
    exchange = _exchange(event)
    if exchange is not None:
        owner, responder = _sides(exchange)
        _tell_about_exchange(event, exchange, "exchange_accepted", [responder], owner)


@consumer("exchange.declined", name="notifications.exchange_declined")
def exchange_declined(event: Event) -> None:
    exchange = _exchange(event)
    if exchange is not None:
        owner, responder = _sides(exchange)
        reason = event.payload.get("reason", "")
        _tell_about_exchange(
            event, exchange, "exchange_declined", [responder], owner, reason=reason
        )


@consumer("exchange.cancelled", name="notifications.exchange_cancelled")
def exchange_cancelled(event: Event) -> None:
    exchange = _exchange(event)
    if exchange is None:
        return
    by = User.objects.filter(pk=event.payload.get("by")).first()
    others = [side for side in _sides(exchange) if by is None or side.pk != by.pk]
    reason = event.payload.get("reason", "")
    _tell_about_exchange(event, exchange, "exchange_cancelled", others, by, reason=reason)


@consumer("exchange.completed", name="notifications.exchange_completed")
def exchange_completed(event: Event) -> None:
    exchange = _exchange(event)
    if exchange is not None:
        _tell_about_exchange(event, exchange, "exchange_completed", list(_sides(exchange)), None)


@consumer("exchange.message_sent", name="notifications.exchange_message")
def exchange_message(event: Event) -> None:
    exchange = _exchange(event)
    if exchange is None:
        return
    sender = User.objects.filter(pk=event.payload["sender"]).first()
    others = [side for side in _sides(exchange) if sender is None or side.pk != sender.pk]
    _tell_about_exchange(event, exchange, "exchange_message", others, sender)


# --- Bookings -------------------------------------------------------------------------------


def _tell_about_booking(event: Event, type_name: str, *, to_owner: bool) -> None:
    booking = (
        Booking.objects.select_related("resource__listing__owner", "booker")
        .filter(pk=event.payload["booking"])
        .first()
    )
    if booking is None:
        return
    owner, booker = booking.resource.listing.owner, booking.booker
    by = event.payload.get("by")
    if type_name == "booking_cancelled":
        recipients = [side for side in (owner, booker) if side.pk != by]
    else:
        recipients = [owner] if to_owner else [booker]
    notify(
        recipients=recipients,
        type_name=type_name,
        subject_id=booking.pk,
        data={
            "listing": booking.resource.listing.title,
            "person": booker.display_name if to_owner else owner.display_name,
            "person_id": booker.pk if to_owner else owner.pk,
            "start": date_format(local(booking.starts_at), "DATETIME_FORMAT"),
            "reason": event.payload.get("reason", ""),
        },
        dedupe_key=_key(event),
        organisation_id=booking.resource.listing.organisation_id,
    )


@consumer("booking.requested", name="notifications.booking_requested")
def booking_requested(event: Event) -> None:
    _tell_about_booking(event, "booking_requested", to_owner=True)


@consumer("booking.confirmed", name="notifications.booking_confirmed")
def booking_confirmed(event: Event) -> None:
    _tell_about_booking(event, "booking_confirmed", to_owner=False)


@consumer("booking.declined", name="notifications.booking_declined")
def booking_declined(event: Event) -> None:
    _tell_about_booking(event, "booking_declined", to_owner=False)


@consumer("booking.cancelled", name="notifications.booking_cancelled")
def booking_cancelled(event: Event) -> None:
    _tell_about_booking(event, "booking_cancelled", to_owner=False)


@consumer("booking.reminder", name="notifications.booking_reminder")
def booking_reminder(event: Event) -> None:
    _tell_about_booking(event, "booking_reminder", to_owner=False)


# --- Listings -------------------------------------------------------------------------------


def _tell_owner_of_listing(event: Event, type_name: str) -> None:
    listing = Listing.objects.select_related("owner").filter(pk=event.payload["listing"]).first()
    if listing is None:
        return
    notify(
        recipients=[listing.owner],
        type_name=type_name,
        subject_id=listing.pk,
        data={"listing": listing.title, "reason": event.payload.get("reason", "")},
        dedupe_key=_key(event),
        organisation_id=listing.organisation_id,
    )


@consumer("listing.approved", name="notifications.listing_approved")
def listing_approved(event: Event) -> None:
    _tell_owner_of_listing(event, "listing_approved")


@consumer("listing.rejected", name="notifications.listing_rejected")
def listing_rejected(event: Event) -> None:
    _tell_owner_of_listing(event, "listing_rejected")


@consumer("listing.removed", name="notifications.listing_removed")
def listing_removed(event: Event) -> None:
    _tell_owner_of_listing(event, "listing_removed")


@consumer("listing.hidden", name="notifications.listing_hidden")
def listing_hidden(event: Event) -> None:
    _tell_owner_of_listing(event, "listing_hidden")


@consumer("listing.expiring", name="notifications.listing_expiring")
def listing_expiring(event: Event) -> None:
    _tell_owner_of_listing(event, "listing_expiring")


# --- Organisations ----------------------------------------------------------------------------


@consumer("organisation.join_requested", name="notifications.organisation_join_requested")
def organisation_join_requested(event: Event) -> None:
    join_request = (
        JoinRequest.objects.select_related("organisation", "user")
        .filter(pk=event.payload["join_request"], status=JoinRequest.Status.PENDING)
        .first()
    )
    if join_request is None:
        return  # withdrawn or decided already
    admins = User.objects.filter(
        memberships__organisation=join_request.organisation,
        memberships__role=Role.ADMIN,
    ).order_by("pk")
    notify(
        recipients=admins,
        type_name="organisation_join_requested",
        subject_id=join_request.organisation_id,
        data={
            "organisation": join_request.organisation.name,
            "organisation_slug": join_request.organisation.slug,
            "person": join_request.user.display_name,
            "person_id": join_request.user_id,
            "message": join_request.message,
        },
        dedupe_key=_key(event),
        organisation_id=join_request.organisation_id,
    )


@consumer("organisation.join_request_decided", name="notifications.organisation_join_decided")
def organisation_join_decided(event: Event) -> None:
    join_request = (
        JoinRequest.objects.select_related("organisation", "user")
        .filter(pk=event.payload["join_request"])
        .first()
    )
    if join_request is None:
        return
    approved = bool(event.payload.get("approved"))
    notify(
        recipients=[join_request.user],
        type_name="organisation_join_approved" if approved else "organisation_join_declined",
        subject_id=join_request.organisation_id,
        data={
            "organisation": join_request.organisation.name,
            "organisation_slug": join_request.organisation.slug,
        },
        dedupe_key=_key(event),
        organisation_id=join_request.organisation_id,
    )


# --- Moderation -------------------------------------------------------------------------------


@consumer("moderation.queue_waiting", name="notifications.moderation_queue_waiting")
def moderation_queue_waiting(event: Event) -> None:
    moderator = User.objects.filter(pk=event.payload["moderator"], is_staff=True).first()
    if moderator is None:
        return
    notify(
        recipients=[moderator],
        type_name="moderation_queue_waiting",
        subject_id=None,
        data={"items": event.payload["items"], "date": event.payload.get("date", "")},
        # One summary a day, however often the day's check runs.
        dedupe_key=f"moderation-summary:{event.payload.get('date') or event.pk}",
    )


@consumer("organisation.announced", name="notifications.organisation_announcement")
def organisation_announcement(event: Event) -> None:
    from notifications.announcements import tell_everyone
    from notifications.models import Announcement

    announcement = (
        Announcement.objects.select_related("organisation")
        .filter(pk=event.payload["announcement"])
        .first()
    )
    if announcement is not None:
        tell_everyone(announcement, dedupe_key=_key(event))


# --- Matching ---------------------------------------------------------------------------------


@consumer("matching.match_found", name="notifications.match_new")
def match_found(event: Event) -> None:
    """The matching app found ``match`` for ``listing``: its owner is told once per pair,
    however often the pair is found again (a nightly recomputation, an edit)."""
    listing = Listing.objects.select_related("owner").filter(pk=event.payload["listing"]).first()
    found = (
        Listing.objects.filter(pk=event.payload["match"], state=Listing.State.PUBLISHED)
        .only("pk", "title")
        .first()
    )
    if listing is None or found is None:
        return
    notify(
        recipients=[listing.owner],
        type_name="match_new",
        subject_id=found.pk,
        data={
            "listing": listing.title,
            "match": found.title,
            "why": event.payload.get("why", ""),
        },
        dedupe_key=f"match:{listing.pk}:{found.pk}",
        organisation_id=listing.organisation_id,
    )
