"""Drill: workers killed with SIGKILL in the middle of deliveries lose nothing and do
nothing twice. Run with ``make drills``; ``DRILL_EVENTS`` sets the scale."""

import os
import signal
import subprocess
import threading
import time
from collections import Counter
from pathlib import Path

import pytest
from django.db import connection

from smartplatform.core import events
from smartplatform.core.models import Event, EventDelivery
from tests.drills.consumers import DRILL_EVENT, EFFECT_EVENT
from tests.fixtures.workers import start_worker_process, wait_for, worker_app

pytestmark = [pytest.mark.drill, pytest.mark.worker, pytest.mark.postgres, pytest.mark.serial]

ROOT = Path(__file__).resolve().parents[2]
VISIBILITY_TIMEOUT = 8  # seconds; short, so a killed worker's unacknowledged task comes back


def start_worker(queue: str) -> subprocess.Popen[bytes]:
    return start_worker_process(
        queue,
        CELERY_VISIBILITY_TIMEOUT=str(VISIBILITY_TIMEOUT),
        CELERY_TASK_TIME_LIMIT="5",
        EVENT_DELIVERY_LEASE_SECONDS="10",
    )


@pytest.mark.django_db(transaction=True)
def test_killed_workers_lose_nothing_and_do_nothing_twice(settings):
    count = int(os.environ.get("DRILL_EVENTS", "60"))
    kills = int(os.environ.get("DRILL_KILLS", "3"))
    settings.EVENT_DELIVERY_LEASE_SECONDS = 10
    import tests.drills.consumers  # noqa: F401

    broker = settings.CELERY_BROKER_URL
    with worker_app(broker) as app:
        app.conf.broker_transport_options = {"visibility_timeout": VISIBILITY_TIMEOUT}
        queue = app.conf.task_default_queue
        for n in range(count):
            events.publish(DRILL_EVENT, {"n": n, "sleep": 0.05})

        stop = threading.Event()

        def relay_loop() -> None:
            app.set_current()  # the current Celery app is per thread
            try:
                while not stop.is_set():
                    events.relay_pass()
                    time.sleep(0.2)
            finally:
                connection.close()

        relay = threading.Thread(target=relay_loop, daemon=True)
        relay.start()
        started = time.monotonic()
        worker = start_worker(queue)
        try:
            for kill in range(1, kills + 1):
                # Kill while it works: once it has done its share of this round.
                target = count * kill // (kills + 1)

                def reached(target: int = target) -> bool:
                    return EventDelivery.objects.filter(status="done").count() >= target

                assert wait_for(reached, timeout=120)
                time.sleep(0.02)
                worker.send_signal(signal.SIGKILL)  # mid-delivery, no goodbye
                worker.wait(timeout=10)
                worker = start_worker(queue)

            def all_done() -> bool:
                return (
                    EventDelivery.objects.filter(status="done").count() >= count
                    or EventDelivery.objects.filter(status="failed").exists()
                )

            assert wait_for(all_done, timeout=120)
        finally:
            stop.set()
            relay.join(timeout=10)
            worker.terminate()
            worker.wait(timeout=20)
        elapsed = time.monotonic() - started

    statuses = Counter(EventDelivery.objects.values_list("status", flat=True))
    effects = Counter(
        payload["source"]
        for payload in Event.objects.filter(event_type=EFFECT_EVENT).values_list(
            "payload", flat=True
        )
    )
    sources = set(Event.objects.filter(event_type=DRILL_EVENT).values_list("id", flat=True))
    attempts = sum(EventDelivery.objects.values_list("attempts", flat=True))
    print(  # noqa: T201  (the drill's report)
        f"\nworker-kill drill: {count} events, {kills} SIGKILLs, {elapsed:.1f} s, "
        f"{attempts} attempts for {count} deliveries, statuses {dict(statuses)}"
    )
    assert statuses == {"done": count}
    assert set(effects) == sources  # nothing lost
    assert max(effects.values()) == 1  # nothing twice
