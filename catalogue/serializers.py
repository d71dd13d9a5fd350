from typing import Any

from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from drf_spectacular.utils import extend_schema_field, extend_schema_serializer
from rest_framework import serializers

from catalogue import exporting, permissions, selectors
from catalogue.models import (
    ContactRequest,
    ContactRequestMessage,
    ContactRequestRecipient,
    Project,
    ProjectContact,
    ProjectLink,
    Theme,
)
from catalogue.services import ContactData, LinkData, ProjectData
from smartplatform.core.serializers import QuerySerializer, StrictInputSerializer, WebAddressField
from smartplatform.organisations.models import Municipality, Organisation
from smartplatform.organisations.serializers import (
    MunicipalityCodeField,
    MunicipalityKeyField,
    municipality_codes,
)

TRUE_FALSE = (("true", "true"), ("false", "false"))


class ProjectQuerySerializer(QuerySerializer):
    """The query parameters of the project list (repeat a parameter to choose several)."""

    search = serializers.CharField(
        required=False, allow_blank=True, max_length=200, help_text="Words to search for."
    )
    municipality = serializers.ListField(
        child=MunicipalityKeyField(),
        required=False,
        help_text="Owning municipality by code or slug; repeatable (any of them).",
    )
    theme = serializers.ListField(
        child=serializers.SlugField(), required=False, help_text="Theme slug; repeatable."
    )
    status = serializers.ListField(
        child=serializers.ChoiceField(choices=Project.Status.choices),
        required=False,
        help_text="Status; repeatable.",
    )
    tag = serializers.ListField(
        child=serializers.CharField(max_length=50),
        required=False,
        help_text="Tag; repeatable (projects with all of them).",
    )
    year_from = serializers.IntegerField(
        required=False, min_value=1900, max_value=2200, help_text="Projects running in or after."
    )
    year_to = serializers.IntegerField(
        required=False, min_value=1900, max_value=2200, help_text="Projects running in or before."
    )
    has_contact = serializers.ChoiceField(choices=TRUE_FALSE, required=False)
    owner = serializers.SlugField(required=False, help_text="Owning organisation's slug.")
    ordering = serializers.ChoiceField(
        choices=[(name, name) for name in selectors.ORDERINGS],
        required=False,
        help_text="Default: relevance with a search, else -updated.",
    )

    def validate_municipality(self, values: list[str]) -> list[str]:
        return municipality_codes(values)

    def validate_theme(self, values: list[str]) -> list[str]:
        known = set(Theme.objects.filter(slug__in=values).values_list("slug", flat=True))
        unknown = [value for value in values if value not in known]
        if unknown:
            raise serializers.ValidationError(
                _("Unknown theme: %(values)s.") % {"values": ", ".join(unknown)}
            )
        return list(dict.fromkeys(values))

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        if (
            attrs.get("year_from")
            and attrs.get("year_to")
            and attrs["year_from"] > attrs["year_to"]
        ):
            raise serializers.ValidationError({"year_to": [_("The range ends before it starts.")]})
        return attrs

    def query(self) -> selectors.ProjectQuery:
        data = self.validated_data
        has_contact = data.get("has_contact")
        return selectors.ProjectQuery(
            search=data.get("search", "").strip(),
            municipalities=data.get("municipality", []),
            themes=data.get("theme", []),
            statuses=list(dict.fromkeys(data.get("status", []))),
            tags=[tag.strip().lower() for tag in data.get("tag", []) if tag.strip()],
            year_from=data.get("year_from"),
            year_to=data.get("year_to"),
            has_contact=None if has_contact is None else has_contact == "true",
            owner=data.get("owner"),
            ordering=data.get("ordering"),
        )


class ThemeSerializer(serializers.ModelSerializer):
    name = serializers.CharField(source="label")
    project_count = serializers.IntegerField()

    class Meta:
        model = Theme
        fields = ("slug", "name", "description", "project_count")


class ThemeRefSerializer(serializers.ModelSerializer):
    name = serializers.CharField(source="label")

    class Meta:
        model = Theme
        fields = ("slug", "name")


class ProjectOrganisationSerializer(serializers.ModelSerializer):
    class Meta:
        model = Organisation
        fields = ("slug", "name", "kind")


class ProjectMunicipalitySerializer(serializers.ModelSerializer):
    class Meta:
        model = Municipality
        fields = ("code", "name", "slug")


class StatusSerializer(serializers.Serializer):
    value = serializers.CharField()
    label = serializers.CharField()  # type: ignore[assignment]


class ProjectListSerializer(serializers.ModelSerializer):
    owner = ProjectOrganisationSerializer()
    municipality = ProjectMunicipalitySerializer()
    themes = ThemeRefSerializer(many=True)
    tags: Any = serializers.SlugRelatedField(many=True, read_only=True, slug_field="name")
    status = serializers.SerializerMethodField()
    has_contact = serializers.BooleanField()
    reuse_count = serializers.IntegerField(
        help_text="How many published projects borrowed this project's method."
    )
    cover_image = serializers.ImageField(read_only=True)

    class Meta:
        model = Project
        fields: tuple[str, ...] = (
            "slug",
            "title",
            "summary",
            "owner",
            "municipality",
            "themes",
            "tags",
            "status",
            "start_year",
            "end_year",
            "has_contact",
            "reuse_count",
            "cover_image",
            "is_published",
            "updated_at",
        )

    @extend_schema_field(StatusSerializer)
    def get_status(self, project: Project) -> dict[str, str]:
        return {"value": project.status, "label": str(project.get_status_display())}

    def to_representation(self, instance: Project) -> dict[str, Any]:
        """The same as DRF's field-by-field rendering (a test holds them equal), written out:
        a search page renders up to 100 of these, and the generic path costs most of the
        request's time. Takes projects loaded by ``selectors.projects_for_list``."""
        owner, municipality = instance.owner, instance.municipality
        return {
            "slug": instance.slug,
            "title": instance.title,
            "summary": instance.summary,
            "owner": {"slug": owner.slug, "name": owner.name, "kind": owner.kind},
            "municipality": {
                "code": municipality.code,
                "name": municipality.name,
                "slug": municipality.slug,
            },
            "themes": [{"slug": t.slug, "name": t.label} for t in instance.list_themes],  # type: ignore[attr-defined]
            "tags": instance.list_tags,  # type: ignore[attr-defined]
            "status": self.get_status(instance),
            "start_year": instance.start_year,
            "end_year": instance.end_year,
            "has_contact": bool(instance.has_contact),  # type: ignore[attr-defined]
            "reuse_count": instance.reuse_count,  # type: ignore[attr-defined]
            "cover_image": self.fields["cover_image"].to_representation(instance.cover_image)
            if instance.cover_image
            else None,
            "is_published": instance.is_published,
            "updated_at": self.fields["updated_at"].to_representation(instance.updated_at),
        }


class FacetValueSerializer(serializers.Serializer):
    value = serializers.CharField()
    label = serializers.CharField()  # type: ignore[assignment]
    count = serializers.IntegerField()


class FacetsSerializer(serializers.Serializer):
    municipality = FacetValueSerializer(many=True)
    theme = FacetValueSerializer(many=True)
    status = FacetValueSerializer(many=True)


@extend_schema_serializer(many=False)  # it is the page itself: not to be paged again
class ProjectPageSerializer(serializers.Serializer):
    """A page of the project list, with the facet counts of the whole filtered set."""

    count = serializers.IntegerField()
    next = serializers.URLField(allow_null=True)
    previous = serializers.URLField(allow_null=True)
    results = ProjectListSerializer(many=True)
    facets = FacetsSerializer()


class ContactSerializer(serializers.ModelSerializer):
    """A project's contact. Email and phone only for the project's editors: everyone else
    reaches the contact through a contact request."""

    class Meta:
        model = ProjectContact
        fields = ("id", "name", "role", "organisation", "last_confirmed", "email", "phone")

    def to_representation(self, instance: ProjectContact) -> dict[str, Any]:
        data = super().to_representation(instance)
        if not self.context.get("show_contact_details"):
            data.pop("email")
            data.pop("phone")
        return data


class LinkSerializer(serializers.ModelSerializer):
    class Meta:
        model = ProjectLink
        fields = ("kind", "url", "title")


class LineageEntrySerializer(serializers.ModelSerializer):
    owner = ProjectOrganisationSerializer()
    municipality = ProjectMunicipalitySerializer()

    class Meta:
        model = Project
        fields = ("slug", "title", "owner", "municipality", "start_year")


class ProjectDetailSerializer(ProjectListSerializer):
    participants = ProjectOrganisationSerializer(many=True)
    contacts = ContactSerializer(many=True)
    links = LinkSerializer(many=True)
    borrowed_from = serializers.SerializerMethodField()
    reused_by = LineageEntrySerializer(many=True)
    reuse_summary = serializers.SerializerMethodField()
    can_edit = serializers.SerializerMethodField()

    class Meta(ProjectListSerializer.Meta):
        fields = (
            *ProjectListSerializer.Meta.fields,
            "purpose",
            "method",
            "results",
            "lessons",
            "participants",
            "partners",
            "contacts",
            "links",
            "borrowed_from",
            "reused_by",
            "reuse_summary",
            "external_id",
            "created_at",
            "can_edit",
        )

    @extend_schema_field(LineageEntrySerializer(allow_null=True))
    def get_borrowed_from(self, project: Project) -> dict[str, Any] | None:
        source = project.borrowed_from
        if source is None or not source.is_published:
            return None
        return dict(LineageEntrySerializer(source).data)

    @extend_schema_field(serializers.CharField())
    def get_reuse_summary(self, project: Project) -> str:
        """ "3 kommuner har återanvänt metoden", counting the borrowers' municipalities."""
        municipalities = {p.municipality_id for p in project.reused_by.all()}
        if not municipalities:
            return ""
        return ngettext(
            "%(count)d municipality has reused the method",
            "%(count)d municipalities have reused the method",
            len(municipalities),
        ) % {"count": len(municipalities)}

    @extend_schema_field(serializers.BooleanField())
    def get_can_edit(self, project: Project) -> bool:
        request = self.context.get("request")
        return bool(request and permissions.can_edit(request.user, project))

    def to_representation(self, instance: Project) -> dict[str, Any]:
        return serializers.ModelSerializer.to_representation(self, instance)


class ContactInputSerializer(StrictInputSerializer):
    id = serializers.IntegerField(required=False, help_text="Keep and update this contact.")
    name = serializers.CharField(max_length=150)
    role = serializers.CharField(max_length=150, required=False, allow_blank=True, default="")
    email = serializers.EmailField(required=False, allow_blank=True, default="")
    phone = serializers.CharField(max_length=40, required=False, allow_blank=True, default="")
    organisation = serializers.CharField(
        max_length=200, required=False, allow_blank=True, default=""
    )
    last_confirmed = serializers.DateField(required=False, allow_null=True, default=None)


class LinkInputSerializer(StrictInputSerializer):
    kind = serializers.ChoiceField(choices=ProjectLink.Kind.choices)
    url = WebAddressField(max_length=500)
    title = serializers.CharField(max_length=200, required=False, allow_blank=True, default="")


class ProjectWriteSerializer(StrictInputSerializer):
    """A project as its editors write it. On PATCH, only the fields sent change; lists
    (themes, tags, participants, partners, contacts, links) are replaced as a whole."""

    owner = serializers.SlugRelatedField(
        slug_field="slug",
        queryset=Organisation.objects.all(),
        help_text="The owning organisation's slug (only when creating).",
    )
    title = serializers.CharField(max_length=200)
    slug = serializers.SlugField(max_length=200, required=False, allow_blank=True)
    summary = serializers.CharField(max_length=2000)
    purpose = serializers.CharField(max_length=5000, required=False, allow_blank=True)
    method = serializers.CharField(max_length=10000, required=False, allow_blank=True)
    results = serializers.CharField(max_length=5000, required=False, allow_blank=True)
    lessons = serializers.CharField(max_length=5000, required=False, allow_blank=True)
    status = serializers.ChoiceField(choices=Project.Status.choices)
    start_year = serializers.IntegerField(
        min_value=1900, max_value=2200, required=False, allow_null=True
    )
    end_year = serializers.IntegerField(
        min_value=1900, max_value=2200, required=False, allow_null=True
    )
    municipality = MunicipalityCodeField(
        required=False,
        allow_null=True,
        help_text="Only for owners that are not a municipality.",
    )
    themes = serializers.SlugRelatedField(
        slug_field="slug", queryset=Theme.objects.all(), many=True, allow_empty=False
    )
    tags = serializers.ListField(
        child=serializers.CharField(max_length=50), required=False, max_length=20
    )
    participants = serializers.SlugRelatedField(
        slug_field="slug", queryset=Organisation.objects.all(), many=True, required=False
    )
    partners = serializers.ListField(
        child=serializers.CharField(max_length=200), required=False, max_length=30
    )
    contacts = ContactInputSerializer(many=True, required=False, max_length=10)  # type: ignore[call-arg]
    links = LinkInputSerializer(many=True, required=False, max_length=20)  # type: ignore[call-arg]
    borrowed_from = serializers.SlugRelatedField(
        slug_field="slug",
        queryset=Project.objects.filter(is_published=True),
        required=False,
        allow_null=True,
        help_text="Slug of the published project whose method this one borrowed.",
    )
    external_id = serializers.CharField(
        max_length=64, required=False, allow_null=True, allow_blank=True
    )

    def validate_external_id(self, value: str | None) -> str | None:
        value = (value or "").strip() or None
        if value is not None:
            others = Project.objects.filter(external_id=value)
            if self.instance is not None:
                others = others.exclude(pk=self.instance.pk)
            if others.exists():
                raise serializers.ValidationError(_("Another project has this external id."))
        return value

    def project_data(self) -> ProjectData:
        data = dict(self.validated_data)
        data.pop("owner", None)
        contacts = [ContactData(**c) for c in data.pop("contacts", [])]
        links = [LinkData(**link) for link in data.pop("links", [])]
        given = set(self.validated_data) - {"owner"}
        return ProjectData(**data, contacts=contacts, links=links, given=given)


# --- Contact requests -----------------------------------------------------------------------


class ContactRequestCreateSerializer(StrictInputSerializer):
    kind = serializers.ChoiceField(
        choices=ContactRequest.Kind.choices,
        help_text="borrow_method: I want to borrow the method; more_info: tell me more; "
        "collaborate: let's collaborate.",
    )
    message = serializers.CharField(max_length=5000)
    organisation = serializers.SlugRelatedField(
        slug_field="slug",
        queryset=Organisation.objects.all(),
        required=False,
        allow_null=True,
        help_text="Write for this organisation (its slug); you must be one of its members.",
    )


class ContactRequestStatusSerializer(StrictInputSerializer):
    status = serializers.ChoiceField(
        choices=[
            (value, label)
            for value, label in ContactRequest.Status.choices
            if value != ContactRequest.Status.NEW
        ]
    )


class ContactRequestMessageInputSerializer(StrictInputSerializer):
    body = serializers.CharField(max_length=5000)


class ContactRequestMessageSerializer(serializers.ModelSerializer):
    class Meta:
        model = ContactRequestMessage
        fields = ("side", "author_name", "body", "created_at")


class ContactRequestRecipientSerializer(serializers.ModelSerializer):
    class Meta:
        model = ContactRequestRecipient
        fields = ("name", "kind")


class ContactRequestProjectSerializer(serializers.ModelSerializer):
    class Meta:
        model = Project
        fields = ("slug", "title")


class ContactRequestQuerySerializer(QuerySerializer):
    role = serializers.ChoiceField(
        choices=(("sender", "sender"), ("receiver", "receiver")),
        required=False,
        help_text="sender: the requests you sent; receiver: those sent to you.",
    )
    status = serializers.ChoiceField(choices=ContactRequest.Status.choices, required=False)


class ContactRequestSerializer(serializers.ModelSerializer):
    """A contact request as its sender and its receivers see it: names, never addresses."""

    project = ContactRequestProjectSerializer(
        allow_null=True, help_text="Null once the project has been deleted."
    )
    organisation = ProjectOrganisationSerializer()
    sender_name = serializers.CharField(source="sender.display_name")
    sender_organisation = ProjectOrganisationSerializer(allow_null=True)
    kind = serializers.SerializerMethodField()
    status = serializers.SerializerMethodField()
    role = serializers.SerializerMethodField(
        help_text="sender or receiver: how the viewer takes part."
    )
    recipients = ContactRequestRecipientSerializer(many=True)
    messages = ContactRequestMessageSerializer(many=True)

    class Meta:
        model = ContactRequest
        fields = (
            "id",
            "project",
            "project_title",
            "organisation",
            "sender_name",
            "sender_organisation",
            "kind",
            "message",
            "status",
            "role",
            "created_at",
            "status_changed_at",
            "recipients",
            "messages",
        )

    @extend_schema_field(StatusSerializer)
    def get_kind(self, request: ContactRequest) -> dict[str, str]:
        return {"value": request.kind, "label": str(request.get_kind_display())}

    @extend_schema_field(StatusSerializer)
    def get_status(self, request: ContactRequest) -> dict[str, str]:
        return {"value": request.status, "label": str(request.get_status_display())}

    def get_role(self, request: ContactRequest) -> str:
        viewer = self.context["request"].user
        return "sender" if request.sender_id == viewer.pk else "receiver"


class ConfirmContactsSerializer(StrictInputSerializer):
    contacts = serializers.ListField(
        child=serializers.IntegerField(min_value=1),
        required=False,
        max_length=100,
        help_text="The ids of the contacts to confirm; all of the project's when left out.",
    )


class ExportContactSerializer(serializers.Serializer):
    name = serializers.CharField()
    role = serializers.CharField()
    organisation = serializers.CharField()


class ExportLinkSerializer(serializers.Serializer):
    kind = serializers.CharField()
    url = serializers.CharField()
    title = serializers.CharField()


class ProjectExportSerializer(serializers.Serializer):
    """One project of an export. Contacts by name, role and organisation only."""

    slug = serializers.CharField()
    title = serializers.CharField()
    url = serializers.CharField()
    owner = serializers.CharField()
    municipality_code = serializers.CharField()
    municipality = serializers.CharField()
    participants = serializers.ListField(child=serializers.CharField())
    partners = serializers.ListField(child=serializers.CharField())
    themes = serializers.ListField(child=serializers.CharField())
    tags = serializers.ListField(child=serializers.CharField())
    status = serializers.CharField()
    start_year = serializers.IntegerField(allow_null=True)
    end_year = serializers.IntegerField(allow_null=True)
    summary = serializers.CharField()
    purpose = serializers.CharField()
    method = serializers.CharField()
    results = serializers.CharField()
    lessons = serializers.CharField()
    contacts = ExportContactSerializer(many=True)
    links = ExportLinkSerializer(many=True)
    borrowed_from = serializers.CharField(allow_null=True, help_text="The source project's slug.")
    reuse_count = serializers.IntegerField()
    updated_at = serializers.DateTimeField()

    def to_representation(self, instance: Project) -> dict[str, Any]:
        return exporting.project_row(instance)


class CoverUploadSerializer(StrictInputSerializer):
    image = serializers.FileField(help_text="A picture: JPEG, PNG, WebP or GIF, at most 5 MB.")
