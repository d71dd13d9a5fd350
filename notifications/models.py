"""In-app notifications: what the platform tells a person, in their language, once."""

from typing import ClassVar

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class Notification(models.Model):
    """One thing told to one recipient: a user, or an email address for someone without an
    account. ``dedupe_key`` is unique per recipient, so one event never tells one person
    twice, however often it is delivered."""

    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="notifications",
        verbose_name=_("recipient"),
    )
    email = models.EmailField(_("email address"), blank=True)
    type = models.CharField(_("type"), max_length=60)
    language = models.CharField(_("language"), max_length=5)
    title = models.CharField(_("title"), max_length=300)
    body = models.TextField(_("text"), max_length=5000, blank=True)
    subject_type = models.CharField(_("about (kind)"), max_length=30, blank=True)
    subject_id = models.PositiveBigIntegerField(_("about (id)"), null=True, blank=True)
    link = models.CharField(_("link"), max_length=500, blank=True)
    data = models.JSONField(_("data"), default=dict, blank=True)
    dedupe_key = models.CharField(max_length=200)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    read_at = models.DateTimeField(_("read"), null=True, blank=True)
    # False when the person turned the type off in the app but still wants it by email:
    # the row then exists for its email delivery only and is left out of the feed.
    shown_in_app = models.BooleanField(_("shown in the app"), default=True)

    class Meta:
        verbose_name = _("notification")
        verbose_name_plural = _("notifications")
        ordering: ClassVar = ["-id"]
        indexes: ClassVar = [
            models.Index(
                fields=["recipient", "-id"],
                name="notification_unread",
                condition=Q(read_at__isnull=True),
            ),
            models.Index(fields=["recipient", "-id"], name="notification_feed"),
        ]
        constraints: ClassVar = [
            models.UniqueConstraint(
                fields=["recipient", "dedupe_key"],
                condition=Q(recipient__isnull=False),
                name="notification_once_per_user",
            ),
            models.UniqueConstraint(
                fields=["email", "dedupe_key"],
                condition=Q(recipient__isnull=True),
                name="notification_once_per_address",
            ),
            models.CheckConstraint(
                condition=Q(recipient__isnull=False) | ~Q(email=""),
                name="notification_has_a_recipient",
            ),
        ]

    def __str__(self) -> str:
        return self.title


class Channel(models.TextChoices):
    IN_APP = "in_app", _("In the app")
    EMAIL = "email", _("Email")


class Frequency(models.TextChoices):
    IMMEDIATELY = "immediately", _("Immediately")
    DAILY = "daily", _("Daily digest")
    WEEKLY = "weekly", _("Weekly digest")
    OFF = "off", _("Off")


class NotificationPreference(models.Model):
    """How a person wants one type of notification on one channel. Without a row, the
    type's default holds (``notifications.types``)."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="notification_preferences",
    )
    type = models.CharField(_("type"), max_length=60)
    channel = models.CharField(_("channel"), max_length=10, choices=Channel.choices)
    frequency = models.CharField(_("how often"), max_length=12, choices=Frequency.choices)

    class Meta:
        verbose_name = _("notification preference")
        verbose_name_plural = _("notification preferences")
        constraints: ClassVar = [
            models.UniqueConstraint(
                fields=["user", "type", "channel"], name="notification_preference_once"
            )
        ]

    def __str__(self) -> str:
        return f"{self.type} {self.channel}: {self.frequency}"


class DeliveryStatus(models.TextChoices):
    PENDING = "pending", _("Pending")
    SENT = "sent", _("Sent")
    FAILED = "failed", _("Failed")


class Digest(models.Model):
    """One digest email: what one person's pending digest deliveries of one frequency held
    when the digest was put together. Unique per person, frequency and day, so a digest
    task run twice on the same morning builds nothing new."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notification_digests"
    )
    frequency = models.CharField(_("how often"), max_length=12, choices=Frequency.choices)
    period = models.DateField(_("for the day"))
    status = models.CharField(
        _("status"), max_length=10, choices=DeliveryStatus.choices, default=DeliveryStatus.PENDING
    )
    attempts = models.PositiveIntegerField(_("attempts"), default=0)
    last_error = models.TextField(_("last error"), blank=True)
    next_attempt_at = models.DateTimeField(_("next attempt"), default=timezone.now)
    message_id = models.CharField(_("Message-ID"), max_length=200, blank=True)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    sent_at = models.DateTimeField(_("sent"), null=True, blank=True)

    class Meta:
        verbose_name = _("digest")
        verbose_name_plural = _("digests")
        constraints: ClassVar = [
            models.UniqueConstraint(
                fields=["user", "frequency", "period"], name="notification_digest_once_a_day"
            )
        ]

    def __str__(self) -> str:
        return f"{self.frequency} {self.period}"


class Delivery(models.Model):
    """One notification on one channel beyond the app (email): sent at once, or kept for a
    digest. Its status, attempts and last error say what became of it; the unique pair
    (notification, channel) means a notification is never queued twice for a channel."""

    notification = models.ForeignKey(
        Notification, on_delete=models.CASCADE, related_name="deliveries"
    )
    channel = models.CharField(_("channel"), max_length=10, choices=Channel.choices)
    frequency = models.CharField(_("how often"), max_length=12, choices=Frequency.choices)
    status = models.CharField(
        _("status"), max_length=10, choices=DeliveryStatus.choices, default=DeliveryStatus.PENDING
    )
    attempts = models.PositiveIntegerField(_("attempts"), default=0)
    last_error = models.TextField(_("last error"), blank=True)
    # Due again from then (a retry's back-off); the sweep re-queues what is overdue.
    next_attempt_at = models.DateTimeField(_("next attempt"), default=timezone.now)
    digest = models.ForeignKey(
        Digest,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="deliveries",
        verbose_name=_("digest"),
    )
    message_id = models.CharField(_("Message-ID"), max_length=200, blank=True)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    sent_at = models.DateTimeField(_("sent"), null=True, blank=True)

    class Meta:
        verbose_name = _("delivery")
        verbose_name_plural = _("deliveries")
        constraints: ClassVar = [
            models.UniqueConstraint(
                fields=["notification", "channel"], name="notification_delivery_once"
            )
        ]
        indexes: ClassVar = [
            models.Index(
                fields=["frequency", "next_attempt_at"],
                name="notification_delivery_due",
                condition=Q(status="pending"),
            )
        ]

    def __str__(self) -> str:
        return f"{self.channel} {self.status}"


class WebhookEndpoint(models.Model):
    """An HTTPS address of an organisation's own system that receives the organisation's
    notifications as signed JSON. The secret signs each body (HMAC-SHA256); it is shown to
    the organisation's admins when the endpoint is made or its secret renewed."""

    organisation = models.ForeignKey(
        "organisations.Organisation",
        on_delete=models.CASCADE,
        related_name="webhook_endpoints",
        verbose_name=_("organisation"),
    )
    url = models.URLField(_("address"), max_length=500)
    description = models.CharField(_("description"), max_length=200, blank=True)
    secret = models.CharField(_("signing secret"), max_length=100)
    is_active = models.BooleanField(_("active"), default=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    class Meta:
        verbose_name = _("webhook")
        verbose_name_plural = _("webhooks")
        constraints: ClassVar = [
            models.UniqueConstraint(fields=["organisation", "url"], name="webhook_once_per_url")
        ]

    def __str__(self) -> str:
        return self.url


class WebhookDelivery(models.Model):
    """One notification for an organisation on one of its webhooks: once per endpoint and
    event, however many of the organisation's members the event told."""

    endpoint = models.ForeignKey(
        WebhookEndpoint, on_delete=models.CASCADE, related_name="deliveries"
    )
    dedupe_key = models.CharField(max_length=200)
    type = models.CharField(_("type"), max_length=60)
    payload = models.JSONField(_("payload"))
    status = models.CharField(
        _("status"), max_length=10, choices=DeliveryStatus.choices, default=DeliveryStatus.PENDING
    )
    attempts = models.PositiveIntegerField(_("attempts"), default=0)
    last_error = models.TextField(_("last error"), blank=True)
    response_status = models.PositiveSmallIntegerField(_("answer (HTTP status)"), null=True)
    next_attempt_at = models.DateTimeField(_("next attempt"), default=timezone.now)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    sent_at = models.DateTimeField(_("sent"), null=True, blank=True)

    class Meta:
        verbose_name = _("webhook delivery")
        verbose_name_plural = _("webhook deliveries")
        constraints: ClassVar = [
            models.UniqueConstraint(fields=["endpoint", "dedupe_key"], name="webhook_delivery_once")
        ]
        indexes: ClassVar = [
            models.Index(
                fields=["next_attempt_at"],
                name="webhook_delivery_due",
                condition=Q(status="pending"),
            )
        ]

    def __str__(self) -> str:
        return f"{self.type} {self.status}"


class Announcement(models.Model):
    """What an organisation tells all its people at once (a municipality: its members and
    the residents who live there), as one notification each."""

    organisation = models.ForeignKey(
        "organisations.Organisation",
        on_delete=models.CASCADE,
        related_name="announcements",
        verbose_name=_("organisation"),
    )
    title = models.CharField(_("title"), max_length=200)
    text = models.TextField(_("text"), max_length=5000)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    told = models.PositiveIntegerField(_("people told"), default=0)

    class Meta:
        verbose_name = _("announcement")
        verbose_name_plural = _("announcements")
        ordering: ClassVar = ["-id"]

    def __str__(self) -> str:
        return self.title


class AddressOptOut(models.Model):
    """An address without an account that asked, through an email's unsubscribe link, to
    receive no more emails of one type."""

    email = models.EmailField(_("email address"))
    type = models.CharField(_("type"), max_length=60)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    class Meta:
        verbose_name = _("unsubscribed address")
        verbose_name_plural = _("unsubscribed addresses")
        constraints: ClassVar = [
            models.UniqueConstraint(fields=["email", "type"], name="address_opt_out_once")
        ]

    def __str__(self) -> str:
        return f"{self.email}: {self.type}"
