import threading
import time
from typing import Any

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand

from smartplatform.core.management.commands.run_relay import relay_loop_pass


class Command(BaseCommand):
    help = (
        "Serve the platform on one machine (the embedded setup): the development server, "
        "without the auto-reloader, and the event relay in a thread of the same process."
    )

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("addrport", nargs="?", default="127.0.0.1:8000")

    def handle(self, *args: Any, **options: Any) -> None:
        if settings.EVENT_RELAY_IN_PROCESS:
            # Events are relayed right after each commit; this loop retries what failed.
            thread = threading.Thread(target=self._relay_forever, name="event-relay", daemon=True)
            thread.start()
        call_command("runserver", options["addrport"], use_reloader=False)

    def _relay_forever(self) -> None:
        while True:
            time.sleep(max(settings.EVENT_RELAY_POLL_SECONDS, 5.0))
            relay_loop_pass(self.stderr)
