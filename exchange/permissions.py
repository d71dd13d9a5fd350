"""Who may do what with listings: the one place these rules live.

- Anyone, without an account, reads published listings.
- The owner sees and manages their own listings in every state; editors of the organisation
  a listing is published for may manage it too.
- Moderators (staff with a moderation scope) see every listing of their municipalities;
  superusers see and do everything.
- Only verified users create listings.
- A suspended owner's listings are shown to nobody but staff; two residents where one blocked
  the other do not see each other's listings.
"""

from typing import Any

from django.db.models import Q

from exchange.models import Block, Listing
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


def can_see_address(user: Any, listing: Listing) -> bool:
    """The exact address and coordinates: the owner (and the organisation's editors) only,
    until an exchange or booking with the other party is confirmed."""
    return can_manage(user, listing)
