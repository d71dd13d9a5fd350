"""Listings entering or changing on the marketplace get their matches computed (the event
delivery is the background task; it runs again safely)."""

from matching import saved_searches, services
from smartplatform.core.events import consumer
from smartplatform.core.models import Event

# Whatever puts a listing on the marketplace, changes its text there, or takes it off.
EVENTS = (
    "listing.published",
    "listing.approved",
    "listing.resumed",
    "listing.renewed",
    "listing.edited",
    "listing.paused",
    "listing.closed",
    "listing.expired",
    "listing.removed",
    "listing.hidden",
)


def _refresh(event: Event) -> None:
    services.refresh(event.payload["listing"])


for event_type in EVENTS:
    consumer(event_type, name=f"matching.refresh_on_{event_type.split('.', 1)[1]}")(_refresh)


def _tell_searchers(event: Event) -> None:
    saved_searches.tell_searchers(event.payload["listing"])


for event_type in ("listing.published", "listing.approved"):
    consumer(event_type, name=f"matching.saved_searches_on_{event_type.split('.', 1)[1]}")(
        _tell_searchers
    )
