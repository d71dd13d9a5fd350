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
        # Each app's registrations of the personal data it holds (export and erasure).
        autodiscover_modules("privacy")
        from django.db.backends.signals import connection_created

        from smartplatform.core import checks  # noqa: F401  (registers the system checks)
        from smartplatform.core.swedish import register_sqlite_collation

        connection_created.connect(register_sqlite_collation, dispatch_uid="swedish-collation")
