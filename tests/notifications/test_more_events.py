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
from smartplatform.organisations.models import Membership, Organisation, Role
from tests.exchange.test_moderation import moderator, pending_listing
from tests.factories import client_for, verified_user

pytestmark = pytest.mark.django_db


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
    assert to_admin.link == f"/api/v1/organisations/{club.slug}/"
    assert client_for(admin).get(to_admin.link).status_code == 200
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


# --- Announcements ----------------------------------------------------------------------------


def test_a_municipality_announces_to_its_members_and_residents_once(relay: Any) -> None:
    from smartplatform.organisations.models import Municipality

    bjuv = Organisation.objects.get(municipality__code="1260")
    editor = verified_user(display_name="Kommunikatören")
    Membership.objects.create(organisation=bjuv, user=editor, role=Role.EDITOR)
    member = verified_user(display_name="Medlem", preferred_language="en")
    Membership.objects.create(organisation=bjuv, user=member, role=Role.MEMBER)
    home = Municipality.objects.get(code="1260")
    living_there = [verified_user(home_municipality=home) for _ in range(3)]
    elsewhere = verified_user(home_municipality=Municipality.objects.get(code="1283"))

    made = client_for(editor).post(
        "/api/v1/announcements/",
        {"organisation": bjuv.slug, "title": "Vattenavstängning", "text": "Vattnet stängs av."},
        format="json",
    )
    relay()
    relay()  # a second relay pass tells nobody twice

    told = set(
        Notification.objects.filter(type="organisation_announcement").values_list(
            "recipient_id", flat=True
        )
    )
    assert made.status_code == 201
    assert told == {editor.pk, member.pk, *(p.pk for p in living_there)}
    assert elsewhere.pk not in told
    assert len(mail.outbox) == 5
    notice = Notification.objects.get(recipient=member)
    assert notice.title == f"{bjuv.name}: Vattenavstängning"
    assert notice.body == "Vattnet stängs av."
    public = client_for(None).get(f"/api/v1/announcements/{made.json()['id']}/").json()
    assert public["told"] == 5
    assert public["organisation"] == {"slug": bjuv.slug, "name": bjuv.name}


def test_only_editors_and_admins_announce(relay: Any) -> None:
    club = Organisation.objects.create(name="Brf Solgläntan", slug="solglantan", kind="association")
    member = verified_user()
    Membership.objects.create(organisation=club, user=member, role=Role.MEMBER)
    body = {"organisation": club.slug, "title": "Hej", "text": "Hej alla"}

    as_member = client_for(member).post("/api/v1/announcements/", body, format="json")
    anonymous = client_for(None).post("/api/v1/announcements/", body, format="json")
    unknown = client_for(member).post(
        "/api/v1/announcements/", {**body, "organisation": "finns-inte"}, format="json"
    )
    too_long = client_for(member).post(
        "/api/v1/announcements/", {**body, "title": "x" * 201}, format="json"
    )

    assert as_member.status_code == 403
    assert as_member.json()["code"] == "not_allowed_to_announce"
    assert anonymous.status_code in (401, 403)
    assert unknown.status_code == 404
    assert too_long.status_code == 400
    assert "title" in too_long.json()["fields"]


def test_the_announcement_list_costs_the_same_however_long(assert_constant_queries: Any) -> None:
    from notifications.models import Announcement

    club = Organisation.objects.create(name="Klubben", slug="klubben", kind="association")

    def make_rows(n: int) -> None:
        for i in range(n):
            Announcement.objects.create(organisation=club, title=f"Nr {i}", text="Text")

    assert_constant_queries(client_for(None), "/api/v1/announcements/", make_rows)


# --- Matches --------------------------------------------------------------------------------


def test_a_match_is_told_once_per_pair_in_the_daily_digest(relay: Any) -> None:
    from notifications import tasks
    from smartplatform.core.events import publish
    from tests.exchange.factories import make_listing, resident

    owner = resident(preferred_language="sv")
    wanted = make_listing("Hjälp att klippa gräset", owner=owner, kind="request")
    offer = make_listing("Trädgårdshjälp i Bjuv", owner=resident())
    why = "Matchar på: trädgård, gräsklippning · 6 km bort"

    publish("matching.match_found", {"listing": wanted.pk, "match": offer.pk, "why": why})
    publish("matching.match_found", {"listing": wanted.pk, "match": offer.pk, "why": why})
    relay()

    [notice] = Notification.objects.filter(recipient=owner)
    assert notice.title == "Ny matchning för Hjälp att klippa gräset"
    assert notice.body == f"Trädgårdshjälp i Bjuv kan vara det du söker. {why}"
    assert notice.link == f"/api/v1/listings/{offer.pk}/"
    assert mail.outbox == []  # matches wait for the daily digest
    tasks.send_digests("daily")
    assert notice.deliveries.get().digest is not None
