"""Bookable resources and bookings in the admin: resources with their opening hours,
equipment and blackouts; bookings to look up (read only: moves go through the API, where
the rules are)."""

from typing import Any

from django.contrib import admin
from django.http import HttpRequest

from exchange.models import (
    Blackout,
    Booking,
    OpeningHours,
    Resource,
    ResourceEquipment,
    SeatBooking,
    Trip,
)


class OpeningHoursInline(admin.TabularInline):
    model = OpeningHours
    extra = 0


class EquipmentInline(admin.TabularInline):
    model = ResourceEquipment
    extra = 0


class BlackoutInline(admin.TabularInline):
    model = Blackout
    extra = 0


@admin.register(Resource)
class ResourceAdmin(admin.ModelAdmin):
    list_display = ("__str__", "instant_booking", "capacity", "seats", "fuel", "updated_at")
    list_filter = ("listing__category", "instant_booking", "fuel", "step_free")
    search_fields = ("listing__title",)
    list_select_related = ("listing",)
    raw_id_fields = ("listing",)
    inlines = (OpeningHoursInline, EquipmentInline, BlackoutInline)


BOOKING_FIELDS = (
    "resource",
    "booker",
    "starts_at",
    "ends_at",
    "blocked_until",
    "state",
    "series",
    "hours",
    "hold",
    "note",
    "reason",
    "ended_by",
    "driver_confirmed_at",
    "reminded_at",
    "created_at",
    "updated_at",
)


@admin.register(Booking)
class BookingAdmin(admin.ModelAdmin):
    list_display = ("__str__", "booker", "state", "starts_at", "ends_at")
    list_filter = ("state",)
    search_fields = ("resource__listing__title", "booker__email", "booker__display_name")
    list_select_related = ("resource__listing", "booker")
    date_hierarchy = "starts_at"
    fields = BOOKING_FIELDS
    readonly_fields = BOOKING_FIELDS

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


class SeatBookingInline(admin.TabularInline):
    model = SeatBooking
    fields = ("passenger", "departure", "seats", "state", "created_at")
    readonly_fields = fields
    extra = 0
    can_delete = False

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(Trip)
class TripAdmin(admin.ModelAdmin):
    list_display = ("__str__", "from_municipality", "to_municipality", "departs_at", "weekly")
    list_filter = ("weekly", "from_municipality", "to_municipality")
    search_fields = ("listing__title",)
    list_select_related = ("listing", "from_municipality", "to_municipality")
    raw_id_fields = ("listing",)
    inlines = (SeatBookingInline,)
