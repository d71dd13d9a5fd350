from django.apps import AppConfig
from django.db.models.signals import post_save
from django.utils.translation import gettext_lazy as _


class ExchangeConfig(AppConfig):
    name = "exchange"
    verbose_name = _("Exchange")

    def ready(self) -> None:
        from exchange import reviews
        from exchange.timebank import open_account_for_new_holder
        from smartplatform.accounts import reputation
        from smartplatform.accounts.models import User
        from smartplatform.organisations.models import Organisation

        reputation.register(reviews.summary)
        for holder in (User, Organisation):
            post_save.connect(
                open_account_for_new_holder, sender=holder, dispatch_uid=f"time-account-{holder}"
            )
