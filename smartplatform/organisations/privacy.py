"""Personal data in organisations: memberships, join requests, invitations."""

from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _

from smartplatform.accounts import personal_data
from smartplatform.accounts.models import User
from smartplatform.core.errors import ConflictError
from smartplatform.organisations.models import (
    Invitation,
    JoinRequest,
    Membership,
    Organisation,
    Role,
)
from smartplatform.organisations.services import sole_admin_of


class SoleAdminMustHandOver(ConflictError):
    code = "sole_admin"
    default_message = _(
        "You are the only admin of an organisation. Make someone else an admin before you "
        "delete your account."
    )


def _must_not_be_sole_admin(user: User) -> None:
    # Row locks on the organisations where the person is an admin, in a fixed order, held
    # until the deletion commits: a co-admin leaving at the same moment waits, and then
    # finds the person gone (or this check finds the co-admin gone).
    list(
        Organisation.objects.select_for_update()
        .filter(memberships__user=user, memberships__role=Role.ADMIN)
        .order_by("pk")
        .values_list("pk", flat=True)
    )
    organisations = sole_admin_of(user)
    if organisations:
        raise SoleAdminMustHandOver(extra={"organisations": [o.slug for o in organisations]})


def _invitations_to(user: User) -> QuerySet[Invitation]:
    # Every address the person has or had on the account, not only the primary one.
    return Invitation.objects.filter(personal_data.any_address(user, "email"))


def _erase_invitations(user: User) -> None:
    # Invitations sent to the person's addresses name them; those they sent stay with the
    # organisation (the sender is the anonymised account).
    _invitations_to(user).delete()


personal_data.register_rows(
    "memberships",
    Membership,
    fields=("organisation__slug", "role", "created_at"),
    check=_must_not_be_sole_admin,
)
personal_data.register_rows(
    "join_requests",
    JoinRequest,
    fields=("organisation__slug", "message", "status", "created_at", "decided_at"),
)
personal_data.register(
    "invitations",
    Invitation,
    export=lambda user: personal_data.rows(
        _invitations_to(user),
        "organisation__slug",
        "role",
        "status",
        "created_at",
    ),
    erase=_erase_invitations,
)


def _contact_addresses(user: User) -> QuerySet[Organisation]:
    return Organisation.objects.filter(personal_data.any_address(user, "contact_email"))


def _erase_contact_addresses(user: User) -> None:
    # An organisation whose contact address is the person's own loses it with them.
    _contact_addresses(user).update(contact_email="")


personal_data.register(
    "organisation_contact_addresses",
    Organisation,
    export=lambda user: personal_data.rows(_contact_addresses(user), "slug", "contact_email"),
    erase=_erase_contact_addresses,
)


personal_data.register(
    "invitations_sent",
    Invitation,
    export=lambda user: personal_data.rows(
        Invitation.objects.filter(invited_by=user), "organisation__slug", "email", "created_at"
    ),
    # Kept with the organisation: the sender is named only by the anonymised account's id.
    erase=lambda user: None,
)
personal_data.register(
    "join_requests_decided",
    JoinRequest,
    export=lambda user: personal_data.rows(
        JoinRequest.objects.filter(decided_by=user), "organisation__slug", "status", "decided_at"
    ),
    erase=lambda user: None,
)
