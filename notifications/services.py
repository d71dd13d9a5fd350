"""Making notifications: one per recipient and event, in the recipient's language, with an
email delivery beside it when the person wants the type by email."""

from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from typing import Any, TypeVar

from django.conf import settings
from django.utils import timezone

from notifications.models import AddressOptOut, Channel, Delivery, Frequency, Notification
from notifications.preferences import choices_of
from notifications.types import LINKS, TYPES, NotificationType, link_for, render
from smartplatform.accounts.models import User
from smartplatform.core.jobs import enqueue_on_commit

T = TypeVar("T")


def chunks(items: Sequence[T], size: int) -> Iterator[Sequence[T]]:
    for start in range(0, len(items), size):
        yield items[start : start + size]


def notify(
    *,
    recipients: Iterable[User],
    type_name: str,
    subject_id: int | None,
    data: dict[str, Any],
    dedupe_key: str,
    organisation_id: int | None = None,
) -> int:
    """Tell each active recipient once, on the channels they want the type on, and, when the
    event concerns an organisation (``organisation_id``), its webhooks once.

    A second call with the same ``dedupe_key`` changes nothing: the unique constraints (one
    notification per recipient and key, one delivery per notification and channel) drop the
    repeats, and the emails already sent are not queued again. Everything is written in bulk
    (a municipality telling thousands of members costs a handful of queries); emails to send
    at once are queued in chunks after the commit, digests wait for their morning. Returns
    how many people were told (or already had been).
    """
    kind = TYPES[type_name]
    wanted = {user.pk: user for user in recipients if user.is_active}
    chosen = choices_of(wanted, type_name)
    rows = []
    by_email: dict[int, str] = {}
    for user_id, user in wanted.items():
        in_app = chosen[(user_id, Channel.IN_APP)] != Frequency.OFF
        email = chosen[(user_id, Channel.EMAIL)] if user.email else Frequency.OFF
        if not in_app and email == Frequency.OFF:
            continue
        if email != Frequency.OFF:
            by_email[user_id] = email
        language = user.preferred_language or settings.LANGUAGE_CODE
        title, body = render(kind, language, data)
        rows.append(
            Notification(
                recipient=user,
                type=kind.name,
                language=language,
                title=title[:300],
                body=body,
                subject_type=kind.subject,
                subject_id=subject_id,
                link=link_for(LINKS[kind.subject], subject_id, data),
                data=data,
                dedupe_key=dedupe_key,
                shown_in_app=in_app,
            )
        )
    Notification.objects.bulk_create(rows, ignore_conflicts=True, batch_size=1000)
    if by_email:
        _deliver_by_email(by_email, dedupe_key)
    if organisation_id is not None:
        _deliver_by_webhook(organisation_id, kind, subject_id, data, dedupe_key)
    return len(rows)


@dataclass(frozen=True)
class AddressRecipient:
    """Someone reached by email address alone (a project's contact, an organisation's shared
    mailbox), with the data of their own notice (their name, their own answer link's id)."""

    email: str
    language: str
    data: dict[str, Any]


def notify_addresses(
    *,
    recipients: Iterable[AddressRecipient],
    type_name: str,
    subject_id: int | None,
    dedupe_key: str,
) -> int:
    """Tell people without an account, by email only, once per address and key; addresses
    that unsubscribed from the type are left out."""
    kind = TYPES[type_name]
    wanted = {recipient.email.lower(): recipient for recipient in recipients if recipient.email}
    opted_out = set(
        AddressOptOut.objects.filter(email__in=list(wanted), type=type_name).values_list(
            "email", flat=True
        )
    )
    rows = []
    for address, recipient in wanted.items():
        if address in opted_out:
            continue
        title, body = render(kind, recipient.language, recipient.data)
        rows.append(
            Notification(
                email=address,
                type=kind.name,
                language=recipient.language,
                title=title[:300],
                body=body,
                subject_type=kind.subject,
                subject_id=subject_id,
                link=link_for(LINKS[kind.subject], subject_id, recipient.data),
                data=recipient.data,
                dedupe_key=dedupe_key,
                shown_in_app=False,
            )
        )
    Notification.objects.bulk_create(rows, ignore_conflicts=True)
    made = Notification.objects.filter(
        recipient__isnull=True, email__in=[row.email for row in rows], dedupe_key=dedupe_key
    ).values_list("pk", flat=True)
    _email_deliveries(dict.fromkeys(made, Frequency.IMMEDIATELY))
    return len(rows)


def _deliver_by_webhook(
    organisation_id: int,
    kind: NotificationType,
    subject_id: int | None,
    data: dict[str, Any],
    dedupe_key: str,
) -> None:
    from notifications import webhooks

    title, body = render(kind, settings.LANGUAGE_CODE, data)
    webhooks.queue_for_organisation(
        organisation_id,
        type_name=kind.name,
        dedupe_key=dedupe_key,
        payload={
            "type": kind.name,
            "organisation": organisation_id,
            "title": title,
            "body": body,
            "language": settings.LANGUAGE_CODE,
            "subject": {"kind": kind.subject, "id": subject_id},
            "link": link_for(LINKS[kind.subject], subject_id, data),
            "data": data,
            "created_at": timezone.now().isoformat(),
        },
    )


def _deliver_by_email(frequency_by_user: dict[int, str], dedupe_key: str) -> None:
    made = Notification.objects.filter(
        recipient_id__in=list(frequency_by_user), dedupe_key=dedupe_key
    ).values_list("pk", "recipient_id")
    _email_deliveries({pk: frequency_by_user[user_id] for pk, user_id in made})


def _email_deliveries(frequency_by_notification: dict[int, str]) -> None:
    """One email delivery per notification (none twice: the unique pair drops repeats), and
    those meant for at once, still pending, queued after the commit."""
    Delivery.objects.bulk_create(
        [
            Delivery(notification_id=pk, channel=Channel.EMAIL, frequency=frequency)
            for pk, frequency in frequency_by_notification.items()
        ],
        ignore_conflicts=True,
        batch_size=1000,
    )
    now_ids = [
        pk
        for pk, frequency in frequency_by_notification.items()
        if frequency == Frequency.IMMEDIATELY
    ]
    queue_emails(
        list(
            Delivery.objects.filter(
                notification_id__in=now_ids, channel=Channel.EMAIL, status="pending"
            )
            .order_by("pk")
            .values_list("pk", flat=True)
        )
    )


def queue_emails(delivery_ids: Sequence[int]) -> None:
    """Queue the sending of these email deliveries after the commit, a chunk per task."""
    from notifications.tasks import send_emails

    for chunk in chunks(delivery_ids, settings.NOTIFICATION_EMAIL_CHUNK):
        enqueue_on_commit(send_emails, list(chunk))
