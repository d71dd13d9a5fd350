"""Notifications in the admin: what was told to whom, to look up (read only)."""

from typing import Any

from django.contrib import admin
from django.http import HttpRequest

from notifications.models import Notification

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
