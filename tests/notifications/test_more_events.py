"""Organisations and moderators are told too: join requests to an organisation's admins and
their answers to the person asking; the moderators' daily summary of waiting items."""

from datetime import timedelta
from typing import Any

import pytest
from django.core import mail
from django.utils import timezone

from exchange import moderation
from exchange.models import Listing
from notifications.models import Notification
from smartplatform.core.events import relay_events
from smartplatform.organisations.models import Membership, Organisation, Role
from tests.exchange.test_moderation import moderator, pending_listing
from tests.factories import client_for, verified_user

pytestmark = pytest.mark.django_db


@pytest.fixture
def relay(django_capture_on_commit_callbacks: Any) -> Any:
    def run() -> None:
        with django_capture_on_commit_callbacks(execute=True):
            relay_events()

    return run


def test_a_join_request_tells_the_admins_and_its_answer_the_person_asking(relay: Any) -> None:
    club = Organisation.objects.create(name="Brf Solgläntan", slug="solglantan", kind="association")
    admin = verified_user(display_name="Agnes", email="agnes@example.se")
    editor = verified_user(display_name="Erik")
    Membership.objects.create(organisation=club, user=admin, role=Role.ADMIN)
    Membership.objects.create(organisation=club, user=editor, role=Role.EDITOR)
    rut = verified_user(display_name="Rut", email="rut@example.se", preferred_language="en")

    asked = client_for(rut).post(
        f"/api/v1/organisations/{club.slug}/join-requests/",
        {"message": "Jag vill gärna hjälpa till!"},
        format="json",
    )
    relay()
    client_for(admin).post(
        f"/api/v1/organisations/{club.slug}/join-requests/{asked.json()['id']}/approve/"
    )
    relay()

    [to_admin] = Notification.objects.filter(recipient=admin)
    [to_rut] = Notification.objects.filter(recipient=rut)
    assert to_admin.title == "Rut vill gå med i Brf Solgläntan"
    assert to_admin.body.endswith("Jag vill gärna hjälpa till!")
    assert to_admin.link == f"/api/v1/organisations/{club.pk}/"
    assert (to_rut.type, to_rut.title) == (
        "organisation_join_approved",
        "Welcome to Brf Solgläntan",
    )
    assert not Notification.objects.filter(recipient=editor).exists()
    assert sorted(m.to[0] for m in mail.outbox) == ["agnes@example.se", "rut@example.se"]


def test_moderators_get_one_summary_a_day_of_items_waiting(relay: Any) -> None:
    here, elsewhere = moderator("1283"), moderator("1284")
    old = pending_listing()
    Listing.objects.filter(pk=old.pk).update(state_changed_at=timezone.now() - timedelta(days=2))

    moderation.tell_moderators_of_waiting_items()
    moderation.tell_moderators_of_waiting_items()  # the check run twice the same day
    relay()

    [summary] = Notification.objects.filter(recipient=here)
    assert summary.type == "moderation_queue_waiting"
    assert summary.title == "Väntar på moderering: 1"
    assert summary.link == "/admin/exchange/moderationqueueitem/"
    assert not Notification.objects.filter(recipient=elsewhere).exists()
    [email] = mail.outbox
    assert "/admin/exchange/moderationqueueitem/" in email.body
