"""Exchanges in the admin: every exchange for staff to look up (read only), and the queues the
moderators of a municipality work: disputes to settle, reported messages and reviews."""

from typing import Any

from django import forms
from django.contrib import admin, messages
from django.db.models import QuerySet
from django.http import HttpRequest
from django.template.response import TemplateResponse
from django.utils.translation import gettext_lazy as _

from exchange import exchanges, moderation
from exchange.admin_queues import ModeratorQueueAdmin, action_form_page
from exchange.models import (
    DisputeQueueItem,
    Exchange,
    Message,
    ReportedMessage,
    ReportedReview,
)
from smartplatform.core.errors import DomainError


class MessageInline(admin.TabularInline):
    """The exchange's conversation, oldest first, as the parties wrote it."""

    model = Message
    fields = ("created_at", "sender", "body", "read_at", "hidden_at")
    readonly_fields = fields
    ordering = ("created_at", "pk")
    extra = 0
    can_delete = False

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


EXCHANGE_FIELDS = (
    "listing",
    "responder",
    "responder_organisation",
    "state",
    "hours",
    "hold",
    "reason",
    "ended_by",
    "owner_confirmed_at",
    "responder_confirmed_at",
    "created_at",
    "accepted_at",
    "state_changed_at",
    "completed_at",
)


def _staff(request: HttpRequest) -> bool:
    return bool(request.user.is_active and request.user.is_staff)


@admin.register(Exchange)
class ExchangeAdmin(admin.ModelAdmin):
    list_display = ("__str__", "responder", "state", "hours", "created_at")
    list_filter = ("state",)
    search_fields = ("listing__title", "responder__email", "responder__display_name")
    list_select_related = ("listing", "responder")
    fields = EXCHANGE_FIELDS
    readonly_fields = EXCHANGE_FIELDS
    inlines = (MessageInline,)

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


class SettlementForm(forms.Form):
    reason = forms.CharField(
        label=_("Reason"),
        widget=forms.Textarea(attrs={"rows": 4, "cols": 60}),
        max_length=2000,
        help_text=_("Both parties are told this."),
    )


@admin.register(DisputeQueueItem)
class DisputeQueueAdmin(ModeratorQueueAdmin):
    """Disputed exchanges, oldest first, in the moderator's municipalities: read the
    conversation, then complete the exchange (the held hours are paid) or cancel it (they go
    back), with a reason both parties are told."""

    list_display = ("__str__", "responder", "hours", "reason", "state_changed_at")
    list_select_related = ("listing", "responder")
    fields = EXCHANGE_FIELDS
    readonly_fields = EXCHANGE_FIELDS
    inlines = (MessageInline,)
    actions = ("complete", "cancel")

    def get_queryset(self, request: HttpRequest) -> QuerySet[Any]:
        user: Any = request.user
        disputed = (
            super()
            .get_queryset(request)
            .filter(state=Exchange.State.DISPUTED)
            .order_by("state_changed_at", "pk")
        )
        if user.is_superuser:
            return disputed
        return disputed.filter(listing__municipality__in=user.moderated_municipalities.all())

    def _settle(
        self,
        request: HttpRequest,
        queryset: QuerySet[Any],
        *,
        complete: bool,
        action: str,
        title: Any,
    ) -> TemplateResponse | None:
        form = SettlementForm(request.POST if "apply" in request.POST else None)
        if not form.is_valid():
            return action_form_page(self, request, title, form, queryset=queryset, action=action)
        for exchange in queryset:
            try:
                exchanges.settle_dispute(
                    moderator=request.user,  # type: ignore[arg-type]
                    exchange=exchange,
                    complete=complete,
                    reason=form.cleaned_data["reason"],
                )
            except DomainError as exc:
                self.message_user(request, f"{exchange}: {exc.get_message()}", messages.WARNING)
            else:
                self.message_user(request, _("%s settled.") % exchange, messages.SUCCESS)
        return None

    @admin.action(description=_("Complete (the held hours are paid)"))
    def complete(self, request: HttpRequest, queryset: QuerySet[Any]) -> TemplateResponse | None:
        return self._settle(
            request, queryset, complete=True, action="complete", title=_("Complete exchanges")
        )

    @admin.action(description=_("Cancel (the held hours go back)"))
    def cancel(self, request: HttpRequest, queryset: QuerySet[Any]) -> TemplateResponse | None:
        return self._settle(
            request, queryset, complete=False, action="cancel", title=_("Cancel exchanges")
        )


class ReportedItemAdmin(ModeratorQueueAdmin):
    """A queue of reported messages or reviews, oldest report first, in the moderator's
    municipalities: take it down, dismiss the reports, or suspend its writer, with a
    reason."""

    kind: str = ""
    actions = ("remove", "dismiss_reports", "suspend_writer")

    def get_queryset(self, request: HttpRequest) -> QuerySet[Any]:
        return (
            super()
            .get_queryset(request)
            .filter(moderation.reported_condition(request.user, self.kind))
            .select_related("exchange__listing")
            .order_by("created_at", "pk")
        )

    @admin.display(description=_("open reports"))
    def open_reports(self, item: Any) -> int:
        return int(moderation.open_reports(item).count())

    def _decide(
        self,
        request: HttpRequest,
        queryset: QuerySet[Any],
        *,
        action: str,
        title: Any,
        decide: Any,
        reason_needed: bool = True,
    ) -> TemplateResponse | None:
        form = SettlementForm(request.POST if "apply" in request.POST else None)
        if reason_needed and not form.is_valid():
            return action_form_page(self, request, title, form, queryset=queryset, action=action)
        reason = form.cleaned_data.get("reason", "") if form.is_bound and form.is_valid() else ""
        for item in queryset:
            try:
                decide(moderator=request.user, kind=self.kind, item=item, reason=reason)
            except DomainError as exc:
                self.message_user(request, f"{item}: {exc.get_message()}", messages.WARNING)
            else:
                self.message_user(request, _("%s decided.") % item, messages.SUCCESS)
        return None

    @admin.action(description=_("Take down, with a reason for the writer"))
    def remove(self, request: HttpRequest, queryset: QuerySet[Any]) -> TemplateResponse | None:
        return self._decide(
            request, queryset, action="remove", title=_("Take down"), decide=moderation.remove_item
        )

    @admin.action(description=_("Dismiss the reports"))
    def dismiss_reports(
        self, request: HttpRequest, queryset: QuerySet[Any]
    ) -> TemplateResponse | None:
        return self._decide(
            request,
            queryset,
            action="dismiss_reports",
            title=_("Dismiss the reports"),
            decide=moderation.dismiss_item_reports,
            reason_needed=False,
        )

    @admin.action(description=_("Suspend the writer (hides all they published)"))
    def suspend_writer(
        self, request: HttpRequest, queryset: QuerySet[Any]
    ) -> TemplateResponse | None:
        return self._decide(
            request,
            queryset,
            action="suspend_writer",
            title=_("Suspend the writer"),
            decide=moderation.suspend_writer,
        )


@admin.register(ReportedMessage)
class ReportedMessageAdmin(ReportedItemAdmin):
    kind = "message"
    list_display = ("body", "sender", "exchange", "open_reports", "created_at")
    list_select_related = ("sender",)
    fields = ("exchange", "sender", "body", "created_at", "read_at", "hidden_at")
    readonly_fields = fields


@admin.register(ReportedReview)
class ReportedReviewAdmin(ReportedItemAdmin):
    kind = "review"
    list_display = ("__str__", "text", "author", "subject", "open_reports", "created_at")
    list_select_related = ("author", "subject")
    fields = ("exchange", "author", "subject", "rating", "text", "created_at", "hidden_at")
    readonly_fields = fields
