"""Sign-in through an identity provider (OpenID Connect, e.g. Microsoft Entra ID)."""

from typing import Any

from allauth.socialaccount.adapter import DefaultSocialAccountAdapter
from django.http import HttpRequest


class SocialAccountAdapter(DefaultSocialAccountAdapter):
    def populate_user(self, request: HttpRequest, sociallogin: Any, data: dict[str, Any]) -> Any:
        user = super().populate_user(request, sociallogin, data)
        # The name the provider knows the person by, as their display name to begin with.
        name = (
            data.get("name")
            or " ".join(part for part in (data.get("first_name"), data.get("last_name")) if part)
        ).strip()
        if name and not user.display_name:
            user.display_name = name[:100]
        return user
