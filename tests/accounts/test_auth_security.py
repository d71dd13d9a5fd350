"""CSRF for browsers, tokens for apps, rate limits, and the auth API's own documentation."""

import pytest
from rest_framework.test import APIClient

from tests.accounts.clients import PASSWORD, AuthClient
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


def test_the_browser_clients_writes_need_the_csrf_token(django_capture_on_commit_callbacks):
    browser = AuthClient("browser", django_capture_on_commit_callbacks)
    body = {"email": "a@example.se", "password": PASSWORD, "display_name": "A"}

    without = browser.http.post("/_allauth/browser/v1/auth/signup", body, format="json")
    with_token = browser.auth("post", "auth/signup", body)

    assert without.status_code == 403
    assert with_token.status_code == 401  # signed up; verification pending


def test_a_browser_session_cannot_write_to_the_api_without_the_csrf_token():
    user = UserFactory.create()
    browser = APIClient(enforce_csrf_checks=True, HTTP_ACCEPT_LANGUAGE="en")
    browser.force_login(user)

    response = browser.patch("/api/v1/me/", {"bio": "hej"}, format="json")

    assert response.status_code == 403
    assert response.json() == {
        "code": "csrf_failed",
        "message": "CSRF Failed: CSRF cookie not set.",
        "fields": {},
    }
    user.refresh_from_db()
    assert user.bio == ""


def test_the_app_client_needs_no_csrf_token_but_a_valid_session_token(
    django_capture_on_commit_callbacks,
):
    user = UserFactory.create(email="app@example.se")
    from allauth.account.models import EmailAddress

    EmailAddress.objects.create(user=user, email=user.email, verified=True, primary=True)
    user.set_password(PASSWORD)
    user.save()
    app = AuthClient("app", django_capture_on_commit_callbacks)

    login = app.auth("post", "auth/login", {"email": "app@example.se", "password": PASSWORD})
    assert login.status_code == 200
    assert app.api("patch", "me/", {"bio": "från appen"}).status_code == 200

    token = app.token or ""
    forged_token = token[:-1] + ("0" if token[-1] != "0" else "1")  # one character off
    forged = APIClient(HTTP_ACCEPT_LANGUAGE="en").get(
        "/api/v1/me/", HTTP_X_SESSION_TOKEN=forged_token
    )
    assert forged.status_code == 401
    assert forged.json()["code"] == "authentication_failed"


@pytest.mark.parametrize("token", ["", " ", "a\x00b" * 11, "ö" * 32, "x" * 5000])
def test_odd_session_tokens_are_refused_not_a_500(token):
    response = APIClient().get("/api/v1/me/", HTTP_X_SESSION_TOKEN=token)

    assert response.status_code == 401


def test_sign_ups_are_rate_limited_per_address(django_capture_on_commit_callbacks):
    app = AuthClient("app", django_capture_on_commit_callbacks)
    statuses = [
        app.auth(
            "post",
            "auth/signup",
            {"email": f"p{n}@example.se", "password": PASSWORD, "display_name": "P"},
        ).status_code
        for n in range(21)
    ]

    assert statuses[:20] == [401] * 20  # each: signed up, verification pending
    assert statuses[20] == 429


def test_guessing_a_password_is_stopped_after_five_failures(django_capture_on_commit_callbacks):
    target = UserFactory.create(email="target@example.se")
    target.set_password(PASSWORD)
    target.save()
    app = AuthClient("app", django_capture_on_commit_callbacks)

    for n in range(5):
        guess = app.auth("post", "auth/login", {"email": "target@example.se", "password": f"{n}"})
        assert guess.json()["errors"][0]["code"] != "too_many_login_attempts"
    # Even the right password is refused now, for this address.
    right = app.auth("post", "auth/login", {"email": "target@example.se", "password": PASSWORD})

    assert right.status_code == 400
    assert right.json()["errors"][0]["code"] == "too_many_login_attempts"


def test_the_auth_api_documents_itself_offline(client):
    spec = client.get("/_allauth/openapi.json")
    page = client.get("/_allauth/openapi.html")

    assert spec.status_code == 200
    assert "/_allauth/{client}/v1/auth/signup" in spec.json()["paths"]
    html = page.content.decode()
    assert page.status_code == 200
    assert "cdn." not in html
    assert "/static/drf_spectacular_sidecar/redoc/bundles/redoc.standalone.js" in html
    script = client.get("/static/drf_spectacular_sidecar/redoc/bundles/redoc.standalone.js")
    assert script.status_code == 200
