from typing import Any

from allauth.account.models import EmailAddress
from django.db.models import QuerySet

from smartplatform.accounts.models import User


def public_users() -> QuerySet[User]:
    """People others may look up: active accounts only."""
    return User.objects.filter(is_active=True).select_related("home_municipality")


def email_verified(user: User) -> bool:
    return EmailAddress.objects.filter(user=user, email__iexact=user.email, verified=True).exists()


def signed_in_user(request: Any) -> User:
    """The request's user, for views whose permissions already required a login."""
    user = request.user
    if not isinstance(user, User):
        raise PermissionError("This view needs a signed-in user; check its permission classes.")
    return user
