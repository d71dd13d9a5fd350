from typing import Any

from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from notifications.models import Announcement, Channel, Frequency, Notification, WebhookEndpoint
from notifications.types import LINKS, TYPE_CHOICES
from smartplatform.core.serializers import QuerySerializer, StrictInputSerializer

YES_NO = (("true", "true"), ("false", "false"))


class SubjectSerializer(serializers.Serializer):
    kind = serializers.ChoiceField(choices=sorted(LINKS))
    id = serializers.IntegerField(allow_null=True)


class NotificationSerializer(serializers.ModelSerializer):
    """One notice, already in your language: ``link`` is the API address of what it is
    about."""

    subject = serializers.SerializerMethodField()

    class Meta:
        model = Notification
        fields = ("id", "type", "title", "body", "subject", "link", "data", "created_at", "read_at")

    @extend_schema_field(SubjectSerializer)
    def get_subject(self, notification: Notification) -> dict[str, Any]:
        return {"kind": notification.subject_type, "id": notification.subject_id}


class NotificationQuerySerializer(QuerySerializer):
    unread = serializers.ChoiceField(choices=YES_NO, required=False)


class UnreadCountSerializer(serializers.Serializer):
    unread = serializers.IntegerField()


class MarkedSerializer(serializers.Serializer):
    marked = serializers.IntegerField()


class PreferenceSerializer(serializers.Serializer):
    type = serializers.ChoiceField(choices=TYPE_CHOICES)
    channel = serializers.ChoiceField(choices=Channel.choices)
    frequency = serializers.ChoiceField(choices=Frequency.choices)


class PreferenceRowSerializer(PreferenceSerializer):
    default = serializers.ChoiceField(choices=Frequency.choices, read_only=True)


class PreferencesUpdateSerializer(StrictInputSerializer):
    preferences = PreferenceSerializer(many=True, allow_empty=False)


class WebhookSerializer(serializers.ModelSerializer):
    class Meta:
        model = WebhookEndpoint
        fields: tuple[str, ...] = ("id", "url", "description", "is_active", "created_at")


class WebhookWithSecretSerializer(WebhookSerializer):
    """Only in the answer that made the secret: keep it, it is not shown again."""

    class Meta(WebhookSerializer.Meta):
        fields = (*WebhookSerializer.Meta.fields, "secret")


class WebhookCreateSerializer(StrictInputSerializer):
    url = serializers.URLField(max_length=500)
    description = serializers.CharField(max_length=200, required=False, allow_blank=True)


class AnnouncementOrganisationSerializer(serializers.Serializer):
    slug = serializers.CharField()
    name = serializers.CharField()


class AnnouncementSerializer(serializers.ModelSerializer):
    organisation = AnnouncementOrganisationSerializer(read_only=True)

    class Meta:
        model = Announcement
        fields = ("id", "organisation", "title", "text", "created_at", "told")


class AnnouncementCreateSerializer(StrictInputSerializer):
    organisation = serializers.SlugField(help_text="The announcing organisation's slug.")
    title = serializers.CharField(max_length=200)
    text = serializers.CharField(max_length=5000)


class AnnouncementQuerySerializer(QuerySerializer):
    organisation = serializers.SlugField(required=False)
