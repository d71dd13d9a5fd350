"""The edge of the API: refuse what can never be served before any view sees it."""

from collections.abc import Callable
from typing import Any
from urllib.parse import unquote_to_bytes

from django.conf import settings
from django.http import HttpRequest, HttpResponse

from smartplatform.core.errors import (
    DomainError,
    InvalidCharacters,
    InvalidContentLength,
    InvalidEncoding,
    OnBehalfNotSupported,
    RequestTooLarge,
    error_json_response,
)

# JSON endpoints: their bodies are read whole, so their size is capped here.
_JSON_PREFIXES = ("/api/", "/_allauth/")


def _refusal(request: HttpRequest) -> DomainError | None:
    if "\x00" in request.path_info:
        return InvalidCharacters()
    query = request.META.get("QUERY_STRING", "")
    if query:
        raw = unquote_to_bytes(query.replace("+", " "))
        if b"\x00" in raw:
            return InvalidCharacters()
        try:
            raw.decode("utf-8")
        except UnicodeDecodeError:
            return InvalidEncoding()
    if request.path_info.startswith(_JSON_PREFIXES):
        length = request.META.get("CONTENT_LENGTH") or "0"
        uploading = request.META.get("CONTENT_TYPE", "").startswith("multipart/form-data")
        limit = settings.MAX_UPLOAD_BYTES if uploading else settings.DATA_UPLOAD_MAX_MEMORY_SIZE
        try:
            too_large = int(length) > limit
        except ValueError:
            return InvalidContentLength()
        if too_large:
            return RequestTooLarge()
    return None


class ApiEdgeMiddleware:
    """Refuses NUL bytes, undecodable query strings and oversized JSON bodies.

    PostgreSQL cannot store NUL characters, so a NUL in a filter or an admin search would
    otherwise be a 500 in psycopg; DRF reads a JSON body whatever its size, so the size limit
    is enforced here from Content-Length before anything reads the body (the admin's file
    uploads stream to disk under Django's own limits). Under /api/ the refusal is in the
    API's JSON shape, elsewhere plain text.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def process_view(
        self, request: HttpRequest, view_func: Any, view_args: Any, view_kwargs: Any
    ) -> HttpResponse | None:
        """``X-On-Behalf-Of`` reaches only the handlers that honour it; anywhere else it would
        be silently ignored and the request would act for the coordinator themselves.

        Where no handler answers (a method the endpoint does not have, an address the API
        does not have) the header is not judged: the 405 or 404 says more."""
        if "HTTP_X_ON_BEHALF_OF" not in request.META or not request.path_info.startswith("/api/"):
            return None
        view_class = getattr(view_func, "cls", None)
        actions = getattr(view_func, "actions", None) or {}
        method = (request.method or "").lower()
        handler = getattr(view_class, actions.get(method, method), None) if view_class else None
        from smartplatform.assistance.acting import acts_on_behalf  # an app's, loaded late

        if view_class is None or handler is None or acts_on_behalf(handler, method):
            return None
        refusal = OnBehalfNotSupported()
        return error_json_response(refusal.status_code, refusal.code, refusal.get_message())

    def __call__(self, request: HttpRequest) -> HttpResponse:
        refusal = _refusal(request)
        if refusal is None:
            return self.get_response(request)
        if request.path_info.startswith("/api/"):
            return error_json_response(refusal.status_code, refusal.code, refusal.get_message())
        return HttpResponse(
            refusal.get_message(),
            status=refusal.status_code,
            content_type="text/plain; charset=utf-8",
        )


class HealthCheckMiddleware:
    """Answers ``/healthz`` and ``/healthz/dependencies`` before anything else runs.

    Load balancers and container health checks call by IP address or by ``localhost``, which
    ``ALLOWED_HOSTS`` rightly refuses everywhere else, and over plain HTTP, which the HTTPS
    redirect would bounce. The answers hold no data worth a host check.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        from smartplatform.core import views

        handler = {
            "/healthz": views.healthz,
            "/healthz/dependencies": views.healthz_dependencies,
        }.get(request.path_info)
        if handler is None:
            return self.get_response(request)
        return handler(request)
