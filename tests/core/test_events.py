"""The outbox: publish in the caller's transaction, relay, deliver once, retry with back-off.

These run the relay in-process (no broker); tests/core/test_events_worker.py runs it against
a real worker on Redis.
"""

from datetime import timedelta

import pytest
from django.db import transaction
from django.utils import timezone

from smartplatform.core import events
from smartplatform.core.events import _fan_out, consumer, deliver, publish, relay_events
from smartplatform.core.models import Event, EventDelivery


class Recorder:
    def __init__(self) -> None:
        self.seen: list[int] = []
        self.fail_times = 0

    def __call__(self, event: Event) -> None:
        if self.fail_times:
            self.fail_times -= 1
            Event.objects.create(event_type="side.effect.that.must.roll.back")
            raise RuntimeError("consumer failed")
        self.seen.append(event.pk)


@pytest.fixture
def recorder():
    record = Recorder()
    consumer("test.happened", name="tests.recorder")(record)
    yield record
    events.unregister_consumer("tests.recorder")


@pytest.fixture
def in_process(settings):
    """The embedded setup: tasks in-process, the relay right after each commit."""
    from celery import current_app

    previous = current_app.conf.task_always_eager
    current_app.conf.task_always_eager = True
    settings.EVENT_RELAY_IN_PROCESS = True
    yield
    current_app.conf.task_always_eager = previous


@pytest.mark.django_db
def test_publish_writes_an_outbox_row_in_the_callers_transaction(events):
    with transaction.atomic():
        publish("test.happened", {"listing": 7})

    assert events.types() == ["test.happened"]
    assert events.of_type("test.happened") == [{"listing": 7}]


@pytest.mark.django_db
def test_an_event_of_a_rolled_back_transaction_does_not_exist(events):
    with pytest.raises(ZeroDivisionError), transaction.atomic():
        publish("test.happened", {"listing": 7})
        1 / 0  # noqa: B018

    assert events.all() == []


@pytest.mark.django_db(transaction=True)
def test_in_process_relay_delivers_after_commit_exactly_once(recorder, in_process):
    with transaction.atomic():
        event = publish("test.happened", {"n": 1})
        assert recorder.seen == []  # nothing before the commit

    assert recorder.seen == [event.pk]
    delivery = EventDelivery.objects.get(event=event)
    assert delivery.status == "done"
    assert delivery.attempts == 1
    # A second relay pass and a duplicate delivery change nothing.
    relay_events()
    assert deliver(delivery.pk) == "skipped"
    assert recorder.seen == [event.pk]


@pytest.mark.django_db(transaction=True)
def test_in_process_relay_never_delivers_a_rolled_back_event(recorder, in_process):
    with pytest.raises(RuntimeError), transaction.atomic():
        publish("test.happened", {"n": 1})
        raise RuntimeError("the write failed")

    relay_events()
    assert recorder.seen == []
    assert not EventDelivery.objects.exists()


@pytest.mark.django_db
def test_an_event_goes_to_every_consumer_of_its_type_and_no_other(recorder):
    other = Recorder()
    consumer("test.happened", name="tests.other")(other)
    unrelated = Recorder()
    consumer("test.unrelated", name="tests.unrelated")(unrelated)
    try:
        event = publish("test.happened", {})
        result = relay_events()
    finally:
        events.unregister_consumer("tests.other")
        events.unregister_consumer("tests.unrelated")

    assert result.relayed_events == 1
    assert sorted(EventDelivery.objects.values_list("consumer", flat=True)) == [
        "tests.other",
        "tests.recorder",
    ]
    assert recorder.seen == [event.pk]
    assert other.seen == [event.pk]
    assert unrelated.seen == []


@pytest.mark.django_db
def test_an_event_nobody_consumes_is_marked_relayed():
    event = publish("test.nobody.listens", {})
    relay_events()

    event.refresh_from_db()
    assert event.relayed_at is not None
    assert not EventDelivery.objects.exists()


@pytest.mark.django_db
def test_a_failing_consumer_is_retried_later_and_its_writes_roll_back(recorder):
    recorder.fail_times = 1
    event = publish("test.happened", {})
    before = timezone.now()

    relay_events()

    delivery = EventDelivery.objects.get(event=event)
    assert delivery.status == "pending"
    assert delivery.attempts == 1
    assert "consumer failed" in delivery.last_error
    assert delivery.due_at > before  # backed off
    assert not Event.objects.filter(event_type="side.effect.that.must.roll.back").exists()
    assert recorder.seen == []

    # Not due yet: the next pass leaves it alone.
    relay_events()
    assert recorder.seen == []

    EventDelivery.objects.filter(pk=delivery.pk).update(due_at=timezone.now())
    relay_events()
    delivery.refresh_from_db()
    assert (delivery.status, delivery.attempts, delivery.last_error) == ("done", 2, "")
    assert recorder.seen == [event.pk]


@pytest.mark.django_db
def test_a_delivery_fails_for_good_after_the_maximum_attempts(recorder, settings):
    settings.EVENT_DELIVERY_MAX_ATTEMPTS = 3
    recorder.fail_times = 99
    publish("test.happened", {})
    relay_events()
    for _ in range(5):
        EventDelivery.objects.filter(status="pending").update(due_at=timezone.now())
        relay_events()

    delivery = EventDelivery.objects.get()
    assert delivery.status == "failed"
    assert delivery.attempts == 3

    # An operator retries it once the consumer is mended.
    recorder.fail_times = 0
    assert events.retry_failed([delivery.pk]) == 1
    relay_events()
    delivery.refresh_from_db()
    assert delivery.status == "done"


@pytest.mark.django_db
def test_a_delivery_whose_consumer_is_unknown_is_recorded_as_a_failure():
    event = publish("test.happened", {})
    delivery = EventDelivery.objects.create(event=event, consumer="no.such.consumer")

    assert deliver(delivery.pk) == "failed"
    delivery.refresh_from_db()
    assert "no.such.consumer" in delivery.last_error


@pytest.fixture
def sent_to_broker(monkeypatch):
    """The broker setup, with the broker replaced by a list of sent delivery ids."""
    from celery import current_app

    from smartplatform.core.tasks import deliver_event

    sent: list[int] = []
    previous = current_app.conf.task_always_eager
    current_app.conf.task_always_eager = False
    monkeypatch.setattr(deliver_event, "apply_async", lambda args, **kwargs: sent.append(args[0]))
    yield sent
    current_app.conf.task_always_eager = previous


@pytest.mark.django_db
def test_a_lost_broker_message_is_handed_out_again_after_its_lease(recorder, sent_to_broker):
    event = publish("test.happened", {})
    relay_events()
    delivery = EventDelivery.objects.get(event=event)
    assert sent_to_broker == [delivery.pk]

    relay_events()  # still within its lease: not sent again
    assert sent_to_broker == [delivery.pk]

    # The message vanished (a Redis without its append-only file); the lease runs out.
    EventDelivery.objects.filter(pk=delivery.pk).update(due_at=timezone.now())
    relay_events()
    assert sent_to_broker == [delivery.pk, delivery.pk]
    assert recorder.seen == []  # the relay itself never runs consumers under a broker


@pytest.mark.django_db
def test_when_the_broker_refuses_deliveries_stay_due(recorder, sent_to_broker, monkeypatch):
    from kombu.exceptions import OperationalError

    from smartplatform.core.tasks import deliver_event

    def refuse(args, **kwargs):
        raise OperationalError("Error 111 connecting to 127.0.0.1:6379. Connection refused.")

    monkeypatch.setattr(deliver_event, "apply_async", refuse)
    event = publish("test.happened", {})

    result = relay_events()

    assert result.dispatch_failed == 1
    delivery = EventDelivery.objects.get(event=event)
    assert delivery.status == "pending"
    assert delivery.due_at <= timezone.now()
    assert events.backlog().due == 1


@pytest.mark.parametrize("attempts", [1, 2, 5, 10, 30, 100])
def test_retry_delays_grow_and_stay_below_the_visibility_timeout(attempts, settings):
    delays = [events.retry_delay(attempts).total_seconds() for _ in range(50)]
    assert all(0 < d < settings.CELERY_VISIBILITY_TIMEOUT for d in delays)
    assert max(delays) <= 600
    if attempts >= 2:
        assert min(delays) >= min(events.retry_delay(attempts - 1).total_seconds() / 2, 300) / 2


@pytest.mark.django_db
def test_backlog_reports_waiting_and_failed_work(recorder):
    old = publish("test.happened", {})
    Event.objects.filter(pk=old.pk).update(created_at=timezone.now() - timedelta(minutes=10))

    backlog = events.backlog()
    assert backlog.unrelayed == 1
    assert backlog.oldest_wait_seconds >= 600

    relay_events()
    assert events.backlog().unrelayed == 0


def test_two_consumers_with_one_name_are_refused(recorder):
    with pytest.raises(ValueError, match=r"tests\.recorder"):
        consumer("test.happened", name="tests.recorder")(Recorder())


def test_event_types_and_consumer_names_must_fit_their_columns():
    with pytest.raises(ValueError, match="event type"):
        publish("x" * 101, {})
    with pytest.raises(ValueError, match="event type"):
        consumer("", name="tests.empty")
    with pytest.raises(ValueError, match="longer than 150"):
        consumer("test.happened", name="c" * 151)(Recorder())


class Crash(BaseException):
    """Stands for a worker dying mid-consumer: nothing after it runs in that process."""


@pytest.mark.django_db
def test_an_attempt_that_never_returns_still_counts_and_ends_failed(settings):
    settings.EVENT_DELIVERY_MAX_ATTEMPTS = 2
    runs = []

    def crashing(event):
        runs.append(event.pk)
        raise Crash

    consumer("test.crash", name="tests.crashing")(crashing)
    try:
        event = publish("test.crash", {})
        _fan_out(10)
        delivery = EventDelivery.objects.get(event=event)
        for _ in range(2):
            with pytest.raises(Crash):
                deliver(delivery.pk)
        delivery.refresh_from_db()
        assert (delivery.status, delivery.attempts) == ("pending", 2)

        # The next copy of the message gives up without running the consumer again.
        assert deliver(delivery.pk) == "failed"
    finally:
        events.unregister_consumer("tests.crashing")

    delivery.refresh_from_db()
    assert delivery.status == "failed"
    assert "never finished" in delivery.last_error
    assert runs == [event.pk, event.pk]


@pytest.mark.django_db
def test_a_relay_pass_survives_a_database_error(monkeypatch, caplog):
    from django.db import OperationalError

    def broken(**kwargs):
        raise OperationalError("server closed the connection unexpectedly")

    monkeypatch.setattr(events, "relay_events", broken)

    events.relay_pass()  # does not raise

    assert "event relay pass failed" in caplog.text


@pytest.mark.django_db(transaction=True)
def test_the_embedded_relay_thread_delivers_what_a_commit_published(recorder, in_process):
    import threading
    import time

    from smartplatform.core.management.commands.serve import start_in_process_relay

    stop = threading.Event()
    thread = start_in_process_relay(stop=stop)
    try:
        deadline = time.monotonic() + 5
        while events._in_process_waker is None and time.monotonic() < deadline:
            time.sleep(0.01)
        with transaction.atomic():
            event = publish("test.happened", {})
        # The commit only woke the thread; the request's thread did not run the consumer.
        deadline = time.monotonic() + 10
        while not recorder.seen and time.monotonic() < deadline:
            time.sleep(0.02)
        assert recorder.seen == [event.pk]
    finally:
        stop.set()
        if events._in_process_waker is not None:
            events._in_process_waker.set()
        thread.join(timeout=10)
    assert not thread.is_alive()
