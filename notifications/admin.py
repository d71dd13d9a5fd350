"""Notifications in the admin: what was told to whom, and what became of each email."""

from typing import Any

from django.contrib import admin
from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from notifications.models import (
    AddressOptOut,
    Announcement,
    Delivery,
    DeliveryStatus,
    Digest,
    Frequency,
    Notification,
    WebhookDelivery,
    WebhookEndpoint,
)
from notifications.services import queue_emails

FIELDS = (
    "recipient",
    "email",
    "type",
    "language",
    "title",
    "body",
    "subject_type",
    "subject_id",
    "link",
    "data",
    "created_at",
    "read_at",
)


@admin.register(Notification)
class NotificationAdmin(admin.ModelAdmin):
    list_display = ("title", "recipient", "type", "created_at", "read_at")
    list_filter = ("type", "language")
    search_fields = ("title", "recipient__email", "email")
    list_select_related = ("recipient",)
    fields = FIELDS
    readonly_fields = FIELDS

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


DELIVERY_FIELDS = (
    "notification",
    "channel",
    "frequency",
    "status",
    "attempts",
    "last_error",
    "next_attempt_at",
    "digest",
    "message_id",
    "created_at",
    "sent_at",
)


@admin.register(Delivery)
class DeliveryAdmin(admin.ModelAdmin):
    """What became of each email: sent, waiting (with its next try) or failed with the
    mail server's last answer. Failed ones can be tried again once the cause is fixed."""

    list_display = ("notification", "channel", "frequency", "status", "attempts", "sent_at")
    list_filter = ("status", "channel", "frequency")
    search_fields = ("notification__recipient__email", "message_id")
    list_select_related = ("notification",)
    fields = DELIVERY_FIELDS
    readonly_fields = DELIVERY_FIELDS
    actions = ("try_again",)

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    @admin.action(description=_("Try the failed ones again"), permissions=["change"])
    def try_again(self, request: HttpRequest, queryset: QuerySet[Delivery]) -> None:
        ids = list(
            queryset.filter(status=DeliveryStatus.FAILED, frequency=Frequency.IMMEDIATELY)
            .order_by("pk")
            .values_list("pk", flat=True)
        )
        Delivery.objects.filter(pk__in=ids).update(
            status=DeliveryStatus.PENDING, attempts=0, next_attempt_at=timezone.now()
        )
        queue_emails(ids)
        self.message_user(
            request,
            ngettext("%(count)d email queued again.", "%(count)d emails queued again.", len(ids))
            % {"count": len(ids)},
        )


DIGEST_FIELDS = (
    "user",
    "frequency",
    "period",
    "status",
    "attempts",
    "last_error",
    "next_attempt_at",
    "message_id",
    "created_at",
    "sent_at",
)


@admin.register(Digest)
class DigestAdmin(admin.ModelAdmin):
    list_display = ("user", "frequency", "period", "status", "attempts", "sent_at")
    list_filter = ("status", "frequency", "period")
    search_fields = ("user__email",)
    list_select_related = ("user",)
    fields = DIGEST_FIELDS
    readonly_fields = DIGEST_FIELDS

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(WebhookEndpoint)
class WebhookEndpointAdmin(admin.ModelAdmin):
    """Organisations' webhooks. Their admins manage them through the API; here operators see
    them and can switch one off. The secret is never shown."""

    list_display = ("url", "organisation", "is_active", "created_at")
    list_filter = ("is_active",)
    search_fields = ("url", "organisation__name")
    list_select_related = ("organisation",)
    fields = ("organisation", "url", "description", "is_active", "created_by", "created_at")
    readonly_fields = ("organisation", "url", "description", "created_by", "created_at")

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False


WEBHOOK_DELIVERY_FIELDS = (
    "endpoint",
    "type",
    "payload",
    "status",
    "attempts",
    "response_status",
    "last_error",
    "next_attempt_at",
    "created_at",
    "sent_at",
)


@admin.register(WebhookDelivery)
class WebhookDeliveryAdmin(admin.ModelAdmin):
    list_display = ("type", "endpoint", "status", "attempts", "response_status", "sent_at")
    list_filter = ("status", "type")
    search_fields = ("endpoint__url",)
    list_select_related = ("endpoint",)
    fields = WEBHOOK_DELIVERY_FIELDS
    readonly_fields = WEBHOOK_DELIVERY_FIELDS

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(Announcement)
class AnnouncementAdmin(admin.ModelAdmin):
    """What organisations announced, and to how many people (read only)."""

    list_display = ("title", "organisation", "told", "created_at")
    search_fields = ("title", "organisation__name")
    list_select_related = ("organisation",)
    fields = ("organisation", "title", "text", "created_by", "created_at", "told")
    readonly_fields = fields

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(AddressOptOut)
class AddressOptOutAdmin(admin.ModelAdmin):
    """Addresses without an account that unsubscribed from a type of email. Deleting a row
    lets that type reach the address again (when its owner asks for it)."""

    list_display = ("email", "type", "created_at")
    list_filter = ("type",)
    search_fields = ("email",)
    fields = ("email", "type", "created_at")
    readonly_fields = fields

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False
