from django.contrib import admin

from smartplatform.assistance.models import Act, Consent, LoginCode
from smartplatform.core.admin import ReadOnlyAdmin

# All three are evidence, written through the API by residents and their coordinators.


@admin.register(Consent)
class ConsentAdmin(ReadOnlyAdmin):
    list_display = ("resident", "organisation", "given_at", "withdrawn_at")
    list_filter = ("organisation",)
    search_fields = ("resident__display_name", "organisation__name")
    list_select_related = ("resident", "organisation")


@admin.register(Act)
class ActAdmin(ReadOnlyAdmin):
    list_display = ("at", "resident", "coordinator", "organisation", "action")
    list_filter = ("action", "organisation")
    search_fields = ("resident__display_name", "coordinator__display_name", "action")
    list_select_related = ("resident", "coordinator", "organisation")


@admin.register(LoginCode)
class LoginCodeAdmin(ReadOnlyAdmin):
    list_display = ("resident", "created_by", "created_at", "expires_at", "used_at")
    list_select_related = ("resident", "created_by")
    exclude = ("code_hash",)  # the code is on the resident's paper only
