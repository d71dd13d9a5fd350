import csv
from pathlib import Path
from typing import Any

from django.db.models import Q
from django.utils.translation import gettext as _
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from smartplatform.core.serializers import (
    OptionalEmailField,
    OptionalURLField,
    StrictInputModelSerializer,
    StrictInputSerializer,
    WebAddressField,
)
from smartplatform.organisations.models import (
    Invitation,
    JoinRequest,
    Membership,
    Municipality,
    Organisation,
    Role,
)


class MunicipalitySerializer(serializers.ModelSerializer):
    class Meta:
        model = Municipality
        fields: Any = (
            "code",
            "name",
            "slug",
            "organisation_number",
            "population",
            "latitude",
            "longitude",
        )
        read_only_fields = fields


class PersonSerializer(serializers.Serializer):
    """How a person appears inside an organisation's lists."""

    id = serializers.IntegerField(read_only=True)
    display_name = serializers.CharField(read_only=True)


class OrganisationSerializer(serializers.ModelSerializer):
    municipality: Any = serializers.SlugRelatedField(
        slug_field="code", read_only=True, allow_null=True
    )
    website = OptionalURLField(read_only=True)
    contact_email = OptionalEmailField(read_only=True)
    member_count = serializers.IntegerField(read_only=True)
    my_role = serializers.CharField(read_only=True, allow_null=True)

    class Meta:
        model = Organisation
        fields: Any = (
            "slug",
            "name",
            "kind",
            "municipality",
            "description",
            "website",
            "contact_email",
            "logo",
            "is_verified",
            "member_count",
            "my_role",
            "created_at",
        )
        read_only_fields = fields


# Residents start associations, companies and other groups; municipalities and regions are
# set up by staff.
SELF_SERVICE_KINDS = (
    Organisation.Kind.ASSOCIATION,
    Organisation.Kind.COMPANY,
    Organisation.Kind.OTHER,
)


class OrganisationCreateSerializer(StrictInputModelSerializer):
    kind = serializers.ChoiceField(choices=[(k.value, k.label) for k in SELF_SERVICE_KINDS])
    website = WebAddressField(required=False, allow_blank=True, max_length=200)

    class Meta:
        model = Organisation
        fields: Any = ("name", "kind", "description", "website", "contact_email")


class OrganisationUpdateSerializer(StrictInputModelSerializer):
    website = WebAddressField(required=False, allow_blank=True, max_length=200)

    class Meta:
        model = Organisation
        fields: Any = ("name", "description", "website", "contact_email")


class StaffOrganisationUpdateSerializer(StrictInputModelSerializer):
    """Staff may also verify an organisation."""

    website = WebAddressField(required=False, allow_blank=True, max_length=200)

    class Meta:
        model = Organisation
        fields: Any = ("name", "description", "website", "contact_email", "is_verified")


class MembershipSerializer(serializers.ModelSerializer):
    user = PersonSerializer(read_only=True)

    class Meta:
        model = Membership
        fields: Any = ("user", "role", "is_coordinator", "created_at")
        read_only_fields = fields


class MemberUpdateSerializer(StrictInputSerializer):
    schema_min_properties = 1  # an empty change is a 400 (see validate): the schema says so

    role = serializers.ChoiceField(choices=Role.choices, required=False)
    is_coordinator = serializers.BooleanField(required=False)

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        if not attrs:
            raise serializers.ValidationError(_("Send a role, is_coordinator or both."))
        return attrs


class JoinRequestSerializer(serializers.ModelSerializer):
    user = PersonSerializer(read_only=True)
    decided_by = PersonSerializer(read_only=True, allow_null=True)

    class Meta:
        model = JoinRequest
        fields: Any = ("id", "user", "message", "status", "created_at", "decided_at", "decided_by")
        read_only_fields = fields


class JoinRequestCreateSerializer(StrictInputSerializer):
    message = serializers.CharField(max_length=1000, required=False, allow_blank=True)


class InvitationSerializer(serializers.ModelSerializer):
    invited_by = PersonSerializer(read_only=True, allow_null=True)

    class Meta:
        model = Invitation
        fields: Any = (
            "id",
            "email",
            "role",
            "status",
            "invited_by",
            "created_at",
            "expires_at",
            "answered_at",
        )
        read_only_fields = fields


class InvitationCreateSerializer(StrictInputSerializer):
    email = serializers.EmailField()
    role = serializers.ChoiceField(choices=Role.choices, default=Role.MEMBER)


class InvitationCodeSerializer(StrictInputSerializer):
    code = serializers.CharField(max_length=100)


class LogoUploadSerializer(StrictInputSerializer):
    logo = serializers.FileField(help_text="A picture: JPEG, PNG, WebP or GIF, at most 5 MB.")


def _reference_municipalities() -> list[tuple[str, str]]:
    """(code, slug) of the eleven municipalities, from the reference data the migrations
    load: the schema lists them without asking the database."""
    path = Path(__file__).resolve().parent / "data" / "municipalities.csv"
    with path.open(encoding="utf-8") as rows:
        return [(row["code"], row["slug"]) for row in csv.DictReader(rows)]


MUNICIPALITY_CODES = [code for code, _slug in _reference_municipalities()]
MUNICIPALITY_KEYS = [key for pair in _reference_municipalities() for key in pair]


@extend_schema_field({"type": "string", "enum": MUNICIPALITY_KEYS})
class MunicipalityKeyField(serializers.CharField):
    """A municipality named by its four-digit code or its slug (checked where it is used)."""

    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("max_length", 100)
        super().__init__(**kwargs)


@extend_schema_field({"type": "string", "enum": MUNICIPALITY_CODES})
class MunicipalityCodeField(serializers.SlugRelatedField):
    """A municipality by its four-digit code."""

    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("queryset", Municipality.objects.all())
        super().__init__(slug_field="code", **kwargs)


def municipality_codes(values: list[str]) -> list[str]:
    """Municipalities by four-digit code or slug, as codes; an unknown one is a 400."""
    wanted = [value.strip().lower() for value in values if value.strip()]
    found = {
        key: code
        for code, slug in Municipality.objects.filter(
            Q(code__in=wanted) | Q(slug__in=wanted)
        ).values_list("code", "slug")
        for key in (code, slug)
    }
    unknown = [value for value in wanted if value not in found]
    if unknown:
        raise serializers.ValidationError(
            _("Unknown municipality: %(values)s. Use the four-digit code or the slug.")
            % {"values": ", ".join(unknown)}
        )
    return list(dict.fromkeys(found[value] for value in wanted))
