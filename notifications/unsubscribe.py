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
from notifications.models import AddressOptOut
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
    user: User | None  # a person with an account, or
    address: str  # an address without one
    scope: str  # a type's name, or digest:daily / digest:weekly


def token_for(user: User, scope: str) -> str:
    return signing.dumps({"u": user.pk, "s": scope}, salt=SALT)


def address_token_for(address: str, scope: str) -> str:
    return signing.dumps({"a": address.lower(), "s": scope}, salt=SALT)


def url_for(user: User, scope: str) -> str:
    return _url(token_for(user, scope))


def url_for_address(address: str, scope: str) -> str:
    return _url(address_token_for(address, scope))


def _url(token: str) -> str:
    return settings.SITE_URL + reverse("notifications-unsubscribe", kwargs={"token": token})


def read(token: str) -> Unsubscription:
    """The person and scope a token names. A token that was changed, or that names someone
    or something no longer there, is refused."""
    try:
        claims = signing.loads(token, salt=SALT)
        scope = str(claims["s"])
        if "a" in claims:
            return _for_address(str(claims["a"]), scope)
        user_id = int(claims["u"])
    except (signing.BadSignature, KeyError, TypeError, ValueError) as exc:
        raise InvalidUnsubscribeLink from exc
    if scope not in TYPES and scope not in DIGEST_SCOPES:
        raise InvalidUnsubscribeLink
    user = User.objects.filter(pk=user_id, is_active=True).first()
    if user is None:
        raise InvalidUnsubscribeLink
    return Unsubscription(user=user, address="", scope=scope)


def _for_address(address: str, scope: str) -> Unsubscription:
    if scope not in TYPES or not address:
        raise InvalidUnsubscribeLink
    return Unsubscription(user=None, address=address, scope=scope)


def unsubscribe(token: str) -> Unsubscription:
    found = read(token)
    if found.user is not None:
        preferences.email_off(found.user, found.scope)
    else:
        AddressOptOut.objects.get_or_create(email=found.address, type=found.scope)
    return found
