"""Exchanges: answering a listing, the state machine with its holds of hours, 14 days of
silence, disputes, who may see and move what, and the exact address."""

from datetime import timedelta
from decimal import Decimal
from typing import Any

import pytest
from django.utils import timezone
from rest_framework.test import APIClient

from exchange import exchanges, moderation, timebank
from exchange.models import Exchange, Listing, ModerationDecision
from smartplatform.organisations.models import Membership, Municipality, Organisation
from tests.exchange.factories import make_listing, resident
from tests.factories import StaffFactory, SuperuserFactory, client_for, verified_user

pytestmark = pytest.mark.django_db
URL = "/api/v1/exchanges/"


@pytest.fixture(autouse=True)
def _sound_ledger() -> Any:
    yield
    assert timebank.ledger_problems() == []


def garden_offer(owner: Any = None, **fields: Any) -> Listing:
    values = {
        "compensation": "time_credits",
        "hours": 2,
        "address": "Trädgårdsgatan 3, Helsingborg",
        "latitude": 56.05,
        "longitude": 12.70,
        **fields,
    }
    return make_listing("Hjälp i trädgården", owner=owner or resident(), **values)


def answer(responder: Any, listing: Listing, **extra: Any) -> Any:
    return client_for(responder).post(
        URL, {"listing": listing.pk, "message": "Jag hjälper gärna till!", **extra}, format="json"
    )


def move(user: Any, exchange_id: int, name: str, **body: Any) -> Any:
    return client_for(user).post(f"{URL}{exchange_id}/{name}/", body, format="json")


def hours(user: Any) -> tuple[Decimal, Decimal]:
    account = timebank.account_of_user(user)
    return account.balance, account.held


def moderator(code: str = "1283") -> Any:
    user: Any = verified_user(StaffFactory)
    user.moderated_municipalities.add(Municipality.objects.get(code=code))
    return user


# --- The whole way ----------------------------------------------------------------------------


def test_an_hour_for_an_hour_from_answer_to_completion(events: Any) -> None:
    owner, helper = resident(display_name="Birgitta"), resident(display_name="Omar")
    offer = garden_offer(owner)

    proposed = answer(helper, offer)

    assert proposed.status_code == 201
    body = proposed.json()
    assert body == {
        "id": body["id"],
        "state": {"value": "proposed", "label": "Proposed"},
        "listing": {
            "id": offer.pk,
            "title": "Hjälp i trädgården",
            "kind": "offer",
            "category": "service",
            "compensation": "time_credits",
            "municipality": "1283",
        },
        "listing_side": {"person": {"id": owner.pk, "name": "Birgitta"}, "organisation": None},
        "responder_side": {"person": {"id": helper.pk, "name": "Omar"}, "organisation": None},
        "my_side": "responder",
        "hours": "2.00",
        "address": None,
        "confirmed": {"listing_side": None, "responder_side": None},
        "completes_at": None,
        "reason": "",
        "created_at": body["created_at"],
        "accepted_at": None,
        "completed_at": None,
        "state_changed_at": body["state_changed_at"],
    }
    exchange_id = body["id"]

    accepted = move(owner, exchange_id, "accept")
    assert accepted.json()["state"]["value"] == "accepted"
    # The offer's owner gives the service: the hours are held from the one who receives it.
    assert hours(helper) == (0, 2)
    assert client_for(helper).get(f"{URL}{exchange_id}/").json()["address"] == (
        "Trädgårdsgatan 3, Helsingborg"
    )

    first = move(helper, exchange_id, "confirm")
    assert first.json()["state"]["value"] == "accepted"
    assert first.json()["completes_at"] is not None
    done = move(owner, exchange_id, "confirm")

    assert done.json()["state"]["value"] == "completed"
    assert hours(helper) == (-2, 0)
    assert hours(owner) == (2, 0)
    assert [e.event_type for e in events.all()][-1] == "exchange.completed"
    helper.refresh_from_db()
    assert helper.established_at is not None


def test_for_a_request_the_owner_pays_the_hours() -> None:
    owner, helper = resident(), resident()
    request = garden_offer(owner, kind="request", hours=3)
    exchange_id = answer(helper, request, hours="1.5").json()["id"]

    move(owner, exchange_id, "accept")
    assert hours(owner) == (0, Decimal("1.5"))
    move(owner, exchange_id, "confirm")
    move(helper, exchange_id, "confirm")

    assert hours(owner) == (Decimal("-1.5"), 0)
    assert hours(helper) == (Decimal("1.5"), 0)


def test_an_organisations_listing_is_paid_by_the_organisation() -> None:
    club = Organisation.objects.create(
        name="Grannhjälpen", slug="grannhjalpen", kind="association", is_verified=True
    )
    editor, colleague, helper = resident(), resident(), resident()
    for person in (editor, colleague):
        Membership.objects.create(organisation=club, user=person, role="editor")
    request = garden_offer(editor, kind="request", organisation=club)
    exchange_id = answer(helper, request).json()["id"]

    accepted = move(colleague, exchange_id, "accept")  # any editor acts for the organisation

    assert accepted.status_code == 200
    assert accepted.json()["my_side"] == "listing"
    club_account = timebank.account_of_organisation(club)
    assert (club_account.balance, club_account.held) == (0, 2)
    assert hours(editor) == (0, 0)


def test_cancelling_an_accepted_exchange_releases_the_hours() -> None:
    owner, helper = resident(), resident()
    exchange_id = answer(helper, garden_offer(owner)).json()["id"]
    move(owner, exchange_id, "accept")

    cancelled = move(helper, exchange_id, "cancel", reason="Jag blev sjuk.")

    assert cancelled.json()["state"]["value"] == "cancelled"
    assert cancelled.json()["reason"] == "Jag blev sjuk."
    assert hours(helper) == (0, 0)


def test_exchanges_without_time_credits_hold_nothing() -> None:
    owner, helper = resident(), resident()
    swap = make_listing("Byter cykelreparation mot bakning", owner=owner, compensation="swap")

    with_hours = answer(helper, swap, hours="1")
    exchange_id = answer(helper, swap).json()["id"]
    move(owner, exchange_id, "accept")
    move(owner, exchange_id, "confirm")
    done = move(helper, exchange_id, "confirm")

    assert (with_hours.status_code, with_hours.json()["code"]) == (
        400,
        "hours_only_for_time_credits",
    )
    assert done.json()["hours"] is None
    assert done.json()["state"]["value"] == "completed"
    assert hours(helper) == (0, 0)


# --- Moves that are not allowed ---------------------------------------------------------------


def _exchange_in(state: str) -> tuple[Any, Any, int]:
    owner, helper = resident(), resident()
    exchange_id = answer(helper, garden_offer(owner)).json()["id"]
    if state in ("accepted", "completed", "disputed", "cancelled"):
        move(owner, exchange_id, "accept")
    if state == "completed":
        move(owner, exchange_id, "confirm")
        move(helper, exchange_id, "confirm")
    if state == "disputed":
        move(helper, exchange_id, "dispute", reason="Ingen kom.")
    if state == "cancelled":
        move(owner, exchange_id, "cancel")
    if state == "declined":
        move(owner, exchange_id, "decline")
    return owner, helper, exchange_id


@pytest.mark.parametrize(
    ("state", "name"),
    [
        ("proposed", "confirm"),
        ("proposed", "dispute"),
        ("accepted", "accept"),
        ("accepted", "decline"),
        ("declined", "accept"),
        ("declined", "cancel"),
        ("cancelled", "confirm"),
        ("completed", "cancel"),
        ("completed", "dispute"),
        ("disputed", "confirm"),
        ("disputed", "cancel"),
    ],
)
def test_an_illegal_move_is_a_409_that_changes_nothing(state: str, name: str) -> None:
    owner, _helper, exchange_id = _exchange_in(state)
    before = Exchange.objects.get(pk=exchange_id)

    refused = move(owner, exchange_id, name, reason="Därför.")

    assert refused.status_code == 409
    assert refused.json()["code"] == "exchange_transition_not_allowed"
    after = Exchange.objects.get(pk=exchange_id)
    assert (after.state, after.hold_id) == (before.state, before.hold_id)


def test_the_responder_cannot_accept_or_decline_their_own_answer() -> None:
    _owner, helper, exchange_id = _exchange_in("proposed")

    for name in ("accept", "decline"):
        refused = move(helper, exchange_id, name)
        assert (refused.status_code, refused.json()["code"]) == (403, "exchange_not_your_move")


def test_answers_that_cannot_be_made() -> None:
    owner, helper, blocker = resident(), resident(), resident()
    offer = garden_offer(owner)
    moderation.block(blocker=blocker, blocked=owner)
    paused = garden_offer(owner)
    paused.state = Listing.State.PAUSED
    paused.save()

    own = answer(owner, offer)
    blocked = answer(blocker, offer)
    not_published = answer(helper, paused)
    first = answer(helper, offer)
    again = answer(helper, offer)
    no_message = client_for(helper).post(URL, {"listing": offer.pk}, format="json")
    bad_hours = answer(resident(), offer, hours="1.234")
    nothing = client_for(helper).post(URL, {"listing": 10**9, "message": "Hej"}, format="json")

    assert (own.status_code, own.json()["code"]) == (409, "cannot_answer_own_listing")
    assert blocked.status_code == 404  # a blocked person does not see the listing
    assert not_published.status_code == 404
    assert first.status_code == 201
    assert (again.status_code, again.json()["code"]) == (409, "already_answered")
    assert (no_message.status_code, list(no_message.json()["fields"])) == (400, ["message"])
    assert (bad_hours.status_code, list(bad_hours.json()["fields"])) == (400, ["hours"])
    assert nothing.status_code == 404
    assert APIClient().post(URL, {"listing": offer.pk, "message": "Hej"}).status_code in (401, 403)


# --- Silence and disputes -----------------------------------------------------------------


def test_fourteen_days_of_silence_complete_it_unless_disputed() -> None:
    now = timezone.now()
    owner, helper, silent_id = _exchange_in("accepted")
    _o2, helper2, recent_id = _exchange_in("accepted")
    owner3, helper3, disputed_id = _exchange_in("accepted")
    move(owner, silent_id, "confirm")
    move(helper2, recent_id, "confirm")
    move(owner3, disputed_id, "confirm")
    move(helper3, disputed_id, "dispute", reason="Gräset klipptes aldrig.")
    Exchange.objects.filter(pk__in=[silent_id, disputed_id]).update(
        owner_confirmed_at=now - timedelta(days=14, minutes=1)
    )
    Exchange.objects.filter(pk=recent_id).update(
        responder_confirmed_at=now - timedelta(days=13, hours=23)
    )

    completed = exchanges.complete_silent_exchanges(now=now)
    again = exchanges.complete_silent_exchanges(now=now)

    assert (completed, again) == (1, 0)
    states = dict(Exchange.objects.values_list("pk", "state"))
    assert states == {silent_id: "completed", recent_id: "accepted", disputed_id: "disputed"}
    assert hours(helper) == (-2, 0)
    assert hours(owner) == (2, 0)
    assert hours(helper3) == (0, 2)  # still held while the moderators decide


def test_a_moderator_of_the_municipality_settles_a_dispute() -> None:
    _owner, helper, exchange_id = _exchange_in("disputed")
    here, elsewhere = moderator("1283"), moderator("1284")
    exchange = Exchange.objects.get(pk=exchange_id)

    seen_here = client_for(here).get(f"{URL}{exchange_id}/")
    seen_elsewhere = client_for(elsewhere).get(f"{URL}{exchange_id}/")
    with pytest.raises(exchanges.NotAModeratorHere):
        exchanges.settle_dispute(moderator=elsewhere, exchange=exchange, complete=False, reason="x")
    exchanges.settle_dispute(
        moderator=here, exchange=exchange, complete=False, reason="Ingen av er kom."
    )

    assert seen_here.status_code == 200
    assert seen_here.json()["my_side"] is None
    assert seen_elsewhere.status_code == 404
    exchange.refresh_from_db()
    assert exchange.state == "cancelled"
    assert hours(helper) == (0, 0)
    decision = ModerationDecision.objects.get()
    assert (decision.action, decision.reason, decision.moderator) == (
        "cancel_exchange",
        "Ingen av er kom.",
        here,
    )


# --- Who sees what ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("who", "sees"),
    [
        ("owner", True),
        ("responder", True),
        ("organisation editor", True),
        ("outsider", False),
        ("moderator here", False),  # not disputed: none of the moderators' business
        ("superuser", True),
    ],
)
def test_who_reads_an_exchange(who: str, sees: bool) -> None:
    club = Organisation.objects.create(
        name="Grannhjälpen", slug="grannhjalpen", kind="association", is_verified=True
    )
    owner, helper = resident(), resident()
    Membership.objects.create(organisation=club, user=owner, role="editor")
    offer = garden_offer(owner, organisation=club)
    exchange_id = answer(helper, offer).json()["id"]
    editor = resident()
    Membership.objects.create(organisation=club, user=editor, role="editor")
    viewer = {
        "owner": owner,
        "responder": helper,
        "organisation editor": editor,
        "outsider": resident(),
        "moderator here": moderator(),
        "superuser": verified_user(SuperuserFactory),
    }[who]

    detail = client_for(viewer).get(f"{URL}{exchange_id}/")
    listed = [row["id"] for row in client_for(viewer).get(URL).json()["results"]]

    assert (detail.status_code == 200) is sees
    assert (exchange_id in listed) is sees
    if not sees:
        assert move(viewer, exchange_id, "cancel").status_code == 404


def test_the_list_filters_by_state_and_role(assert_constant_queries: Any) -> None:
    me = resident()
    mine = garden_offer(me)
    theirs = garden_offer()
    to_mine = answer(resident(), mine).json()["id"]
    my_answer = answer(me, theirs).json()["id"]
    move(me, to_mine, "accept")
    client = client_for(me)

    def ids(**params: Any) -> list[int]:
        return [row["id"] for row in client.get(URL, params).json()["results"]]

    assert sorted(ids()) == sorted([to_mine, my_answer])
    assert ids(role="listing") == [to_mine]
    assert ids(role="responder") == [my_answer]
    assert ids(state="accepted") == [to_mine]
    assert ids(state=["accepted", "proposed"], role="responder") == [my_answer]
    assert client.get(URL, {"state": "sleeping"}).status_code == 400

    def make_rows(n: int) -> None:
        for _ in range(n):
            answer(resident(), garden_offer(me))

    assert_constant_queries(client, URL, make_rows)


def test_the_exact_address_opens_to_the_responder_once_accepted() -> None:
    owner, helper, other = resident(), resident(), resident()
    offer = garden_offer(owner)
    exchange_id = answer(helper, offer).json()["id"]
    answer(other, offer)
    listing_url = f"/api/v1/listings/{offer.pk}/"

    def seen_by(user: Any) -> tuple[Any, Any]:
        detail = client_for(user).get(listing_url).json()
        listed = client_for(user).get("/api/v1/listings/").json()["results"]
        [row] = [r for r in listed if r["id"] == offer.pk]
        assert row["address"] == detail["address"]
        return detail["address"], detail["location"]["exact"]

    before = seen_by(helper)
    move(owner, exchange_id, "accept")
    after = seen_by(helper)

    assert before == (None, False)
    assert after == ("Trädgårdsgatan 3, Helsingborg", True)
    assert seen_by(other) == (None, False)  # still only proposed
    assert seen_by(owner) == ("Trädgårdsgatan 3, Helsingborg", True)
    assert client_for(other).get(f"{URL}{exchange_id}/").status_code == 404


# --- The admin: disputes and the hours per municipality --------------------------------------


def admin_client(user: Any) -> Any:
    from django.test import Client

    client = Client(HTTP_ACCEPT_LANGUAGE="en")
    client.force_login(user)
    return client


def test_moderators_settle_disputes_of_their_municipality_in_the_admin() -> None:
    queue = "/admin/exchange/disputequeueitem/"
    _owner, helper, here_id = _exchange_in("disputed")
    there = garden_offer(municipality=Municipality.objects.get(code="1284"))
    there_id = answer(resident(), there).json()["id"]
    move(there.owner, there_id, "accept")
    move(there.owner, there_id, "dispute", reason="Fel tid.")
    here_moderator = admin_client(moderator("1283"))

    listed = here_moderator.get(queue).content.decode()
    done = here_moderator.post(
        queue,
        {
            "action": "complete",
            "_selected_action": [here_id],
            "apply": "1",
            "reason": "Arbetet blev gjort enligt bilderna.",
        },
    )

    assert f"/{here_id}/change/" in listed
    assert f"/{there_id}/change/" not in listed
    assert done.status_code == 302
    assert Exchange.objects.get(pk=here_id).state == "completed"
    assert hours(helper) == (-2, 0)
    assert admin_client(verified_user(StaffFactory)).get(queue).status_code == 403


def test_the_admin_exports_hours_per_municipality_and_month() -> None:
    from exchange.models import Transfer

    for code in ("1283", "1283", "1284"):
        owner, helper = resident(), resident()
        offer = garden_offer(owner, municipality=Municipality.objects.get(code=code))
        exchange_id = answer(helper, offer).json()["id"]
        move(owner, exchange_id, "accept")
        move(owner, exchange_id, "confirm")
        move(helper, exchange_id, "confirm")
    # A gift is not an exchange: not counted.
    timebank.give_hours(giver=resident(), recipient_id=resident().pk, hours="5")
    month = timezone.localtime(Transfer.objects.first().created_at).strftime("%Y-%m")  # type: ignore[union-attr]

    response = admin_client(verified_user(StaffFactory)).get(
        "/admin/exchange/transfer/hours-per-municipality.csv"
    )

    assert response.status_code == 200
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert response.content.decode("utf-8-sig").splitlines() == [
        "month,municipality,name,exchanges,hours",
        f"{month},1283,Helsingborg,2,4.00",
        f"{month},1284,Höganäs,1,2.00",
    ]


def test_a_coordinator_answers_and_confirms_for_a_resident() -> None:
    from smartplatform.assistance.models import Act

    place = Organisation.objects.create(
        name="Träffpunkten", slug="traffpunkten", kind="association", is_verified=True
    )
    coordinator = verified_user()
    Membership.objects.create(organisation=place, user=coordinator, is_coordinator=True)
    registered = client_for(coordinator).post(
        f"/api/v1/organisations/{place.slug}/residents/",
        {
            "display_name": "Elsa",
            "home_municipality": "1283",
            "consent_statement": "Personalen hjälper mig att byta tjänster.",
        },
        format="json",
    )
    elsa = registered.json()["resident"]["id"]
    owner = resident()
    offer = garden_offer(owner)
    helper = client_for(coordinator)
    on_behalf: dict[str, Any] = {"HTTP_X_ON_BEHALF_OF": str(elsa)}

    proposed = helper.post(
        URL, {"listing": offer.pk, "message": "Elsa vill ha hjälp."}, format="json", **on_behalf
    )
    exchange_id = proposed.json()["id"]
    move(owner, exchange_id, "accept")
    confirmed = helper.post(f"{URL}{exchange_id}/confirm/", **on_behalf)
    own_list = client_for(coordinator).get(URL).json()["results"]

    assert proposed.status_code == 201
    assert proposed.json()["responder_side"]["person"]["id"] == elsa
    assert proposed.json()["my_side"] == "responder"
    assert confirmed.json()["confirmed"]["responder_side"] is not None
    assert own_list == []  # the coordinator's own exchanges: none
    assert list(
        Act.objects.filter(resident_id=elsa).order_by("pk").values_list("action", flat=True)
    ) == ["account.registered", "exchange.proposed", "exchange.confirmed"]


@pytest.mark.parametrize("bad", ["0", "-1", "1.234", "NaN", "två", "5000"])
def test_the_hours_of_an_answer_are_positive_with_two_decimals_at_most(bad: str) -> None:
    refused = answer(resident(), garden_offer(), hours=bad)

    assert refused.status_code == 400
    assert list(refused.json()["fields"]) == ["hours"]
    assert Exchange.objects.count() == 0
