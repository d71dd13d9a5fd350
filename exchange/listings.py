"""Writes to listings: every state change is a function here that checks who may make it.

States and who moves them (an illegal move is a ``ListingTransitionNotAllowed``, 409):

    draft ──publish──▶ published | pending_review   (the moderation rules decide)
    rejected ──publish (after editing)──▶ published | pending_review
    published ──pause──▶ paused ──resume──▶ published
    published | paused | pending_review ──close──▶ closed
    published | paused ──renew──▶ the same, 90 more days; closed ──renew──▶ as publish
    pending_review ──approve / reject (moderators)──▶ published / rejected
    any shown state ──remove (moderators)──▶ removed; ──three open reports──▶ hidden

The moderation rules: a resident who is not yet established, or a text holding a word of the
blocklist, goes to review; established residents and verified organisations publish at once.
Editing a published listing runs the rules again.

Lock discipline: every transition takes ``FOR UPDATE`` on the listing row first.
"""

import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import timedelta
from decimal import Decimal
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from exchange import permissions, search
from exchange.models import LISTING_LIFETIME, BlockedWord, Listing, ListingImage, ListingTag
from smartplatform.core import analysis
from smartplatform.core.errors import ConflictError, DomainError
from smartplatform.core.events import publish
from smartplatform.core.images import normalised_jpeg
from smartplatform.organisations.models import Municipality, Organisation

State = Listing.State
MAX_TAGS = 10


class ListingTransitionNotAllowed(ConflictError):
    code = "listing_transition_not_allowed"
    default_message = _("The listing cannot do that in its current state.")


class NotYourListing(DomainError):
    status_code = 403
    code = "not_your_listing"
    default_message = _("Only the listing's owner (or its organisation's editors) may do this.")


class NotAnEditorOfThatOrganisation(DomainError):
    code = "not_an_editor_of_that_organisation"
    default_message = _("You can publish for an organisation only as one of its editors.")


@dataclass
class ListingData:
    """A listing as the owner wrote it, validated by a serializer. ``given`` names the fields
    sent (on an edit only those change)."""

    kind: str = ""
    category: str = ""
    title: str = ""
    description: str = ""
    tags: list[str] = field(default_factory=list)
    municipality: Municipality | None = None
    organisation: Organisation | None = None
    latitude: float | None = None
    longitude: float | None = None
    address: str = ""
    remote: bool = False
    compensation: str = Listing.Compensation.FREE
    hours: Decimal | None = None
    amount_sek: int | None = None
    availability: str = ""
    accessibility: str = ""
    given: set[str] = field(default_factory=set)


SIMPLE_FIELDS = (
    "kind",
    "category",
    "title",
    "description",
    "municipality",
    "organisation",
    "latitude",
    "longitude",
    "address",
    "remote",
    "compensation",
    "hours",
    "amount_sek",
    "availability",
    "accessibility",
)


def _transition(listing: Listing, *allowed: str) -> Listing:
    locked = Listing.objects.select_for_update().get(pk=listing.pk)
    if locked.state not in allowed:
        raise ListingTransitionNotAllowed(extra={"state": locked.state})
    return locked


def _check_manager(actor: Any, listing: Listing) -> None:
    if not permissions.can_manage(actor, listing):
        raise NotYourListing()


def set_state(listing: Listing, state: str, **fields: Any) -> None:
    """Move a (locked) listing to ``state``, with any other fields that change with it."""
    listing.state = state
    listing.state_changed_at = timezone.now()
    for name, value in fields.items():
        setattr(listing, name, value)
    listing.save(update_fields=["state", "state_changed_at", "updated_at", *fields])


def _set_tags(listing: Listing, names: Iterable[str]) -> None:
    wanted = list(dict.fromkeys(" ".join(n.split()).lower() for n in names if n.strip()))
    tags = [ListingTag.objects.get_or_create(name=name[:50])[0] for name in wanted[:MAX_TAGS]]
    listing.tags.set(tags)


# --- The moderation rules -----------------------------------------------------------------


def blocked_words_in(*texts: str) -> list[str]:
    """The blocklist's words and phrases found in the texts, as whole words, compared
    without case, punctuation or å/ä/ö."""
    words = re.findall(r"\w+", analysis.fold(" ".join(texts)))
    text = f" {' '.join(words)} "
    found = []
    for blocked in BlockedWord.objects.values_list("word", flat=True):
        needle = " ".join(re.findall(r"\w+", analysis.fold(blocked)))
        if needle and f" {needle} " in text:
            found.append(blocked)
    return found


def review_reason(listing: Listing) -> str | None:
    """Why a listing must be reviewed before it is published, or None to publish at once."""
    if blocked_words_in(listing.title, listing.description, listing.availability):
        return "blocked_word"
    if listing.organisation is not None and listing.organisation.is_verified:
        return None
    if listing.owner.established_at is not None:
        return None
    return "not_established"


def _submit_for_review(listing: Listing, reason: str) -> None:
    set_state(listing, State.PENDING_REVIEW)
    publish(
        "listing.submitted_for_review",
        {"listing": listing.pk, "reason": reason, "municipality": listing.municipality_id},
    )


def _publish_or_submit(listing: Listing) -> None:
    reason = review_reason(listing)
    if reason is None:
        now = timezone.now()
        set_state(
            listing,
            State.PUBLISHED,
            published_at=now,
            expires_at=now + LISTING_LIFETIME,
            expiry_notice_sent_at=None,
        )
        publish("listing.published", {"listing": listing.pk, "owner": listing.owner_id})
    else:
        _submit_for_review(listing, reason)


# --- Writing --------------------------------------------------------------------------------


def _write(listing: Listing, data: ListingData) -> None:
    for name in SIMPLE_FIELDS:
        if name in data.given:
            value = getattr(data, name)
            setattr(listing, name, value.strip() if isinstance(value, str) else value)
    if listing.compensation != Listing.Compensation.TIME_CREDITS:
        listing.hours = None
    if listing.compensation != Listing.Compensation.PAID:
        listing.amount_sek = None
    listing.save()
    if "tags" in data.given:
        _set_tags(listing, data.tags)
    search.reindex(listing)


def _check_organisation(actor: Any, organisation: Organisation | None) -> None:
    if organisation is not None and not permissions.can_act_for(actor, organisation):
        raise NotAnEditorOfThatOrganisation(
            fields={"organisation": [str(NotAnEditorOfThatOrganisation.default_message)]}
        )


@transaction.atomic
def create_listing(*, actor: Any, data: ListingData) -> Listing:
    """A new listing, saved as a draft: ``publish_listing`` puts it out."""
    _check_organisation(actor, data.organisation)
    listing = Listing(owner=actor, state=State.DRAFT)
    _write(listing, data)
    publish("listing.created", {"listing": listing.pk, "owner": actor.pk})
    return listing


EDITABLE_STATES = (State.DRAFT, State.PENDING_REVIEW, State.PUBLISHED, State.PAUSED, State.REJECTED)


@transaction.atomic
def update_listing(*, actor: Any, listing: Listing, data: ListingData) -> Listing:
    """Edit a listing. A published or paused one goes through the moderation rules again:
    a text that now needs review leaves the marketplace until a moderator approves it."""
    _check_manager(actor, listing)
    listing = _transition(listing, *EDITABLE_STATES)
    if "organisation" in data.given:
        _check_organisation(actor, data.organisation)
    _write(listing, data)
    if listing.state in (State.PUBLISHED, State.PAUSED):
        reason = review_reason(listing)
        if reason is not None:
            _submit_for_review(listing, reason)
    publish("listing.edited", {"listing": listing.pk})
    return listing


@transaction.atomic
def publish_listing(*, actor: Any, listing: Listing) -> Listing:
    _check_manager(actor, listing)
    listing = _transition(listing, State.DRAFT, State.REJECTED)
    _publish_or_submit(listing)
    return listing


@transaction.atomic
def pause_listing(*, actor: Any, listing: Listing) -> Listing:
    _check_manager(actor, listing)
    listing = _transition(listing, State.PUBLISHED)
    set_state(listing, State.PAUSED)
    publish("listing.paused", {"listing": listing.pk})
    return listing


@transaction.atomic
def resume_listing(*, actor: Any, listing: Listing) -> Listing:
    _check_manager(actor, listing)
    listing = _transition(listing, State.PAUSED)
    set_state(listing, State.PUBLISHED)
    publish("listing.resumed", {"listing": listing.pk})
    return listing


@transaction.atomic
def close_listing(*, actor: Any, listing: Listing) -> Listing:
    _check_manager(actor, listing)
    listing = _transition(listing, State.PUBLISHED, State.PAUSED, State.PENDING_REVIEW)
    set_state(listing, State.CLOSED)
    publish("listing.closed", {"listing": listing.pk, "by": "owner"})
    return listing


@transaction.atomic
def renew_listing(*, actor: Any, listing: Listing) -> Listing:
    """Ninety more days. A closed listing is published again through the moderation rules."""
    _check_manager(actor, listing)
    listing = _transition(listing, State.PUBLISHED, State.PAUSED, State.CLOSED)
    if listing.state == State.CLOSED:
        _publish_or_submit(listing)
    else:
        listing.expires_at = timezone.now() + LISTING_LIFETIME
        listing.expiry_notice_sent_at = None
        listing.save(update_fields=["expires_at", "expiry_notice_sent_at", "updated_at"])
        publish("listing.renewed", {"listing": listing.pk})
    return listing


@transaction.atomic
def delete_listing(*, actor: Any, listing: Listing) -> None:
    """Only drafts are deleted; anything once shown is closed instead, so nothing anyone
    answered disappears."""
    _check_manager(actor, listing)
    listing = _transition(listing, State.DRAFT)
    listing.delete()


# --- Expiry ---------------------------------------------------------------------------------

EXPIRY_NOTICE_BEFORE = timedelta(days=7)


@transaction.atomic
def expire_listings(*, now: Any = None) -> dict[str, int]:
    """Daily: tell owners a week before their listing expires, and close it on the day.

    Each notice is sent once (``expiry_notice_sent_at``, set under the row lock)."""
    now = now or timezone.now()
    live = (State.PUBLISHED, State.PAUSED)
    warned = 0
    for listing in Listing.objects.select_for_update(skip_locked=True).filter(
        state__in=live,
        expires_at__gt=now,
        expires_at__lte=now + EXPIRY_NOTICE_BEFORE,
        expiry_notice_sent_at__isnull=True,
    ):
        listing.expiry_notice_sent_at = now
        listing.save(update_fields=["expiry_notice_sent_at"])
        publish(
            "listing.expiring",
            {
                "listing": listing.pk,
                "owner": listing.owner_id,
                "expires_at": str(listing.expires_at),
            },
        )
        warned += 1
    closed = 0
    for listing in Listing.objects.select_for_update(skip_locked=True).filter(
        state__in=live, expires_at__lte=now
    ):
        set_state(listing, State.CLOSED)
        publish("listing.expired", {"listing": listing.pk, "owner": listing.owner_id})
        closed += 1
    return {"warned": warned, "closed": closed}


# --- Images ---------------------------------------------------------------------------------

MAX_IMAGES = 6
IMAGE_SIDE = 1600


class TooManyImages(ConflictError):
    code = "too_many_images"
    default_message = _("A listing has at most six pictures: remove one first.")


class UnknownImage(DomainError):
    status_code = 404
    code = "unknown_image"
    default_message = _("The listing has no such picture.")


@transaction.atomic
def add_image(*, actor: Any, listing: Listing, upload: Any) -> ListingImage:
    """Add a picture: checked, shrunk to at most ``IMAGE_SIDE`` pixels a side and re-encoded
    without the camera's metadata (a photo taken at home carries its position)."""
    _check_manager(actor, listing)
    listing = _transition(listing, *EDITABLE_STATES)
    count = listing.images.count()
    if count >= MAX_IMAGES:
        raise TooManyImages()
    image = ListingImage(listing=listing, position=count)
    image.image.save("image.jpg", normalised_jpeg(upload, max_side=IMAGE_SIDE), save=False)
    image.save()
    return image


@transaction.atomic
def remove_image(*, actor: Any, listing: Listing, image_id: int) -> None:
    _check_manager(actor, listing)
    listing = _transition(listing, *EDITABLE_STATES)
    image = listing.images.filter(pk=image_id).first()
    if image is None:
        raise UnknownImage()
    name, storage = image.image.name or "", image.image.storage
    image.delete()
    if name:
        # The file goes only once the row is gone for good: a rollback keeps both.
        transaction.on_commit(lambda: storage.delete(name))
