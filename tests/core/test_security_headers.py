"""Security headers on every kind of page: the admin, the API docs, the HTML pages people reach
from emails, and the JSON API. The content security policy lets scripts come only from the
site's own files, and no page carries an inline script it would block."""

from html.parser import HTMLParser
from typing import Any

import pytest
from django.test import Client

from notifications.unsubscribe import token_for
from tests.exchange.factories import resident

pytestmark = pytest.mark.django_db


class Scripts(HTMLParser):
    """The page's ``<script>`` elements: those loaded from a URL, and those written inline."""

    def __init__(self) -> None:
        super().__init__()
        self.loaded: list[str] = []
        self.inline: list[str] = []
        self._open: dict[str, str | None] | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag == "script":
            self._open = dict(attrs)
            if self._open.get("src"):
                self.loaded.append(self._open["src"] or "")

    def handle_data(self, data: str) -> None:
        # Data blocks (JSON for a script to read) are not run, and no policy stops them.
        if (
            self._open is not None
            and not self._open.get("src")
            and self._open.get("type") != "application/json"
            and data.strip()
        ):
            self.inline.append(data.strip()[:80])

    def handle_endtag(self, tag: str) -> None:
        if tag == "script":
            self._open = None


def policy(response: Any) -> dict[str, list[str]]:
    header = response.headers["Content-Security-Policy"]
    return {
        name: values
        for name, *values in (part.split() for part in header.split(";") if part.strip())
    }


def pages() -> dict[str, str]:
    me = resident()
    return {
        "admin login": "/admin/login/",
        "API docs": "/api/docs/",
        "authentication API docs": "/_allauth/openapi.html",
        "unsubscribe": f"/notifications/unsubscribe/{token_for(me, 'exchange_message')}/",
        "contact request answer": "/catalogue/contact-requests/answer/not-a-token/",
    }


def test_every_html_page_forbids_inline_scripts_and_has_none() -> None:
    client = Client()
    for name, url in pages().items():
        response = client.get(url)
        assert response.status_code in (200, 404), (name, response.status_code)
        assert response["Content-Type"].startswith("text/html"), name
        rules = policy(response)
        assert rules["script-src"] == ["'self'"], name
        assert rules["object-src"] == ["'none'"], name
        assert rules["frame-ancestors"] == ["'none'"], name
        assert rules["base-uri"] == ["'self'"], name
        assert rules["form-action"] == ["'self'"], name
        assert response["X-Frame-Options"] == "DENY", name
        assert response["X-Content-Type-Options"] == "nosniff", name
        # A link carrying a secret token leaks it to no one it links on to.
        secret_in_url = name in ("unsubscribe", "contact request answer")
        assert response["Referrer-Policy"] == ("no-referrer" if secret_in_url else "same-origin"), (
            name
        )
        found = Scripts()
        found.feed(response.content.decode())
        assert found.inline == [], (name, found.inline)


def test_the_api_docs_load_their_own_script_from_a_url_as_javascript() -> None:
    client = Client()
    page = Scripts()
    page.feed(client.get("/api/docs/").content.decode())
    own = [src for src in page.loaded if src.startswith("/api/docs/")]

    script = client.get(own[0])

    assert len(own) == 1
    assert script.status_code == 200
    assert script["Content-Type"].startswith("application/javascript")
    assert "SwaggerUIBundle" in script.content.decode()


def test_the_json_api_carries_the_same_headers() -> None:
    response = Client().get("/api/v1/municipalities/")

    assert response.status_code == 200
    assert policy(response)["default-src"] == ["'self'"]
    assert response["X-Content-Type-Options"] == "nosniff"
