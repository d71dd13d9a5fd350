"""Writes to accounts: every rule about a user's own data lives here."""

from typing import Any

from django.core.mail import EmailMessage, EmailMultiAlternatives
from django.db import transaction

from smartplatform.accounts.models import User
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
