"""Domain events through an outbox.

``publish()`` writes an ``Event`` row in the caller's transaction, so an event exists exactly
when the change it reports was committed. The relay (``relay_events``) then

1. gives every unrelayed event one ``EventDelivery`` row per registered consumer, and
2. hands every due delivery to a worker (a Celery task under a broker, a direct call in the
   embedded setup).

``deliver()`` runs the consumer and marks its delivery ``done`` in one transaction, under a
row lock on the delivery: a second delivery of the same message finds it done and does
nothing, so consumers see each event once even though messages may arrive twice. A failed
delivery is retried by the relay with exponential back-off and jitter (the relay, not Celery,
owns retries, so a retry survives a broker outage or a worker restart); after
``EVENT_DELIVERY_MAX_ATTEMPTS`` it is ``failed`` and shown in the admin and the health report.

Nothing in ``publish()`` talks to the broker: a write never fails because Redis is away, and
an event written while it is away is delivered once it is back.

Lock discipline: the relay takes ``FOR UPDATE SKIP LOCKED`` on events and deliveries, so
several relays can run side by side, and commits before it calls the broker; ``deliver()``
takes ``FOR UPDATE`` on one delivery row (not its event) and holds it while the consumer runs.

Deploying a new consumer: fan-out gives an event deliveries for the consumers the relaying
process knows, so roll out a release that adds a consumer to the relay processes first (or
together with the web processes); events fanned out by an older relay do not reach it.
"""

import logging
import random
import threading
import traceback
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import timedelta
from typing import Any

from django.conf import settings
from django.db import close_old_connections, transaction
from django.utils import timezone

from smartplatform.core.models import Event, EventDelivery

logger = logging.getLogger(__name__)

ConsumerFunction = Callable[[Event], None]

EVENT_TYPE_MAX_LENGTH = Event._meta.get_field("event_type").max_length or 100
CONSUMER_NAME_MAX_LENGTH = EventDelivery._meta.get_field("consumer").max_length or 150


@dataclass(frozen=True)
class Consumer:
    name: str
    event_type: str
    function: ConsumerFunction


# Filled at import time by @consumer; modules named ``consumers`` in every app are imported
# when Django starts (CoreConfig.ready), so every process knows every consumer.
_consumers_by_type: dict[str, list[Consumer]] = {}
_consumers_by_name: dict[str, Consumer] = {}


def consumer(event_type: str, *, name: str | None = None) -> Callable[[ConsumerFunction], Any]:
    """Register a function to receive every event of ``event_type``.

    The function runs inside a transaction with the delivery's bookkeeping: raise to have
    its writes rolled back and the delivery retried. Work outside the database (an email, a
    webhook) should be idempotent by its own key, since a retry runs it again.
    """

    if not 0 < len(event_type) <= EVENT_TYPE_MAX_LENGTH:
        raise ValueError(f"An event type is 1 to {EVENT_TYPE_MAX_LENGTH} characters.")

    def register(function: ConsumerFunction) -> ConsumerFunction:
        consumer_name = name or f"{function.__module__}.{function.__qualname__}"
        if len(consumer_name) > CONSUMER_NAME_MAX_LENGTH:
            # Checked here, at import time: a name too long for its column would stop the
            # relay on every pass.
            raise ValueError(
                f"The consumer name {consumer_name!r} is longer than "
                f"{CONSUMER_NAME_MAX_LENGTH} characters."
            )
        existing = _consumers_by_name.get(consumer_name)
        if existing is not None and existing.function is not function:
            raise ValueError(f"Two event consumers are named {consumer_name!r}.")
        spec = Consumer(name=consumer_name, event_type=event_type, function=function)
        _consumers_by_name[consumer_name] = spec
        listeners = _consumers_by_type.setdefault(event_type, [])
        if all(c.name != consumer_name for c in listeners):
            listeners.append(spec)
        return function

    return register


def unregister_consumer(name: str) -> None:
    """Forget a consumer (tests register their own and remove them afterwards)."""
    spec = _consumers_by_name.pop(name, None)
    if spec is not None:
        _consumers_by_type[spec.event_type] = [
            c for c in _consumers_by_type.get(spec.event_type, []) if c.name != name
        ]


def consumers_of(event_type: str) -> list[Consumer]:
    return list(_consumers_by_type.get(event_type, []))


def publish(event_type: str, payload: dict[str, Any]) -> Event:
    """Record that something happened, in the caller's transaction.

    Payloads carry ids and small facts, never whole objects: a consumer reads the current
    state itself.
    """
    if not 0 < len(event_type) <= EVENT_TYPE_MAX_LENGTH:
        raise ValueError(f"An event type is 1 to {EVENT_TYPE_MAX_LENGTH} characters.")
    event = Event.objects.create(event_type=event_type, payload=payload)
    if settings.EVENT_RELAY_IN_PROCESS:
        # The embedded setup has no relay process: relay right after the commit.
        transaction.on_commit(_relay_in_process, robust=True)
    return event


# Set while an in-process relay thread runs (``manage.py serve``): commits wake it instead
# of running consumers on the request's own thread.
_in_process_waker: threading.Event | None = None


def _relay_in_process() -> None:
    if _in_process_waker is not None:
        _in_process_waker.set()
    else:
        relay_events()


def run_in_process_relay(*, retry_every: float = 5.0, stop: threading.Event | None = None) -> None:
    """The embedded setup's relay: a loop for a daemon thread of the web process.

    It runs when a commit published an event, and every ``retry_every`` seconds for the
    deliveries that failed and came due again, until ``stop`` is set.
    """
    global _in_process_waker
    waker = _in_process_waker = threading.Event()
    try:
        while stop is None or not stop.is_set():
            waker.wait(timeout=retry_every)
            waker.clear()
            if stop is not None and stop.is_set():
                break
            relay_pass()
    finally:
        _in_process_waker = None
        close_old_connections()


def relay_pass() -> None:
    """One relay pass that survives anything: a database restart must not end a loop."""
    close_old_connections()
    try:
        relay_events()
    except Exception:
        logger.exception("event relay pass failed")
        close_old_connections()


@dataclass
class RelayResult:
    relayed_events: int = 0
    dispatched: list[int] = field(default_factory=list)
    dispatch_failed: int = 0


def relay_events(*, batch_size: int | None = None) -> RelayResult:
    """One pass of the relay: fan out new events, then hand due deliveries to workers."""
    batch = batch_size or settings.EVENT_RELAY_BATCH_SIZE
    result = RelayResult()
    result.relayed_events = _fan_out(batch)
    _dispatch_due(batch, result)
    return result


def _fan_out(batch: int) -> int:
    with transaction.atomic():
        events = list(
            Event.objects.select_for_update(skip_locked=True)
            .filter(relayed_at__isnull=True)
            .order_by("id")[:batch]
        )
        if not events:
            return 0
        now = timezone.now()
        EventDelivery.objects.bulk_create(
            [
                EventDelivery(event=event, consumer=spec.name, due_at=now, created_at=now)
                for event in events
                for spec in consumers_of(event.event_type)
            ],
            ignore_conflicts=True,
        )
        Event.objects.filter(pk__in=[e.pk for e in events]).update(relayed_at=now)
        return len(events)


def _dispatch_due(batch: int, result: RelayResult) -> None:
    from smartplatform.celery import broker_configured

    lease = timedelta(seconds=settings.EVENT_DELIVERY_LEASE_SECONDS)
    with transaction.atomic():
        now = timezone.now()
        due = list(
            EventDelivery.objects.select_for_update(skip_locked=True)
            .filter(status=EventDelivery.Status.PENDING, due_at__lte=now)
            .order_by("due_at", "id")
            .values_list("id", "due_at")[:batch]
        )
        if not due:
            return
        # Leased and committed before anything is handed out: no row lock is held while the
        # broker (or a consumer) works, and a relay that dies here leaves the deliveries to
        # come due again when the lease ends.
        EventDelivery.objects.filter(pk__in=[pk for pk, _due in due]).update(due_at=now + lease)
    ids = [pk for pk, _due in due]
    if not broker_configured():
        for delivery_id in ids:
            deliver(delivery_id)
            result.dispatched.append(delivery_id)
        return
    sent = _send_to_broker(ids, result)
    result.dispatched.extend(sent)
    unsent = due[len(sent) :]
    if unsent:
        # The broker is away: give them back their place in the queue, due at once (their
        # original due time also keeps the health report's lag honest).
        EventDelivery.objects.bulk_update(
            [EventDelivery(pk=pk, due_at=due_at) for pk, due_at in unsent], ["due_at"]
        )


def _send_to_broker(delivery_ids: list[int], result: RelayResult) -> list[int]:
    from smartplatform.core.tasks import deliver_event

    sent: list[int] = []
    for delivery_id in delivery_ids:
        try:
            deliver_event.apply_async(args=(delivery_id,))
        except Exception as exc:  # the broker is away: keep them due, try on the next pass
            result.dispatch_failed = len(delivery_ids) - len(sent)
            logger.warning(
                "event relay: could not send to the broker, %d deliveries wait: %r",
                result.dispatch_failed,
                exc,
            )
            break
        sent.append(delivery_id)
    return sent


def retry_delay(attempts: int) -> timedelta:
    """Exponential back-off with full jitter, capped below the broker's visibility timeout."""
    cap = min(600, settings.CELERY_VISIBILITY_TIMEOUT // 2)
    ceiling = min(cap, 5 * 2 ** max(attempts - 1, 0))
    return timedelta(seconds=random.uniform(ceiling / 2, ceiling))  # noqa: S311


def _locked_delivery(delivery_id: int) -> EventDelivery | None:
    # Lock the delivery only, not its event: other consumers of the event run in parallel.
    return (
        EventDelivery.objects.select_for_update(of=("self",))
        .select_related("event")
        .filter(pk=delivery_id)
        .first()
    )


def deliver(delivery_id: int) -> str:
    """Run one delivery's consumer, at most once to completion. Returns what happened.

    The attempt is counted in a transaction of its own before the consumer runs, so an
    attempt that never returns (a worker killed, out of memory, past its hard time limit)
    still counts, and an event that kills every worker ends ``failed`` instead of being
    retried for ever. Then the consumer runs and the delivery is marked done in one
    transaction, under the delivery's row lock: of two copies of one message, the second
    waits for the first and finds it done.
    """
    with transaction.atomic():
        delivery = _locked_delivery(delivery_id)
        if delivery is None or delivery.status != EventDelivery.Status.PENDING:
            return "skipped"
        if delivery.attempts >= settings.EVENT_DELIVERY_MAX_ATTEMPTS:
            delivery.status = EventDelivery.Status.FAILED
            delivery.last_error = (
                delivery.last_error
                or f"{delivery.attempts} attempts never finished (the worker died or timed out)."
            )
            delivery.save(update_fields=["status", "last_error"])
            return "failed"
        delivery.attempts += 1
        delivery.save(update_fields=["attempts"])
    try:
        with transaction.atomic():
            delivery = _locked_delivery(delivery_id)
            if delivery is None or delivery.status != EventDelivery.Status.PENDING:
                return "skipped"
            spec = _consumers_by_name.get(delivery.consumer)
            if spec is None:
                raise LookupError(f"No consumer named {delivery.consumer!r} in this process.")
            spec.function(delivery.event)
            delivery.status = EventDelivery.Status.DONE
            delivery.completed_at = timezone.now()
            delivery.last_error = ""
            delivery.save(update_fields=["status", "completed_at", "last_error"])
            return "done"
    except Exception as exc:
        _record_failure(delivery_id, exc)
        return "failed"


def _record_failure(delivery_id: int, exc: Exception) -> None:
    logger.exception("event delivery %s failed", delivery_id)
    with transaction.atomic():
        delivery = EventDelivery.objects.select_for_update().filter(pk=delivery_id).first()
        if delivery is None or delivery.status != EventDelivery.Status.PENDING:
            return
        delivery.last_error = "".join(traceback.format_exception_only(exc)).strip()[:2000]
        if delivery.attempts >= settings.EVENT_DELIVERY_MAX_ATTEMPTS:
            delivery.status = EventDelivery.Status.FAILED
        else:
            delivery.due_at = timezone.now() + retry_delay(delivery.attempts)
        delivery.save(update_fields=["last_error", "status", "due_at"])


def retry_failed(delivery_ids: list[int]) -> int:
    """Give failed deliveries a fresh set of attempts (the admin's "retry" action)."""
    return EventDelivery.objects.filter(
        pk__in=delivery_ids, status=EventDelivery.Status.FAILED
    ).update(status=EventDelivery.Status.PENDING, attempts=0, due_at=timezone.now())


@dataclass
class Backlog:
    unrelayed: int
    due: int
    failed: int
    oldest_wait_seconds: float


def backlog() -> Backlog:
    """What the relay has not yet done, for the health report."""
    now = timezone.now()
    unrelayed = Event.objects.filter(relayed_at__isnull=True)
    due = EventDelivery.objects.filter(status=EventDelivery.Status.PENDING, due_at__lte=now)
    oldest_event = unrelayed.order_by("id").values_list("created_at", flat=True).first()
    oldest_due = due.order_by("due_at").values_list("due_at", flat=True).first()
    waits = [(now - t).total_seconds() for t in (oldest_event, oldest_due) if t is not None]
    return Backlog(
        unrelayed=unrelayed.count(),
        due=due.count(),
        failed=EventDelivery.objects.filter(status=EventDelivery.Status.FAILED).count(),
        oldest_wait_seconds=max(waits, default=0.0),
    )
