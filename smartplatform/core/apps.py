from django.apps import AppConfig
from django.utils.module_loading import autodiscover_modules
from django.utils.translation import gettext_lazy as _


class CoreConfig(AppConfig):
    name = "smartplatform.core"
    label = "core"
    verbose_name = _("Platform core")

    def ready(self) -> None:
        # Every process (web, worker, relay) must know every event consumer.
        autodiscover_modules("consumers")
        from smartplatform.core import checks  # noqa: F401  (registers the system checks)
