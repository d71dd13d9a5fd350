"""Consumers for the drills and benchmarks. The drill's is slow enough that a kill lands
mid-delivery, and has one database effect per event (a ``drill.effect`` event) so "exactly
once" is a count; the benchmark's does nothing, so only the machinery is measured."""

import time

from smartplatform.core.events import consumer, publish
from smartplatform.core.models import Event

DRILL_EVENT = "drill.happened"
EFFECT_EVENT = "drill.effect"
CONSUMER_NAME = "tests.drills.effect"
BENCH_EVENT = "bench.happened"


@consumer(DRILL_EVENT, name=CONSUMER_NAME)
def make_effect(event: Event) -> None:
    time.sleep(float(event.payload.get("sleep", 0.05)))
    publish(EFFECT_EVENT, {"source": event.pk})


@consumer(BENCH_EVENT, name="tests.bench.noop")
def do_nothing(event: Event) -> None:
    """Measures the outbox, the relay, the broker and the delivery bookkeeping alone."""
