"""The exchange's models: listings and their moderation, exchanges between two parties with
their messages and reviews, and the time bank's ledger."""

from exchange.models.bookings import (
    ACTIVE_BOOKING_STATES,
    Blackout,
    Booking,
    CalendarFeed,
    ConditionPhoto,
    ConditionReport,
    OpeningHours,
    Resource,
    ResourceEquipment,
    SeatBooking,
    Trip,
)
from exchange.models.exchanges import (
    OPEN_STATES,
    DisputeQueueItem,
    Exchange,
    Message,
    ReportedMessage,
    ReportedReview,
    Review,
)
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
    "ACTIVE_BOOKING_STATES",
    "LISTING_LIFETIME",
    "OPEN_STATES",
    "Blackout",
    "Block",
    "BlockedWord",
    "Booking",
    "CalendarFeed",
    "ConditionPhoto",
    "ConditionReport",
    "DisputeQueueItem",
    "Entry",
    "Exchange",
    "Hold",
    "Listing",
    "ListingImage",
    "ListingTag",
    "Message",
    "ModerationDecision",
    "ModerationQueueItem",
    "OpeningHours",
    "Report",
    "ReportedMessage",
    "ReportedReview",
    "Resource",
    "ResourceEquipment",
    "Review",
    "SeatBooking",
    "TimeAccount",
    "Transfer",
    "Trip",
    "listing_image_path",
]
