"""Moderation: blocked words, reports, moderators' decisions, blocks between residents, and
the admin's queue."""

from typing import ClassVar

from django.conf import settings
from django.contrib.contenttypes.fields import GenericForeignKey
from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from exchange.models.listings import Listing


class BlockedWord(models.Model):
    """A word that sends a listing to review before it is published. Editable in the admin."""

    word = models.CharField(_("word"), max_length=100, unique=True)
    created_at = models.DateTimeField(_("added"), auto_now_add=True)

    class Meta:
        verbose_name = _("blocked word")
        verbose_name_plural = _("blocked words")
        ordering: ClassVar = ["word"]

    def __str__(self) -> str:
        return self.word


class Report(models.Model):
    """Someone tells the moderators that an item (a listing; later a message or a review)
    does not belong. Three open reports hide a listing until a moderator has looked."""

    class Reason(models.TextChoices):
        SPAM = "spam", _("Spam")
        OFFENSIVE = "offensive", _("Offensive")
        DOES_NOT_BELONG = "does_not_belong", _("Does not belong here")
        UNSAFE = "unsafe", _("Unsafe")
        OTHER = "other", _("Other")

    class Status(models.TextChoices):
        OPEN = "open", _("Open")
        ACTIONED = "actioned", _("Acted on")
        DISMISSED = "dismissed", _("Dismissed")

    reporter = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="reports_made",
        verbose_name=_("reported by"),
    )
    content_type = models.ForeignKey(ContentType, on_delete=models.PROTECT)
    object_id = models.PositiveBigIntegerField()
    target = GenericForeignKey("content_type", "object_id")
    reason = models.CharField(_("reason"), max_length=20, choices=Reason.choices)
    comment = models.TextField(_("comment"), max_length=1000, blank=True)
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.OPEN
    )
    created_at = models.DateTimeField(_("reported"), auto_now_add=True)
    decided_at = models.DateTimeField(_("decided"), null=True, blank=True)

    class Meta:
        verbose_name = _("report")
        verbose_name_plural = _("reports")
        ordering: ClassVar = ["-created_at", "-pk"]
        constraints: ClassVar = [
            models.UniqueConstraint(
                fields=["reporter", "content_type", "object_id"],
                name="exchange_report_once_per_person_and_item",
            )
        ]
        indexes: ClassVar = [models.Index(fields=["content_type", "object_id", "status"])]

    def __str__(self) -> str:
        return f"{self.get_reason_display()} ({self.content_type.model} {self.object_id})"


class ModerationDecision(models.Model):
    """What a moderator decided about an item, and why: the record shown on its admin page."""

    class Action(models.TextChoices):
        APPROVE = "approve", _("Approved")
        REJECT = "reject", _("Rejected")
        REMOVE = "remove", _("Removed")
        DISMISS_REPORTS = "dismiss_reports", _("Reports dismissed")
        SUSPEND_OWNER = "suspend_owner", _("Owner suspended")
        AUTO_HIDE = "auto_hide", _("Hidden after reports")
        COMPLETE_EXCHANGE = "complete_exchange", _("Dispute settled: exchange completed")
        CANCEL_EXCHANGE = "cancel_exchange", _("Dispute settled: exchange cancelled")

    content_type = models.ForeignKey(ContentType, on_delete=models.PROTECT)
    object_id = models.PositiveBigIntegerField()
    target = GenericForeignKey("content_type", "object_id")
    action = models.CharField(_("action"), max_length=20, choices=Action.choices)
    reason = models.TextField(_("reason"), max_length=2000, blank=True)
    moderator = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="moderation_decisions",
        verbose_name=_("moderator"),
        help_text=_("Empty for what the platform did by itself (hiding after reports)."),
    )
    created_at = models.DateTimeField(_("decided"), auto_now_add=True)

    class Meta:
        verbose_name = _("moderation decision")
        verbose_name_plural = _("moderation decisions")
        ordering: ClassVar = ["-created_at", "-pk"]
        indexes: ClassVar = [models.Index(fields=["content_type", "object_id"])]

    def __str__(self) -> str:
        return f"{self.get_action_display()} ({self.content_type.model} {self.object_id})"


class Block(models.Model):
    """One resident blocks another: neither sees the other's listings or can answer them."""

    blocker = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="blocks_made"
    )
    blocked = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="blocked_by"
    )
    created_at = models.DateTimeField(_("blocked"), auto_now_add=True)

    class Meta:
        verbose_name = _("block")
        verbose_name_plural = _("blocks")
        constraints: ClassVar = [
            models.UniqueConstraint(fields=["blocker", "blocked"], name="exchange_block_once"),
            models.CheckConstraint(
                condition=~Q(blocker=models.F("blocked")), name="exchange_block_not_oneself"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.blocker_id} → {self.blocked_id}"


class ModerationQueueItem(Listing):
    """The moderators' queue in the admin: listings pending review, hidden after reports or
    reported, in the moderator's municipalities."""

    class Meta:
        proxy = True
        verbose_name = _("item to moderate")
        verbose_name_plural = _("moderation queue")
