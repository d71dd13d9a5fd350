"""How API clients prove who they are."""

from allauth.headless.contrib.rest_framework.authentication import XSessionTokenAuthentication
from rest_framework import authentication, exceptions
from rest_framework.request import Request


class SessionAuthentication(authentication.SessionAuthentication):
    """Browser sessions with CSRF protection, answering 401 (not 403) to anonymous callers.

    DRF answers 403 when the first authenticator names no ``WWW-Authenticate`` challenge;
    naming one makes "who are you?" (401) distinct from "you may not" (403).
    """

    def authenticate_header(self, request: Request) -> str:
        return 'Session realm="api"'

    def enforce_csrf(self, request: Request) -> None:
        try:
            super().enforce_csrf(request)
        except exceptions.PermissionDenied as exc:
            raise CsrfFailed(exc.detail) from exc


class CsrfFailed(exceptions.PermissionDenied):
    """A browser session's write without its CSRF token: 403 ``csrf_failed``."""

    api_code = "csrf_failed"


class SessionTokenAuthentication(XSessionTokenAuthentication):
    """App clients: the ``X-Session-Token`` header that allauth's app login hands out.

    A token that is sent but not valid (expired, logged out) is refused with 401
    ``authentication_failed`` rather than quietly treated as anonymous.
    """

    allow_invalid_session_tokens = False
