"""Personal data in the exchange: a person's listings.

On deletion their drafts go; their other listings are closed (nothing anyone answered
disappears) and lose what points at the person's home: the exact address and the
coordinates."""

from exchange.models import Listing
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
