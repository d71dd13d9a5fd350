"""Who counts as a resident: the rule every app's permissions build on."""

from typing import Any

from allauth.account.models import EmailAddress
from rest_framework import permissions
from rest_framework.request import Request


def is_verified(user: Any) -> bool:
    """A resident: signed in, active, with a verified email address."""
    if not (user.is_authenticated and user.is_active):
        return False
    return EmailAddress.objects.filter(user=user, verified=True).exists()


class IsVerifiedUser(permissions.BasePermission):
    message = "A verified account is needed for this."

    def has_permission(self, request: Request, view: Any) -> bool:
        return is_verified(request.user)
