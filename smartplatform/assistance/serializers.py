from typing import Any

from django.contrib.auth.password_validation import validate_password
from rest_framework import serializers

from smartplatform.accounts.models import User
from smartplatform.assistance.models import Act, Consent
from smartplatform.core.serializers import StrictInputSerializer
from smartplatform.organisations.models import Organisation
from smartplatform.organisations.serializers import MunicipalityCodeField, PersonSerializer


class OrganisationRefSerializer(serializers.Serializer):
    slug = serializers.CharField(read_only=True)
    name = serializers.CharField(read_only=True)


class RegisterResidentSerializer(StrictInputSerializer):
    display_name = serializers.CharField(max_length=100)
    home_municipality = MunicipalityCodeField(required=False, allow_null=True)
    preferred_language = serializers.ChoiceField(
        choices=User.Language.choices, default=User.Language.SWEDISH
    )
    phone = serializers.RegexField(
        r"^\+?[0-9][0-9 ()-]{5,28}$", max_length=30, required=False, allow_blank=True
    )
    consent_statement = serializers.CharField(
        max_length=2000,
        help_text="What the resident agreed to, in the words read to them or signed.",
    )


class ResidentSerializer(serializers.ModelSerializer):
    """A resident as their coordinators see them."""

    home_municipality: Any = serializers.SlugRelatedField(
        slug_field="code", read_only=True, allow_null=True
    )
    has_own_login = serializers.SerializerMethodField()

    class Meta:
        model = User
        fields: Any = (
            "id",
            "display_name",
            "home_municipality",
            "preferred_language",
            "phone",
            "has_own_login",
        )
        read_only_fields = fields

    def get_has_own_login(self, user: User) -> bool:
        return user.managed_by_id is None


class RegisteredResidentSerializer(serializers.Serializer):
    resident = ResidentSerializer()
    login_code = serializers.CharField(
        help_text="Shown once: print it for the resident. They use it to take over the account."
    )


class LoginCodeSerializer(serializers.Serializer):
    login_code = serializers.CharField()


class ConsentSerializer(serializers.ModelSerializer):
    organisation = OrganisationRefSerializer(read_only=True)
    recorded_by = PersonSerializer(read_only=True, allow_null=True)
    withdrawn_by = PersonSerializer(read_only=True, allow_null=True)

    class Meta:
        model = Consent
        fields: Any = (
            "id",
            "organisation",
            "statement",
            "recorded_by",
            "given_at",
            "withdrawn_at",
            "withdrawn_by",
        )
        read_only_fields = fields


class GiveConsentSerializer(StrictInputSerializer):
    organisation = serializers.SlugRelatedField(
        slug_field="slug", queryset=Organisation.objects.all()
    )
    statement = serializers.CharField(max_length=2000)


class ActSerializer(serializers.ModelSerializer):
    coordinator = PersonSerializer(read_only=True, allow_null=True)
    organisation = OrganisationRefSerializer(read_only=True, allow_null=True)

    class Meta:
        model = Act
        fields: Any = ("id", "at", "action", "details", "coordinator", "organisation")
        read_only_fields = fields


class ClaimAccountSerializer(StrictInputSerializer):
    code = serializers.CharField(max_length=40)
    email = serializers.EmailField()
    password = serializers.CharField(trim_whitespace=False, max_length=200)

    def validate_password(self, value: str) -> str:
        validate_password(value)
        return value


class ClaimStartedSerializer(serializers.Serializer):
    email_code_sent_to = serializers.EmailField()


class ConfirmClaimSerializer(StrictInputSerializer):
    code = serializers.CharField(max_length=40, help_text="The printed code.")
    email_code = serializers.CharField(max_length=20, help_text="The code from the email.")
