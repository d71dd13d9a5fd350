"""Who may do what with listings: the one place these rules live.

- Anyone, without an account, reads published listings.
- The owner sees and manages their own listings in every state; editors of the organisation
  a listing is published for may manage it too.
- Moderators (staff with a moderation scope) see every listing of their municipalities;
  superusers see and do everything.
- Only verified users create listings.
- A suspended owner's listings are shown to nobody but staff; two residents where one blocked
  the other do not see each other's listings.
- An exchange has two sides: the listing's (its owner, and the editors of the organisation
  it is for) and the responder's (who answered, and the editors of the organisation they
  answered for). Only they read it and its messages; moderators of the listing's
  municipality read it once it is disputed or one of its messages is reported; superusers
  read everything. The listing's side accepts or declines; either side cancels, confirms,
  disputes and writes.
- The exact address of a listing: the listing's side, the responder of an exchange on it
  that was accepted (or went on to completion or dispute), and a booker of it whose booking
  was confirmed.
"""

from typing import Any

from django.db.models import Q

from exchange.models import Block, Exchange, Listing, Message, Report
from smartplatform.organisations.models import Membership, Organisation, Role
from smartplatform.organisations.permissions import has_role, is_superuser

EDITOR_ROLES = (Role.EDITOR, Role.ADMIN)


def moderates(user: Any, municipality_code: str) -> bool:
    if not (user.is_authenticated and user.is_staff):
        return False
    return (
        is_superuser(user) or user.moderated_municipalities.filter(code=municipality_code).exists()
    )


def can_manage(user: Any, listing: Listing) -> bool:
    """Edit, publish, pause, close, renew, delete: the owner, or an editor of the
    organisation the listing is for."""
    if not user.is_authenticated:
        return False
    if listing.owner_id == user.pk or is_superuser(user):
        return True
    organisation = listing.organisation
    return organisation is not None and has_role(user, organisation, Role.EDITOR)


def can_act_for(user: Any, organisation: Organisation) -> bool:
    return has_role(user, organisation, Role.EDITOR)


def shown_publicly(user: Any) -> Q:
    """Published listings of owners who are not suspended and, for a signed-in user, not
    blocked by them or blocking them."""
    shown = Q(state=Listing.State.PUBLISHED, owner__is_active=True)
    if user.is_authenticated:
        shown &= ~Q(owner__in=Block.objects.filter(blocker=user).values("blocked"))
        shown &= ~Q(owner__in=Block.objects.filter(blocked=user).values("blocker"))
    return shown


def visible_condition(user: Any) -> Q:
    """The listings a user may read: published ones (see ``shown_publicly``), their own and
    their organisations', and, for moderators, every listing of their municipalities."""
    published = shown_publicly(user)
    if not user.is_authenticated:
        return published
    if is_superuser(user):
        return Q()
    condition = (
        published
        | Q(owner=user)
        | Q(
            organisation__in=Membership.objects.filter(user=user, role__in=EDITOR_ROLES).values(
                "organisation"
            )
        )
    )
    if user.is_staff:
        condition |= Q(municipality__in=user.moderated_municipalities.all())
    return condition


# Exchanges in these states open the listing's exact address to their responder.
ADDRESS_STATES = (Exchange.State.ACCEPTED, Exchange.State.COMPLETED, Exchange.State.DISPUTED)


def address_opened(user: Any) -> Q:
    """Listings whose exact address is open to ``user`` as the other party: an answer of
    theirs that was accepted, or a booking of theirs that was confirmed (a condition on
    listings)."""
    from exchange.models import Booking

    return Q(
        pk__in=Exchange.objects.filter(responder=user, state__in=ADDRESS_STATES).values(
            "listing_id"
        )
    ) | Q(
        resource__in=Booking.objects.filter(
            booker=user, state__in=(Booking.State.CONFIRMED, Booking.State.COMPLETED)
        ).values("resource_id")
    )


def can_see_address(user: Any, listing: Listing) -> bool:
    """The exact address and coordinates: the listing's side, a responder whose exchange on
    it was accepted, and a booker whose booking of it was confirmed. A listing loaded for a
    page says so in ``address_opened``, so a page costs no query per listing."""
    if can_manage(user, listing):
        return True
    if not user.is_authenticated:
        return False
    known = getattr(listing, "address_opened", None)
    if known is not None:
        return bool(known)
    return Listing.objects.filter(address_opened(user), pk=listing.pk).exists()


# --- Exchanges ------------------------------------------------------------------------------


def _edits_for(user: Any, organisation_id: int | None) -> bool:
    # Membership itself, not ``has_role``: a superuser is not a side of anyone's exchange.
    return (
        organisation_id is not None
        and Membership.objects.filter(
            user=user, organisation_id=organisation_id, role__in=EDITOR_ROLES
        ).exists()
    )


def on_listing_side_of(user: Any, listing: Listing) -> bool:
    """The listing's owner or an editor of its organisation (a superuser is not, by being
    one): the side that accepts answers and approves bookings."""
    if not user.is_authenticated:
        return False
    return listing.owner_id == user.pk or _edits_for(user, listing.organisation_id)


def on_listing_side(user: Any, exchange: Exchange) -> bool:
    return on_listing_side_of(user, exchange.listing)


def on_responder_side(user: Any, exchange: Exchange) -> bool:
    if not user.is_authenticated:
        return False
    return exchange.responder_id == user.pk or _edits_for(user, exchange.responder_organisation_id)


def organisations_edited_by(user: Any) -> set[int]:
    if not user.is_authenticated:
        return set()
    return set(
        Membership.objects.filter(user=user, role__in=EDITOR_ROLES).values_list(
            "organisation_id", flat=True
        )
    )


def is_party(user: Any, exchange: Exchange) -> bool:
    return on_listing_side(user, exchange) or on_responder_side(user, exchange)


def exchanges_visible_condition(user: Any) -> Q:
    """The exchanges ``user`` may read (see the module docstring)."""
    if not user.is_authenticated:
        return Q(pk__in=[])
    if is_superuser(user):
        return Q()
    edits = Membership.objects.filter(user=user, role__in=EDITOR_ROLES).values("organisation")
    condition = (
        Q(responder=user)
        | Q(listing__owner=user)
        | Q(listing__organisation__in=edits)
        | Q(responder_organisation__in=edits)
    )
    if user.is_staff:
        reported = Report.objects.filter(
            content_type__app_label="exchange",
            content_type__model="message",
            status=Report.Status.OPEN,
        ).values("object_id")
        needs_moderator = Q(state=Exchange.State.DISPUTED) | Q(
            pk__in=Message.objects.filter(pk__in=reported).values("exchange_id")
        )
        condition |= needs_moderator & Q(
            listing__municipality__in=user.moderated_municipalities.all()
        )
    return condition
