import threading
from typing import Any

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand

from smartplatform.core import events


class Command(BaseCommand):
    help = (
        "Serve the platform on one machine (the embedded setup): the development server, "
        "without the auto-reloader, and the event relay in a thread of the same process."
    )

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("addrport", nargs="?", default="127.0.0.1:8000")

    def handle(self, *args: Any, **options: Any) -> None:
        if settings.EVENT_RELAY_IN_PROCESS:
            start_in_process_relay()
        call_command("runserver", options["addrport"], use_reloader=False)


def start_in_process_relay(stop: threading.Event | None = None) -> threading.Thread:
    thread = threading.Thread(
        target=events.run_in_process_relay,
        kwargs={"stop": stop},
        name="event-relay",
        daemon=True,
    )
    thread.start()
    return thread
