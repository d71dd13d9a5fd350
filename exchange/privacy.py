"""Personal data in the exchange: a person's listings.

On deletion their drafts go; their other listings are closed (nothing anyone answered
disappears) and lose what points at the person's home: the exact address and the
coordinates."""

from typing import Any

from django.db.models import Q

from exchange.models import (
    Block,
    Booking,
    CalendarFeed,
    ConditionReport,
    Exchange,
    Listing,
    Message,
    ModerationDecision,
    Report,
    Review,
    SeatBooking,
    TimeAccount,
    Transfer,
)
from smartplatform.accounts import personal_data
from smartplatform.accounts.models import User
from smartplatform.organisations.models import Organisation


def _close_listings(user: User) -> None:
    # Drafts were never shown to anyone: they go.
    Listing.objects.filter(owner=user, state=Listing.State.DRAFT).delete()
    Listing.objects.filter(owner=user).exclude(state=Listing.State.CLOSED).update(
        state=Listing.State.CLOSED
    )
    Listing.objects.filter(owner=user).update(address="", latitude=None, longitude=None)


personal_data.register(
    "listings",
    Listing,
    export=lambda user: personal_data.rows(
        Listing.objects.filter(owner=user),
        "id",
        "kind",
        "category",
        "title",
        "description",
        "state",
        "address",
        "latitude",
        "longitude",
        "created_at",
    ),
    erase=_close_listings,
)


def _delete_blocks(user: User) -> None:
    Block.objects.filter(Q(blocker=user) | Q(blocked=user)).delete()


personal_data.register(
    "reports_made",
    Report,
    export=lambda user: personal_data.rows(
        Report.objects.filter(reporter=user), "reason", "comment", "status", "created_at"
    ),
    # Moderation records: kept, pointing at the anonymised account.
    erase=lambda user: None,
)
personal_data.register(
    "moderation_decisions",
    ModerationDecision,
    export=lambda user: personal_data.rows(
        ModerationDecision.objects.filter(moderator=user), "action", "reason", "created_at"
    ),
    # What a moderator decided stays on the record (the audit trail of the platform).
    erase=lambda user: None,
)
personal_data.register(
    "blocks",
    Block,
    export=lambda user: personal_data.rows(
        Block.objects.filter(blocker=user), "blocked__display_name", "created_at"
    ),
    erase=lambda user: _delete_blocks(user),
)


# --- The time bank --------------------------------------------------------------------------


def _export_time_account(user: User) -> dict[str, Any] | None:
    account = TimeAccount.objects.filter(user=user).first()
    if account is None:
        return None
    return {
        "balance": str(account.balance),
        "held": str(account.held),
        "entries": [
            {
                "hours": str(hours),
                "kind": kind,
                "note": note,
                "created_at": created_at.isoformat(),
            }
            for hours, kind, note, created_at in account.entries.order_by("pk").values_list(
                "hours", "transfer__kind", "transfer__note", "created_at"
            )
        ],
    }


personal_data.register(
    "time_account",
    TimeAccount,
    export=_export_time_account,
    # The ledger is kept: the account stays, held by the anonymised person, so every other
    # member's hours still add up.
    erase=lambda user: None,
)


def _blank_transfer_notes(user: User) -> None:
    # The notes they wrote to others go; the movements of hours stay.
    Transfer.objects.filter(created_by=user).exclude(note="").update(note="")


personal_data.register(
    "transfers_made",
    Transfer,
    export=lambda user: personal_data.rows(
        Transfer.objects.filter(created_by=user), "kind", "note", "created_at"
    ),
    erase=lambda user: _blank_transfer_notes(user),
)


# --- Exchanges, messages, reviews ---------------------------------------------------------

REMOVED_TEXT = "[borttaget]"


def _end_open_exchanges(user: User) -> None:
    """Exchanges still under way are cancelled (held hours go back); finished ones stay, as
    the other party's record, with the reasons the person wrote blanked."""
    from exchange import exchanges

    under_way = Exchange.objects.filter(
        Q(responder=user) | Q(listing__owner=user),
        state__in=(Exchange.State.PROPOSED, Exchange.State.ACCEPTED),
    )
    for exchange in under_way:
        exchanges.cancel(actor=user, exchange=exchange)
    Exchange.objects.filter(ended_by=user).exclude(reason="").update(reason="")


def _anonymise_messages(user: User) -> None:
    """Messages to a municipality are public records the municipality keeps: they stay,
    with the sender anonymised (the account itself). Messages to anyone else lose their
    text."""
    municipal = Q(exchange__listing__organisation__kind=Organisation.Kind.MUNICIPALITY) | Q(
        exchange__responder_organisation__kind=Organisation.Kind.MUNICIPALITY
    )
    Message.objects.filter(sender=user).exclude(municipal).update(body=REMOVED_TEXT)


def _erase_reviews(user: User) -> None:
    # About the person: they go. By the person: the rating stays in the other's average,
    # the text goes.
    Review.objects.filter(subject=user).delete()
    Review.objects.filter(author=user).exclude(text="").update(text="")


personal_data.register(
    "exchanges",
    Exchange,
    export=lambda user: personal_data.rows(
        Exchange.objects.filter(Q(responder=user) | Q(listing__owner=user)).order_by("pk"),
        "id",
        "listing__title",
        "state",
        "hours",
        "reason",
        "created_at",
        "completed_at",
    ),
    erase=_end_open_exchanges,
)
personal_data.register(
    "exchange_messages",
    Message,
    export=lambda user: personal_data.rows(
        Message.objects.filter(sender=user).order_by("pk"), "exchange_id", "body", "created_at"
    ),
    erase=_anonymise_messages,
)
personal_data.register(
    "reviews",
    Review,
    export=lambda user: {
        "written": personal_data.rows(
            Review.objects.filter(author=user).order_by("pk"), "rating", "text", "created_at"
        ),
        "received": personal_data.rows(
            Review.objects.filter(subject=user).order_by("pk"), "rating", "text", "created_at"
        ),
    },
    erase=_erase_reviews,
)


# --- Bookings -------------------------------------------------------------------------------


def _end_future_bookings(user: User) -> None:
    """Bookings still ahead are cancelled (held hours go back, the owner is told); past ones
    stay as the owner's record, with the person's notes blanked."""
    from exchange import bookings

    bookings.cancel_all_ahead(booker=user)
    Booking.objects.filter(booker=user).exclude(note="").update(note="")


personal_data.register(
    "bookings",
    Booking,
    export=lambda user: personal_data.rows(
        Booking.objects.filter(booker=user).order_by("pk"),
        "resource__listing__title",
        "starts_at",
        "ends_at",
        "state",
        "note",
        "hours",
    ),
    erase=_end_future_bookings,
)


def _delete_feeds(user: User) -> None:
    CalendarFeed.objects.filter(owner=user).delete()


personal_data.register(
    "calendar_feeds",
    CalendarFeed,
    export=lambda user: personal_data.rows(
        CalendarFeed.objects.filter(owner=user).order_by("pk"),
        "resource_id",
        "created_at",
        "revoked_at",
    ),
    # A feed is a door to the person's bookings: it goes with the account.
    erase=lambda user: _delete_feeds(user),
)

personal_data.register(
    "seat_bookings",
    SeatBooking,
    export=lambda user: personal_data.rows(
        SeatBooking.objects.filter(passenger=user).order_by("pk"),
        "trip__listing__title",
        "departure",
        "seats",
        "state",
    ),
    erase=lambda user: _cancel_seats_ahead(user),
)


def _cancel_seats_ahead(user: User) -> None:
    """Seats on departures still ahead are given back (the driver is told); past rides
    stay on the driver's record with the anonymised passenger."""
    from django.utils import timezone

    from exchange import lifts

    ahead = SeatBooking.objects.filter(
        passenger=user, state=SeatBooking.State.BOOKED, departure__gt=timezone.now()
    )
    for seat_booking in ahead:
        lifts.cancel_seats(actor=user, seat_booking=seat_booking)


def _erase_condition_reports(user: User) -> None:
    # What a car looked like is the other party's evidence: the report stays, without the
    # person's words (photos show the car, not the person).
    ConditionReport.objects.filter(written_by=user).update(text="[borttaget]")


personal_data.register(
    "condition_reports",
    ConditionReport,
    export=lambda user: personal_data.rows(
        ConditionReport.objects.filter(written_by=user).order_by("pk"),
        "booking_id",
        "stage",
        "text",
        "created_at",
    ),
    erase=_erase_condition_reports,
)
