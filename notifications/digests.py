"""Daily and weekly digests: at 07:00 Europe/Stockholm, one email per person with what is new
for them on that frequency, never what an earlier digest already held.

A digest is put together once per person, frequency and day (a unique row), and takes the
person's pending deliveries that are in no digest yet; sending it marks them sent. A task
run twice the same morning builds nothing new and sends nothing again; what arrives after a
morning's digest went out waits for the next one."""

from collections.abc import Sequence
from datetime import date

from django.db import transaction
from django.utils import timezone

from notifications.models import Channel, Delivery, DeliveryStatus, Digest
from notifications.services import chunks

DIGEST_FREQUENCIES = ("daily", "weekly")


def build_digests(frequency: str, *, day: date | None = None) -> list[int]:
    """Make (or complete) the digests of ``day`` for everyone with something waiting on
    ``frequency``. Returns the ids of the day's digests still to send."""
    if frequency not in DIGEST_FREQUENCIES:
        raise ValueError(f"Not a digest frequency: {frequency}")
    day = day or timezone.localdate()
    waiting = Delivery.objects.filter(
        channel=Channel.EMAIL,
        frequency=frequency,
        status=DeliveryStatus.PENDING,
        digest__isnull=True,
    )
    user_ids = sorted(set(waiting.values_list("notification__recipient_id", flat=True)) - {None})
    for chunk in chunks(user_ids, 500):
        with transaction.atomic():
            Digest.objects.bulk_create(
                [Digest(user_id=user_id, frequency=frequency, period=day) for user_id in chunk],
                ignore_conflicts=True,
            )
            # Only into a digest not sent yet: one sent this morning already is closed. The
            # row lock waits for a digest being sent (its send holds the same lock), so
            # nothing is added to it between its reading and its marking as sent.
            open_digests = (
                Digest.objects.select_for_update()
                .filter(
                    user_id__in=chunk,
                    frequency=frequency,
                    period=day,
                    status=DeliveryStatus.PENDING,
                )
                .values_list("user_id", "pk")
            )
            for user_id, digest_id in open_digests:
                waiting.filter(notification__recipient_id=user_id).update(digest_id=digest_id)
    return list(
        Digest.objects.filter(frequency=frequency, period=day, status=DeliveryStatus.PENDING)
        .order_by("pk")
        .values_list("pk", flat=True)
    )


def queue_digests(digest_ids: Sequence[int]) -> None:
    from notifications.tasks import send_digest_emails
    from smartplatform.core.jobs import enqueue_on_commit

    for chunk in chunks(digest_ids, 50):
        enqueue_on_commit(send_digest_emails, list(chunk))
