"""Domain errors and the one place they become HTTP answers.

Every 4xx under ``/api/`` has the shape ``{"code": ..., "message": ..., "fields": {...}}``:
``code`` is stable and machine-readable, ``message`` is translated, ``fields`` maps field
names to messages for validation errors (empty otherwise).

A service raises a ``DomainError`` subclass (one per domain failure, with its own code and
status); views never build error responses themselves.
"""

import logging
from collections.abc import Callable
from typing import Any, ClassVar, TypeVar

from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.core.exceptions import RequestDataTooBig
from django.core.exceptions import ValidationError as DjangoValidationError
from django.db import OperationalError
from django.http import Http404, HttpRequest, JsonResponse
from django.utils.encoding import force_str
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from rest_framework import exceptions as drf
from rest_framework.response import Response

logger = logging.getLogger(__name__)

_F = TypeVar("_F", bound=Callable[..., Any])


class DomainError(Exception):
    """A failure a client can cause and understand. Subclass once per failure."""

    status_code: ClassVar[int] = 400
    code: ClassVar[str] = "error"
    default_message: ClassVar[Any] = gettext_lazy("The request could not be carried out.")

    def __init__(
        self,
        message: str | None = None,
        *,
        fields: dict[str, Any] | None = None,
        extra: dict[str, Any] | None = None,
    ) -> None:
        self.message = message
        self.fields = fields or {}
        self.extra = extra or {}
        super().__init__(force_str(message or self.default_message))

    def get_message(self) -> str:
        return force_str(self.message or self.default_message)


class ConflictError(DomainError):
    """The request is valid but the current state does not allow it (409)."""

    status_code = 409
    code = "conflict"
    default_message = gettext_lazy("The request conflicts with the current state.")


class DatabaseBusy(DomainError):
    """The embedded database stayed locked beyond its busy timeout (503, retry later)."""

    status_code = 503
    code = "database_busy"
    default_message = gettext_lazy("The service is busy. Please try again in a moment.")


def error_body(code: str, message: str, fields: dict[str, Any] | None = None) -> dict[str, Any]:
    return {"code": code, "message": message, "fields": fields or {}}


def error_json_response(
    status: int, code: str, message: str, fields: dict[str, Any] | None = None
) -> JsonResponse:
    """The error shape outside DRF views (middleware, URL resolver, server errors)."""
    return JsonResponse(
        error_body(code, message, fields), status=status, json_dumps_params={"ensure_ascii": False}
    )


# DRF's own exceptions, with the code and message this API gives each of them.
def _drf_message(exc: drf.APIException) -> str:
    return force_str(exc.detail) if isinstance(exc.detail, str) else force_str(exc.default_detail)


_DRF_CODES: dict[type[drf.APIException], str] = {
    drf.ParseError: "parse_error",
    drf.AuthenticationFailed: "authentication_failed",
    drf.NotAuthenticated: "not_authenticated",
    drf.PermissionDenied: "permission_denied",
    drf.NotFound: "not_found",
    drf.MethodNotAllowed: "method_not_allowed",
    drf.NotAcceptable: "not_acceptable",
    drf.UnsupportedMediaType: "unsupported_media_type",
    drf.Throttled: "throttled",
}


def _is_locked_database(exc: OperationalError) -> bool:
    return "database is locked" in str(exc) or "database table is locked" in str(exc)


def api_exception_handler(exc: Exception, context: dict[str, Any]) -> Response | None:
    """DRF's EXCEPTION_HANDLER: every exception a client can cause, in the one shape."""
    # Imported here: rest_framework.views loads the API settings, which import this module.
    from rest_framework.views import set_rollback

    if isinstance(exc, Http404):
        exc = drf.NotFound()
    elif isinstance(exc, DjangoPermissionDenied):
        exc = drf.PermissionDenied()
    elif isinstance(exc, DjangoValidationError):
        # A model's clean() or a validator called by a service: still the client's input.
        from rest_framework.serializers import as_serializer_error

        exc = drf.ValidationError(detail=as_serializer_error(exc))
    elif isinstance(exc, RequestDataTooBig):
        exc = RequestTooLarge()
    elif isinstance(exc, OperationalError) and _is_locked_database(exc):
        logger.warning("database stayed locked beyond its timeout: %s", exc)
        exc = DatabaseBusy()

    headers: dict[str, str] = {}
    if isinstance(exc, DomainError):
        set_rollback()
        status = exc.status_code
        body = error_body(exc.code, exc.get_message(), exc.fields)
        body.update(exc.extra)
        if isinstance(exc, DatabaseBusy):
            headers["Retry-After"] = "2"
        return Response(body, status=status, headers=headers)

    if not isinstance(exc, drf.APIException):
        return None  # a bug: Django logs it and answers 500

    set_rollback()
    if getattr(exc, "auth_header", None):
        headers["WWW-Authenticate"] = exc.auth_header  # type: ignore[attr-defined]
    if getattr(exc, "wait", None):
        headers["Retry-After"] = f"{int(exc.wait)}"  # type: ignore[attr-defined]

    if isinstance(exc, drf.ValidationError):
        detail = exc.detail
        if isinstance(detail, dict):
            fields = detail
        else:
            fields = {"non_field_errors": detail if isinstance(detail, list) else [detail]}
        body = error_body("invalid", _("The data sent is not valid."), fields)
    else:
        code = (
            getattr(exc, "api_code", None)
            or _DRF_CODES.get(type(exc))
            or next(
                (c for cls, c in _DRF_CODES.items() if isinstance(exc, cls)),
                force_str(exc.default_code),
            )
        )
        body = error_body(code, _drf_message(exc))
    return Response(body, status=exc.status_code, headers=headers)


class RequestTooLarge(DomainError):
    status_code = 413
    code = "request_too_large"
    default_message = gettext_lazy("The request body is too large.")


class InvalidCharacters(DomainError):
    status_code = 400
    code = "invalid_characters"
    default_message = gettext_lazy(
        "The request contains characters that cannot be stored (such as NUL bytes)."
    )


class InvalidContentLength(DomainError):
    status_code = 400
    code = "invalid_content_length"
    default_message = gettext_lazy("The Content-Length header is not a number.")


class OnBehalfNotSupported(DomainError):
    status_code = 400
    code = "on_behalf_not_supported"
    default_message = gettext_lazy(
        "This request cannot be made on someone's behalf (X-On-Behalf-Of). Send it without "
        "that header, for yourself."
    )


class InvalidEncoding(DomainError):
    status_code = 400
    code = "invalid_encoding"
    default_message = gettext_lazy("The request is not valid UTF-8.")


def _is_api(request: HttpRequest) -> bool:
    # path_info, not path: behind a SCRIPT_NAME prefix the path starts with the prefix.
    return request.path_info.startswith("/api/")


def bad_request(request: HttpRequest, exception: Exception) -> Any:
    """handler400: what Django itself refuses (too many query parameters, a host not served,
    ``SuspiciousOperation``) in the same JSON shape under /api/, Django's page elsewhere."""
    if _is_api(request):
        return error_json_response(400, "bad_request", _("The request could not be understood."))
    from django.views.defaults import bad_request as django_bad_request

    return django_bad_request(request, exception)


def server_error(request: HttpRequest) -> Any:
    """handler500: the same JSON shape under /api/, Django's page elsewhere."""
    if _is_api(request):
        return error_json_response(
            500, "server_error", _("Something went wrong on our side. It has been logged.")
        )
    from django.views.defaults import server_error as django_server_error

    return django_server_error(request)


def raises(*errors: type[DomainError]) -> Callable[[_F], _F]:
    """Declare the domain errors a view handler can answer with, for the OpenAPI schema."""

    def mark(handler: _F) -> _F:
        declared = list(getattr(handler, "documented_errors", []))
        handler.documented_errors = declared + list(errors)  # type: ignore[attr-defined]
        return handler

    return mark
