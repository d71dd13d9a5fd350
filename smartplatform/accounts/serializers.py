from typing import Any

from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from smartplatform.accounts import reputation, selectors
from smartplatform.accounts.models import User
from smartplatform.core.serializers import StrictInputModelSerializer, StrictInputSerializer
from smartplatform.organisations.models import Municipality
from smartplatform.organisations.serializers import MunicipalityCodeField


class MunicipalityRefSerializer(serializers.ModelSerializer):
    class Meta:
        model = Municipality
        fields = ("code", "name")


class MeSerializer(serializers.ModelSerializer):
    """Everything a signed-in person sees about themselves."""

    home_municipality = MunicipalityRefSerializer(read_only=True, allow_null=True)
    email_verified = serializers.SerializerMethodField()
    avatar = serializers.ImageField(read_only=True, use_url=True)

    class Meta:
        model = User
        fields: Any = (
            "id",
            "email",
            "email_verified",
            "display_name",
            "home_municipality",
            "preferred_language",
            "phone",
            "bio",
            "avatar",
            "date_joined",
            "is_staff",
        )
        read_only_fields = fields

    def get_email_verified(self, user: User) -> bool:
        return selectors.email_verified(user)


class MeUpdateSerializer(StrictInputModelSerializer):
    """What a person may change about themselves; anything else in the body is a 400."""

    home_municipality = MunicipalityCodeField(allow_null=True, required=False)

    class Meta:
        model = User
        fields: Any = ("display_name", "home_municipality", "preferred_language", "phone", "bio")


class ReviewSummarySerializer(serializers.Serializer):
    average = serializers.DecimalField(
        max_digits=2, decimal_places=1, allow_null=True, help_text="1.0 to 5.0; null: none yet."
    )
    count = serializers.IntegerField()


class PublicProfileSerializer(serializers.ModelSerializer):
    """What anyone may see of a person: no email address, no phone number. ``reviews`` is
    the average and count of what others wrote about them after exchanges."""

    home_municipality = MunicipalityRefSerializer(read_only=True, allow_null=True)
    member_since = serializers.DateTimeField(source="date_joined", read_only=True)
    avatar = serializers.ImageField(read_only=True, use_url=True)
    reviews = serializers.SerializerMethodField()

    class Meta:
        model = User
        fields: Any = (
            "id",
            "display_name",
            "home_municipality",
            "member_since",
            "avatar",
            "reviews",
        )
        read_only_fields = fields

    @extend_schema_field(ReviewSummarySerializer)
    def get_reviews(self, user: User) -> dict[str, Any]:
        return reputation.of(user)


class DeleteAccountSerializer(StrictInputSerializer):
    password = serializers.CharField(
        required=False,
        trim_whitespace=False,
        help_text="Needed unless you signed in within the last five minutes.",
    )


class AvatarUploadSerializer(StrictInputSerializer):
    avatar = serializers.FileField(help_text="A picture: JPEG, PNG, WebP or GIF, at most 5 MB.")
