"""How django-allauth fits the platform: emails in the recipient's language, sent after the
commit by a worker, and the user's own fields in allauth's answers."""

import dataclasses
from typing import Any

from allauth.account.adapter import DefaultAccountAdapter
from allauth.headless.adapter import DefaultHeadlessAdapter
from django.conf import settings
from django.http import HttpRequest
from django.utils import translation

from smartplatform.accounts.models import User


@dataclasses.dataclass(frozen=True)
class Site:
    """What allauth's email templates call ``current_site``."""

    name: str
    domain: str


def platform_site() -> Site:
    return Site(name="Smart samhälle", domain=settings.FRONTEND_URL.split("://", 1)[-1])


def email_language(user: Any, request: HttpRequest | None) -> str:
    """The recipient's own language if they have an account, else the request's."""
    language = getattr(user, "preferred_language", "") or (
        getattr(request, "LANGUAGE_CODE", "") if request is not None else ""
    )
    supported = {code for code, _name in settings.LANGUAGES}
    return language if language in supported else settings.LANGUAGE_CODE


class AccountAdapter(DefaultAccountAdapter):
    def send_mail(self, template_prefix: str, email: str, context: dict[str, Any]) -> None:
        from smartplatform.accounts import services

        request = getattr(self, "request", None)
        context = {"request": request, "email": email, **context, "current_site": platform_site()}
        # Some of allauth's emails (a reset code) name no user: the address still may.
        recipient = context.get("user") or User.objects.filter(email__iexact=email).first()
        with translation.override(email_language(recipient, request)):
            message = self.render_mail(template_prefix, email, context)
        services.send_email_after_commit(message)

    def get_user_display(self, user: Any) -> str:
        return str(user.display_name or user.email)


class HeadlessAdapter(DefaultHeadlessAdapter):
    def serialize_user(self, user: Any) -> dict[str, Any]:
        data = super().serialize_user(user)
        if isinstance(user, User) and user.pk:
            data["display_name"] = user.display_name
            data["preferred_language"] = user.preferred_language
        return data
