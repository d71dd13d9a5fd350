"""Celery wrappers of the core services. Thin: they take ids and call a service."""

from celery import shared_task

from smartplatform.core import events, idempotency


# Not requeued when its worker dies: the relay hands the delivery out again when its lease
# ends, and deliver() counts that attempt, so an event that kills workers cannot loop.
@shared_task(name="core.deliver_event", ignore_result=True, reject_on_worker_lost=False)
def deliver_event(delivery_id: int) -> str:
    """Run one event delivery. Never raises: failures are recorded and the relay retries them
    on its own schedule, which survives a broker outage or a restarted worker."""
    return events.deliver(delivery_id)


@shared_task(name="core.relay_events", ignore_result=True)
def relay_events() -> int:
    """The periodic safety net beside the relay loop (both may run: they skip each other's
    locked rows)."""
    return events.relay_events().relayed_events


@shared_task(name="core.purge_idempotency_keys", ignore_result=True)
def purge_idempotency_keys() -> int:
    return idempotency.purge_expired()
