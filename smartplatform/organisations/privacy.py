"""Personal data in organisations: memberships, join requests, invitations."""

from django.utils.translation import gettext_lazy as _

from smartplatform.accounts import personal_data
from smartplatform.accounts.models import User
from smartplatform.core.errors import ConflictError
from smartplatform.organisations.models import Invitation, JoinRequest, Membership
from smartplatform.organisations.services import sole_admin_of


class SoleAdminMustHandOver(ConflictError):
    code = "sole_admin"
    default_message = _(
        "You are the only admin of an organisation. Make someone else an admin before you "
        "delete your account."
    )


def _must_not_be_sole_admin(user: User) -> None:
    organisations = sole_admin_of(user)
    if organisations:
        raise SoleAdminMustHandOver(extra={"organisations": [o.slug for o in organisations]})


def _erase_invitations(user: User) -> None:
    # Invitations sent to the person's address name them; those they sent stay with the
    # organisation (the sender is the anonymised account).
    Invitation.objects.filter(email__iexact=user.email).delete()


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
        Invitation.objects.filter(email__iexact=user.email),
        "organisation__slug",
        "role",
        "status",
        "created_at",
    ),
    erase=_erase_invitations,
)
