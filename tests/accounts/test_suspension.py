"""Suspending an account in the admin: the person is signed out and cannot sign in, and
every app's published content is hidden until the suspension is lifted."""

import pytest
from allauth.account.models import EmailAddress
from django.urls import reverse

from smartplatform.accounts import suspension
from tests.accounts.clients import PASSWORD, AuthClient
from tests.factories import SuperuserFactory, UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def hidden():
    """A stand-in for an app's published content."""
    state: dict[int, bool] = {}
    suspension.register(
        "tests.content",
        hide=lambda user: state.__setitem__(user.pk, True),
        show=lambda user: state.__setitem__(user.pk, False),
    )
    yield state
    suspension.unregister("tests.content")


def test_a_moderator_suspends_and_restores_a_person(
    client, hidden, events, django_capture_on_commit_callbacks
):
    person = UserFactory.create(email="troll@example.se")
    person.set_password(PASSWORD)
    person.save()
    EmailAddress.objects.create(user=person, email=person.email, verified=True, primary=True)
    app = AuthClient("app", django_capture_on_commit_callbacks)
    app.auth("post", "auth/login", {"email": person.email, "password": PASSWORD})
    assert app.api("get", "me/").status_code == 200
    moderator = SuperuserFactory.create()
    client.force_login(moderator)
    changelist = reverse("admin:accounts_user_changelist")

    client.post(changelist, {"action": "suspend", "_selected_action": [person.pk, moderator.pk]})

    person.refresh_from_db()
    moderator.refresh_from_db()
    assert not person.is_active
    assert moderator.is_active  # not oneself
    assert hidden == {person.pk: True}
    assert app.api("get", "me/").status_code == 401  # signed out everywhere
    again = AuthClient("app", django_capture_on_commit_callbacks).auth(
        "post", "auth/login", {"email": person.email, "password": PASSWORD}
    )
    assert again.status_code == 401  # allauth's answer for an inactive account
    assert again.json()["meta"]["is_authenticated"] is False

    client.post(changelist, {"action": "lift_suspension", "_selected_action": [person.pk]})

    person.refresh_from_db()
    assert person.is_active
    assert hidden == {person.pk: False}
    assert events.types() == ["account.suspended", "account.suspension_lifted"]
