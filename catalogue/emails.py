"""The catalogue's emails, rendered in the recipient's language.

People without an account (a project's contacts, an organisation's shared mailbox) read
Swedish; people with one read their own language. Every email carries a Message-ID derived
from the event that caused it, so a delivery retried after a crash sends the same message
again, which mail systems recognise as a duplicate.
"""

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.core.mail import EmailMessage, get_connection
from django.template.loader import render_to_string
from django.utils import translation

from smartplatform.accounts.adapter import email_language


@dataclass(frozen=True)
class Outgoing:
    to: str
    language: str
    template: str
    context: dict[str, Any]


def _domain() -> str:
    address = settings.DEFAULT_FROM_EMAIL.rsplit("<", 1)[-1].rstrip(">")
    return address.rsplit("@", 1)[-1] or "localhost"


def language_of(user: Any) -> str:
    return email_language(user, None) if user is not None else settings.LANGUAGE_CODE


def render(outgoing: Outgoing, *, message_id: str) -> EmailMessage:
    context = {**outgoing.context, "site_url": settings.SITE_URL}
    with translation.override(outgoing.language):
        subject = render_to_string(f"catalogue/email/{outgoing.template}_subject.txt", context)
        body = render_to_string(f"catalogue/email/{outgoing.template}_message.txt", context)
    return EmailMessage(
        subject=" ".join(subject.split()),
        body=body,
        to=[outgoing.to],
        headers={"Message-ID": f"<{message_id}@{_domain()}>", "Auto-Submitted": "auto-generated"},
    )


def send_all(outgoing: Iterable[Outgoing], *, key: str) -> int:
    """Send every email, with Message-IDs ``<key>.<n>``. An SMTP failure raises, so the event
    delivery that called this is retried."""
    messages = [render(item, message_id=f"{key}.{n}") for n, item in enumerate(outgoing)]
    if not messages:
        return 0
    return get_connection().send_messages(messages) or 0
