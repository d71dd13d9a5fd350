"""Races on the outbox with real threads on PostgreSQL: row locks and SKIP LOCKED, not luck,
keep each delivery single."""

import threading
from collections import Counter

import pytest

from smartplatform.core import events
from smartplatform.core.events import _fan_out, consumer, deliver, publish, relay_events
from smartplatform.core.models import Event, EventDelivery
from tests.races import run_together

pytestmark = [pytest.mark.postgres, pytest.mark.serial, pytest.mark.django_db(transaction=True)]


def test_copies_of_one_delivery_run_the_consumer_once():
    runs: list[int] = []
    lock = threading.Lock()

    def slow_consumer(event: Event) -> None:
        with lock:
            runs.append(event.pk)
        import time

        time.sleep(0.2)  # the other copies arrive while this one holds the row

    consumer("test.race", name="tests.race.slow")(slow_consumer)
    try:
        event = publish("test.race", {})
        _fan_out(10)
        delivery = EventDelivery.objects.get(event=event)

        outcomes = run_together(8, lambda: deliver(delivery.pk))
    finally:
        events.unregister_consumer("tests.race.slow")

    assert Counter(outcomes) == {"done": 1, "skipped": 7}
    assert runs == [event.pk]
    delivery.refresh_from_db()
    assert delivery.status == "done"


def test_relays_side_by_side_hand_each_delivery_out_once(monkeypatch):
    from celery import current_app

    from smartplatform.core.tasks import deliver_event

    sent: list[int] = []
    lock = threading.Lock()

    def fake_send(args, **kwargs):
        with lock:
            sent.append(args[0])

    consumer("test.race", name="tests.race.counting")(lambda event: None)
    previous = current_app.conf.task_always_eager
    current_app.conf.task_always_eager = False
    monkeypatch.setattr(deliver_event, "apply_async", fake_send)
    try:
        for n in range(60):
            publish("test.race", {"n": n})

        def passes() -> None:
            for _ in range(3):
                relay_events(batch_size=7)

        run_together(6, passes)
    finally:
        current_app.conf.task_always_eager = previous
        events.unregister_consumer("tests.race.counting")

    assert len(sent) == 60
    assert len(set(sent)) == 60
    assert EventDelivery.objects.count() == 60
    assert not Event.objects.filter(relayed_at__isnull=True).exists()
