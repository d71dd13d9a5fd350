"""Reports, moderators' decisions, blocks and the admin queue."""

from typing import Any

import pytest
from django.test import Client
from rest_framework.test import APIClient

from exchange import moderation
from exchange.models import Listing, ModerationDecision, Report
from smartplatform.organisations.models import Municipality
from tests.exchange.factories import make_listing, resident
from tests.factories import StaffFactory, SuperuserFactory, client_for, verified_user

pytestmark = pytest.mark.django_db
REPORTS = "/api/v1/reports/"
QUEUE = "/admin/exchange/moderationqueueitem/"


def moderator(code: str = "1283") -> Any:
    user = verified_user(StaffFactory)
    user.moderated_municipalities.add(Municipality.objects.get(code=code))
    return user


def report(user: Any, listing: Listing, reason: str = "spam") -> Any:
    return client_for(user).post(REPORTS, {"kind": "listing", "item": listing.pk, "reason": reason})


def pending_listing() -> Listing:
    owner = resident(established=False)
    listing = make_listing(owner=owner, published=False)
    from exchange import listings

    return listings.publish_listing(actor=owner, listing=listing)


# --- Reports --------------------------------------------------------------------------------


def test_a_report_is_made_once_and_its_reporter_follows_it() -> None:
    listing = make_listing()
    reporter = resident()

    first = report(reporter, listing)
    again = report(reporter, listing, "offensive")
    mine = client_for(reporter, "sv").get(REPORTS).json()["results"]

    assert first.status_code == 201
    assert again.status_code == 409
    assert again.json()["code"] == "already_reported"
    assert mine == [
        {
            "id": first.json()["id"],
            "kind": "listing",
            "item": listing.pk,
            "reason": "spam",
            "comment": "",
            "status": {"value": "open", "label": "Öppen"},
            "created_at": mine[0]["created_at"],
            "decided_at": None,
        }
    ]


def test_nobody_reports_their_own_listing_or_without_an_account() -> None:
    listing = make_listing()

    own = report(listing.owner, listing)
    anonymous = APIClient().post(REPORTS, {"kind": "listing", "item": listing.pk, "reason": "spam"})
    unknown = report(resident(), Listing(pk=999999))

    assert own.status_code == 400
    assert own.json()["code"] == "cannot_report_own_item"
    assert anonymous.status_code == 401
    assert unknown.status_code == 404


def test_three_open_reports_hide_a_listing_and_tell_its_owner(events) -> None:
    listing = make_listing()

    for _ in range(2):
        report(resident(), listing)
    assert Listing.objects.get(pk=listing.pk).state == "published"
    report(resident(), listing)

    assert Listing.objects.get(pk=listing.pk).state == "hidden"
    assert APIClient().get(f"/api/v1/listings/{listing.pk}/").status_code == 404
    assert events.of_type("listing.hidden") == [{"listing": listing.pk, "owner": listing.owner_id}]
    (decision,) = moderation.decisions_for(listing)
    assert (decision.action, decision.moderator) == ("auto_hide", None)


# --- Decisions ------------------------------------------------------------------------------


def test_approving_publishes_and_establishes_the_owner(events) -> None:
    listing = pending_listing()
    assert listing.owner.established_at is None

    moderation.approve(moderator=moderator(), listing=listing)

    listing.refresh_from_db()
    listing.owner.refresh_from_db()
    assert listing.state == "published"
    assert listing.expires_at is not None
    assert listing.owner.established_at is not None
    assert events.of_type("listing.approved") == [
        {"listing": listing.pk, "owner": listing.owner_id}
    ]


def test_rejecting_needs_a_reason_the_owner_is_told(events) -> None:
    listing = pending_listing()
    boss = moderator()

    with pytest.raises(moderation.ReasonRequired):
        moderation.reject(moderator=boss, listing=listing, reason="  ")
    moderation.reject(moderator=boss, listing=listing, reason="Kommersiell reklam hör inte hit.")

    assert Listing.objects.get(pk=listing.pk).state == "rejected"
    assert events.of_type("listing.rejected") == [
        {
            "listing": listing.pk,
            "owner": listing.owner_id,
            "reason": "Kommersiell reklam hör inte hit.",
        }
    ]
    (decision,) = moderation.decisions_for(listing)
    assert (decision.action, decision.moderator, decision.reason) == (
        "reject",
        boss,
        "Kommersiell reklam hör inte hit.",
    )


def test_only_moderators_of_the_municipality_decide() -> None:
    listing = pending_listing()  # in Helsingborg (1283)

    for outsider in (moderator("1284"), verified_user(StaffFactory), resident()):
        with pytest.raises(moderation.NotAModeratorHere):
            moderation.approve(moderator=outsider, listing=listing)
    moderation.approve(moderator=verified_user(SuperuserFactory), listing=listing)


def test_dismissing_reports_shows_a_hidden_listing_again() -> None:
    listing = make_listing()
    reporters = [resident() for _ in range(3)]
    for reporter in reporters:
        report(reporter, listing)

    moderation.dismiss_reports(moderator=moderator(), listing=listing)

    assert Listing.objects.get(pk=listing.pk).state == "published"
    assert set(Report.objects.values_list("status", flat=True)) == {"dismissed"}
    with pytest.raises(moderation.NothingToDecide):
        moderation.dismiss_reports(moderator=moderator(), listing=listing)


def test_suspending_the_owner_hides_everything_they_published() -> None:
    owner = resident()
    reported = make_listing(owner=owner)
    other = make_listing(owner=owner)
    report(resident(), reported)

    moderation.suspend_owner(moderator=moderator(), listing=reported, reason="Bedrägeriförsök.")

    owner.refresh_from_db()
    assert not owner.is_active
    ids = [row["id"] for row in APIClient().get("/api/v1/listings/").json()["results"]]
    assert reported.pk not in ids
    assert other.pk not in ids


# --- Blocks ---------------------------------------------------------------------------------


def test_blocked_residents_do_not_see_each_others_listings() -> None:
    blocker, blocked = resident(), resident()
    theirs = make_listing(owner=blocked)
    mine = make_listing(owner=blocker)

    made = client_for(blocker).post("/api/v1/blocks/", {"user": blocked.pk})
    self_block = client_for(blocker).post("/api/v1/blocks/", {"user": blocker.pk})

    assert made.status_code == 201
    assert self_block.status_code == 400
    for viewer, hidden in ((blocker, theirs), (blocked, mine)):
        client = client_for(viewer)
        ids = [row["id"] for row in client.get("/api/v1/listings/").json()["results"]]
        assert hidden.pk not in ids
        assert client.get(f"/api/v1/listings/{hidden.pk}/").status_code == 404
    assert client_for(blocker).get("/api/v1/blocks/").json()["results"][0]["user"] == blocked.pk
    assert client_for(blocker).delete(f"/api/v1/blocks/{blocked.pk}/").status_code == 204
    assert client_for(blocker).get(f"/api/v1/listings/{theirs.pk}/").status_code == 200


# --- The admin queue ------------------------------------------------------------------------


def admin_client(user: Any) -> Client:
    client = Client(HTTP_ACCEPT_LANGUAGE="en")
    client.force_login(user)
    return client


def test_the_queue_shows_a_moderator_only_their_municipalities() -> None:
    here = pending_listing()
    elsewhere = make_listing(owner=resident(established=False), published=False)
    elsewhere.municipality_id = "1284"
    elsewhere.save()
    from exchange import listings

    listings.publish_listing(actor=elsewhere.owner, listing=elsewhere)
    reported = make_listing("Anmäld annons")
    report(resident(), reported)

    page = admin_client(moderator("1283")).get(QUEUE).content.decode()

    assert here.title in page
    assert "Anmäld annons" in page
    assert elsewhere.title not in page
    assert admin_client(verified_user(StaffFactory)).get(QUEUE).status_code == 403


def test_rejecting_in_bulk_from_the_queue_records_the_reason() -> None:
    first, second = pending_listing(), pending_listing()
    client = admin_client(moderator())

    asked = client.post(QUEUE, {"action": "reject", "_selected_action": [first.pk, second.pk]})
    done = client.post(
        QUEUE,
        {
            "action": "reject",
            "_selected_action": [first.pk, second.pk],
            "apply": "1",
            "reason": "Skriv på svenska eller engelska.",
        },
    )

    assert asked.status_code == 200
    assert "Skriv" not in asked.content.decode()
    assert done.status_code == 302
    assert set(Listing.objects.values_list("state", flat=True)) == {"rejected"}
    assert (
        list(ModerationDecision.objects.values_list("action", "reason"))
        == [("reject", "Skriv på svenska eller engelska.")] * 2
    )
    queue = client.get(QUEUE).content.decode()
    assert first.title not in queue


def test_html_in_a_listing_is_escaped_in_the_admin() -> None:
    listing = make_listing(
        "<script>alert(1)</script>", owner=resident(established=False), published=False
    )
    from exchange import listings

    listings.publish_listing(actor=listing.owner, listing=listing)

    page = admin_client(moderator()).get(QUEUE).content.decode()

    assert "<script>alert(1)</script>" not in page
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page


def test_moderators_are_told_of_items_waiting_more_than_a_day(events) -> None:
    from datetime import timedelta

    from django.utils import timezone

    here, elsewhere = moderator("1283"), moderator("1284")
    old = pending_listing()
    Listing.objects.filter(pk=old.pk).update(state_changed_at=timezone.now() - timedelta(days=2))
    pending_listing()  # waiting only since now

    told = moderation.tell_moderators_of_waiting_items()

    assert told == 1
    assert events.of_type("moderation.queue_waiting") == [
        {"moderator": here.pk, "items": 1, "date": timezone.localdate().isoformat()}
    ]
    assert elsewhere.pk not in [e["moderator"] for e in events.of_type("moderation.queue_waiting")]
    assert (
        moderation.tell_moderators_of_waiting_items(now=timezone.now() + timedelta(days=2)) == 1
    )  # the newer one has waited long enough too; still one moderator
