from typing import Any

from django import forms
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _

from smartplatform.accounts.models import User
from smartplatform.organisations.models import Municipality


class SignupForm(forms.Form):
    """The platform's own sign-up fields, next to allauth's email and password."""

    display_name = forms.CharField(
        label=_("display name"),
        max_length=100,
        help_text=_("How others see you, e.g. your first name."),
    )
    home_municipality = forms.CharField(
        label=_("home municipality"),
        max_length=4,
        required=False,
        help_text=_("The four-digit code of your municipality, e.g. 1283."),
    )
    preferred_language = forms.ChoiceField(
        label=_("preferred language"), choices=User.Language.choices, required=False
    )

    def clean_home_municipality(self) -> Municipality | None:
        code = self.cleaned_data.get("home_municipality") or ""
        if not code:
            return None
        municipality = Municipality.objects.filter(code=code).first()
        if municipality is None:
            raise forms.ValidationError(
                _("There is no municipality with the code %(code)s.") % {"code": code},
                code="unknown_municipality",
            )
        return municipality

    def signup(self, request: HttpRequest, user: Any) -> None:
        from smartplatform.accounts import services

        services.complete_signup_profile(
            user=user,
            display_name=self.cleaned_data["display_name"],
            home_municipality=self.cleaned_data.get("home_municipality"),
            preferred_language=str(
                self.cleaned_data.get("preferred_language") or getattr(request, "LANGUAGE_CODE", "")
            ),
        )
