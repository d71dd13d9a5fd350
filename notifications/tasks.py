"""The workers' side of notifications: sending emails and digests, retrying what failed
for a passing reason, and sweeping up what a lost task left behind. Tasks take ids and are
idempotent: a delivery or digest is sent only while pending, under its row lock
(``notifications.delivery``)."""

import logging
from datetime import timedelta

from celery import Task, shared_task
from django.conf import settings
from django.db.models import Q
from django.utils import timezone

from notifications import delivery, digests, webhooks
from notifications.models import (
    Channel,
    Delivery,
    DeliveryStatus,
    Digest,
    Frequency,
    WebhookDelivery,
)
from notifications.services import chunks
from smartplatform.celery import broker_configured

logger = logging.getLogger(__name__)

# Overdue by this much before the sweep takes it: the task queued after its commit (or
# its retry's countdown) normally comes first.
SWEEP_GRACE = timedelta(minutes=2)


def _retry_later(task: Task, pk: int, delay: float) -> None:
    """Queue the retry of one delivery or digest after its back-off. Without a broker (the
    embedded setup) nothing waits in-process: the sweep takes it once it is due."""
    if not broker_configured():
        return
    try:
        task.apply_async(args=([pk],), countdown=delay)
    except Exception:
        logger.warning("could not queue the retry of %s; the sweep will", pk, exc_info=True)


@shared_task(name="notifications.send_emails", ignore_result=True)
def send_emails(delivery_ids: list[int]) -> dict[str, int]:
    """Send a chunk of email deliveries; each one that failed for a passing reason is tried
    again after its own back-off."""
    return _retried(send_emails, delivery.send_deliveries(delivery_ids))


@shared_task(name="notifications.send_digest_emails", ignore_result=True)
def send_digest_emails(digest_ids: list[int]) -> dict[str, int]:
    return _retried(send_digest_emails, {pk: delivery.send_digest(pk) for pk in digest_ids})


@shared_task(name="notifications.send_webhooks", ignore_result=True)
def send_webhooks(delivery_ids: list[int]) -> dict[str, int]:
    """POST a chunk of webhook deliveries; each failed one for a passing reason is tried again
    after its own back-off."""
    return _retried(send_webhooks, webhooks.send_deliveries(delivery_ids))


@shared_task(name="notifications.send_digests", ignore_result=True)
def send_digests(frequency: str) -> int:
    """At 07:00: put the day's digests of ``frequency`` together and queue their sending."""
    ids = digests.build_digests(frequency)
    digests.queue_digests(ids)
    return len(ids)


@shared_task(name="notifications.sweep_deliveries", ignore_result=True)
def sweep_deliveries() -> int:
    """Every few minutes: emails, digests and webhooks that are due and pending but whose task
    never came (a broker away at the commit, a retry lost with a restarted Redis, a worker
    killed mid-send) are queued again."""
    now = timezone.now()
    overdue = Q(status=DeliveryStatus.PENDING, next_attempt_at__lte=now - SWEEP_GRACE)
    email_ids = list(
        Delivery.objects.filter(overdue, channel=Channel.EMAIL, frequency=Frequency.IMMEDIATELY)
        .order_by("next_attempt_at")
        .values_list("pk", flat=True)[:5000]
    )
    digest_ids = list(
        Digest.objects.filter(overdue)
        .order_by("next_attempt_at")
        .values_list("pk", flat=True)[:1000]
    )
    webhook_ids = list(
        WebhookDelivery.objects.filter(overdue)
        .order_by("next_attempt_at")
        .values_list("pk", flat=True)[:1000]
    )
    # No mark is left on what is queued here: the task that takes a row claims it (moving
    # its next attempt a lease ahead), and a duplicate task finds it claimed.
    for chunk in chunks(email_ids, settings.NOTIFICATION_EMAIL_CHUNK):
        _queue_now(send_emails, list(chunk))
    for chunk in chunks(digest_ids, 50):
        _queue_now(send_digest_emails, list(chunk))
    for chunk in chunks(webhook_ids, 50):
        _queue_now(send_webhooks, list(chunk))
    return len(email_ids) + len(digest_ids) + len(webhook_ids)


def _queue_now(task: Task, ids: list[int]) -> None:
    try:
        task.apply_async(args=(ids,))
    except Exception:
        logger.warning("could not queue %s ids; the next sweep will", len(ids), exc_info=True)


def _retried(task: Task, results: dict[int, tuple[delivery.Outcome, float]]) -> dict[str, int]:
    """Queue ``task`` again for each row that failed for a passing reason, after its own
    back-off; returns how many rows ended each way."""
    tally: dict[str, int] = {}
    for pk, (outcome, delay) in results.items():
        if outcome is delivery.Outcome.RETRY:
            _retry_later(task, pk, delay)
        tally[outcome.value] = tally.get(outcome.value, 0) + 1
    return tally
