"""The time bank in the admin: balances, the ledger (read only: it is never edited), staff
adjustments and reversals, each with a note the account holder sees."""

import csv
from decimal import Decimal
from typing import Any

from django import forms
from django.contrib import admin, messages
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import get_object_or_404
from django.template.response import TemplateResponse
from django.urls import URLPattern, path, reverse
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _

from exchange import timebank
from exchange.admin_queues import action_form_page
from exchange.models import Entry, Hold, TimeAccount, Transfer
from smartplatform.core.errors import DomainError


class ReadOnlyAdmin(admin.ModelAdmin):
    """The ledger is append-only: nothing is added, changed or deleted by hand here."""

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


class AdjustmentForm(forms.Form):
    hours = forms.DecimalField(
        label=_("Hours"),
        max_digits=9,
        decimal_places=2,
        help_text=_("Positive adds hours to the account, negative takes hours from it."),
    )
    note = forms.CharField(
        label=_("Why"),
        widget=forms.Textarea(attrs={"rows": 3, "cols": 60}),
        max_length=500,
        help_text=_("The account holder sees this."),
    )

    def clean_hours(self) -> Decimal:
        hours: Decimal = self.cleaned_data["hours"]
        if hours == 0:
            raise forms.ValidationError(_("Give a number of hours other than 0."))
        return hours


class NoteForm(forms.Form):
    note = forms.CharField(
        label=_("Why"),
        widget=forms.Textarea(attrs={"rows": 3, "cols": 60}),
        max_length=500,
        help_text=_("The account holders see this."),
    )


@admin.register(TimeAccount)
class TimeAccountAdmin(ReadOnlyAdmin):
    list_display = ("__str__", "kind", "balance", "held", "available_hours", "created_at")
    list_filter = ("kind",)
    search_fields = ("user__email", "user__display_name", "organisation__name")
    list_select_related = ("user", "organisation")
    fields = ("kind", "user", "organisation", "balance", "held", "created_at", "statement")
    readonly_fields = fields

    @admin.display(description=_("available"))
    def available_hours(self, account: TimeAccount) -> Decimal:
        return account.available

    @admin.display(description=_("statement"))
    def statement(self, account: TimeAccount) -> str:
        entries = reverse("admin:exchange_entry_changelist") + f"?account__id__exact={account.pk}"
        adjust = reverse("admin:exchange_timeaccount_adjust", args=[account.pk])
        return format_html(
            '<a href="{}">{}</a> · <a href="{}">{}</a>',
            entries,
            _("Ledger entries"),
            adjust,
            _("Adjust the balance"),
        )

    def has_view_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return bool(request.user.is_active and request.user.is_staff)

    def get_urls(self) -> list[URLPattern]:
        return [
            path(
                "<int:account_id>/adjust/",
                self.admin_site.admin_view(self.adjust_view),
                name="exchange_timeaccount_adjust",
            ),
            *super().get_urls(),
        ]

    def adjust_view(self, request: HttpRequest, account_id: int) -> HttpResponse:
        """A staff adjustment against the system account (superusers only: it creates
        hours)."""
        if not request.user.is_superuser:
            return HttpResponse(status=403)
        account = get_object_or_404(TimeAccount, pk=account_id)
        form = AdjustmentForm(request.POST or None)
        if form.is_valid():
            try:
                timebank.adjust(
                    staff=request.user,
                    account=account,
                    hours=form.cleaned_data["hours"],
                    note=form.cleaned_data["note"],
                )
            except DomainError as exc:
                form.add_error(None, exc.get_message())
            else:
                self.message_user(request, _("The balance was adjusted."), messages.SUCCESS)
                return HttpResponseRedirect(
                    reverse("admin:exchange_timeaccount_change", args=[account.pk])
                )
        return action_form_page(self, request, _("Adjust the balance of %s") % account, form)


@admin.register(Entry)
class EntryAdmin(ReadOnlyAdmin):
    list_display = ("created_at", "account", "hours", "transfer")
    list_filter = ("transfer__kind",)
    list_select_related = ("account__user", "account__organisation", "transfer")
    search_fields = ("account__user__email", "account__organisation__name", "transfer__note")

    def has_view_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return bool(request.user.is_active and request.user.is_staff)


class EntryInline(admin.TabularInline):
    model = Entry
    fields = ("account", "hours")
    readonly_fields = fields
    extra = 0
    can_delete = False

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(Transfer)
class TransferAdmin(ReadOnlyAdmin):
    list_display = ("__str__", "kind", "note", "created_by", "created_at")
    list_filter = ("kind",)
    search_fields = ("note",)
    list_select_related = ("created_by",)
    fields = ("kind", "note", "created_by", "reverses", "created_at")
    readonly_fields = fields
    inlines = (EntryInline,)
    actions = ("reverse_transfers",)

    def has_view_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return bool(request.user.is_active and request.user.is_staff)

    def get_urls(self) -> list[URLPattern]:
        return [
            path(
                "hours-per-municipality.csv",
                self.admin_site.admin_view(self.hours_export_view),
                name="exchange_transfer_hours_export",
            ),
            *super().get_urls(),
        ]

    def hours_export_view(self, request: HttpRequest) -> HttpResponse:
        """Hours exchanged per municipality and month, as CSV (UTF-8 with a byte-order
        mark, so spreadsheet programs read å, ä and ö right)."""
        if not self.has_view_permission(request):
            return HttpResponse(status=403)
        response = HttpResponse(content_type="text/csv; charset=utf-8")
        response["Content-Disposition"] = 'attachment; filename="timmar-per-kommun.csv"'
        response.write("\ufeff")
        columns = ["month", "municipality", "name", "exchanges", "hours"]
        writer = csv.DictWriter(response, fieldnames=columns, extrasaction="ignore")
        writer.writeheader()
        writer.writerows(timebank.hours_exchanged_by_municipality_and_month())
        return response

    def get_actions(self, request: HttpRequest) -> dict[str, Any]:
        # Reversing moves hours: superusers only, like adjustments.
        found = super().get_actions(request)
        if not request.user.is_superuser:
            found.pop("reverse_transfers", None)
        return found

    @admin.action(description=_("Reverse (with a note for the account holders)"))
    def reverse_transfers(
        self, request: HttpRequest, queryset: QuerySet[Transfer]
    ) -> TemplateResponse | None:
        form = NoteForm(request.POST if "apply" in request.POST else None)
        if not form.is_valid():
            return action_form_page(
                self,
                request,
                _("Reverse transfers"),
                form,
                queryset=queryset,
                action="reverse_transfers",
            )
        for transfer in queryset:
            try:
                timebank.reverse(
                    staff=request.user,  # type: ignore[arg-type]
                    transfer=transfer,
                    note=form.cleaned_data["note"],
                )
            except DomainError as exc:
                self.message_user(request, f"{transfer}: {exc.get_message()}", messages.WARNING)
            else:
                self.message_user(request, _("%s reversed.") % transfer, messages.SUCCESS)
        return None


@admin.register(Hold)
class HoldAdmin(ReadOnlyAdmin):
    list_display = ("__str__", "account", "state", "created_at", "closed_at")
    list_filter = ("state",)
    list_select_related = ("account__user", "account__organisation")

    def has_view_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return bool(request.user.is_active and request.user.is_staff)
