"""Email notifications through real Celery workers on Redis: one email per recipient, a
retry after an SMTP failure, and a worker killed with SIGKILL in the middle of a send
(made deterministic by a local SMTP server that holds the DATA phase until the kill)."""

import asyncio
import email
import signal
import threading
from collections.abc import Iterator
from typing import Any

import pytest
from aiosmtpd.controller import Controller
from django.core import mail

from notifications.models import Delivery
from notifications.services import notify
from smartplatform.core.events import publish, relay_events
from tests.exchange.factories import resident
from tests.fixtures.workers import free_port, start_worker_process, wait_for, worker_app
from tests.notifications.backends import FlakyBackend
from tests.notifications.test_in_app import answer

pytestmark = [pytest.mark.worker, pytest.mark.postgres, pytest.mark.serial]


def sent(count: int) -> bool:
    return Delivery.objects.filter(status="sent").count() >= count


@pytest.mark.django_db(transaction=True)
def test_an_event_emails_each_recipient_exactly_once(celery_worker: Any) -> None:
    owner, helper = resident(email="owner@example.se"), resident(email="helper@example.se")
    exchange_id = answer(owner, helper)
    relay_events()
    assert wait_for(lambda: sent(1))

    publish("exchange.completed", {"exchange": exchange_id})
    relay_events()
    assert wait_for(lambda: sent(3))
    # The same deliveries again, as a redelivered message would bring them.
    from notifications.tasks import send_emails

    send_emails.apply_async(args=(list(Delivery.objects.values_list("pk", flat=True)),))
    marker = resident(email="marker@example.se")
    answer(marker, resident())
    relay_events()
    assert wait_for(lambda: sent(4))

    recipients = sorted(address for message in mail.outbox for address in message.to)
    assert recipients == [
        "helper@example.se",
        "marker@example.se",
        "owner@example.se",
        "owner@example.se",
    ]
    sent_ids = sorted(m.extra_headers["Message-ID"] for m in mail.outbox)
    assert sent_ids == sorted(Delivery.objects.values_list("message_id", flat=True))
    completed = Delivery.objects.filter(notification__type="exchange_completed", status="sent")
    assert completed.count() == 2


@pytest.mark.django_db(transaction=True)
def test_an_smtp_failure_then_success_gives_one_email_after_a_retry(
    celery_worker: Any, settings: Any
) -> None:
    settings.EMAIL_BACKEND = "tests.notifications.backends.FlakyBackend"
    settings.NOTIFICATION_RETRY_BASE_SECONDS = 0.2
    FlakyBackend.fail_next(2)
    try:
        answer(resident(), resident())
        relay_events()

        assert wait_for(lambda: sent(1), timeout=30)
    finally:
        FlakyBackend.fail_next(0)
    delivery = Delivery.objects.get()
    assert len(mail.outbox) == 1
    assert delivery.attempts == 3
    assert mail.outbox[0].extra_headers["Message-ID"] == delivery.message_id


# --- SIGKILL in the middle of a send ----------------------------------------------------------

VISIBILITY_TIMEOUT = 8  # seconds: a killed worker's task comes back soon
SEND_LEASE = 5  # seconds: the killed send's claim has passed by then


class HoldingSink:
    """An SMTP server that holds the first message's DATA phase until released. ``keeps``
    says whether the server had already taken that message when the client died (a kill
    after acceptance) or not (a kill before it)."""

    def __init__(self, *, keeps: bool) -> None:
        self.keeps = keeps
        self.accepted: list[email.message.Message] = []
        self.arrived = threading.Event()
        self.release = threading.Event()
        self._held = False

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        message = email.message_from_bytes(envelope.original_content or envelope.content)
        if not self._held:
            self._held = True
            if self.keeps:
                self.accepted.append(message)
            self.arrived.set()
            while not self.release.is_set():
                await asyncio.sleep(0.05)
            return "250 OK" if self.keeps else "451 4.3.0 Try again"
        self.accepted.append(message)
        return "250 OK"


@pytest.fixture
def sink_factory() -> Iterator[Any]:
    controllers: list[Controller] = []

    def start(*, keeps: bool) -> tuple[HoldingSink, int]:
        sink = HoldingSink(keeps=keeps)
        port = free_port()
        controller = Controller(sink, hostname="127.0.0.1", port=port)
        controller.start()
        controllers.append(controller)
        return sink, port

    yield start
    for controller in controllers:
        controller.stop()


@pytest.mark.parametrize("killed", ["before_acceptance", "after_acceptance"])
@pytest.mark.django_db(transaction=True)
def test_a_worker_killed_mid_send_loses_nothing(
    killed: str, sink_factory: Any, settings: Any
) -> None:
    keeps = killed == "after_acceptance"
    sink, port = sink_factory(keeps=keeps)
    owner = resident(email="owner@example.se")
    with worker_app(settings.CELERY_BROKER_URL) as app:
        app.conf.broker_transport_options = {"visibility_timeout": VISIBILITY_TIMEOUT}
        queue = app.conf.task_default_queue
        notify(
            recipients=[owner],
            type_name="listing_hidden",
            subject_id=1,
            data={"listing": "Gräsklippning"},
            dedupe_key="kill-test",
        )  # autocommit: the send task is queued at once
        worker_env = {
            "EMAIL_HOST": "127.0.0.1",
            "EMAIL_PORT": str(port),
            "CELERY_VISIBILITY_TIMEOUT": str(VISIBILITY_TIMEOUT),
            "CELERY_TASK_TIME_LIMIT": "4",
            "EVENT_DELIVERY_LEASE_SECONDS": "10",
            "NOTIFICATION_SEND_LEASE_SECONDS": str(SEND_LEASE),
        }
        worker = start_worker_process(queue, **worker_env)
        try:
            assert sink.arrived.wait(timeout=60), "the worker never reached DATA"
            worker.send_signal(signal.SIGKILL)
            worker.wait(timeout=10)
            sink.release.set()
            worker = start_worker_process(queue, **worker_env)
            assert wait_for(lambda: sent(1), timeout=90)
        finally:
            worker.terminate()
            worker.wait(timeout=20)

    delivery = Delivery.objects.get()
    ids = {message["Message-ID"] for message in sink.accepted}
    assert ids == {delivery.message_id}
    if keeps:
        # The documented window: accepted by the server, killed before the commit. The
        # message is sent again, recognisably the same one.
        assert len(sink.accepted) == 2
    else:
        assert len(sink.accepted) == 1
    assert delivery.status == "sent"
    assert delivery.attempts == 2  # the killed one counted
