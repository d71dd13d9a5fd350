from django.contrib import admin

from smartplatform.assistance.models import Act, Consent, LoginCode


@admin.register(Consent)
class ConsentAdmin(admin.ModelAdmin):
    list_display = ("resident", "organisation", "given_at", "withdrawn_at")
    list_filter = ("organisation",)
    search_fields = ("resident__display_name", "organisation__name")
    list_select_related = ("resident", "organisation")

    # Consents are given and withdrawn by the resident or their coordinator, in the API;
    # here they are evidence to read.
    def has_add_permission(self, request: object) -> bool:
        return False

    def has_change_permission(self, request: object, obj: object = None) -> bool:
        return False


@admin.register(Act)
class ActAdmin(admin.ModelAdmin):
    list_display = ("at", "resident", "coordinator", "organisation", "action")
    list_filter = ("action", "organisation")
    search_fields = ("resident__display_name", "coordinator__display_name", "action")
    list_select_related = ("resident", "coordinator", "organisation")

    # The record of acts on someone's behalf is evidence: read only.
    def has_add_permission(self, request: object) -> bool:
        return False

    def has_change_permission(self, request: object, obj: object = None) -> bool:
        return False


@admin.register(LoginCode)
class LoginCodeAdmin(admin.ModelAdmin):
    list_display = ("resident", "created_by", "created_at", "expires_at", "used_at")
    list_select_related = ("resident", "created_by")
    exclude = ("code_hash",)  # the code is on the resident's paper only

    def has_add_permission(self, request: object) -> bool:
        return False

    def has_change_permission(self, request: object, obj: object = None) -> bool:
        return False
