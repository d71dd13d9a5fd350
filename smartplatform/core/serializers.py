"""Serializer pieces shared by every app."""

from collections.abc import Mapping
from typing import Any

from django.http import QueryDict
from django.utils.translation import gettext as _
from drf_spectacular.utils import extend_schema_field
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
            if not isinstance(data, QueryDict):  # a form's values are all text
                mistyped = {
                    name: [_("Not the type this field takes (%(type)s).") % {"type": kind}]
                    for name, field in self.fields.items()
                    if name in data and (kind := _wrong_json_type(field, data[name]))
                }
                if mistyped:
                    raise serializers.ValidationError(mistyped)
        return super().to_internal_value(data)


# DRF reads 5 as the text "5", "5" as the number 5 and "yes" as true. The schema promises
# JSON types, so a JSON body is held to them: what a client sent is what it meant.
_JSON_TYPES: tuple[tuple[type[serializers.Field], type | tuple[type, ...], str], ...] = (
    (serializers.BooleanField, bool, "true or false"),
    (serializers.CharField, str, "text"),
    (serializers.IntegerField, int, "a whole number"),
    (serializers.FloatField, (int, float), "a number"),
)


def _wrong_json_type(field: serializers.Field, value: Any) -> str | None:
    """The JSON type ``field`` takes when ``value`` is not of it; None when it is."""
    if value is None:
        return None  # allow_null decides
    if isinstance(field, serializers.ListField) and isinstance(value, list):
        return next(filter(None, (_wrong_json_type(field.child, item) for item in value)), None)
    for field_class, json_type, kind in _JSON_TYPES:
        if isinstance(field, field_class):
            # bool is an int in Python, never in JSON.
            if isinstance(value, bool) and json_type is not bool:
                return kind
            return None if isinstance(value, json_type) else kind
    return None


class StrictInputModelSerializer(StrictInputSerializer, serializers.ModelSerializer):
    pass


class WebAddressField(serializers.URLField):
    """A web address as people type it: ``example.se`` is taken as ``https://example.se``."""

    def to_internal_value(self, data: Any) -> Any:
        if isinstance(data, str) and data.strip() and "://" not in data:
            data = f"https://{data.strip()}"
        return super().to_internal_value(data)


@extend_schema_field({"type": "string", "anyOf": [{"format": "uri"}, {"maxLength": 0}]})
class OptionalURLField(serializers.CharField):
    """A web address, or ``""`` when there is none (output only: a CharField, so that no
    URL validator adds a ``format`` the blank value would break)."""


@extend_schema_field({"type": "string", "anyOf": [{"format": "email"}, {"maxLength": 0}]})
class OptionalEmailField(serializers.CharField):
    """An email address, or ``""`` when there is none (output only, as above)."""
