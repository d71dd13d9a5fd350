"""Benchmark: events per second from the outbox to their consumer, through the relay, Redis
and real worker processes on PostgreSQL. CI runs it small (``BENCH_EVENTS``, default 300) to
prove it works; ``make bench`` runs 5,000. The figure goes to docs/benchmarks.md."""

import os
import threading
import time

import pytest
from django.db import connection, transaction

from smartplatform.core import events
from smartplatform.core.models import EventDelivery
from tests.drills.consumers import BENCH_EVENT
from tests.drills.test_worker_kill import start_worker
from tests.fixtures.workers import wait_for, worker_app

pytestmark = [pytest.mark.worker, pytest.mark.postgres, pytest.mark.serial]


@pytest.mark.django_db(transaction=True)
def test_relay_throughput(settings):
    count = int(os.environ.get("BENCH_EVENTS", "300"))
    workers = int(os.environ.get("BENCH_WORKERS", "2"))
    import tests.drills.consumers  # noqa: F401

    with transaction.atomic():
        for n in range(count):
            events.publish(BENCH_EVENT, {"n": n})

    with worker_app(settings.CELERY_BROKER_URL) as app:
        queue = app.conf.task_default_queue
        processes = [start_worker(queue) for _ in range(workers)]
        try:
            time.sleep(3)  # let the workers boot; only the flow is timed
            stop = threading.Event()
            passes: list[float] = []

            def relay_loop() -> None:
                app.set_current()
                try:
                    while not stop.is_set():
                        started = time.monotonic()
                        result = events.relay_events()
                        if result.dispatched:
                            passes.append(time.monotonic() - started)
                        else:
                            time.sleep(0.05)
                finally:
                    connection.close()

            started = time.monotonic()
            relay = threading.Thread(target=relay_loop, daemon=True)
            relay.start()
            done = wait_for(
                lambda: EventDelivery.objects.filter(status="done").count() >= count,
                timeout=600,
            )
            elapsed = time.monotonic() - started
            stop.set()
            relay.join(timeout=10)
        finally:
            for process in processes:
                process.terminate()
            for process in processes:
                process.wait(timeout=20)

    assert done
    relay_seconds = sum(passes)
    print(  # noqa: T201  (the benchmark's report)
        f"\nrelay throughput: {count} events delivered in {elapsed:.2f} s = "
        f"{count / elapsed:.0f} events/s end to end ({workers} worker processes); "
        f"relay passes alone: {count / relay_seconds:.0f} events/s"
    )
