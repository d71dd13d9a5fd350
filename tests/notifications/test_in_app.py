"""In-app notifications: events of the exchange become notices in each recipient's
language, once per event and person, and the recipient reads and marks them."""

from typing import Any

import pytest
from rest_framework.test import APIClient

from notifications.models import Notification
from smartplatform.core.events import relay_events
from smartplatform.core.models import EventDelivery
from tests.exchange.factories import make_listing, resident
from tests.factories import client_for

pytestmark = pytest.mark.django_db
URL = "/api/v1/notifications/"


def answer(owner: Any, helper: Any) -> int:
    offer = make_listing("Hjälp i trädgården", owner=owner)
    made = client_for(helper).post(
        "/api/v1/exchanges/", {"listing": offer.pk, "message": "Jag kan!"}, format="json"
    )
    return int(made.json()["id"])


def test_an_answer_tells_the_owner_in_their_language_and_acceptance_the_responder() -> None:
    owner = resident(display_name="Birgitta", preferred_language="sv")
    helper = resident(display_name="Omar", preferred_language="en")
    exchange_id = answer(owner, helper)
    client_for(owner).post(f"/api/v1/exchanges/{exchange_id}/accept/")

    relay_events()

    [to_owner] = client_for(owner).get(URL).json()["results"]
    [to_helper] = client_for(helper).get(URL).json()["results"]
    assert to_owner == {
        "id": to_owner["id"],
        "type": "exchange_proposed",
        "title": "Nytt svar på Hjälp i trädgården",
        "body": "Omar svarade på din annons Hjälp i trädgården.",
        "subject": {"kind": "exchange", "id": exchange_id},
        "link": f"/api/v1/exchanges/{exchange_id}/",
        "data": {"listing": "Hjälp i trädgården", "person": "Omar", "person_id": helper.pk},
        "created_at": to_owner["created_at"],
        "read_at": None,
    }
    assert to_helper["type"] == "exchange_accepted"
    assert to_helper["title"] == "Accepted: Hjälp i trädgården"
    assert to_helper["body"] == "Birgitta accepted your answer to Hjälp i trädgården."


def test_an_event_delivered_twice_tells_each_person_once() -> None:
    owner, helper = resident(), resident()
    answer(owner, helper)
    relay_events()
    delivery = EventDelivery.objects.get(consumer="notifications.exchange_proposed")

    from smartplatform.core.events import consumers_of
    from smartplatform.core.models import Event

    [spec] = [
        c for c in consumers_of("exchange.proposed") if c.name == "notifications.exchange_proposed"
    ]
    spec.function(Event.objects.get(pk=delivery.event_id))  # a second delivery

    assert Notification.objects.filter(recipient=owner).count() == 1


def test_unread_count_marking_read_and_nobody_elses_notices() -> None:
    owner, helper = resident(), resident()
    for _ in range(3):
        answer(owner, resident())
    answer(helper, owner)
    relay_events()
    client = client_for(owner)

    unread = client.get(f"{URL}unread-count/").json()
    first = client.get(URL, {"unread": "true"}).json()["results"][0]
    marked = client.post(f"{URL}{first['id']}/read/")
    after_one = client.get(f"{URL}unread-count/").json()
    others = client_for(helper).post(f"{URL}{first['id']}/read/")
    all_read = client.post(f"{URL}read-all/").json()
    still_unread = client.get(URL, {"unread": "true"}).json()["results"]

    assert unread == {"unread": 3}
    assert marked.json()["read_at"] is not None
    assert after_one == {"unread": 2}
    assert others.status_code == 404
    assert all_read == {"marked": 2}
    assert still_unread == []
    assert client.get(URL, {"unread": "kanske"}).status_code == 400
    assert APIClient().get(URL).status_code in (401, 403)


def test_the_feed_pages_by_cursor_and_costs_the_same(assert_constant_queries: Any) -> None:
    owner = resident()

    def make_rows(n: int) -> None:
        for _ in range(n):
            answer(owner, resident())
        relay_events()

    assert_constant_queries(client_for(owner), URL, make_rows)
    first = client_for(owner).get(URL, {"page_size": "5"}).json()
    assert len(first["results"]) == 5
    assert first["next"] is not None


def test_bookings_and_moderation_tell_the_right_people() -> None:
    from datetime import timedelta

    from django.utils import timezone

    from exchange import bookings, moderation, resources
    from smartplatform.organisations.models import Municipality
    from tests.factories import StaffFactory, verified_user

    owner, booker = resident(), resident(preferred_language="en")
    listing = make_listing("Mötesrum", owner=owner, category="space")
    room = resources.describe(actor=owner, listing=listing, facts={})
    start = timezone.now().replace(minute=0, second=0, microsecond=0) + timedelta(days=3)
    [booking] = bookings.book(
        booker=booker, resource=room, slots=[bookings.Slot(start, start + timedelta(hours=1))]
    )
    bookings.decline(actor=owner, booking=booking, reason="Stängt för renovering")
    pending = make_listing("Ny annons", owner=resident(established=False), published=False)
    from exchange import listings

    listings.publish_listing(actor=pending.owner, listing=pending)
    moderator: Any = verified_user(StaffFactory)
    moderator.moderated_municipalities.add(Municipality.objects.get(code="1283"))
    moderation.reject(moderator=moderator, listing=pending, reason="Skriv mer om vad du erbjuder.")

    relay_events()

    assert list(Notification.objects.filter(recipient=owner).values_list("type", flat=True)) == [
        "booking_requested"
    ]
    declined = Notification.objects.get(recipient=booker)
    assert declined.type == "booking_declined"
    assert declined.body.startswith("Your booking of Mötesrum from ")
    assert declined.body.endswith("was declined. Stängt för renovering")
    rejected = Notification.objects.get(recipient=pending.owner)
    assert rejected.body == (
        "En moderator sa nej till din annons Ny annons: Skriv mer om vad du erbjuder."
    )


# --- Preferences ------------------------------------------------------------------------------

PREFS = f"{URL}preferences/"


def test_preferences_show_every_type_and_channel_with_defaults_and_change() -> None:
    me = resident()
    client = client_for(me)

    before = client.get(PREFS).json()
    changed = client.put(
        PREFS,
        {
            "preferences": [
                {"type": "exchange_message", "channel": "email", "frequency": "daily"},
                {"type": "booking_reminder", "channel": "in_app", "frequency": "off"},
            ]
        },
        format="json",
    )

    assert {
        "type": "exchange_message",
        "channel": "email",
        "frequency": "immediately",
        "default": "immediately",
    } in before
    assert len(before) == 2 * len({row["type"] for row in before})
    assert changed.status_code == 200
    rows = {(r["type"], r["channel"]): r["frequency"] for r in changed.json()}
    assert rows[("exchange_message", "email")] == "daily"
    assert rows[("booking_reminder", "in_app")] == "off"
    assert rows[("exchange_message", "in_app")] == "immediately"


@pytest.mark.parametrize(
    ("body", "code"),
    [
        ({"preferences": [{"type": "nope", "channel": "email", "frequency": "off"}]}, "invalid"),
        (
            {"preferences": [{"type": "exchange_message", "channel": "sms", "frequency": "off"}]},
            "invalid",
        ),
        (
            {
                "preferences": [
                    {"type": "exchange_message", "channel": "in_app", "frequency": "daily"}
                ]
            },
            "invalid_preference",
        ),
        ({"preferences": []}, "invalid"),
        ({}, "invalid"),
    ],
)
def test_bad_preferences_are_a_400(body: dict[str, Any], code: str) -> None:
    refused = client_for(resident()).put(PREFS, body, format="json")

    assert refused.status_code == 400
    assert refused.json()["code"] == code
    assert "preferences" in refused.json()["fields"]


@pytest.mark.parametrize("in_app", ["immediately", "off"])
def test_the_in_app_preference_decides_whether_a_notice_is_shown(in_app: str) -> None:
    owner, helper = resident(), resident()
    client_for(owner).put(
        PREFS,
        {"preferences": [{"type": "exchange_proposed", "channel": "in_app", "frequency": in_app}]},
        format="json",
    )
    answer(owner, helper)

    relay_events()

    feed = client_for(owner).get(URL).json()["results"]
    assert len(feed) == (1 if in_app == "immediately" else 0)


def test_a_deleted_account_leaves_no_name_in_what_others_were_told() -> None:
    from smartplatform.accounts import personal_data

    owner, helper = resident(display_name="Birgitta"), resident(display_name="Omar Haddad")
    namesake = resident(display_name="Omar Haddad")
    answer(owner, helper)
    answer(owner, namesake)
    relay_events()

    personal_data.delete_account(user=helper)

    about_namesake = Notification.objects.get(recipient=owner, data__person_id=namesake.pk)
    assert about_namesake.data["person"] == "Omar Haddad"  # another person of the same name
    notice = Notification.objects.get(recipient=owner, data__person_id=helper.pk)
    assert "Omar" not in notice.body
    assert notice.data["person"] == personal_data.DELETED_NAME
    assert notice.body.startswith(personal_data.DELETED_NAME)
