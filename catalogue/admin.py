from typing import Any

from django import forms
from django.contrib import admin, messages
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.template.response import TemplateResponse
from django.urls import URLPattern, path, reverse
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from catalogue import search, services
from catalogue.importing import ImportFileError, import_catalogue, read_rows
from catalogue.models import (
    ContactRequest,
    ContactRequestMessage,
    ContactRequestRecipient,
    Project,
    ProjectContact,
    ProjectLink,
    Tag,
    Theme,
)

MAX_IMPORT_BYTES = 20 * 1024 * 1024


class ContactInline(admin.TabularInline):
    model = ProjectContact
    extra = 0
    fields = ("name", "role", "email", "phone", "organisation", "last_confirmed", "user")
    raw_id_fields = ("user",)


class LinkInline(admin.TabularInline):
    model = ProjectLink
    extra = 0
    fields = ("kind", "url", "title")


class ImportForm(forms.Form):
    file = forms.FileField(
        label=_("File"), help_text=_("CSV or XLSX in the catalogue's import layout.")
    )
    dry_run = forms.BooleanField(
        label=_("Only check the file"), required=False, help_text=_("Nothing is saved.")
    )

    def clean_file(self) -> Any:
        upload = self.cleaned_data["file"]
        if upload.size > MAX_IMPORT_BYTES:
            raise forms.ValidationError(_("The file is larger than 20 MB."))
        return upload


@admin.register(Project)
class ProjectAdmin(admin.ModelAdmin):
    list_display = ("title", "owner", "municipality", "status", "start_year", "is_published")
    list_filter = ("is_published", "status", "municipality", "themes")
    search_fields = ("title", "summary", "external_id", "slug", "owner__name", "tags__name")
    list_select_related = ("owner", "municipality")
    filter_horizontal = ("themes", "participants", "tags")
    raw_id_fields = ("borrowed_from", "created_by")
    readonly_fields = ("created_at", "updated_at")
    prepopulated_fields = {"slug": ("title",)}
    inlines = (ContactInline, LinkInline)
    actions = ("publish", "unpublish")
    change_list_template = "admin/catalogue/project/change_list.html"

    def save_related(self, request: HttpRequest, form: Any, formsets: Any, change: bool) -> None:
        super().save_related(request, form, formsets, change)
        # Themes, tags and organisations are saved only now: analyse the project after them.
        search.reindex([form.instance.pk])

    @admin.action(description=_("Publish the selected projects"))
    def publish(self, request: HttpRequest, queryset: QuerySet[Project]) -> None:
        changed = sum(services.change_publication(p, published=True) for p in queryset)
        self.message_user(
            request,
            ngettext("%(n)d project published.", "%(n)d projects published.", changed)
            % {"n": changed},
        )

    @admin.action(description=_("Unpublish the selected projects"))
    def unpublish(self, request: HttpRequest, queryset: QuerySet[Project]) -> None:
        changed = sum(services.change_publication(p, published=False) for p in queryset)
        self.message_user(
            request,
            ngettext("%(n)d project unpublished.", "%(n)d projects unpublished.", changed)
            % {"n": changed},
        )

    def get_urls(self) -> list[URLPattern]:
        return [
            path(
                "import/",
                self.admin_site.admin_view(self.import_view),
                name="catalogue_project_import",
            ),
            *super().get_urls(),
        ]

    def import_view(self, request: HttpRequest) -> HttpResponse:
        """Import the municipalities' spreadsheet: the same import as the command."""
        if not self.has_add_permission(request) or not self.has_change_permission(request):
            return HttpResponseRedirect(reverse("admin:catalogue_project_changelist"))
        form = ImportForm(request.POST or None, request.FILES or None)
        report = None
        if request.method == "POST" and form.is_valid():
            upload = form.cleaned_data["file"]
            try:
                report = import_catalogue(
                    read_rows(upload, upload.name), dry_run=form.cleaned_data["dry_run"]
                )
            except ImportFileError as error:
                form.add_error("file", str(error))
            else:
                level = messages.WARNING if report.problems else messages.SUCCESS
                self.message_user(
                    request,
                    _(
                        "%(created)d created, %(updated)d updated, %(unchanged)d unchanged, "
                        "%(problems)d rows with problems."
                    )
                    % {
                        "created": report.created,
                        "updated": report.updated,
                        "unchanged": report.unchanged,
                        "problems": len(report.problems),
                    },
                    level,
                )
        context = {
            **self.admin_site.each_context(request),
            "opts": self.model._meta,
            "title": _("Import projects"),
            "form": form,
            "report": report,
        }
        return TemplateResponse(request, "admin/catalogue/project/import.html", context)


@admin.register(Theme)
class ThemeAdmin(admin.ModelAdmin):
    list_display = ("name", "slug", "name_en", "position")
    list_editable = ("position",)
    prepopulated_fields = {"slug": ("name",)}

    def save_model(self, request: HttpRequest, obj: Theme, form: Any, change: bool) -> None:
        super().save_model(request, obj, form, change)
        if change and {"name", "name_en"} & set(form.changed_data):
            services.search_labels_changed(theme=obj)


@admin.register(Tag)
class TagAdmin(admin.ModelAdmin):
    search_fields = ("name",)

    def save_model(self, request: HttpRequest, obj: Tag, form: Any, change: bool) -> None:
        super().save_model(request, obj, form, change)
        if change and "name" in form.changed_data:
            services.search_labels_changed(tag=obj)


class RecipientInline(admin.TabularInline):
    model = ContactRequestRecipient
    extra = 0
    can_delete = False
    fields = ("kind", "name", "email", "contact")
    readonly_fields = fields

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


class MessageInline(admin.TabularInline):
    model = ContactRequestMessage
    extra = 0
    can_delete = False
    fields = ("created_at", "side", "author_name", "body")
    readonly_fields = fields

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(ContactRequest)
class ContactRequestAdmin(admin.ModelAdmin):
    """Contact requests are public records: staff read them and see which went unanswered;
    the conversation itself happens between the two sides."""

    list_display = ("project_title", "organisation", "kind", "status", "created_at", "escalated_at")
    list_filter = ("status", "kind", "organisation")
    search_fields = ("project_title", "message", "organisation__name", "sender__display_name")
    list_select_related = ("organisation",)
    date_hierarchy = "created_at"
    fields = (
        "project",
        "project_title",
        "organisation",
        "sender",
        "sender_organisation",
        "kind",
        "message",
        "status",
        "created_at",
        "status_changed_at",
        "reminded_at",
        "escalated_at",
    )
    readonly_fields = fields
    inlines = (RecipientInline, MessageInline)

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False
