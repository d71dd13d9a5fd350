"""The edge of the API: refuse what can never be served before any view sees it."""

from collections.abc import Callable
from urllib.parse import unquote_to_bytes

from django.conf import settings
from django.http import HttpRequest, HttpResponse

from smartplatform.core.errors import (
    DomainError,
    InvalidCharacters,
    InvalidEncoding,
    RequestTooLarge,
    error_json_response,
)


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
    length = request.META.get("CONTENT_LENGTH") or "0"
    try:
        too_large = int(length) > settings.DATA_UPLOAD_MAX_MEMORY_SIZE
    except ValueError:
        return InvalidEncoding()
    if too_large:
        return RequestTooLarge()
    return None


class ApiEdgeMiddleware:
    """Refuses NUL bytes, undecodable query strings and oversized bodies.

    PostgreSQL cannot store NUL characters, so a NUL in a filter would otherwise be a 500 in
    psycopg; DRF reads a JSON body whatever its size, so the size limit is enforced here from
    Content-Length before anything reads the body.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        refusal = _refusal(request)
        if refusal is not None:
            return error_json_response(refusal.status_code, refusal.code, refusal.get_message())
        return self.get_response(request)
