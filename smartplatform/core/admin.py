from django.contrib import admin, messages
from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _

from smartplatform.core import events
from smartplatform.core.models import Event, EventDelivery, IdempotencyRecord


class ReadOnlyAdmin(admin.ModelAdmin):
    """Operational records: shown to operators, written only by the platform."""

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False


class EventDeliveryInline(admin.TabularInline):
    model = EventDelivery
    extra = 0
    can_delete = False
    fields = ("consumer", "status", "attempts", "due_at", "completed_at", "last_error")
    readonly_fields = fields


@admin.register(Event)
class EventAdmin(ReadOnlyAdmin):
    list_display = ("id", "event_type", "created_at", "relayed_at")
    list_filter = ("event_type",)
    search_fields = ("event_type",)
    date_hierarchy = "created_at"
    inlines = (EventDeliveryInline,)


@admin.register(EventDelivery)
class EventDeliveryAdmin(ReadOnlyAdmin):
    list_display = ("id", "event", "consumer", "status", "attempts", "due_at", "completed_at")
    list_filter = ("status", "consumer")
    list_select_related = ("event",)
    actions = ("retry",)

    def has_retry_permission(self, request: HttpRequest) -> bool:
        # Viewing deliveries is for support staff; sending events again is for operators.
        return request.user.has_perm("core.retry_eventdelivery")

    @admin.action(description=_("Retry the selected failed deliveries"), permissions=["retry"])
    def retry(self, request: HttpRequest, queryset: QuerySet[EventDelivery]) -> None:
        count = events.retry_failed(list(queryset.values_list("id", flat=True)))
        self.message_user(
            request, _("%(count)d deliveries will be retried.") % {"count": count}, messages.SUCCESS
        )


@admin.register(IdempotencyRecord)
class IdempotencyRecordAdmin(ReadOnlyAdmin):
    list_display = ("key", "user", "method", "path", "response_status", "created_at")
    list_select_related = ("user",)
    search_fields = ("key", "path")
