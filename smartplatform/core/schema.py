"""OpenAPI: every operation documents its error answers and their stable codes."""

from collections import defaultdict
from typing import Any

from drf_spectacular import openapi
from drf_spectacular.authentication import SessionScheme
from drf_spectacular.extensions import OpenApiAuthenticationExtension
from drf_spectacular.utils import OpenApiParameter
from rest_framework import permissions, serializers

from smartplatform.core.errors import DomainError
from smartplatform.core.serializers import StrictInputSerializer


class PlatformSessionScheme(SessionScheme):
    """The session cookie, for the platform's own SessionAuthentication (which answers 401).

    drf-spectacular's extension names DRF's class exactly, not its subclasses.
    """

    target_class = "smartplatform.core.authentication.SessionAuthentication"


class PlatformSessionTokenScheme(OpenApiAuthenticationExtension):
    """The app client's ``X-Session-Token`` header (from allauth's app login)."""

    target_class = "smartplatform.core.authentication.SessionTokenAuthentication"
    name = "sessionToken"

    def get_security_definition(self, auto_schema: Any) -> dict[str, str]:
        return {"type": "apiKey", "in": "header", "name": "X-Session-Token"}


class ErrorSerializer(serializers.Serializer):
    code = serializers.CharField(help_text="Stable, machine-readable error code.")
    message = serializers.CharField(help_text="Human-readable message in the request's language.")
    # DRF moves declared fields out of the class body, so this does not shadow .fields.
    fields = serializers.DictField(  # type: ignore[assignment]
        child=serializers.JSONField(),
        help_text="For validation errors: field name to list of messages. Empty otherwise.",
    )

    class Meta:
        ref_name = "Error"


_DESCRIPTIONS = {
    400: "Bad input",
    401: "Not authenticated",
    403: "Not allowed",
    404: "Not found",
    406: "No acceptable response format",
    409: "Conflict with the current state",
    413: "Request body too large",
    415: "Unsupported media type",
    422: "Idempotency-Key reused with a different body",
    429: "Too many requests",
    503: "Busy; retry later",
}
_WRITE_METHODS = {"POST", "PUT", "PATCH"}


class AutoSchema(openapi.AutoSchema):
    def _acts_on_behalf(self) -> bool:
        from smartplatform.assistance.acting import acts_on_behalf  # an app's, loaded late

        return acts_on_behalf(self._handler(), self.method)

    def _handler(self) -> Any:
        action = getattr(self.view, "action", None)
        return getattr(self.view, action or self.method.lower(), None)

    def _is_idempotent(self) -> bool:
        return bool(getattr(self._handler(), "idempotent", False))

    def get_override_parameters(self) -> list[Any]:
        parameters = list(super().get_override_parameters())
        if self._acts_on_behalf():
            parameters.append(
                OpenApiParameter(
                    "X-On-Behalf-Of",
                    {"type": "integer", "minimum": 1, "maximum": 999_999_999_999_999_999},
                    OpenApiParameter.HEADER,
                    required=False,
                    description=(
                        "A coordinator (ombud) acting for a resident: the resident's id. "
                        "Needs the resident's consent in force to one of the coordinator's "
                        "organisations; the act is recorded and shown to the resident."
                    ),
                )
            )
        if self._is_idempotent():
            parameters.append(
                OpenApiParameter(
                    "Idempotency-Key",
                    {"type": "string", "pattern": "^[ -~]{1,255}$"},
                    OpenApiParameter.HEADER,
                    required=False,
                    description=(
                        "Retry-safe key: a retry with the same key and body replays the first "
                        "answer and does nothing twice. Kept 24 hours per user, method and path."
                    ),
                )
            )
        return parameters

    def error_codes(self) -> dict[int, list[str]]:
        codes: dict[int, list[str]] = defaultdict(list)
        codes[400] += ["invalid_characters", "invalid_encoding", "bad_request"]
        codes[406].append("not_acceptable")  # an Accept header the JSON API cannot satisfy
        if self.method in _WRITE_METHODS:
            codes[400] += ["invalid", "parse_error", "invalid_content_length"]
            codes[404].append("not_found")  # the body names an object that is not there
            codes[413].append("request_too_large")
            codes[415].append("unsupported_media_type")
            codes[503].append("database_busy")
        elif self._is_list_view() or self._has_own_parameters():
            codes[400].append("invalid")  # filters, page_size, other query parameters
        if self._acts_on_behalf():
            codes[400].append("invalid")  # an X-On-Behalf-Of that is not a resident's id
            codes[404].append("not_found")  # no such resident
        else:
            codes[400].append("on_behalf_not_supported")
        if "{" in self.path or self._is_list_view():
            codes[404].append("not_found")  # no such object, or no such page
        for status_code, listed in codes.items():
            codes[status_code] = list(dict.fromkeys(listed))
        if self._needs_authentication():
            codes[401] += ["not_authenticated", "authentication_failed"]
            codes[403].append("permission_denied")
            if self.method not in permissions.SAFE_METHODS:
                codes[403].append("csrf_failed")  # a browser session's write without its token
        if getattr(self.view, "throttle_classes", None):
            codes[429].append("throttled")
        for error in getattr(self._handler(), "documented_errors", []):
            if issubclass(error, DomainError) and error.code not in codes[error.status_code]:
                codes[error.status_code].append(error.code)
        return codes

    def _has_own_parameters(self) -> bool:
        """Query parameters or headers of the operation's own, which it validates (400).
        ``self``: ``extend_schema(parameters=...)`` lives in a subclass made per operation."""
        return bool(self.get_override_parameters())

    def _map_serializer_field(
        self, field: Any, direction: Any, bypass_extensions: bool = False
    ) -> Any:
        schema = super()._map_serializer_field(field, direction, bypass_extensions)
        if isinstance(field, serializers.ManyRelatedField) and not field.allow_empty:
            schema["minItems"] = 1
        if isinstance(field, serializers.DecimalField) and direction == "request":
            return self._decimal_input(field, schema)
        return schema

    @staticmethod
    def _decimal_input(field: serializers.DecimalField, schema: dict[str, Any]) -> dict[str, Any]:
        """An amount is given as a JSON number or as a decimal string ("1.50"): DRF reads
        both. The number's range and step are in the schema (StrictInputSerializer forgives
        a binary float's last-digit noise); a string's range is not expressible."""
        number: dict[str, Any] = {"type": "number"}
        if field.decimal_places is not None:
            number["multipleOf"] = 10.0**-field.decimal_places
        if field.min_value is not None:
            number["minimum"] = float(field.min_value)
        if field.max_value is not None:
            number["maximum"] = float(field.max_value)
        text = {key: value for key, value in schema.items() if key in {"type", "format", "pattern"}}
        if field.min_value is not None and field.min_value >= 0 and "pattern" in text:
            # Non-negative, at least one digit: the generic pattern lets "-" and "" through.
            text["pattern"] = text["pattern"].replace("^-?", "^").replace(r"\d{0,", r"\d{1,")
        rest = {key: value for key, value in schema.items() if key not in text}
        return {**rest, "anyOf": [number, text]}

    def _get_request_body(self, direction: Any = "request") -> Any:
        body = super()._get_request_body(direction)
        if body is not None and getattr(
            self.get_request_serializer(), "schema_min_properties", None
        ):
            body["required"] = True  # an empty change is refused, so is no body at all
        return body

    def _map_serializer(
        self, serializer: Any, direction: Any, bypass_extensions: bool = False
    ) -> Any:
        schema = super()._map_serializer(serializer, direction, bypass_extensions)
        if direction == "request" and isinstance(serializer, StrictInputSerializer):
            # Its to_internal_value refuses any other field: say so.
            schema["additionalProperties"] = False
            if minimum := getattr(serializer, "schema_min_properties", None):
                schema["minProperties"] = minimum
        return schema

    def _needs_authentication(self) -> bool:
        perms = getattr(self.view, "permission_classes", [])
        if self.method not in permissions.SAFE_METHODS:
            return True
        return not all(p in (permissions.AllowAny,) for p in perms)

    def _get_response_bodies(self, direction: Any = "response") -> Any:
        responses = super()._get_response_bodies(direction)
        error_ref = self.resolve_serializer(ErrorSerializer, "response").ref
        for status, codes in sorted(self.error_codes().items()):
            if str(status) in responses:
                continue
            responses[str(status)] = {
                "content": {
                    "application/json": {
                        "schema": {
                            "allOf": [
                                error_ref,
                                {
                                    "type": "object",
                                    "properties": {"code": {"type": "string", "enum": codes}},
                                },
                            ]
                        }
                    }
                },
                "description": f"{_DESCRIPTIONS.get(status, 'Error')}: "
                + ", ".join(f"`{code}`" for code in codes),
            }
        # Not the API's answer but the web server's, before the API sees the request (nginx
        # and gunicorn refuse a request line over 8 KB and 4 KB): no JSON body.
        responses.setdefault("414", {"description": "The address (path and query) is too long"})
        return responses
