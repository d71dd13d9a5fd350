"""Optional sign-in for municipal staff through OpenID Connect (Microsoft Entra ID), set up
from the environment, against a local stand-in for the identity provider."""

import json
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, urlsplit

import jwt
import pytest

from tests.accounts.clients import AuthClient

pytestmark = pytest.mark.django_db

PERSON = {
    "sub": "entra-object-id-1",
    "email": "sara.lind@helsingborg.se",
    "email_verified": True,
    "name": "Sara Lind",
}
EXCHANGES: list[dict[str, list[str]]] = []


@pytest.fixture
def identity_provider():
    """Serves the OpenID discovery document an Entra ID tenant would."""

    class Discovery(BaseHTTPRequestHandler):
        def answer(self, data: dict[str, Any]) -> None:
            body = json.dumps(data).encode()
            self.send_response(200)
            self.send_header("Content-Type", "application/json")
            self.end_headers()
            self.wfile.write(body)

        def do_GET(self) -> None:
            base = f"http://{self.headers['Host']}"
            if self.path.startswith("/userinfo"):
                self.answer(PERSON)
                return
            self.answer(
                {
                    "issuer": base,
                    "authorization_endpoint": f"{base}/authorize",
                    "token_endpoint": f"{base}/token",
                    "userinfo_endpoint": f"{base}/userinfo",
                    "jwks_uri": f"{base}/keys",
                }
            )

        def do_POST(self) -> None:
            # The code exchange, over the back channel (so the id token needs no signature
            # check, as OpenID Connect allows).
            base = f"http://{self.headers['Host']}"
            length = int(self.headers.get("Content-Length") or 0)
            form = parse_qs(self.rfile.read(length).decode())
            EXCHANGES.append(form)
            now = int(time.time())
            claims = {**PERSON, "iss": base, "aud": "platform-client-id", "iat": now}
            self.answer(
                {
                    "access_token": "access-token",
                    "token_type": "Bearer",
                    "expires_in": 3600,
                    "id_token": jwt.encode({**claims, "exp": now + 300}, "x" * 32),
                }
            )

        def log_message(self, *args) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Discovery)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()


@pytest.fixture
def entra(settings, identity_provider):
    settings.SOCIALACCOUNT_PROVIDERS = {
        "openid_connect": {
            "OAUTH_PKCE_ENABLED": True,
            "APPS": [
                {
                    "provider_id": "entra",
                    "name": "Microsoft Entra ID",
                    "client_id": "platform-client-id",
                    "secret": "platform-secret",
                    "settings": {"server_url": identity_provider},
                }
            ],
        }
    }
    return identity_provider


def test_without_configuration_there_is_no_provider(django_capture_on_commit_callbacks):
    browser = AuthClient("browser", django_capture_on_commit_callbacks)

    config = browser.auth("get", "config").json()["data"]

    assert config["socialaccount"]["providers"] == []


def test_the_configured_provider_is_offered_and_redirects_with_pkce(
    entra, django_capture_on_commit_callbacks
):
    browser = AuthClient("browser", django_capture_on_commit_callbacks)

    providers = browser.auth("get", "config").json()["data"]["socialaccount"]["providers"]
    headers: dict[str, Any] = browser.headers()
    redirect = browser.http.post(
        browser.auth_url("auth/provider/redirect"),
        {"provider": "entra", "callback_url": "/account/provider/callback", "process": "login"},
        format="multipart",  # a plain HTML form post: the browser is sent on to the provider
        **headers,
    )

    assert [(p["id"], p["name"]) for p in providers] == [("entra", "Microsoft Entra ID")]
    assert redirect.status_code == 302
    location = urlsplit(redirect["Location"])
    assert f"{location.scheme}://{location.netloc}{location.path}" == f"{entra}/authorize"
    query = parse_qs(location.query)
    assert query["client_id"] == ["platform-client-id"]
    assert query["code_challenge_method"] == ["S256"]
    assert query["response_type"] == ["code"]


def test_a_staff_member_signs_in_through_the_provider_and_gets_an_account(
    entra, django_capture_on_commit_callbacks
):
    browser = AuthClient("browser", django_capture_on_commit_callbacks)
    headers: dict[str, Any] = browser.headers()
    redirect = browser.http.post(
        browser.auth_url("auth/provider/redirect"),
        {"provider": "entra", "callback_url": "/account/provider/callback", "process": "login"},
        format="multipart",
        **headers,
    )
    state = parse_qs(urlsplit(redirect["Location"]).query)["state"][0]

    # The provider sends the browser back with a code.
    back = browser.http.get(
        "/accounts/oidc/entra/login/callback/", {"code": "the-code", "state": state}
    )

    assert back.status_code == 302
    assert back["Location"] == "/account/provider/callback"  # the front end, no error
    assert EXCHANGES[-1]["code"] == ["the-code"]
    assert "code_verifier" in EXCHANGES[-1]  # PKCE
    me = browser.api("get", "me/")
    assert me.status_code == 200
    assert me.json()["email"] == "sara.lind@helsingborg.se"
    assert me.json()["display_name"] == "Sara Lind"
    assert me.json()["email_verified"] is True
