"""Optional sign-in for municipal staff through OpenID Connect (Microsoft Entra ID), set up
from the environment, against a local stand-in for the identity provider."""

import json
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, urlsplit

import pytest

from tests.accounts.clients import AuthClient

pytestmark = pytest.mark.django_db


@pytest.fixture
def identity_provider():
    """Serves the OpenID discovery document an Entra ID tenant would."""

    class Discovery(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            base = f"http://{self.headers['Host']}"
            body = json.dumps(
                {
                    "issuer": base,
                    "authorization_endpoint": f"{base}/authorize",
                    "token_endpoint": f"{base}/token",
                    "userinfo_endpoint": f"{base}/userinfo",
                    "jwks_uri": f"{base}/keys",
                }
            ).encode()
            self.send_response(200)
            self.send_header("Content-Type", "application/json")
            self.end_headers()
            self.wfile.write(body)

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
