from django.contrib import admin
from django.http import HttpRequest

from smartplatform.organisations.models import Municipality


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
