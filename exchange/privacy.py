"""Personal data in the exchange: a person's listings.

On deletion their drafts go; their other listings are closed (nothing anyone answered
disappears) and lose what points at the person's home: the exact address and the
coordinates."""

from django.db.models import Q

from exchange.models import Block, Listing, ModerationDecision, Report
from smartplatform.accounts import personal_data
from smartplatform.accounts.models import User


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
