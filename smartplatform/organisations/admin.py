from typing import Any

from django.contrib import admin
from django.db import models
from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _

from smartplatform.accounts.selectors import signed_in_user
from smartplatform.organisations.models import (
    Invitation,
    JoinRequest,
    Membership,
    Municipality,
    Organisation,
)
from smartplatform.organisations.services import organisation_renamed, update_organisation


@admin.register(Municipality)
class MunicipalityAdmin(admin.ModelAdmin):
    list_display = ("code", "name", "population", "organisation_number")
    search_fields = ("code", "name")
    ordering = ("name",)

    # Reference data: written by migrations, read here.
    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Municipality | None = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Municipality | None = None) -> bool:
        return False


class MembershipInline(admin.TabularInline):
    model = Membership
    extra = 0
    autocomplete_fields = ("user",)
    fields = ("user", "role", "created_at")
    readonly_fields = ("created_at",)


@admin.register(Organisation)
class OrganisationAdmin(admin.ModelAdmin):
    list_display = ("name", "kind", "municipality", "is_verified", "created_at")
    list_filter = ("kind", "is_verified", "municipality")
    search_fields = ("name", "slug", "contact_email")
    prepopulated_fields = {"slug": ("name",)}
    list_select_related = ("municipality",)
    inlines = (MembershipInline,)
    actions = ("mark_verified",)
    # A web address typed without a scheme is taken as https (Django 6's default).
    formfield_overrides = {models.URLField: {"assume_scheme": "https"}}

    def save_model(self, request: HttpRequest, obj: Organisation, form: Any, change: bool) -> None:
        super().save_model(request, obj, form, change)
        if change and "name" in form.changed_data:
            organisation_renamed(obj)

    @admin.action(description=_("Mark the selected organisations as verified"))
    def mark_verified(self, request: HttpRequest, queryset: QuerySet[Organisation]) -> None:
        actor = signed_in_user(request)
        count = 0
        for organisation in queryset.filter(is_verified=False):
            # Through the service, so the "verified" event is published as from the API.
            update_organisation(organisation=organisation, actor=actor, is_verified=True)
            count += 1
        self.message_user(request, _("%(count)d organisations verified.") % {"count": count})


@admin.register(Membership)
class MembershipAdmin(admin.ModelAdmin):
    list_display = ("organisation", "user", "role", "created_at")
    list_filter = ("role", "organisation__kind")
    search_fields = ("organisation__name", "user__email", "user__display_name")
    autocomplete_fields = ("organisation", "user")
    list_select_related = ("organisation", "user")


@admin.register(JoinRequest)
class JoinRequestAdmin(admin.ModelAdmin):
    list_display = ("organisation", "user", "status", "created_at", "decided_at")
    list_filter = ("status",)
    search_fields = ("organisation__name", "user__email", "user__display_name")
    autocomplete_fields = ("organisation", "user", "decided_by")
    list_select_related = ("organisation", "user")


@admin.register(Invitation)
class InvitationAdmin(admin.ModelAdmin):
    list_display = ("organisation", "email", "role", "status", "created_at", "expires_at")
    list_filter = ("status", "role")
    search_fields = ("organisation__name", "email")
    list_select_related = ("organisation",)
    # The code is only in the invitee's email; its hash is of no use to anyone here.
    exclude = ("code_hash",)
    readonly_fields = ("invited_by", "created_at", "answered_at")
