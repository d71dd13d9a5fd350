"""Events through a real Celery worker on Redis: once, never when rolled back, and never lost
when the broker is down at commit time."""

import threading

import pytest
from django.db import transaction

from smartplatform.core import events
from smartplatform.core.events import consumer, publish, relay_events
from smartplatform.core.models import Event, EventDelivery
from tests.fixtures.workers import running_worker, wait_for, worker_app

pytestmark = [pytest.mark.worker, pytest.mark.serial]


class ThreadSafeRecorder:
    def __init__(self) -> None:
        self._lock = threading.Lock()
        self.seen: list[int] = []

    def __call__(self, event: Event) -> None:
        with self._lock:
            self.seen.append(event.pk)


@pytest.fixture
def recorder():
    record = ThreadSafeRecorder()
    consumer("test.worker.happened", name="tests.worker.recorder")(record)
    yield record
    events.unregister_consumer("tests.worker.recorder")


def delivered(event_id: int) -> bool:
    return EventDelivery.objects.filter(event_id=event_id, status="done").exists()


@pytest.mark.django_db(transaction=True)
def test_a_committed_event_reaches_its_consumer_once(recorder, celery_worker):
    with transaction.atomic():
        event = publish("test.worker.happened", {"n": 1})

    result = relay_events()

    assert len(result.dispatched) == 1
    assert wait_for(lambda: delivered(event.pk))
    # The same message delivered again (a redelivery after a lost ack) is a no-op.
    from smartplatform.core.tasks import deliver_event

    deliver_event.apply_async(args=(result.dispatched[0],))
    relay_events()
    marker = publish("test.worker.happened", {"marker": True})
    relay_events()
    assert wait_for(lambda: delivered(marker.pk))
    assert recorder.seen == [event.pk, marker.pk]


@pytest.mark.django_db(transaction=True)
def test_a_rolled_back_event_never_reaches_its_consumer(recorder, celery_worker):
    with pytest.raises(RuntimeError), transaction.atomic():
        publish("test.worker.happened", {"rolled": "back"})
        raise RuntimeError("the write failed")
    relay_events()
    # A later committed event proves the worker was consuming all along.
    marker = publish("test.worker.happened", {"marker": True})
    relay_events()

    assert wait_for(lambda: delivered(marker.pk))
    assert recorder.seen == [marker.pk]
    assert Event.objects.count() == 1


@pytest.mark.django_db(transaction=True)
def test_with_the_broker_down_at_commit_the_write_succeeds_and_delivery_follows(
    recorder, throwaway_redis, client
):
    with worker_app(throwaway_redis.url):
        throwaway_redis.stop()

        # The write commits although the broker is away...
        with transaction.atomic():
            event = publish("test.worker.happened", {"while": "down"})
        assert Event.objects.filter(pk=event.pk).exists()

        # ...the relay cannot hand it over and keeps it due...
        result = relay_events()
        assert result.dispatch_failed == 1
        assert EventDelivery.objects.get(event=event).status == "pending"
        report = client.get("/healthz/dependencies")
        assert report.status_code == 503
        assert "broker" in report.json()["down"]

        # ...and delivers it once the broker is back.
        throwaway_redis.start()
        with running_worker(celery_app_current()):
            result = relay_events()
            assert result.dispatch_failed == 0
            assert wait_for(lambda: delivered(event.pk))

    assert recorder.seen == [event.pk]


def celery_app_current():
    from celery import _state

    return _state.get_current_app()
