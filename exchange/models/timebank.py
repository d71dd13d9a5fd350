"""The time bank: an hour for an hour, kept as a ledger.

Hours move only as immutable entries, grouped in transfers whose entries sum to zero; an
account's ``balance`` is the sum of its entries and ``held`` the sum of its active holds,
both kept in step by the services in ``exchange.timebank`` under the account's row lock (and
checked against the entries by ``timebank.ledger_problems``). On PostgreSQL the database
itself refuses to change or delete an entry or transfer and refuses a transfer whose
entries do not sum to zero (migration 0005).
"""

from decimal import Decimal
from typing import ClassVar

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from smartplatform.organisations.models import Organisation


class TimeAccount(models.Model):
    """Every member and organisation has one, opened at 0 the first time it is needed; one
    system account (unbound by the credit floor) is the other side of staff adjustments."""

    class Kind(models.TextChoices):
        MEMBER = "member", _("Member")
        ORGANISATION = "organisation", _("Organisation")
        SYSTEM = "system", _("System")

    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices)
    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,  # a deleted account is anonymised in place; its hours stay
        null=True,
        blank=True,
        related_name="time_account",
        verbose_name=_("member"),
    )
    organisation = models.OneToOneField(
        Organisation,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="time_account",
        verbose_name=_("organisation"),
    )
    balance = models.DecimalField(
        _("balance (hours)"), default=Decimal(0), max_digits=9, decimal_places=2
    )
    held = models.DecimalField(
        _("held (hours)"), default=Decimal(0), max_digits=9, decimal_places=2
    )
    created_at = models.DateTimeField(_("opened"), auto_now_add=True)

    class Meta:
        verbose_name = _("time account")
        verbose_name_plural = _("time accounts")
        ordering: ClassVar = ["pk"]
        constraints: ClassVar = [
            models.CheckConstraint(
                condition=(
                    Q(kind="member", user__isnull=False, organisation__isnull=True)
                    | Q(kind="organisation", user__isnull=True, organisation__isnull=False)
                    | Q(kind="system", user__isnull=True, organisation__isnull=True)
                ),
                name="exchange_timeaccount_one_holder",
            ),
            models.UniqueConstraint(
                fields=["kind"], condition=Q(kind="system"), name="exchange_timeaccount_one_system"
            ),
            models.CheckConstraint(condition=Q(held__gte=0), name="exchange_timeaccount_held"),
        ]

    def __str__(self) -> str:
        if self.kind == self.Kind.SYSTEM:
            return str(_("System account"))
        holder = self.user if self.kind == self.Kind.MEMBER else self.organisation
        return str(holder)

    @property
    def available(self) -> Decimal:
        return self.balance - self.held


class Transfer(models.Model):
    """One movement of hours: two or more entries that sum to zero. Never changed; a mistake
    is corrected by a reversing transfer."""

    class Kind(models.TextChoices):
        EXCHANGE = "exchange", _("Exchange completed")
        GIFT = "gift", _("Gift of hours")
        ADJUSTMENT = "adjustment", _("Staff adjustment")
        REVERSAL = "reversal", _("Reversal")

    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices)
    note = models.TextField(_("note"), max_length=500, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("made by"),
    )
    reverses = models.OneToOneField(
        "self",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="reversed_by",
        verbose_name=_("reverses"),
    )
    created_at = models.DateTimeField(_("made"), auto_now_add=True, db_index=True)

    class Meta:
        verbose_name = _("transfer")
        verbose_name_plural = _("transfers")
        ordering: ClassVar = ["-created_at", "-pk"]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} #{self.pk}"


class Entry(models.Model):
    """One leg of a transfer: hours into (positive) or out of (negative) one account."""

    transfer = models.ForeignKey(
        Transfer, on_delete=models.PROTECT, related_name="entries", verbose_name=_("transfer")
    )
    account = models.ForeignKey(
        TimeAccount, on_delete=models.PROTECT, related_name="entries", verbose_name=_("account")
    )
    hours = models.DecimalField(_("hours"), max_digits=9, decimal_places=2)
    created_at = models.DateTimeField(_("booked"), auto_now_add=True)

    class Meta:
        verbose_name = _("ledger entry")
        verbose_name_plural = _("ledger entries")
        ordering: ClassVar = ["-created_at", "-pk"]
        indexes: ClassVar = [models.Index(fields=["account", "-created_at", "-id"])]
        constraints: ClassVar = [
            models.CheckConstraint(condition=~Q(hours=0), name="exchange_entry_not_zero"),
        ]

    def __str__(self) -> str:
        return f"{self.hours:+} h"


class Hold(models.Model):
    """Hours reserved from an account for something not yet done (an accepted exchange): they
    count against the credit floor until settled to the provider or released."""

    class State(models.TextChoices):
        ACTIVE = "active", _("Active")
        SETTLED = "settled", _("Settled")
        RELEASED = "released", _("Released")

    account = models.ForeignKey(
        TimeAccount, on_delete=models.PROTECT, related_name="holds", verbose_name=_("account")
    )
    hours = models.DecimalField(_("hours"), max_digits=9, decimal_places=2)
    state = models.CharField(_("state"), max_length=10, choices=State.choices, default=State.ACTIVE)
    settlement = models.OneToOneField(
        Transfer,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="settled_hold",
        verbose_name=_("settled by"),
    )
    created_at = models.DateTimeField(_("reserved"), auto_now_add=True)
    closed_at = models.DateTimeField(_("closed"), null=True, blank=True)

    class Meta:
        verbose_name = _("hold")
        verbose_name_plural = _("holds")
        ordering: ClassVar = ["-created_at", "-pk"]
        constraints: ClassVar = [
            models.CheckConstraint(condition=Q(hours__gt=0), name="exchange_hold_positive"),
            models.CheckConstraint(
                condition=Q(state="settled", settlement__isnull=False)
                | (~Q(state="settled") & Q(settlement__isnull=True)),
                name="exchange_hold_settled_by_a_transfer",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.hours} h ({self.get_state_display()})"
