import signal
import time
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand
from django.db import close_old_connections

from smartplatform.core import events


class Command(BaseCommand):
    help = "Run the event relay: hand outbox events to their consumers until stopped."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("--once", action="store_true", help="Run one pass and exit.")

    def handle(self, *args: Any, **options: Any) -> None:
        if options["once"]:
            result = events.relay_events()
            self.stdout.write(
                f"relayed {result.relayed_events} events, "
                f"dispatched {len(result.dispatched)} deliveries"
            )
            return
        stopping = False

        def stop(signum: int, frame: Any) -> None:
            nonlocal stopping
            stopping = True

        signal.signal(signal.SIGTERM, stop)
        signal.signal(signal.SIGINT, stop)
        self.stdout.write("event relay running")
        while not stopping:
            relay_loop_pass(self.stderr)
            time.sleep(settings.EVENT_RELAY_POLL_SECONDS)
        self.stdout.write("event relay stopped")


def relay_loop_pass(errors: Any) -> None:
    """One pass that survives anything: a database restart must not end the loop."""
    close_old_connections()
    try:
        events.relay_events()
    except Exception as exc:
        errors.write(f"event relay pass failed: {exc}")
        close_old_connections()
