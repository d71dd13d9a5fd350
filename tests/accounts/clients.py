"""The two kinds of client of the auth API, driven through HTTP as real ones would be.

``browser``: session cookie, CSRF token from the ``csrftoken`` cookie in ``X-CSRFToken``,
CSRF checks on. ``app``: no cookies; the session token from each answer's ``meta`` goes in
``X-Session-Token``.
"""

import re
from typing import Any

from django.core import mail
from rest_framework.test import APIClient

CODE = re.compile(r"^([A-Z0-9]{4}-[A-Z0-9]{4})$", re.MULTILINE)
PASSWORD = "ett långt lösenord för Åsa 2026"


class AuthClient:
    def __init__(self, kind: str, capture_on_commit: Any) -> None:
        self.kind = kind
        self.http = APIClient(enforce_csrf_checks=True, HTTP_ACCEPT_LANGUAGE="sv")
        self.token: str | None = None
        self._capture = capture_on_commit
        if kind == "browser":
            # A browser app's first call: any GET sets the CSRF cookie.
            assert self.http.get(self.auth_url("config")).status_code == 200

    def auth_url(self, path: str) -> str:
        return f"/_allauth/{self.kind}/v1/{path}"

    def headers(self) -> dict[str, str]:
        if self.kind == "browser":
            return {"HTTP_X_CSRFTOKEN": self.http.cookies["csrftoken"].value}
        return {"HTTP_X_SESSION_TOKEN": self.token} if self.token else {}

    def _remember(self, response: Any) -> Any:
        if self.kind == "app" and response.get("Content-Type", "").startswith("application/json"):
            meta = response.json().get("meta", {})
            if "session_token" in meta:
                self.token = meta["session_token"]
            elif (
                # A flow that ended without a session (logout): the token is spent.
                meta.get("is_authenticated") is False
                and response.status_code == 401
                and not any(f.get("is_pending") for f in response.json()["data"].get("flows", []))
            ):
                self.token = None
        return response

    def request(self, method: str, url: str, data: Any = None) -> Any:
        with self._capture(execute=True):  # emails go out after the commit
            response = getattr(self.http, method)(url, data, format="json", **self.headers())
        return self._remember(response)

    def auth(self, method: str, path: str, data: Any = None) -> Any:
        return self.request(method, self.auth_url(path), data)

    def api(self, method: str, path: str, data: Any = None) -> Any:
        return self.request(method, f"/api/v1/{path}", data)


def last_code_to(address: str) -> str:
    message = next(m for m in reversed(mail.outbox) if any(address in to for to in m.to))
    match = CODE.search(str(message.body))
    assert match, message.body
    return match.group(1)
