"""Personal data in the exchange: a person's listings.

On deletion their drafts go; their other listings are closed (nothing anyone answered
disappears) and lose what points at the person's home: the exact address and the
coordinates."""

from typing import Any

from django.db.models import Q

from exchange.models import Block, Listing, ModerationDecision, Report, TimeAccount, Transfer
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
