"""Sending email deliveries and digests, once each, and recording what became of them.

Lock discipline, in two steps (the same for webhook deliveries):

1. *Claim*: one committed statement counts an attempt on each pending, due row of the chunk
   and moves its ``next_attempt_at`` a lease ahead (``NOTIFICATION_SEND_LEASE_SECONDS``).
   A second run of the same task (a duplicate from the sweep, a redelivery while the first
   still works) finds the rows not due and skips them. A worker killed mid-chunk has counted
   its attempts, so a row that keeps killing workers ends failed after the attempt limit.
2. *Send*: each row is then sent in its own transaction that holds ``FOR UPDATE`` on it from
   the moment it is read as pending until the commit that marks it sent, with the SMTP
   conversation in between. A worker killed there drops its connection: PostgreSQL rolls
   back, the row stays pending, and once its lease has passed the redelivered task (acks
   late) or the sweep sends it.

The one window SMTP leaves open: a kill after the mail server accepted the message (its 250
after DATA) but before the commit. The message is then sent again, with the same Message-ID,
so mail systems and readers can recognise the duplicate. A delivery is never lost, is at most
twice in someone's inbox, and twice only in that window.

Failures: a refused recipient or message (5xx to RCPT or DATA) fails the delivery at once;
anything else (the server away, a 4xx, a timeout, refused credentials that an operator will
fix) is retried with exponential back-off and jitter until ``NOTIFICATION_EMAIL_MAX_ATTEMPTS``,
then failed. Every attempt counts and the last error is kept, for the admin.
"""

import enum
import logging
import random
import smtplib
from datetime import timedelta

from celery.exceptions import SoftTimeLimitExceeded
from django.conf import settings
from django.core.mail import get_connection
from django.core.mail.backends.base import BaseEmailBackend
from django.db import transaction
from django.db.models import F
from django.utils import timezone

from notifications.emails import digest_email, message_id, notification_email
from notifications.models import Delivery, DeliveryStatus, Digest, Frequency, WebhookDelivery

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
    """Whether the mail server refused this message for good: its recipient (5xx to RCPT)
    or its content (5xx to DATA). A refused login or sender is the platform's own setup,
    which an operator fixes: those are retried."""
    if isinstance(exc, smtplib.SMTPRecipientsRefused):
        return all(code >= 500 for code, _message in exc.recipients.values())
    if isinstance(exc, smtplib.SMTPDataError):
        return exc.smtp_code >= 500
    return False


# A retry's task may start a moment before its row's next_attempt_at (clocks of two hosts).
CLAIM_TOLERANCE = timedelta(seconds=5)

Claimable = type[Delivery] | type[Digest] | type[WebhookDelivery]


def claim(model: Claimable, ids: list[int], *, max_attempts: int) -> list[int]:
    """Step 1 of a send (module docstring): of ``ids``, the rows pending and due, each with an
    attempt counted and a lease taken, in one committed statement. Rows whose attempts run
    past ``max_attempts`` (workers killed while sending them) are failed instead."""
    now = timezone.now()
    with transaction.atomic():
        due = list(
            model.objects.select_for_update(skip_locked=True)
            .filter(
                pk__in=ids,
                status=DeliveryStatus.PENDING,
                next_attempt_at__lte=now + CLAIM_TOLERANCE,
            )
            .values_list("pk", "attempts")
        )
        over = [pk for pk, attempts in due if attempts >= max_attempts]
        model.objects.filter(pk__in=[pk for pk, _attempts in due if pk not in over]).update(
            attempts=F("attempts") + 1,
            next_attempt_at=now + timedelta(seconds=settings.NOTIFICATION_SEND_LEASE_SECONDS),
        )
    if over:
        model.objects.filter(pk__in=over).update(status=DeliveryStatus.FAILED)
        model.objects.filter(pk__in=over, last_error="").update(
            last_error=f"Interrupted {max_attempts} times without an answer."
        )
        if model is Digest:
            Delivery.objects.filter(digest_id__in=over, status=DeliveryStatus.PENDING).update(
                status=DeliveryStatus.FAILED, last_error="Its digest could not be sent."
            )
    return [pk for pk, _attempts in sorted(due) if pk not in over]


def release(model: Claimable, ids: list[int]) -> None:
    """Give claimed rows back, uncounted (a task stopped by its time limit before them)."""
    model.objects.filter(pk__in=ids, status=DeliveryStatus.PENDING).update(
        attempts=F("attempts") - 1, next_attempt_at=timezone.now()
    )


def _error_text(exc: BaseException) -> str:
    return f"{type(exc).__name__}: {exc}"[:2000]


def send_deliveries(delivery_ids: list[int]) -> dict[int, tuple[Outcome, float]]:
    """Send these email deliveries (the pending, due ones meant for at once) over one mail
    connection. Returns, per delivery, what happened and, for a retry, in how many seconds.

    What each email says is read for the whole chunk in one query; each send then takes only
    its own row's lock, in its own short transaction."""
    results: dict[int, tuple[Outcome, float]] = dict.fromkeys(delivery_ids, (Outcome.SKIPPED, 0))
    claimed = claim(
        Delivery,
        list(
            Delivery.objects.filter(
                pk__in=delivery_ids, frequency=Frequency.IMMEDIATELY
            ).values_list("pk", flat=True)
        ),
        max_attempts=settings.NOTIFICATION_EMAIL_MAX_ATTEMPTS,
    )
    loaded = Delivery.objects.select_related("notification__recipient").in_bulk(claimed)
    connection = get_connection()
    try:
        for n, delivery_id in enumerate(claimed):
            try:
                results[delivery_id] = _send_one(loaded[delivery_id], connection)
            except SoftTimeLimitExceeded:
                release(Delivery, claimed[n:])
                raise
    finally:
        _close_quietly(connection)
    return results


def _close_quietly(connection: BaseEmailBackend) -> None:
    try:
        connection.close()
    except Exception:  # a connection that broke mid-send may fail to close too
        logger.debug("mail connection did not close cleanly", exc_info=True)


def _locked_if_pending(model: Claimable, pk: int) -> bool:
    """Step 2 of a send: lock the claimed row, and make sure it is still pending."""
    return bool(
        list(
            model.objects.select_for_update()
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
                message_id=message.extra_headers["Message-ID"],
                last_error="",
            )
        return Outcome.SENT, 0
    except SoftTimeLimitExceeded:
        raise
    except Exception as exc:
        _close_quietly(connection)  # it reopens for the next message
        return _record_failure(Delivery, delivery.pk, exc)


def _fail(delivery_id: int, error: str) -> None:
    Delivery.objects.filter(pk=delivery_id).update(status=DeliveryStatus.FAILED, last_error=error)


def _record_failure(
    model: type[Delivery] | type[Digest], pk: int, exc: BaseException
) -> tuple[Outcome, float]:
    row = model.objects.filter(pk=pk).values("attempts").first()
    if row is None:
        return Outcome.SKIPPED, 0
    attempts = row["attempts"]  # this one was counted when it was claimed
    gives_up = permanent(exc) or attempts >= settings.NOTIFICATION_EMAIL_MAX_ATTEMPTS
    delay = 0.0 if gives_up else backoff(attempts)
    model.objects.filter(pk=pk, status=DeliveryStatus.PENDING).update(
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
    """Send one digest and mark it and exactly the deliveries it showed sent, in one
    transaction (claimed and locked like a single email; ``build_digests`` locks the digest
    row too before adding to it, so nothing is added to a digest while it is being sent)."""
    if not claim(Digest, [digest_id], max_attempts=settings.NOTIFICATION_EMAIL_MAX_ATTEMPTS):
        return Outcome.SKIPPED, 0
    connection = get_connection()
    try:
        with transaction.atomic():
            digest = (
                Digest.objects.select_for_update(of=("self",))
                .select_related("user")
                .filter(pk=digest_id, status=DeliveryStatus.PENDING)
                .first()
            )
            if digest is None:
                return Outcome.SKIPPED, 0
            deliveries = list(
                digest.deliveries.filter(status=DeliveryStatus.PENDING)
                .select_related("notification")
                .order_by("notification_id")
            )
            now = timezone.now()
            if not deliveries or not digest.user.is_active or not digest.user.email:
                error = "Nothing to send, or no active account with an address."
                Digest.objects.filter(pk=digest.pk).update(
                    status=DeliveryStatus.FAILED, last_error=error
                )
                Delivery.objects.filter(pk__in=[d.pk for d in deliveries]).update(
                    status=DeliveryStatus.FAILED, last_error=error
                )
                return Outcome.FAILED, 0
            message = digest_email(digest, [d.notification for d in deliveries])
            connection.send_messages([message])
            Digest.objects.filter(pk=digest.pk).update(
                status=DeliveryStatus.SENT,
                sent_at=now,
                message_id=message_id("digest", digest.pk),
                last_error="",
            )
            Delivery.objects.filter(pk__in=[d.pk for d in deliveries]).update(
                status=DeliveryStatus.SENT, sent_at=now, attempts=F("attempts") + 1
            )
        return Outcome.SENT, 0
    except SoftTimeLimitExceeded:
        release(Digest, [digest_id])
        raise
    except Exception as exc:
        return _record_failure(Digest, digest_id, exc)
    finally:
        _close_quietly(connection)
