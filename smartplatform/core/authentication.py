"""How API clients prove who they are."""

from rest_framework import authentication
from rest_framework.request import Request


class SessionAuthentication(authentication.SessionAuthentication):
    """Browser sessions with CSRF protection, answering 401 (not 403) to anonymous callers.

    DRF answers 403 when the first authenticator names no ``WWW-Authenticate`` challenge;
    naming one makes "who are you?" (401) distinct from "you may not" (403).
    """

    def authenticate_header(self, request: Request) -> str:
        return 'Session realm="api"'
