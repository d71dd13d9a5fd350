"""Notification emails: HTML and plain text, in the recipient's language, each with its
one-click unsubscribe link and headers.

Templates are looked up per type first (``notifications/email/<type>.txt`` and ``.html``),
then the shared ``notification`` ones; the texts are translated, so one template serves
Swedish and English. The Message-ID is derived from the delivery (or digest), so an email
sent again after a crash is recognisably the same message."""

from typing import Any

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.template.loader import render_to_string, select_template
from django.utils import translation

from notifications import unsubscribe
from notifications.models import Digest, Notification
from notifications.types import TYPES


def domain() -> str:
    address = settings.DEFAULT_FROM_EMAIL.rsplit("<", 1)[-1].rstrip(">")
    return address.rsplit("@", 1)[-1] or "localhost"


def message_id(kind: str, pk: int) -> str:
    return f"<{kind}.{pk}@{domain()}>"


def web_link(notification: Notification) -> str:
    pattern = str(settings.NOTIFICATION_FRONTEND_PATHS.get(notification.subject_type, ""))
    if not pattern or ("{id}" in pattern and notification.subject_id is None):
        return str(settings.FRONTEND_URL)
    return pattern.format(id=notification.subject_id)


def _render(names: list[str], context: dict[str, Any]) -> str:
    return select_template(names).render(context)


def _message(
    *, to: str, subject: str, text: str, html: str, unsubscribe_url: str, message_id: str
) -> EmailMultiAlternatives:
    message = EmailMultiAlternatives(
        subject=" ".join(subject.split()),
        body=text,
        to=[to],
        headers={
            "Message-ID": message_id,
            "Auto-Submitted": "auto-generated",
            "List-Unsubscribe": f"<{unsubscribe_url}>",
            "List-Unsubscribe-Post": "List-Unsubscribe=One-Click",
        },
    )
    message.attach_alternative(html, "text/html")
    return message


def notification_email(notification: Notification, *, delivery_id: int) -> EmailMultiAlternatives:
    user = notification.recipient
    if user is None:
        raise ValueError("Only a notification to an account is emailed this way.")
    unsubscribe_url = unsubscribe.url_for(user, notification.type)
    context = {
        "name": user.display_name,
        "notification": notification,
        "url": web_link(notification),
        "unsubscribe_url": unsubscribe_url,
        "site_url": settings.SITE_URL,
    }
    names = [f"notifications/email/{notification.type}", "notifications/email/notification"]
    with translation.override(notification.language):
        text = _render([f"{name}.txt" for name in names], context)
        html = _render([f"{name}.html" for name in names], context)
    return _message(
        to=user.email,
        subject=notification.title,
        text=text,
        html=html,
        unsubscribe_url=unsubscribe_url,
        message_id=message_id("notification", delivery_id),
    )


def digest_email(digest: Digest, notifications: list[Notification]) -> EmailMultiAlternatives:
    """One email for what the digest holds, grouped by type in the documented order."""
    user = digest.user
    language = user.preferred_language or settings.LANGUAGE_CODE
    order = {name: n for n, name in enumerate(TYPES)}
    groups: dict[str, list[dict[str, Any]]] = {}
    for notification in sorted(notifications, key=lambda n: (order.get(n.type, 0), n.pk)):
        groups.setdefault(notification.type, []).append(
            {"notification": notification, "url": web_link(notification)}
        )
    unsubscribe_url = unsubscribe.url_for(user, f"digest:{digest.frequency}")
    context = {
        "name": user.display_name,
        "digest": digest,
        "weekly": digest.frequency == "weekly",
        "groups": list(groups.values()),
        "count": len(notifications),
        "unsubscribe_url": unsubscribe_url,
        "site_url": settings.SITE_URL,
    }
    with translation.override(language):
        subject = render_to_string("notifications/email/digest_subject.txt", context)
        text = render_to_string("notifications/email/digest.txt", context)
        html = render_to_string("notifications/email/digest.html", context)
    return _message(
        to=user.email,
        subject=subject,
        text=text,
        html=html,
        unsubscribe_url=unsubscribe_url,
        message_id=message_id("digest", digest.pk),
    )
