"""Sending email deliveries and digests, once each, and recording what became of them.

Lock discipline: a send holds ``FOR UPDATE`` on its delivery (or digest) row from the moment
it reads it as pending until the transaction that marks it sent commits, with the SMTP
conversation in between. A second run of the same task skips the row while it is locked
(``SKIP LOCKED``) and finds it sent afterwards, so two runs never send it twice. A worker
killed mid-send drops its connection: PostgreSQL rolls the transaction back, the row is
pending again, and the redelivered task (acks late) sends it.

The one window SMTP leaves open: a kill after the mail server accepted the message (its 250
after DATA) but before the commit. The redelivered task then sends the message again, with
the same Message-ID, so mail systems and readers can recognise the duplicate. A delivery is
never lost, and is at most twice in someone's inbox, and twice only in that window.

Failures: a 5xx answer (a recipient refused, a message rejected) fails the delivery at once;
anything else (the server away, a 4xx, a timeout) is retried with exponential back-off and
jitter until ``NOTIFICATION_EMAIL_MAX_ATTEMPTS``, then failed. Every attempt counts and the
last error is kept, for the admin.
"""

import enum
import logging
import random
import smtplib
from datetime import timedelta

from django.conf import settings
from django.core.mail import get_connection
from django.core.mail.backends.base import BaseEmailBackend
from django.db import transaction
from django.db.models import F
from django.utils import timezone

from notifications.emails import digest_email, message_id, notification_email
from notifications.models import Delivery, DeliveryStatus, Digest, Frequency

logger = logging.getLogger(__name__)


class Outcome(enum.Enum):
    SENT = "sent"
    SKIPPED = "skipped"  # sent already, being sent by another run, or not for this path
    RETRY = "retry"
    FAILED = "failed"


def backoff(attempts: int) -> float:
    """Seconds before try ``attempts + 1``: doubling from the base, capped, and spread
    over its upper half so that many failures do not all come back at one moment."""
    ceiling = min(
        float(settings.NOTIFICATION_RETRY_MAX_SECONDS),
        settings.NOTIFICATION_RETRY_BASE_SECONDS * 2 ** max(attempts - 1, 0),
    )
    return ceiling / 2 + random.uniform(0, ceiling / 2)  # noqa: S311  (jitter, not secrecy)


def permanent(exc: BaseException) -> bool:
    """Whether the mail server refused for good (5xx): trying again would not help."""
    if isinstance(exc, smtplib.SMTPRecipientsRefused):
        return all(code >= 500 for code, _message in exc.recipients.values())
    if isinstance(exc, smtplib.SMTPResponseException):
        return exc.smtp_code >= 500 and not isinstance(exc, smtplib.SMTPConnectError)
    return False


def _error_text(exc: BaseException) -> str:
    return f"{type(exc).__name__}: {exc}"[:2000]


def send_deliveries(delivery_ids: list[int]) -> dict[int, tuple[Outcome, float]]:
    """Send these email deliveries (the pending ones meant for at once) over one mail
    connection. Returns, per delivery, what happened and, for a retry, in how many seconds.

    What each email says is read for the whole chunk in one query; each send then takes only
    its own row's lock, in its own short transaction."""
    results: dict[int, tuple[Outcome, float]] = dict.fromkeys(delivery_ids, (Outcome.SKIPPED, 0))
    loaded = {
        delivery.pk: delivery
        for delivery in Delivery.objects.filter(
            pk__in=delivery_ids, status=DeliveryStatus.PENDING, frequency=Frequency.IMMEDIATELY
        ).select_related("notification__recipient")
    }
    connection = get_connection()
    try:
        for delivery_id in delivery_ids:
            if delivery_id in loaded:
                results[delivery_id] = _send_one(loaded[delivery_id], connection)
    finally:
        _close_quietly(connection)
    return results


def _close_quietly(connection: BaseEmailBackend) -> None:
    try:
        connection.close()
    except Exception:  # a connection that broke mid-send may fail to close too
        logger.debug("mail connection did not close cleanly", exc_info=True)


def _locked_if_pending(model: type[Delivery] | type[Digest], pk: int) -> bool:
    """Lock the row if it is still pending and nobody else holds it (a second run of the same
    task skips it; once the first commits, the row is no longer pending)."""
    return bool(
        list(
            model.objects.select_for_update(skip_locked=True)
            .filter(pk=pk, status=DeliveryStatus.PENDING)
            .values_list("pk", flat=True)[:1]
        )
    )


def _send_one(delivery: Delivery, connection: BaseEmailBackend) -> tuple[Outcome, float]:
    try:
        with transaction.atomic():
            if not _locked_if_pending(Delivery, delivery.pk):
                return Outcome.SKIPPED, 0
            recipient = delivery.notification.recipient
            if recipient is not None and (not recipient.is_active or not recipient.email):
                _fail(delivery.pk, "The recipient has no active account with an email address.")
                return Outcome.FAILED, 0
            message = notification_email(delivery.notification, delivery_id=delivery.pk)
            connection.send_messages([message])
            Delivery.objects.filter(pk=delivery.pk).update(
                status=DeliveryStatus.SENT,
                sent_at=timezone.now(),
                attempts=F("attempts") + 1,
                message_id=message.extra_headers["Message-ID"],
                last_error="",
            )
        return Outcome.SENT, 0
    except Exception as exc:
        _close_quietly(connection)  # it reopens for the next message
        return _record_failure(Delivery, delivery.pk, exc)


def _fail(delivery_id: int, error: str) -> None:
    Delivery.objects.filter(pk=delivery_id).update(
        status=DeliveryStatus.FAILED, last_error=error, attempts=F("attempts") + 1
    )


def _record_failure(
    model: type[Delivery] | type[Digest], pk: int, exc: BaseException
) -> tuple[Outcome, float]:
    row = model.objects.filter(pk=pk).values("attempts").first()
    if row is None:
        return Outcome.SKIPPED, 0
    attempts = row["attempts"] + 1
    gives_up = permanent(exc) or attempts >= settings.NOTIFICATION_EMAIL_MAX_ATTEMPTS
    delay = 0.0 if gives_up else backoff(attempts)
    model.objects.filter(pk=pk, status=DeliveryStatus.PENDING).update(
        attempts=attempts,
        last_error=_error_text(exc),
        status=DeliveryStatus.FAILED if gives_up else DeliveryStatus.PENDING,
        next_attempt_at=timezone.now() + timedelta(seconds=delay),
    )
    if gives_up and model is Digest:
        # What it held is not sent either: say so on each delivery.
        Delivery.objects.filter(digest_id=pk, status=DeliveryStatus.PENDING).update(
            status=DeliveryStatus.FAILED, last_error=_error_text(exc)
        )
    log = logger.error if gives_up else logger.warning
    log("%s %s: attempt %s failed: %s", model.__name__, pk, attempts, _error_text(exc))
    return (Outcome.FAILED if gives_up else Outcome.RETRY), delay


def send_digest(digest_id: int) -> tuple[Outcome, float]:
    """Send one digest and mark it and every delivery it holds sent, in one transaction
    (same lock discipline as a single email)."""
    connection = get_connection()
    try:
        with transaction.atomic():
            digest = (
                Digest.objects.select_for_update(skip_locked=True, of=("self",))
                .select_related("user")
                .filter(pk=digest_id, status=DeliveryStatus.PENDING)
                .first()
            )
            if digest is None:
                return Outcome.SKIPPED, 0
            deliveries = list(
                digest.deliveries.select_related("notification").order_by("notification_id")
            )
            now = timezone.now()
            if not deliveries or not digest.user.is_active or not digest.user.email:
                digest.status = DeliveryStatus.FAILED
                digest.last_error = "Nothing to send, or no active account with an address."
                digest.save(update_fields=["status", "last_error"])
                return Outcome.FAILED, 0
            message = digest_email(digest, [d.notification for d in deliveries])
            connection.send_messages([message])
            Digest.objects.filter(pk=digest.pk).update(
                status=DeliveryStatus.SENT,
                sent_at=now,
                attempts=F("attempts") + 1,
                message_id=message_id("digest", digest.pk),
                last_error="",
            )
            Delivery.objects.filter(digest=digest).update(
                status=DeliveryStatus.SENT, sent_at=now, attempts=F("attempts") + 1
            )
        return Outcome.SENT, 0
    except Exception as exc:
        return _record_failure(Digest, digest_id, exc)
    finally:
        _close_quietly(connection)
