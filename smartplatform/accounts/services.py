"""Writes to accounts: every rule about a user's own data lives here."""

import time
from typing import Any

from django.contrib.sessions.backends.base import SessionBase
from django.core.mail import EmailMessage, EmailMultiAlternatives
from django.db import transaction
from django.utils.translation import gettext_lazy as _

from smartplatform.accounts.models import User
from smartplatform.core.errors import DomainError
from smartplatform.core.images import replace_picture
from smartplatform.core.jobs import enqueue_on_commit
from smartplatform.organisations.models import Municipality

# What a user may change about themselves. Staff flags, activity and the verification of
# their email address are not theirs to set.
EDITABLE_PROFILE_FIELDS = frozenset(
    {"display_name", "home_municipality", "preferred_language", "phone", "bio"}
)


def complete_signup_profile(
    *,
    user: User,
    display_name: str,
    home_municipality: Municipality | None,
    preferred_language: str,
) -> User:
    """Called by allauth's sign-up, after it created the user."""
    user.display_name = display_name.strip()
    user.home_municipality = home_municipality
    if preferred_language in User.Language.values:
        user.preferred_language = preferred_language
    user.save(update_fields=["display_name", "home_municipality", "preferred_language"])
    return user


@transaction.atomic
def update_profile(*, user: User, **changes: Any) -> User:
    unknown = set(changes) - EDITABLE_PROFILE_FIELDS
    if unknown:
        raise ValueError(f"Not editable here: {', '.join(sorted(unknown))}")
    for field, value in changes.items():
        setattr(user, field, value.strip() if isinstance(value, str) else value)
    user.full_clean(exclude=["password", "email"])
    user.save(update_fields=sorted(changes))
    return user


def send_email_after_commit(message: EmailMessage) -> None:
    """Send a rendered email from a worker once the transaction commits.

    SMTP is slow and sometimes away: a worker retries it with back-off, and the request
    that asked for the email never waits for it or fails because of it.
    """
    from smartplatform.accounts.tasks import send_email

    alternatives = [
        [content, mimetype] for content, mimetype in getattr(message, "alternatives", [])
    ]
    enqueue_on_commit(
        send_email,
        {
            "subject": message.subject,
            "body": message.body,
            "from_email": message.from_email,
            "to": list(message.to),
            "headers": dict(message.extra_headers),
            "alternatives": alternatives,
            "html": message.content_subtype == "html",
        },
    )


def build_email(payload: dict[str, Any]) -> EmailMultiAlternatives:
    message = EmailMultiAlternatives(
        subject=payload["subject"],
        body=payload["body"],
        from_email=payload["from_email"],
        to=payload["to"],
        headers=payload.get("headers") or {},
    )
    if payload.get("html"):
        message.content_subtype = "html"
    for content, mimetype in payload.get("alternatives", []):
        message.attach_alternative(content, mimetype)
    return message


class ReauthenticationRequired(DomainError):
    status_code = 403
    code = "reauthentication_required"
    default_message = _("For this, confirm it is you: send your password, or sign in again first.")


class WrongPassword(DomainError):
    status_code = 400
    code = "wrong_password"
    default_message = _("That is not your password.")


def signed_in_recently(session: SessionBase, user: User) -> bool:
    """Whether ``user`` signed in (or confirmed their password) in this session within
    allauth's reauthentication window (five minutes by default)."""
    from allauth.account import app_settings as allauth_settings
    from allauth.account.internal.flows.login import (
        _AUTHENTICATION_METHODS_USER_SESSION_KEY,
        AUTHENTICATION_METHODS_SESSION_KEY,
    )

    if session.get(_AUTHENTICATION_METHODS_USER_SESSION_KEY) != str(user.pk):
        return False
    records = session.get(AUTHENTICATION_METHODS_SESSION_KEY) or []
    latest = max((record.get("at", 0) for record in records), default=0)
    return time.time() - latest < allauth_settings.REAUTHENTICATION_TIMEOUT


def delete_own_account(*, user: User, session: SessionBase, password: str | None) -> None:
    """A person deletes their account: they prove it is them, then everything is erased."""
    from smartplatform.accounts import personal_data

    if password is not None:
        if not user.check_password(password):
            raise WrongPassword(fields={"password": [str(WrongPassword.default_message)]})
    elif not signed_in_recently(session, user):
        raise ReauthenticationRequired()
    personal_data.delete_account(user=user)
    session.flush()


AVATAR_SIDE = 512


@transaction.atomic
def set_avatar(*, user: User, upload: Any) -> User:
    """A new profile picture, shrunk and stripped of metadata."""
    replace_picture(user, "avatar", upload, max_side=AVATAR_SIDE)
    return user


@transaction.atomic
def remove_avatar(*, user: User) -> User:
    replace_picture(user, "avatar", None, max_side=AVATAR_SIDE)
    return user


def mark_established(*, user: User) -> bool:
    """The person has shown good faith (a listing approved, an exchange completed): their
    listings are published without review from now on. True when this changed anything."""
    from django.utils import timezone

    return bool(
        User.objects.filter(pk=user.pk, established_at__isnull=True).update(
            established_at=timezone.now()
        )
    )
