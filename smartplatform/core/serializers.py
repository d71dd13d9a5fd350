"""Serializer pieces shared by every app."""

from collections.abc import Mapping
from typing import Any

from django.utils.translation import gettext as _
from rest_framework import serializers


class StrictInputSerializer(serializers.Serializer):
    """Input naming a field the client may not set is refused (400), never silently dropped:
    an attempt to set ``is_staff``, a role or a verification flag is answered, not ignored."""

    def to_internal_value(self, data: Any) -> Any:
        if isinstance(data, Mapping):
            writable = {name for name, field in self.fields.items() if not field.read_only}
            refused = sorted(set(data) - writable)
            if refused:
                raise serializers.ValidationError(
                    {name: [_("This field cannot be set here.")] for name in refused}
                )
        return super().to_internal_value(data)


class StrictInputModelSerializer(StrictInputSerializer, serializers.ModelSerializer):
    pass


class WebAddressField(serializers.URLField):
    """A web address as people type it: ``example.se`` is taken as ``https://example.se``."""

    def to_internal_value(self, data: Any) -> Any:
        if isinstance(data, str) and data.strip() and "://" not in data:
            data = f"https://{data.strip()}"
        return super().to_internal_value(data)
