"""Optional TOTP two-factor authentication for staff: turned on through the auth API, then
asked for at every sign-in, in the API and in the admin."""

import pytest
from allauth.account.models import EmailAddress
from allauth.mfa.models import Authenticator
from allauth.mfa.totp.internal.auth import (
    TOTP,
    format_hotp_value,
    hotp_value,
    yield_hotp_counters_from_time,
)
from django.core.cache import cache
from django.urls import reverse

from tests.accounts.clients import PASSWORD, AuthClient
from tests.factories import StaffFactory

pytestmark = pytest.mark.django_db


def current_code(secret: str) -> str:
    """What an authenticator app shows now (the middle of allauth's tolerance window)."""
    counters = list(yield_hotp_counters_from_time())
    return format_hotp_value(hotp_value(secret, counters[len(counters) // 2]))


def forget_used(user, code: str) -> None:
    # A code works once; the tests use the same 30-second window twice.
    authenticator = Authenticator.objects.get(user=user, type=Authenticator.Type.TOTP)
    cache.delete(TOTP(authenticator)._get_used_cache_key(code))


@pytest.fixture
def staff():
    user = StaffFactory.create(email="it@helsingborg.se")
    user.set_password(PASSWORD)
    user.save()
    EmailAddress.objects.create(user=user, email=user.email, verified=True, primary=True)
    return user


def turn_on_totp(staff, capture) -> str:
    app = AuthClient("app", capture)
    login = app.auth("post", "auth/login", {"email": staff.email, "password": PASSWORD})
    assert login.status_code == 200
    # Turning it on asks for the password once more.
    assert app.auth("post", "auth/reauthenticate", {"password": PASSWORD}).status_code == 200
    offered = app.auth("get", "account/authenticators/totp")
    assert offered.status_code == 404  # not on yet: the answer carries a fresh secret
    secret = offered.json()["meta"]["secret"]
    code = current_code(secret)
    activated = app.auth("post", "account/authenticators/totp", {"code": code})
    assert activated.status_code == 200, activated.json()
    forget_used(staff, code)
    return secret


def test_staff_sign_in_asks_for_the_code_once_two_factor_is_on(
    staff, django_capture_on_commit_callbacks
):
    secret = turn_on_totp(staff, django_capture_on_commit_callbacks)
    app = AuthClient("app", django_capture_on_commit_callbacks)

    first = app.auth("post", "auth/login", {"email": staff.email, "password": PASSWORD})

    assert first.status_code == 401
    flows = {f["id"]: f for f in first.json()["data"]["flows"]}
    assert flows["mfa_authenticate"]["is_pending"] is True
    assert app.api("get", "me/").status_code == 401  # not signed in on the password alone

    wrong = app.auth("post", "auth/2fa/authenticate", {"code": "000000"})
    right = app.auth("post", "auth/2fa/authenticate", {"code": current_code(secret)})

    assert wrong.status_code == 400
    assert right.status_code == 200
    assert app.api("get", "me/").status_code == 200


def admin_login(client, staff, otp: str = "", forwarded_for: str | None = None):
    extra = {"HTTP_X_FORWARDED_FOR": forwarded_for} if forwarded_for else {}
    return client.post(
        reverse("admin:login"),
        {"username": staff.email, "password": PASSWORD, "otp": otp, "next": "/admin/"},
        HTTP_ACCEPT_LANGUAGE="en",
        **extra,
    )


def test_the_admin_asks_staff_with_two_factor_for_the_code(
    client, staff, django_capture_on_commit_callbacks
):
    secret = turn_on_totp(staff, django_capture_on_commit_callbacks)

    without = admin_login(client, staff)
    wrong = admin_login(client, staff, "123456")
    right = admin_login(client, staff, current_code(secret))

    assert without.status_code == 200  # the form again, with the error
    # The same words as for a wrong password: the form does not confirm the password.
    assert "Wrong email address, password or two-factor code." in without.content.decode()
    assert wrong.status_code == 200
    assert right.status_code == 302
    assert right["Location"] == "/admin/"


def test_staff_without_two_factor_sign_in_to_the_admin_with_the_password(client, staff):
    page = client.get(reverse("admin:login"))
    response = admin_login(client, staff)

    assert 'name="otp"' in page.content.decode()
    assert response.status_code == 302


def test_password_guessing_at_the_admin_is_locked_out(client, staff):
    statuses = [
        client.post(
            reverse("admin:login"), {"username": staff.email, "password": f"fel-{guess}"}
        ).status_code
        for guess in range(5)
    ]

    assert statuses == [200, 200, 200, 200, 429]  # the form again four times, then locked
    locked = admin_login(client, staff)  # even the right password, now

    assert locked.status_code == 429
    assert "_auth_user_id" not in client.session


def test_guessing_two_factor_codes_at_the_admin_is_locked_out(
    client, staff, django_capture_on_commit_callbacks
):
    secret = turn_on_totp(staff, django_capture_on_commit_callbacks)

    statuses = [admin_login(client, staff, f"{n:06d}").status_code for n in range(5)]
    locked = admin_login(client, staff, current_code(secret))

    assert statuses == [200, 200, 200, 200, 429]
    assert locked.status_code == 429


def guess_five_times(client, staff, forwarded_for: str) -> list[int]:
    return [
        client.post(
            reverse("admin:login"),
            {"username": staff.email, "password": f"fel-{guess}"},
            HTTP_X_FORWARDED_FOR=forwarded_for,
        ).status_code
        for guess in range(5)
    ]


def test_behind_a_proxy_the_lockout_counts_the_clients_address(client, staff, settings):
    settings.ALLAUTH_TRUSTED_PROXY_COUNT = 1  # one proxy: its X-Forwarded-For is the client

    guessed = guess_five_times(client, staff, "203.0.113.7")
    same_client = admin_login(client, staff, forwarded_for="203.0.113.7")
    other_client = admin_login(client, staff, forwarded_for="198.51.100.9")

    assert guessed[-1] == same_client.status_code == 429
    assert other_client.status_code == 302  # a colleague elsewhere still signs in


def test_without_a_proxy_a_forged_forwarded_for_does_not_escape_the_lockout(client, staff):
    guessed = guess_five_times(client, staff, "203.0.113.7")
    forged = admin_login(client, staff, forwarded_for="198.51.100.9")

    assert guessed[-1] == forged.status_code == 429
