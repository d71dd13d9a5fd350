"""What the moderators' queues in the admin share: who may open them (staff with a
moderation scope, and superusers), and the page an action shows to ask for its form."""

from typing import Any

from django import forms
from django.contrib import admin
from django.http import HttpRequest
from django.template.response import TemplateResponse


def is_moderator(request: HttpRequest) -> bool:
    user: Any = request.user
    return bool(
        user.is_active
        and user.is_staff
        and (user.is_superuser or user.moderated_municipalities.exists())
    )


class ModeratorQueueAdmin(admin.ModelAdmin):
    """A queue moderators work through actions: they see and decide, nobody adds or
    deletes here."""

    def has_view_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return is_moderator(request)

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return is_moderator(request)

    def has_module_permission(self, request: HttpRequest) -> bool:
        return is_moderator(request)

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


def action_form_page(
    model_admin: admin.ModelAdmin, request: HttpRequest, title: Any, form: forms.Form, **extra: Any
) -> TemplateResponse:
    """The page an action shows to ask for its form (a reason, a note); ``queryset`` and
    ``action`` in ``extra`` carry a bulk action's selection through the post."""
    return TemplateResponse(
        request,
        "admin/exchange/action_form.html",
        {
            **model_admin.admin_site.each_context(request),
            "opts": model_admin.model._meta,
            "title": title,
            "form": form,
            **extra,
        },
    )
