"""The admin's sign-in: staff who turned on two-factor authentication give its code too."""

from typing import Any

from allauth.mfa.models import Authenticator
from allauth.mfa.totp.internal.auth import TOTP
from django import forms
from django.contrib.admin.forms import AdminAuthenticationForm
from django.contrib.auth.signals import user_login_failed
from django.utils.translation import gettext_lazy as _


class AdminLoginForm(AdminAuthenticationForm):
    otp = forms.CharField(
        label=_("Two-factor code"),
        required=False,
        max_length=12,
        help_text=_("Only if you use an authenticator app: the six digits it shows now."),
        widget=forms.TextInput(attrs={"autocomplete": "one-time-code", "inputmode": "numeric"}),
    )

    # One message for a wrong password and a wrong code: the form never confirms that the
    # password alone was right.
    error_messages = {
        **AdminAuthenticationForm.error_messages,
        "invalid_login": _(
            "Wrong email address, password or two-factor code. Staff who use an "
            "authenticator app enter the code it shows now."
        ),
    }

    def confirm_login_allowed(self, user: Any) -> None:
        super().confirm_login_allowed(user)
        authenticator = Authenticator.objects.filter(
            user=user, type=Authenticator.Type.TOTP
        ).first()
        if authenticator is None:
            return
        code = (self.cleaned_data.get("otp") or "").strip()
        if not code or not TOTP(authenticator).validate_code(code):
            # Counted like a wrong password, so guessing codes is locked out as well.
            user_login_failed.send(
                sender=__name__,
                credentials={"username": self.cleaned_data.get("username")},
                request=self.request,
            )
            raise self.get_invalid_login_error()
