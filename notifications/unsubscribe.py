"""One-click unsubscribe: a signed token in every email names its person and what it stops
(one type, or one digest), so no login is needed and no token works for anything else.

The link's page only shows what it would do; the change happens on POST (RFC 8058), since
mail scanners open every link in an email and must not unsubscribe anyone by looking."""

from dataclasses import dataclass

from django.conf import settings
from django.core import signing
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from notifications import preferences
from notifications.types import TYPES
from smartplatform.accounts.models import User
from smartplatform.core.errors import DomainError

SALT = "notifications.unsubscribe"
DIGEST_SCOPES = ("digest:daily", "digest:weekly")


class InvalidUnsubscribeLink(DomainError):
    status_code = 400
    code = "invalid_unsubscribe_link"
    default_message = _("This unsubscribe link is not valid. Change your choices in the app.")


@dataclass(frozen=True)
class Unsubscription:
    user: User
    scope: str  # a type's name, or digest:daily / digest:weekly


def token_for(user: User, scope: str) -> str:
    return signing.dumps({"u": user.pk, "s": scope}, salt=SALT)


def url_for(user: User, scope: str) -> str:
    return settings.SITE_URL + reverse(
        "notifications-unsubscribe", kwargs={"token": token_for(user, scope)}
    )


def read(token: str) -> Unsubscription:
    """The person and scope a token names. A token that was changed, or that names someone
    or something no longer there, is refused."""
    try:
        claims = signing.loads(token, salt=SALT)
        user_id, scope = int(claims["u"]), str(claims["s"])
    except (signing.BadSignature, KeyError, TypeError, ValueError) as exc:
        raise InvalidUnsubscribeLink from exc
    if scope not in TYPES and scope not in DIGEST_SCOPES:
        raise InvalidUnsubscribeLink
    user = User.objects.filter(pk=user_id, is_active=True).first()
    if user is None:
        raise InvalidUnsubscribeLink
    return Unsubscription(user=user, scope=scope)


def unsubscribe(token: str) -> Unsubscription:
    found = read(token)
    preferences.email_off(found.user, found.scope)
    return found
