from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from catalogue.models import ContactRequest, ContactRequestMessage


class AnswerForm(forms.Form):
    """The signed answer page: a reply, a new status, or both."""

    message = forms.CharField(
        label=_("Your answer"),
        required=False,
        max_length=ContactRequestMessage._meta.get_field("body").max_length,
        widget=forms.Textarea(attrs={"rows": 8, "cols": 70}),
        help_text=_("Sent to the person who asked. Your email address is not shown."),
    )
    status = forms.ChoiceField(
        label=_("Status"),
        required=False,
        choices=[("", _("Leave as it is"))]
        + [
            (value, label)
            for value, label in ContactRequest.Status.choices
            if value != ContactRequest.Status.NEW
        ],
        widget=forms.RadioSelect,
    )

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        data["message"] = (data.get("message") or "").strip()
        if not data["message"] and not data.get("status"):
            raise forms.ValidationError(_("Write an answer or choose a status."))
        return data
