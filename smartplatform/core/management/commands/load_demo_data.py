from importlib import import_module
from typing import Any

from django.apps import apps
from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction


class Command(BaseCommand):
    help = (
        "Load the demo data of every app (a ``demo`` module with a ``load()`` function). "
        "Idempotent: running it again changes nothing."
    )

    def handle(self, *args: Any, **options: Any) -> None:
        if not settings.DEBUG:
            # Demo accounts have printed passwords: never on a real site.
            raise CommandError("Demo data is loaded only in development (DEBUG=true).")
        loaded = 0
        for config in apps.get_app_configs():
            try:
                module = import_module(f"{config.name}.demo")
            except ModuleNotFoundError as exc:
                if exc.name != f"{config.name}.demo":
                    raise
                continue
            with transaction.atomic():
                summary = module.load()
            self.stdout.write(f"demo data: {config.label}: {summary}")
            loaded += 1
        if not loaded:
            self.stdout.write("demo data: only the reference data written by the migrations")
