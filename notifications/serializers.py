from typing import Any

from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from notifications.models import Channel, Frequency, Notification
from notifications.types import TYPE_CHOICES
from smartplatform.core.serializers import StrictInputSerializer

YES_NO = (("true", "true"), ("false", "false"))


class SubjectSerializer(serializers.Serializer):
    kind = serializers.ChoiceField(choices=["exchange", "booking", "listing"])
    id = serializers.IntegerField()


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


class NotificationQuerySerializer(serializers.Serializer):
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
