"""Rows of the shared machinery: the event outbox and the Idempotency-Key records."""

from typing import ClassVar

from django.conf import settings
from django.core.serializers.json import DjangoJSONEncoder
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class Event(models.Model):
    """A domain event, written in the same transaction as the change it reports.

    The relay hands each event to every consumer registered for its type; ``relayed_at`` is
    set once a delivery row exists for each of them.
    """

    event_type = models.CharField(_("event type"), max_length=100, db_index=True)
    payload = models.JSONField(_("payload"), default=dict, encoder=DjangoJSONEncoder)
    created_at = models.DateTimeField(_("created"), default=timezone.now)
    relayed_at = models.DateTimeField(_("relayed"), null=True, blank=True)

    class Meta:
        verbose_name = _("event")
        verbose_name_plural = _("events")
        ordering: ClassVar = ["id"]
        indexes: ClassVar = [
            models.Index(
                fields=["id"],
                condition=models.Q(relayed_at__isnull=True),
                name="core_event_unrelayed_idx",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.event_type} #{self.pk}"


class EventDelivery(models.Model):
    """One event on its way to one consumer: the state guard that makes delivery idempotent.

    ``pending`` until the consumer has run to completion (``done``) inside a transaction that
    also marks this row; a second delivery of the same message finds ``done`` and does nothing.
    After ``EVENT_DELIVERY_MAX_ATTEMPTS`` failures the row is ``failed`` and waits for an
    operator (admin action "retry").
    """

    class Status(models.TextChoices):
        PENDING = "pending", _("pending")
        DONE = "done", _("done")
        FAILED = "failed", _("failed")

    event = models.ForeignKey(Event, on_delete=models.CASCADE, related_name="deliveries")
    consumer = models.CharField(_("consumer"), max_length=150)
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.PENDING
    )
    attempts = models.PositiveIntegerField(_("attempts"), default=0)
    last_error = models.TextField(_("last error"), blank=True)
    # When the relay should hand this delivery to a worker (again).
    due_at = models.DateTimeField(_("due"), default=timezone.now)
    created_at = models.DateTimeField(_("created"), default=timezone.now)
    completed_at = models.DateTimeField(_("completed"), null=True, blank=True)

    class Meta:
        verbose_name = _("event delivery")
        verbose_name_plural = _("event deliveries")
        permissions: ClassVar = [
            ("retry_eventdelivery", _("Can retry failed event deliveries")),
        ]
        constraints: ClassVar = [
            models.UniqueConstraint(fields=["event", "consumer"], name="core_delivery_unique"),
        ]
        indexes: ClassVar = [
            models.Index(
                fields=["due_at"],
                condition=models.Q(status="pending"),
                name="core_delivery_pending_idx",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.event} → {self.consumer}"


class IdempotencyRecord(models.Model):
    """The first request made with an Idempotency-Key, and its response once it has one.

    Keys are scoped to user + method + path. While ``response_status`` is null the first
    request is in flight and holds the key until ``lease_expires_at``.
    """

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="idempotency_records"
    )
    method = models.CharField(max_length=10)
    # The path can be as long as a URL; the unique constraint uses its hash.
    path = models.TextField()
    path_hash = models.CharField(max_length=64)
    key = models.CharField(max_length=255)
    request_hash = models.CharField(max_length=64)
    lease_token = models.CharField(max_length=32)
    lease_expires_at = models.DateTimeField()
    response_status = models.PositiveSmallIntegerField(null=True, blank=True)
    response_body = models.JSONField(null=True, blank=True)
    response_headers = models.JSONField(default=dict, blank=True)
    created_at = models.DateTimeField(default=timezone.now, db_index=True)

    class Meta:
        verbose_name = _("idempotency record")
        verbose_name_plural = _("idempotency records")
        constraints: ClassVar = [
            models.UniqueConstraint(
                fields=["user", "method", "path_hash", "key"], name="core_idempotency_unique"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.method} {self.path} [{self.key}]"
