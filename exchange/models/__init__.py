"""The exchange's models: listings and their moderation, exchanges between two parties with
their messages and reviews, and the time bank's ledger."""

from exchange.models.listings import (
    LISTING_LIFETIME,
    Listing,
    ListingImage,
    ListingTag,
    listing_image_path,
)
from exchange.models.moderation import (
    Block,
    BlockedWord,
    ModerationDecision,
    ModerationQueueItem,
    Report,
)
from exchange.models.timebank import Entry, Hold, TimeAccount, Transfer

__all__ = [
    "LISTING_LIFETIME",
    "Block",
    "BlockedWord",
    "Entry",
    "Hold",
    "Listing",
    "ListingImage",
    "ListingTag",
    "ModerationDecision",
    "ModerationQueueItem",
    "Report",
    "TimeAccount",
    "Transfer",
    "listing_image_path",
]
