import threading
from typing import Any

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand

from smartplatform.celery import broker_configured
from smartplatform.core import events, scheduler


class Command(BaseCommand):
    help = (
        "Serve the platform on one machine (the embedded setup): the development server, "
        "without the auto-reloader, the event relay and, without a broker, the periodic "
        "work of the beat schedule in threads of the same process."
    )

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("addrport", nargs="?", default="127.0.0.1:8000")

    def handle(self, *args: Any, **options: Any) -> None:
        if settings.EVENT_RELAY_IN_PROCESS:
            start_in_process_relay()
        if not broker_configured():
            start_in_process_scheduler()
        call_command("runserver", options["addrport"], use_reloader=False)


def start_in_process_scheduler(stop: threading.Event | None = None) -> threading.Thread:
    thread = threading.Thread(
        target=scheduler.run_in_process_scheduler,
        kwargs={"stop": stop or threading.Event()},
        name="periodic-work",
        daemon=True,
    )
    thread.start()
    return thread


def start_in_process_relay(stop: threading.Event | None = None) -> threading.Thread:
    thread = threading.Thread(
        target=events.run_in_process_relay,
        kwargs={"stop": stop},
        name="event-relay",
        daemon=True,
    )
    thread.start()
    return thread
