"""Notification emails: HTML and plain text, in the recipient's language, each with its
one-click unsubscribe link and headers.

Templates are looked up per type first (``notifications/email/<type>.txt`` and ``.html``),
then the shared ``notification`` ones; the texts are translated, so one template serves
Swedish and English. The Message-ID is derived from the delivery (or digest), so an email
sent again after a crash is recognisably the same message."""

from collections.abc import Callable
from typing import Any

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.template import TemplateDoesNotExist
from django.template.loader import get_template, render_to_string, select_template
from django.utils import translation

from notifications import unsubscribe
from notifications.models import Digest, Notification
from notifications.types import TYPES, link_for


def domain() -> str:
    address = settings.DEFAULT_FROM_EMAIL.rsplit("<", 1)[-1].rstrip(">")
    return address.rsplit("@", 1)[-1] or "localhost"


def message_id(kind: str, pk: int) -> str:
    return f"<{kind}.{pk}@{domain()}>"


def web_link(notification: Notification) -> str:
    pattern = str(settings.NOTIFICATION_FRONTEND_PATHS.get(notification.subject_type, ""))
    if not pattern or ("{id}" in pattern and notification.subject_id is None):
        return str(settings.FRONTEND_URL)
    return link_for(pattern, notification.subject_id, notification.data)


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


# Apps whose emails say more than a notice's title and body register what their templates
# need, read from the notification's subject when the email is rendered (in its language).
EmailContext = Callable[[Notification], dict[str, Any]]
_contexts: dict[str, EmailContext] = {}


def email_context(*type_names: str) -> Callable[[EmailContext], EmailContext]:
    def register(function: EmailContext) -> EmailContext:
        for name in type_names:
            _contexts[name] = function
        return function

    return register


def address_of(notification: Notification) -> str:
    user = notification.recipient
    return user.email if user is not None else notification.email


def notification_email(notification: Notification, *, delivery_id: int) -> EmailMultiAlternatives:
    """The email of one notification. A type with its own text template
    (``notifications/email/<type>.txt``) shows that text in the shared HTML layout too."""
    user = notification.recipient
    if user is not None:
        unsubscribe_url = unsubscribe.url_for(user, notification.type)
    else:
        unsubscribe_url = unsubscribe.url_for_address(notification.email, notification.type)
    context: dict[str, Any] = {
        "name": user.display_name if user is not None else "",
        "has_account": user is not None,
        "notification": notification,
        "url": web_link(notification),
        "unsubscribe_url": unsubscribe_url,
        "site_url": settings.SITE_URL,
    }
    with translation.override(notification.language):
        if notification.type in _contexts:
            context.update(_contexts[notification.type](notification))
        text: str
        try:
            own = get_template(f"notifications/email/{notification.type}.txt")
        except TemplateDoesNotExist:
            text = render_to_string("notifications/email/notification.txt", context)
        else:
            text = own.render(context)
            # The HTML layout has its own footer: the text is shown there without it.
            context["text"] = own.render({**context, "in_html": True})
        html = _render(
            [
                f"notifications/email/{notification.type}.html",
                "notifications/email/notification.html",
            ],
            context,
        )
    return _message(
        to=address_of(notification),
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
        "has_account": True,
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
