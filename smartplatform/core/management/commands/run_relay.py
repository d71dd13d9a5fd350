import signal
import time
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand

from smartplatform.core import events


class Command(BaseCommand):
    help = "Run the event relay: hand outbox events to their consumers until stopped."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("--once", action="store_true", help="Run one pass and exit.")
        parser.add_argument(
            "--heartbeat-file",
            default="",
            help="Touch this file after every pass (for container health checks).",
        )

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
        heartbeat = options["heartbeat_file"]
        self.stdout.write("event relay running")
        while not stopping:
            events.relay_pass()
            if heartbeat:
                with open(heartbeat, "w") as beat:
                    beat.write(str(time.time()))
            time.sleep(settings.EVENT_RELAY_POLL_SECONDS)
        self.stdout.write("event relay stopped")
