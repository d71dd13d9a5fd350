"""Assisted use (ombud): coordinators of an organisation act for residents who have no
email address or e-ID, with the resident's recorded consent, and every act is recorded."""

from typing import ClassVar

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from smartplatform.organisations.models import Organisation


class Consent(models.Model):
    """A resident's consent that the coordinators of one organisation act for them.

    Active while ``withdrawn_at`` is empty; withdrawing ends it at once. A new consent is a
    new row, so the history of consents stays readable.
    """

    resident = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="assistance_consents"
    )
    organisation = models.ForeignKey(
        Organisation, on_delete=models.CASCADE, related_name="assistance_consents"
    )
    statement = models.TextField(
        _("what the resident agreed to"),
        help_text=_("The words the resident agreed to, as read to them or signed."),
    )
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        related_name="+",
        verbose_name=_("recorded by"),
    )
    given_at = models.DateTimeField(_("given"), auto_now_add=True)
    withdrawn_at = models.DateTimeField(_("withdrawn"), null=True, blank=True)
    withdrawn_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("withdrawn by"),
    )

    class Meta:
        verbose_name = _("consent to assistance")
        verbose_name_plural = _("consents to assistance")
        constraints: ClassVar = [
            models.UniqueConstraint(
                fields=["resident", "organisation"],
                condition=models.Q(withdrawn_at__isnull=True),
                name="assistance_one_active_consent",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.resident} → {self.organisation}"


class LoginCode(models.Model):
    """A one-time code, printed for a resident without email, with which they turn their
    managed account into their own login (their email address and password)."""

    resident = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="login_codes"
    )
    code_hash = models.CharField(max_length=64, unique=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    expires_at = models.DateTimeField()
    used_at = models.DateTimeField(null=True, blank=True)
    # A claim in progress: the address and password the resident chose, waiting for the code
    # sent to that address. Nothing about the account changes until the code comes back.
    pending_email = models.EmailField(blank=True)
    pending_password = models.CharField(max_length=128, blank=True)  # a password hash
    email_code_hash = models.CharField(max_length=64, blank=True)
    email_code_expires_at = models.DateTimeField(null=True, blank=True)
    email_code_attempts = models.PositiveSmallIntegerField(default=0)

    class Meta:
        verbose_name = _("one-time login code")
        verbose_name_plural = _("one-time login codes")

    def __str__(self) -> str:
        return f"{self.resident} ({'used' if self.used_at else 'unused'})"


class Act(models.Model):
    """One thing a coordinator did on a resident's behalf: shown to the resident."""

    resident = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="assisted_acts"
    )
    coordinator = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        related_name="acts_for_others",
    )
    organisation = models.ForeignKey(
        Organisation, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    action = models.CharField(_("what was done"), max_length=100)
    details = models.JSONField(_("details"), default=dict, blank=True)
    at = models.DateTimeField(_("when"), auto_now_add=True, db_index=True)

    class Meta:
        verbose_name = _("act on someone's behalf")
        verbose_name_plural = _("acts on someone's behalf")
        ordering: ClassVar = ["-at", "-pk"]

    def __str__(self) -> str:
        return f"{self.coordinator} for {self.resident}: {self.action}"
