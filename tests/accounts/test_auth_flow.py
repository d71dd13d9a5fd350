"""The whole account life cycle through HTTP, as both kinds of client drive it: sign-up, the
email, verification, login, /api/v1/me/, logout, password reset, password and email change,
sessions."""

import pytest
from django.core import mail

from smartplatform.accounts.models import User
from tests.accounts.clients import PASSWORD, AuthClient, last_code_to

pytestmark = pytest.mark.django_db

CLIENTS = ["browser", "app"]


@pytest.fixture(params=CLIENTS)
def client(request, django_capture_on_commit_callbacks) -> AuthClient:
    return AuthClient(request.param, django_capture_on_commit_callbacks)


def sign_up(client: AuthClient, email: str = "asa@example.se", **extra) -> None:
    body = {"email": email, "password": PASSWORD, "display_name": "Åsa", **extra}
    response = client.auth("post", "auth/signup", body)
    assert response.status_code == 401, response.json()  # signed up, not yet verified
    flows = {flow["id"]: flow for flow in response.json()["data"]["flows"]}
    assert flows["verify_email"]["is_pending"] is True
    response = client.auth("post", "auth/email/verify", {"key": last_code_to(email)})
    assert response.status_code == 200, response.json()


def test_sign_up_verify_by_emailed_code_and_use_the_api(client):
    response = client.auth(
        "post",
        "auth/signup",
        {
            "email": "Asa.Lind@Example.se",
            "password": PASSWORD,
            "display_name": "Åsa Lind",
            "home_municipality": "1284",
        },
    )

    assert response.status_code == 401
    assert response.json()["meta"]["is_authenticated"] is False
    [message] = mail.outbox
    assert message.to == ["asa.lind@example.se"]
    assert message.subject == "Smart samhälle: Vänligen bekräfta din epost-adress"
    assert "Din epost-verifieringskod" in message.body
    assert "Åsa Lind" in message.body

    # Not signed in until the address is verified.
    assert client.api("get", "me/").status_code == 401

    verified = client.auth("post", "auth/email/verify", {"key": last_code_to("asa.lind@")})

    assert verified.status_code == 200
    assert verified.json()["meta"]["is_authenticated"] is True
    assert verified.json()["data"]["user"]["display_name"] == "Åsa Lind"
    me = client.api("get", "me/")
    assert me.status_code == 200
    user = User.objects.get()
    assert me.json() == {
        "id": user.pk,
        "email": "asa.lind@example.se",
        "email_verified": True,
        "display_name": "Åsa Lind",
        "home_municipality": {"code": "1284", "name": "Höganäs"},
        "preferred_language": "sv",
        "phone": "",
        "bio": "",
        "avatar": None,
        "date_joined": me.json()["date_joined"],
        "is_staff": False,
    }


def test_a_wrong_verification_code_is_refused(client):
    client.auth(
        "post", "auth/signup", {"email": "a@example.se", "password": PASSWORD, "display_name": "A"}
    )

    response = client.auth("post", "auth/email/verify", {"key": "AAAA-AAAA"})

    assert response.status_code == 400
    assert response.json()["errors"][0]["param"] == "key"
    assert client.api("get", "me/").status_code == 401


def test_logout_then_login(client):
    sign_up(client)

    logged_out = client.auth("delete", "auth/session")
    assert logged_out.status_code == 401
    assert client.api("get", "me/").status_code == 401

    wrong = client.auth("post", "auth/login", {"email": "asa@example.se", "password": "fel"})
    assert wrong.status_code == 400

    right = client.auth("post", "auth/login", {"email": "ASA@example.se", "password": PASSWORD})
    assert right.status_code == 200
    assert client.api("get", "me/").json()["email"] == "asa@example.se"


def test_password_reset_by_emailed_code(client, django_capture_on_commit_callbacks):
    sign_up(client)
    client.auth("delete", "auth/session")
    mail.outbox.clear()

    requested = client.auth("post", "auth/password/request", {"email": "asa@example.se"})
    assert requested.status_code == 401  # a reset-by-code flow is now pending
    [message] = mail.outbox
    assert message.subject == "Smart samhälle: Kod för lösenordsåterställning"

    new_password = "ett helt nytt lösenord 2027"
    reset = client.auth(
        "post", "auth/password/reset", {"key": last_code_to("asa@"), "password": new_password}
    )
    assert reset.status_code in {200, 401}

    old = client.auth("post", "auth/login", {"email": "asa@example.se", "password": PASSWORD})
    assert old.status_code == 400
    new = client.auth("post", "auth/login", {"email": "asa@example.se", "password": new_password})
    assert new.status_code == 200
    assert "Återställning av lösenord" in mail.outbox[-1].subject  # told it happened


def test_password_change_needs_the_current_password(client):
    sign_up(client)

    refused = client.auth(
        "post",
        "account/password/change",
        {"current_password": "fel", "new_password": "ett annat långt lösenord"},
    )
    changed = client.auth(
        "post",
        "account/password/change",
        {"current_password": PASSWORD, "new_password": "ett annat långt lösenord"},
    )

    assert refused.status_code == 400
    assert changed.status_code == 200
    assert User.objects.get().check_password("ett annat långt lösenord")


def test_email_change_is_verified_at_the_new_address(client):
    sign_up(client)
    mail.outbox.clear()

    added = client.auth("post", "account/email", {"email": "asa.ny@example.se"})
    assert added.status_code == 200
    assert User.objects.get().email == "asa@example.se"  # not before it is verified
    [message] = mail.outbox
    assert message.to == ["asa.ny@example.se"]

    verified = client.auth("post", "auth/email/verify", {"key": last_code_to("asa.ny@")})

    assert verified.status_code == 200
    assert User.objects.get().email == "asa.ny@example.se"
    addresses = client.auth("get", "account/email").json()["data"]
    assert addresses == [{"email": "asa.ny@example.se", "verified": True, "primary": True}]
    client.auth("delete", "auth/session")
    old = client.auth("post", "auth/login", {"email": "asa@example.se", "password": PASSWORD})
    new = client.auth("post", "auth/login", {"email": "asa.ny@example.se", "password": PASSWORD})
    assert old.status_code == 400
    assert new.status_code == 200


def test_the_sessions_list_shows_the_current_session(client):
    sign_up(client)

    sessions = client.auth("get", "auth/sessions")

    assert sessions.status_code == 200
    [current] = sessions.json()["data"]
    assert current["is_current"] is True


def test_emails_follow_the_users_language(client):
    sign_up(client, email="sam@example.se", preferred_language="en")
    client.auth("delete", "auth/session")
    mail.outbox.clear()

    client.auth("post", "auth/password/request", {"email": "sam@example.se"})

    [message] = mail.outbox
    assert message.subject == "Smart samhälle: Password Reset Code"
    assert "Your password reset code is listed below" in message.body


def test_the_sign_up_language_defaults_to_the_requests(client):
    client.http.defaults["HTTP_ACCEPT_LANGUAGE"] = "en"

    sign_up(client, email="kim@example.se")

    assert User.objects.get().preferred_language == "en"
    assert mail.outbox[0].subject == "Smart samhälle: Please Confirm Your Email Address"


def test_an_unknown_municipality_at_sign_up_is_refused(client):
    response = client.auth(
        "post",
        "auth/signup",
        {
            "email": "x@example.se",
            "password": PASSWORD,
            "display_name": "X",
            "home_municipality": "0000",
        },
    )

    assert response.status_code == 400
    assert response.json()["errors"][0]["param"] == "home_municipality"
    assert not User.objects.exists()
