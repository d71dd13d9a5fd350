"""Who may do what with an organisation: the one place these rules live.

- Anyone reads organisations (the public directory).
- A verified user creates an association, company or other organisation and becomes its
  admin; municipalities and regions are created by staff.
- Members see the member list; editors act for the organisation (its profile, later its
  listings and catalogue projects); admins also manage members, join requests and
  invitations.
- Staff (moderators) verify organisations and may correct their public profile; they do
  not see or manage members. Superusers may do everything.
"""

from typing import Any

from smartplatform.organisations.models import ROLE_RANK, Membership, Organisation, Role


def is_staff(user: Any) -> bool:
    return bool(user.is_authenticated and (user.is_staff or user.is_superuser))


def is_superuser(user: Any) -> bool:
    return bool(user.is_authenticated and user.is_superuser)


def role_of(user: Any, organisation: Organisation) -> Role | None:
    if not user.is_authenticated:
        return None
    role = (
        Membership.objects.filter(organisation=organisation, user=user)
        .values_list("role", flat=True)
        .first()
    )
    return Role(role) if role else None


def has_role(user: Any, organisation: Organisation, at_least: Role) -> bool:
    if is_superuser(user):
        return True
    role = role_of(user, organisation)
    return role is not None and ROLE_RANK[role] >= ROLE_RANK[at_least]


def can_see_members(user: Any, organisation: Organisation) -> bool:
    return has_role(user, organisation, Role.MEMBER)


def can_edit(user: Any, organisation: Organisation) -> bool:
    """Editors act for the organisation; staff may correct its public profile."""
    return is_staff(user) or has_role(user, organisation, Role.EDITOR)


def can_administer(user: Any, organisation: Organisation) -> bool:
    return has_role(user, organisation, Role.ADMIN)
