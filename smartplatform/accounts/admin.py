from typing import Any, ClassVar

from allauth.usersessions.admin import UserSessionAdmin as BaseUserSessionAdmin
from allauth.usersessions.models import UserSession
from django.contrib import admin, messages
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin
from django.contrib.auth.forms import AdminUserCreationForm, UserChangeForm
from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _

from smartplatform.accounts import suspension
from smartplatform.accounts.models import User
from smartplatform.accounts.selectors import signed_in_user


class UserCreationAdminForm(AdminUserCreationForm):
    class Meta:
        model = User
        fields = ("email",)


class UserChangeAdminForm(UserChangeForm):
    class Meta:
        model = User
        fields = "__all__"


@admin.register(User)
class UserAdmin(BaseUserAdmin):
    add_form = UserCreationAdminForm
    form = UserChangeAdminForm
    ordering = ("email",)
    list_display = (
        "email",
        "display_name",
        "home_municipality",
        "is_staff",
        "is_active",
        "date_joined",
    )
    list_filter = (
        "is_staff",
        "is_superuser",
        "is_active",
        "home_municipality",
        "preferred_language",
    )
    list_select_related = ("home_municipality",)
    search_fields = ("email", "display_name")
    fieldsets = (
        (None, {"fields": ("email", "password")}),
        (
            _("Profile"),
            {
                "fields": (
                    "display_name",
                    "home_municipality",
                    "preferred_language",
                    "phone",
                    "bio",
                    "avatar",
                )
            },
        ),
        (
            _("Permissions"),
            {
                "fields": (
                    "is_active",
                    "is_staff",
                    "is_superuser",
                    "moderated_municipalities",
                    "groups",
                    "user_permissions",
                )
            },
        ),
        (_("Important dates"), {"fields": ("last_login", "date_joined")}),
    )
    add_fieldsets = ((None, {"classes": ("wide",), "fields": ("email", "password1", "password2")}),)
    readonly_fields: ClassVar = ("last_login", "date_joined")
    actions = ("suspend", "lift_suspension", "erase_accounts")
    filter_horizontal = ("moderated_municipalities", "groups", "user_permissions")

    def save_related(self, request: HttpRequest, form: Any, formsets: Any, change: bool) -> None:
        super().save_related(request, form, formsets, change)
        user = form.instance
        if not user.is_staff and user.moderated_municipalities.exists():
            # Only staff moderate: a scope on anyone else would be a promise nobody keeps.
            user.moderated_municipalities.clear()
            self.message_user(
                request,
                _("%(user)s is not staff, so their moderation scope was cleared.") % {"user": user},
                messages.WARNING,
            )

    @admin.action(description=_("Suspend the selected users and hide what they published"))
    def suspend(self, request: HttpRequest, queryset: QuerySet[User]) -> None:
        actor = signed_in_user(request)
        # Nobody suspends themselves by a stray tick in the list.
        for user in queryset.exclude(pk=actor.pk):
            suspension.suspend(user=user, actor=actor)
        self.message_user(request, _("The selected users are suspended."), messages.SUCCESS)

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        # Django's delete would skip every app's erasure and the sole-admin check: accounts
        # go through "erase" below, like a person deleting their own.
        return False

    @admin.action(
        description=_("Erase the selected accounts (as if they deleted them themselves)"),
        permissions=["erase"],
    )
    def erase_accounts(self, request: HttpRequest, queryset: QuerySet[User]) -> None:
        from smartplatform.accounts import personal_data
        from smartplatform.core.errors import DomainError

        actor = signed_in_user(request)
        for user in queryset.exclude(pk=actor.pk).filter(is_active=True):
            try:
                personal_data.delete_account(user=user)
            except DomainError as refusal:
                self.message_user(request, f"{user}: {refusal.get_message()}", messages.ERROR)
        self.message_user(request, _("The selected accounts are erased."), messages.SUCCESS)

    def has_erase_permission(self, request: HttpRequest) -> bool:
        return bool(getattr(request.user, "is_superuser", False))

    @admin.action(description=_("Lift the suspension of the selected users"))
    def lift_suspension(self, request: HttpRequest, queryset: QuerySet[User]) -> None:
        actor = signed_in_user(request)
        for user in queryset:
            suspension.lift_suspension(user=user, actor=actor)
        self.message_user(request, _("The suspension is lifted."), messages.SUCCESS)


# allauth's own admin searches sessions by user__username, a field this user model does not
# have; search them by email address instead.
admin.site.unregister(UserSession)


@admin.register(UserSession)
class UserSessionAdmin(BaseUserSessionAdmin):
    search_fields = ("user__email", "ip", "user_agent")
