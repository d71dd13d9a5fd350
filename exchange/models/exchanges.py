"""Exchanges: someone answers a published listing and the two parties agree, do it and
confirm it, with a private conversation and, afterwards, a review of each other."""

from typing import ClassVar

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from exchange.models.listings import Listing
from exchange.models.timebank import Hold
from smartplatform.organisations.models import Organisation

# Exchanges still under way: one per person and listing at a time.
OPEN_STATES = ("proposed", "accepted", "disputed")


class Exchange(models.Model):
    """An answer to a listing, between the listing's side (its owner, or the organisation it
    is for) and the responder's side (the person who answered, or the organisation they
    answered for). For time credits the hours are held from the side that receives the
    service while the exchange is accepted, and paid to the provider on completion."""

    class State(models.TextChoices):
        PROPOSED = "proposed", _("Proposed")
        ACCEPTED = "accepted", _("Accepted")
        DECLINED = "declined", _("Declined")
        CANCELLED = "cancelled", _("Cancelled")
        COMPLETED = "completed", _("Completed")
        DISPUTED = "disputed", _("Disputed")

    listing = models.ForeignKey(
        Listing, on_delete=models.PROTECT, related_name="exchanges", verbose_name=_("listing")
    )
    responder = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="exchanges_answered",
        verbose_name=_("answered by"),
    )
    responder_organisation = models.ForeignKey(
        Organisation,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="exchanges_answered",
        verbose_name=_("answered for"),
    )
    state = models.CharField(
        _("state"), max_length=12, choices=State.choices, default=State.PROPOSED
    )
    hours = models.DecimalField(_("hours"), max_digits=9, decimal_places=2, null=True, blank=True)
    hold = models.OneToOneField(
        Hold,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="exchange",
        verbose_name=_("hours held"),
    )
    owner_confirmed_at = models.DateTimeField(_("confirmed by the listing's side"), null=True)
    responder_confirmed_at = models.DateTimeField(_("confirmed by the responder"), null=True)
    reason = models.TextField(_("reason"), max_length=2000, blank=True)
    ended_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("declined, cancelled or disputed by"),
    )
    created_at = models.DateTimeField(_("proposed"), auto_now_add=True)
    accepted_at = models.DateTimeField(_("accepted"), null=True, blank=True)
    state_changed_at = models.DateTimeField(_("state changed"), auto_now_add=True)
    completed_at = models.DateTimeField(_("completed"), null=True, blank=True)

    class Meta:
        verbose_name = _("exchange")
        verbose_name_plural = _("exchanges")
        ordering: ClassVar = ["-created_at", "-pk"]
        indexes: ClassVar = [
            models.Index(fields=["responder", "state"]),
            models.Index(fields=["state", "state_changed_at"]),
        ]
        constraints: ClassVar = [
            models.UniqueConstraint(
                fields=["listing", "responder"],
                condition=Q(state__in=OPEN_STATES),
                name="exchange_one_open_answer_per_person",
            ),
            models.CheckConstraint(
                condition=Q(hours__isnull=True) | Q(hours__gt=0), name="exchange_hours_positive"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.listing} ({self.get_state_display()})"


class Message(models.Model):
    """A message in an exchange's private thread: the two parties (and moderators handling
    a report or a dispute) read it."""

    exchange = models.ForeignKey(
        Exchange, on_delete=models.CASCADE, related_name="messages", verbose_name=_("exchange")
    )
    sender = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="exchange_messages",
        verbose_name=_("sender"),
    )
    body = models.TextField(_("text"), max_length=5000)
    created_at = models.DateTimeField(_("sent"), auto_now_add=True)
    read_at = models.DateTimeField(_("read"), null=True, blank=True)
    hidden_at = models.DateTimeField(_("hidden after reports"), null=True, blank=True)

    class Meta:
        verbose_name = _("message")
        verbose_name_plural = _("messages")
        ordering: ClassVar = ["-created_at", "-pk"]
        indexes: ClassVar = [models.Index(fields=["exchange", "-id"])]

    def __str__(self) -> str:
        return self.body[:60]


class Review(models.Model):
    """After completion each party may review the other once: 1 to 5 and a text, editable
    for 48 hours."""

    exchange = models.ForeignKey(
        Exchange, on_delete=models.PROTECT, related_name="reviews", verbose_name=_("exchange")
    )
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="reviews_written",
        verbose_name=_("written by"),
    )
    subject = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="reviews_received",
        verbose_name=_("about"),
    )
    rating = models.PositiveSmallIntegerField(
        _("rating"), validators=[MinValueValidator(1), MaxValueValidator(5)]
    )
    text = models.TextField(_("text"), max_length=2000, blank=True)
    created_at = models.DateTimeField(_("written"), auto_now_add=True)
    updated_at = models.DateTimeField(_("changed"), auto_now=True)
    hidden_at = models.DateTimeField(_("hidden after reports"), null=True, blank=True)

    class Meta:
        verbose_name = _("review")
        verbose_name_plural = _("reviews")
        ordering: ClassVar = ["-created_at", "-pk"]
        constraints: ClassVar = [
            models.UniqueConstraint(
                fields=["exchange", "author"], name="exchange_review_once_per_party"
            ),
            models.CheckConstraint(
                condition=Q(rating__gte=1, rating__lte=5), name="exchange_review_rating_1_to_5"
            ),
            models.CheckConstraint(
                condition=~Q(author=models.F("subject")), name="exchange_review_not_oneself"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.rating}/5"


class DisputeQueueItem(Exchange):
    """Disputed exchanges waiting for a moderator of the listing's municipality (the
    admin's queue)."""

    class Meta:
        proxy = True
        verbose_name = _("dispute to settle")
        verbose_name_plural = _("disputes to settle")


class ReportedMessage(Message):
    """Messages with open reports, for the moderators of the listing's municipality."""

    class Meta:
        proxy = True
        verbose_name = _("reported message")
        verbose_name_plural = _("reported messages")


class ReportedReview(Review):
    """Reviews with open reports, for the moderators of the listing's municipality."""

    class Meta:
        proxy = True
        verbose_name = _("reported review")
        verbose_name_plural = _("reported reviews")
