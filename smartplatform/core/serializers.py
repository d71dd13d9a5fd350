"""Serializer pieces shared by every app."""

from collections.abc import Mapping
from datetime import UTC, datetime
from typing import Any

from django.http import QueryDict
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
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
                data = _without_float_noise(self.fields, data)
        return _dates_in_range(self.fields, super().to_internal_value(data))


# DRF reads 5 as the text "5", "5" as the number 5 and "yes" as true. The schema promises
# JSON types, so a JSON body is held to them: what a client sent is what it meant.
_JSON_TYPES: tuple[tuple[type[serializers.Field], type | tuple[type, ...], Any], ...] = (
    (serializers.BooleanField, bool, gettext_lazy("true or false")),
    (serializers.CharField, str, gettext_lazy("text")),
    (serializers.IntegerField, int, gettext_lazy("a whole number")),
    (serializers.FloatField, (int, float), gettext_lazy("a number")),
    (serializers.DecimalField, (int, float, str), gettext_lazy("a number")),
)


# The dates the platform takes. Before 1900 Stockholm kept local mean time, an offset of
# +01:12:12 that RFC 3339 cannot write; nothing booked, blocked or searched lies that far.
EARLIEST_YEAR, LATEST_YEAR = 1900, 2199


def _dates_in_range(fields: Mapping[str, Any], values: Any) -> Any:
    """Refuse a date and time outside the years the platform takes (400 naming the field)."""
    if not isinstance(values, Mapping):
        return values
    outside = {
        name: [
            _("Give a date from %(first)d to %(last)d.")
            % {"first": EARLIEST_YEAR, "last": LATEST_YEAR}
        ]
        for name, field in fields.items()
        if isinstance(field, serializers.DateTimeField)
        and isinstance(value := values.get(field.source), datetime)
        and not EARLIEST_YEAR <= value.astimezone(UTC).year <= LATEST_YEAR
    }
    if outside:
        raise serializers.ValidationError(outside)
    return values


def _without_float_noise(fields: Mapping[str, Any], data: Mapping[str, Any]) -> Mapping[str, Any]:
    """A JSON number for a decimal field, as the decimal it stands for: 0.57 arrives as
    0.5700000000000001 from a client that computed it, and is 0.57 here. A number that is
    not within a billionth of the field's decimals stays as it is (and is refused)."""
    cleaned = dict(data)
    for name, field in fields.items():
        value = data.get(name)
        if isinstance(field, serializers.DecimalField) and isinstance(value, float):
            rounded = round(value, field.decimal_places)
            if abs(value - rounded) < 1e-9:
                cleaned[name] = f"{rounded:.{field.decimal_places}f}"
    return cleaned


def _wrong_json_type(field: serializers.Field, value: Any) -> Any:
    """The JSON type ``field`` takes when ``value`` is not of it; None when it is."""
    if value is None:
        return None  # allow_null decides
    if isinstance(field, serializers.ListField) and isinstance(value, list):
        return next(filter(None, (_wrong_json_type(field.child, item) for item in value)), None)
    if isinstance(field, serializers.ManyRelatedField) and isinstance(value, list):
        relation = field.child_relation
        return next(filter(None, (_wrong_json_type(relation, item) for item in value)), None)
    if isinstance(field, serializers.PrimaryKeyRelatedField):
        return None if isinstance(value, int) and not isinstance(value, bool) else _("an id")
    if isinstance(field, serializers.SlugRelatedField):
        # DRF would read "" as null.
        return None if isinstance(value, str) and value else _("a slug")
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


def single_value_problem(values: list[str], *, may_be_blank: bool) -> str | None:
    """What is wrong with the values a query parameter that takes one value was given: twice
    (DRF would keep the last) or, unless it may be blank, empty (DRF would read no filter)."""
    if len(values) > 1:
        return _("Give this parameter once.")
    if values == [""] and not may_be_blank:
        return _("Give a value, or leave the parameter out.")
    return None


class QuerySerializer(serializers.Serializer):
    """Query parameters, read as strictly as a JSON body: a parameter that takes one value
    given twice is a 400 (DRF would keep the last), and an empty value is a 400 unless the
    parameter may be blank (DRF would take ``?status=`` for no filter at all)."""

    def to_internal_value(self, data: Any) -> Any:
        if isinstance(data, QueryDict):
            problems: dict[str, list[str]] = {}
            for name, field in self.fields.items():
                if isinstance(field, serializers.ListField):
                    continue  # repeatable; an empty item is the child field's to refuse
                problem = single_value_problem(
                    data.getlist(name), may_be_blank=getattr(field, "allow_blank", False)
                )
                if problem:
                    problems[name] = [problem]
            if problems:
                raise serializers.ValidationError(problems)
        return _dates_in_range(self.fields, super().to_internal_value(data))
