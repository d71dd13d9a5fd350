from typing import Any

from django import forms
from django.contrib import admin, messages
from django.contrib.contenttypes.admin import GenericTabularInline
from django.db.models import Count, OuterRef, QuerySet, Subquery
from django.db.models.functions import Coalesce
from django.http import HttpRequest
from django.template.response import TemplateResponse
from django.utils.translation import gettext_lazy as _

from exchange import moderation
from exchange.admin_queues import ModeratorQueueAdmin
from exchange.models import (
    Block,
    BlockedWord,
    Listing,
    ListingImage,
    ListingTag,
    ModerationDecision,
    ModerationQueueItem,
    Report,
)
from smartplatform.core.errors import DomainError


class ImageInline(admin.TabularInline):
    model = ListingImage
    extra = 0
    fields = ("image", "position")


@admin.register(Listing)
class ListingAdmin(admin.ModelAdmin):
    list_display = ("title", "kind", "category", "municipality", "owner", "state", "published_at")
    list_filter = ("state", "kind", "category", "municipality", "compensation")
    search_fields = ("title", "description", "owner__email", "owner__display_name")
    list_select_related = ("municipality", "owner")
    raw_id_fields = ("owner", "organisation")
    filter_horizontal = ("tags",)
    readonly_fields = ("created_at", "updated_at", "published_at", "state_changed_at")
    inlines = (ImageInline,)

    def get_inlines(self, request: HttpRequest, obj: Any) -> Any:
        return (ImageInline, ReportInline, DecisionInline)


class DecisionInline(GenericTabularInline):
    """Every decision about the item: who, when, what, why."""

    model = ModerationDecision
    extra = 0
    can_delete = False
    fields = ("created_at", "action", "moderator", "reason")
    readonly_fields = fields
    verbose_name_plural = _("moderation decisions")

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


class ReportInline(GenericTabularInline):
    model = Report
    extra = 0
    can_delete = False
    fields = ("created_at", "reason", "comment", "status", "reporter")
    readonly_fields = fields

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


class ReasonForm(forms.Form):
    reason = forms.CharField(
        label=_("Reason"),
        widget=forms.Textarea(attrs={"rows": 4, "cols": 60}),
        max_length=2000,
        help_text=_("The owner is told this."),
    )


@admin.register(ModerationQueueItem)
class ModerationQueueAdmin(ModeratorQueueAdmin):
    """One queue of what waits for a moderator, oldest first, limited to the moderator's
    municipalities. Decisions in bulk through the actions; the owner is told each one."""

    list_display = ("title", "state", "municipality", "owner", "open_reports", "waiting_since")
    list_filter = ("state", "municipality", "category")
    search_fields = ("title", "description", "owner__email", "owner__display_name")
    list_select_related = ("municipality", "owner")
    actions = ("approve", "reject", "remove", "dismiss_reports", "suspend_owner")
    fields = (
        "title",
        "description",
        "kind",
        "category",
        "municipality",
        "owner",
        "organisation",
        "state",
        "availability",
        "accessibility",
        "created_at",
    )
    readonly_fields = fields
    inlines = (ReportInline, DecisionInline)

    def get_queryset(self, request: HttpRequest) -> QuerySet[Any]:
        reports = (
            Report.objects.filter(
                object_id=OuterRef("pk"),
                content_type__app_label="exchange",
                content_type__model="listing",
                status=Report.Status.OPEN,
            )
            .order_by()
            .values("object_id")
            .annotate(n=Count("pk"))
            .values("n")
        )
        return (
            super()
            .get_queryset(request)
            .filter(moderation.queue_condition(request.user))
            .annotate(report_count=Coalesce(Subquery(reports), 0))
            .order_by("state_changed_at", "created_at")
        )

    @admin.display(description=_("open reports"))
    def open_reports(self, item: Any) -> int:
        return int(item.report_count)

    @admin.display(description=_("waiting since"), ordering="state_changed_at")
    def waiting_since(self, item: Any) -> Any:
        return item.state_changed_at or item.created_at

    def _each(self, request: HttpRequest, queryset: QuerySet[Any], decide: Any) -> None:
        done, failed = 0, []
        for item in queryset:
            try:
                decide(item)
            except DomainError as exc:
                failed.append(f"{item.title}: {exc.get_message()}")
            else:
                done += 1
        if done:
            self.message_user(request, _("%(count)d decided.") % {"count": done}, messages.SUCCESS)
        for failure in failed:
            self.message_user(request, failure, messages.WARNING)

    def _with_reason(
        self, request: HttpRequest, queryset: QuerySet[Any], action: str, title: Any, decide: Any
    ) -> TemplateResponse | None:
        form = ReasonForm(request.POST if "apply" in request.POST else None)
        if form.is_valid():
            reason = form.cleaned_data["reason"]
            self._each(request, queryset, lambda item: decide(item, reason))
            return None
        return TemplateResponse(
            request,
            "admin/exchange/decision_reason.html",
            {
                **self.admin_site.each_context(request),
                "opts": self.model._meta,
                "title": title,
                "queryset": queryset,
                "form": form,
                "action": action,
            },
        )

    @admin.action(description=_("Approve (publish)"))
    def approve(self, request: HttpRequest, queryset: QuerySet[Any]) -> None:
        self._each(
            request,
            queryset,
            lambda item: moderation.approve(moderator=request.user, listing=item),
        )

    @admin.action(description=_("Reject, with a reason for the owner"))
    def reject(self, request: HttpRequest, queryset: QuerySet[Any]) -> TemplateResponse | None:
        return self._with_reason(
            request,
            queryset,
            "reject",
            _("Reject"),
            lambda item, reason: moderation.reject(
                moderator=request.user, listing=item, reason=reason
            ),
        )

    @admin.action(description=_("Remove, with a reason for the owner"))
    def remove(self, request: HttpRequest, queryset: QuerySet[Any]) -> TemplateResponse | None:
        return self._with_reason(
            request,
            queryset,
            "remove",
            _("Remove"),
            lambda item, reason: moderation.remove(
                moderator=request.user, listing=item, reason=reason
            ),
        )

    @admin.action(description=_("Dismiss the reports"))
    def dismiss_reports(self, request: HttpRequest, queryset: QuerySet[Any]) -> None:
        self._each(
            request,
            queryset,
            lambda item: moderation.dismiss_reports(moderator=request.user, listing=item),
        )

    @admin.action(description=_("Suspend the owner (hides all they published)"))
    def suspend_owner(
        self, request: HttpRequest, queryset: QuerySet[Any]
    ) -> TemplateResponse | None:
        return self._with_reason(
            request,
            queryset,
            "suspend_owner",
            _("Suspend the owner"),
            lambda item, reason: moderation.suspend_owner(
                moderator=request.user, listing=item, reason=reason
            ),
        )


@admin.register(Report)
class ReportAdmin(admin.ModelAdmin):
    list_display = ("__str__", "reason", "status", "reporter", "created_at")
    list_filter = ("status", "reason")
    raw_id_fields = ("reporter",)
    readonly_fields = ("content_type", "object_id", "reporter", "created_at", "decided_at")


@admin.register(ModerationDecision)
class ModerationDecisionAdmin(admin.ModelAdmin):
    list_display = ("__str__", "moderator", "created_at")
    list_filter = ("action",)
    readonly_fields = ("content_type", "object_id", "action", "reason", "moderator", "created_at")

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False


@admin.register(Block)
class BlockAdmin(admin.ModelAdmin):
    list_display = ("blocker", "blocked", "created_at")
    raw_id_fields = ("blocker", "blocked")


@admin.register(BlockedWord)
class BlockedWordAdmin(admin.ModelAdmin):
    """Words and phrases that send a listing to review (compared without case and å/ä/ö)."""

    list_display = ("word", "created_at")
    search_fields = ("word",)


@admin.register(ListingTag)
class ListingTagAdmin(admin.ModelAdmin):
    search_fields = ("name",)


# The exchanges' and the time bank's admin live in their own modules.
from exchange import booking_admin, exchange_admin, timebank_admin  # noqa: E402, F401
