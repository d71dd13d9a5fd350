"""An exchange's private thread, reviews after completion, and reports on both reaching the
moderators of the listing's municipality."""

from datetime import timedelta
from typing import Any

import pytest
from django.test import Client
from django.utils import timezone
from rest_framework.test import APIClient

from exchange import moderation
from exchange.models import Exchange, Message, ModerationDecision, Review
from smartplatform.organisations.models import Municipality
from tests.exchange.factories import make_listing, resident
from tests.factories import StaffFactory, client_for, verified_user

pytestmark = pytest.mark.django_db
EXCHANGES = "/api/v1/exchanges/"
REVIEWS = "/api/v1/reviews/"
REPORTS = "/api/v1/reports/"


def an_exchange(state: str = "accepted") -> tuple[Any, Any, int]:
    owner, helper = resident(display_name="Birgitta"), resident(display_name="Omar")
    offer = make_listing("Hjälp i trädgården", owner=owner)
    exchange_id = (
        client_for(helper)
        .post(EXCHANGES, {"listing": offer.pk, "message": "Hej! Jag kan hjälpa."}, format="json")
        .json()["id"]
    )
    if state in ("accepted", "completed"):
        client_for(owner).post(f"{EXCHANGES}{exchange_id}/accept/")
    if state == "completed":
        client_for(owner).post(f"{EXCHANGES}{exchange_id}/confirm/")
        client_for(helper).post(f"{EXCHANGES}{exchange_id}/confirm/")
    if state == "declined":
        client_for(owner).post(f"{EXCHANGES}{exchange_id}/decline/")
    return owner, helper, exchange_id


def thread(user: Any, exchange_id: int, **params: Any) -> Any:
    return client_for(user).get(f"{EXCHANGES}{exchange_id}/messages/", params)


def write(user: Any, exchange_id: int, body: str) -> Any:
    return client_for(user).post(
        f"{EXCHANGES}{exchange_id}/messages/", {"body": body}, format="json"
    )


def moderator(code: str = "1283") -> Any:
    user: Any = verified_user(StaffFactory)
    user.moderated_municipalities.add(Municipality.objects.get(code=code))
    return user


def report(user: Any, kind: str, item: int) -> Any:
    return client_for(user).post(
        REPORTS, {"kind": kind, "item": item, "reason": "offensive"}, format="json"
    )


# --- The thread ---------------------------------------------------------------------------------


def test_the_two_sides_write_and_read_receipts_tell_when(events: Any) -> None:
    owner, helper, exchange_id = an_exchange()

    sent = write(owner, exchange_id, "Välkommen på lördag kl 10!")
    before = thread(helper, exchange_id).json()["results"]
    marked = client_for(helper).post(f"{EXCHANGES}{exchange_id}/messages/read/")
    after = thread(owner, exchange_id).json()["results"]

    assert sent.status_code == 201
    assert sent.json() == {
        "id": sent.json()["id"],
        "sender": {"id": owner.pk, "name": "Birgitta"},
        "mine": True,
        "body": "Välkommen på lördag kl 10!",
        "hidden": False,
        "created_at": sent.json()["created_at"],
        "read_at": None,
    }
    assert [(m["body"], m["mine"]) for m in before] == [
        ("Välkommen på lördag kl 10!", False),
        ("Hej! Jag kan hjälpa.", True),
    ]
    assert marked.json() == {"marked": 1}
    assert after[0]["read_at"] is not None  # the owner sees that Omar read it
    assert after[1]["read_at"] is None  # Omar's own first message: the owner has not read it
    assert events.of_type("exchange.message_sent")[-1]["sender"] == owner.pk


def test_the_thread_pages_by_cursor_newest_first(assert_constant_queries: Any) -> None:
    owner, helper, exchange_id = an_exchange()
    for number in range(5):
        write(owner if number % 2 else helper, exchange_id, f"Meddelande {number}")

    first = thread(helper, exchange_id, page_size=4).json()
    second = APIClient()
    second.force_login(helper)
    rest = second.get(first["next"]).json()

    bodies = [m["body"] for m in first["results"] + rest["results"]]
    assert bodies == [
        "Meddelande 4",
        "Meddelande 3",
        "Meddelande 2",
        "Meddelande 1",
        "Meddelande 0",
        "Hej! Jag kan hjälpa.",
    ]
    assert rest["next"] is None

    def make_rows(n: int) -> None:
        for _ in range(n):
            write(owner, exchange_id, "Mer")

    assert_constant_queries(client_for(helper), f"{EXCHANGES}{exchange_id}/messages/", make_rows)


def test_who_reads_and_writes_the_thread() -> None:
    owner, _helper, exchange_id = an_exchange()
    outsider, here, elsewhere = resident(), moderator("1283"), moderator("1284")

    assert thread(outsider, exchange_id).status_code == 404
    assert write(outsider, exchange_id, "Hej").status_code == 404
    assert thread(here, exchange_id).status_code == 404  # nothing reported, no dispute
    message = Message.objects.filter(exchange_id=exchange_id).first()
    assert message is not None
    assert report(owner, "message", message.pk).status_code == 201
    # A reported message opens the thread to the moderators of the listing's municipality,
    # who read but do not write.
    assert thread(here, exchange_id).status_code == 200
    refused = write(here, exchange_id, "Moderatorn här")
    assert (refused.status_code, refused.json()["code"]) == (403, "not_a_party")
    assert thread(elsewhere, exchange_id).status_code == 404


def test_a_declined_exchanges_thread_is_closed_and_bad_messages_are_400s() -> None:
    _owner, helper, exchange_id = an_exchange("declined")

    closed = write(helper, exchange_id, "Varför?")
    _o, _h, open_id = an_exchange()
    empty = write(_h, open_id, "   ")
    huge = write(_h, open_id, "x" * 5001)
    nul = client_for(_h).post(f"{EXCHANGES}{open_id}/messages/", {"body": "a\x00b"}, format="json")
    html = write(_h, open_id, "<script>alert(1)</script>")

    assert (closed.status_code, closed.json()["code"]) == (409, "exchange_thread_closed")
    assert (empty.status_code, list(empty.json()["fields"])) == (400, ["body"])
    assert (huge.status_code, list(huge.json()["fields"])) == (400, ["body"])
    assert nul.status_code == 400
    assert html.json()["body"] == "<script>alert(1)</script>"  # text, as written


# --- Reviews ------------------------------------------------------------------------------------


def test_each_side_reviews_the_other_once_and_profiles_show_the_average() -> None:
    owner, helper, exchange_id = an_exchange("completed")

    by_helper = client_for(helper).post(
        f"{EXCHANGES}{exchange_id}/review/", {"rating": 5, "text": "Så hjälpsam!"}, format="json"
    )
    by_owner = client_for(owner).post(
        f"{EXCHANGES}{exchange_id}/review/", {"rating": 4}, format="json"
    )
    again = client_for(owner).post(
        f"{EXCHANGES}{exchange_id}/review/", {"rating": 1}, format="json"
    )
    _o2, other_helper, other_id = an_exchange("completed")
    Exchange.objects.filter(pk=other_id).update(
        listing=Exchange.objects.get(pk=exchange_id).listing
    )
    client_for(other_helper).post(f"{EXCHANGES}{other_id}/review/", {"rating": 4}, format="json")

    assert by_helper.status_code == 201
    assert by_helper.json() == {
        "id": by_helper.json()["id"],
        "exchange": exchange_id,
        "author": {"id": helper.pk, "name": "Omar"},
        "subject": {"id": owner.pk, "name": "Birgitta"},
        "rating": 5,
        "text": "Så hjälpsam!",
        "created_at": by_helper.json()["created_at"],
        "updated_at": by_helper.json()["updated_at"],
        "editable_until": by_helper.json()["editable_until"],
    }
    assert by_owner.json()["subject"]["id"] == helper.pk
    assert (again.status_code, again.json()["code"]) == (409, "already_reviewed")
    profile = APIClient().get(f"/api/v1/users/{owner.pk}/").json()
    assert profile["reviews"] == {"average": "4.5", "count": 2}
    listed = APIClient().get(REVIEWS, {"user": owner.pk}).json()["results"]
    assert [r["rating"] for r in listed] == [4, 5]
    assert APIClient().get(f"/api/v1/users/{resident().pk}/").json()["reviews"] == {
        "average": None,
        "count": 0,
    }


def test_reviews_wait_for_completion_and_come_from_the_sides_only() -> None:
    _owner, helper, exchange_id = an_exchange("accepted")

    early = client_for(helper).post(
        f"{EXCHANGES}{exchange_id}/review/", {"rating": 5}, format="json"
    )
    bad = [
        client_for(helper).post(f"{EXCHANGES}{exchange_id}/review/", body, format="json")
        for body in ({"rating": 0}, {"rating": 6}, {"rating": "bra"}, {})
    ]

    assert (early.status_code, early.json()["code"]) == (409, "exchange_not_completed")
    assert [(r.status_code, list(r.json()["fields"])) for r in bad] == [(400, ["rating"])] * 4
    outsider = client_for(resident()).post(
        f"{EXCHANGES}{exchange_id}/review/", {"rating": 1}, format="json"
    )
    assert outsider.status_code == 404
    assert APIClient().get(REVIEWS).status_code == 400  # whose reviews: ?user= is needed


def test_a_review_is_changed_by_its_writer_within_48_hours() -> None:
    owner, helper, exchange_id = an_exchange("completed")
    made = client_for(helper).post(
        f"{EXCHANGES}{exchange_id}/review/", {"rating": 3, "text": "Ok"}, format="json"
    )
    url = f"{REVIEWS}{made.json()['id']}/"

    changed = client_for(helper).patch(url, {"rating": 4, "text": "Bättre än jag trodde"})
    by_other = client_for(owner).patch(url, {"rating": 1}, format="json")
    Review.objects.filter(pk=made.json()["id"]).update(
        created_at=timezone.now() - timedelta(hours=48, minutes=1)
    )
    late = client_for(helper).patch(url, {"rating": 5}, format="json")
    put = client_for(helper).put(url, {"rating": 5}, format="json")

    assert (changed.status_code, changed.json()["rating"]) == (200, 4)
    assert (by_other.status_code, by_other.json()["code"]) == (403, "not_your_review")
    assert (late.status_code, late.json()["code"]) == (409, "review_edit_window_closed")
    assert put.status_code == 405
    assert Review.objects.get().rating == 4


# --- Reports on messages and reviews --------------------------------------------------------


def test_three_reports_hide_a_review_until_a_moderator_looks(events: Any) -> None:
    owner, helper, exchange_id = an_exchange("completed")
    review_id = (
        client_for(helper)
        .post(f"{EXCHANGES}{exchange_id}/review/", {"rating": 1, "text": "Usch!"}, format="json")
        .json()["id"]
    )

    own = report(helper, "review", review_id)
    answers = [report(resident(), "review", review_id) for _ in range(3)]

    assert (own.status_code, own.json()["code"]) == (400, "cannot_report_own_item")
    assert [a.status_code for a in answers] == [201, 201, 201]
    assert APIClient().get(REVIEWS, {"user": owner.pk}).json()["results"] == []
    assert APIClient().get(f"/api/v1/users/{owner.pk}/").json()["reviews"]["count"] == 0
    assert events.of_type("review.hidden") == [{"review": review_id, "owner": helper.pk}]
    # Once hidden, it is not there to report any more.
    assert report(resident(), "review", review_id).status_code == 404

    here = moderator()
    moderation.dismiss_item_reports(
        moderator=here, kind="review", item=Review.objects.get(pk=review_id), reason="Ärligt."
    )
    assert APIClient().get(f"/api/v1/users/{owner.pk}/").json()["reviews"]["count"] == 1


def test_a_hidden_message_loses_its_text_for_the_other_side() -> None:
    owner, helper, exchange_id = an_exchange()
    rude = write(owner, exchange_id, "Något elakt").json()["id"]

    made = report(helper, "message", rude)
    outsider = report(resident(), "message", rude)
    Message.objects.filter(pk=rude).update(hidden_at=timezone.now())

    assert made.status_code == 201
    assert outsider.status_code == 404  # not a party: cannot see the message
    [seen_by_helper] = [m for m in thread(helper, exchange_id).json()["results"] if m["id"] == rude]
    [seen_by_owner] = [m for m in thread(owner, exchange_id).json()["results"] if m["id"] == rude]
    [seen_by_mod] = [
        m for m in thread(moderator(), exchange_id).json()["results"] if m["id"] == rude
    ]
    assert (seen_by_helper["body"], seen_by_helper["hidden"]) == (None, True)
    assert seen_by_owner["body"] == "Något elakt"
    assert seen_by_mod["body"] == "Något elakt"


def admin_client(user: Any) -> Client:
    client = Client(HTTP_ACCEPT_LANGUAGE="en")
    client.force_login(user)
    return client


def test_moderators_take_down_reported_messages_from_the_admin_queue(events: Any) -> None:
    owner, helper, exchange_id = an_exchange()
    rude = write(owner, exchange_id, "Något elakt").json()["id"]
    report(helper, "message", rude)
    queue = "/admin/exchange/reportedmessage/"
    here, elsewhere = admin_client(moderator("1283")), admin_client(moderator("1284"))

    listed_here = here.get(queue).content.decode()
    listed_elsewhere = elsewhere.get(queue).content.decode()
    done = here.post(
        queue,
        {
            "action": "remove",
            "_selected_action": [rude],
            "apply": "1",
            "reason": "Personangrepp hör inte hemma här.",
        },
    )

    assert f"/{rude}/change/" in listed_here
    assert f"/{rude}/change/" not in listed_elsewhere
    assert done.status_code == 302
    assert Message.objects.get(pk=rude).hidden_at is not None
    decision = ModerationDecision.objects.get(action="remove")
    assert decision.reason == "Personangrepp hör inte hemma här."
    assert events.of_type("message.removed")[-1]["owner"] == owner.pk
    assert f"/{rude}/change/" not in here.get(queue).content.decode()  # no open report left


def test_reviews_with_open_reports_wait_in_the_moderators_summary(events: Any) -> None:
    from exchange.moderation import tell_moderators_of_waiting_items

    owner, helper, exchange_id = an_exchange("completed")
    review_id = (
        client_for(helper)
        .post(f"{EXCHANGES}{exchange_id}/review/", {"rating": 1}, format="json")
        .json()["id"]
    )
    report(owner, "review", review_id)
    here, elsewhere = moderator("1283"), moderator("1284")

    assert tell_moderators_of_waiting_items(now=timezone.now()) == 0
    assert tell_moderators_of_waiting_items(now=timezone.now() + timedelta(days=1, hours=1)) == 1
    told = events.of_type("moderation.queue_waiting")
    assert [(e["moderator"], e["items"]) for e in told] == [(here.pk, 1)]
    assert elsewhere.pk not in [e["moderator"] for e in told]


# --- The matrix: who reads and writes a thread, who writes and changes a review ------------


def _coordinator_for(user: Any) -> Any:
    """A coordinator of a meeting place ``user`` gave consent to: the coordinator acts for
    them by sending X-On-Behalf-Of."""
    from smartplatform.assistance.models import Consent
    from smartplatform.organisations.models import Membership, Organisation

    place = Organisation.objects.create(
        name="Träffpunkten", slug=f"traffpunkten-{user.pk}", kind="association", is_verified=True
    )
    coordinator = verified_user()
    Membership.objects.create(organisation=place, user=coordinator, is_coordinator=True)
    Consent.objects.create(resident=user, organisation=place, statement="Hjälp mig gärna.")
    return coordinator


@pytest.mark.parametrize(
    ("who", "reads", "writes"),
    [
        ("owner", True, True),
        ("responder", True, True),
        ("organisation editor", True, True),
        ("outsider", False, False),
        ("moderator here", True, False),
        ("moderator elsewhere", False, False),
        ("superuser", True, False),
        ("coordinator for the responder", True, True),
    ],
)
def test_the_thread_matrix(who: str, reads: bool, writes: bool) -> None:
    from smartplatform.organisations.models import Membership, Organisation
    from tests.factories import SuperuserFactory

    club = Organisation.objects.create(
        name="Grannhjälpen", slug="grannhjalpen", kind="association", is_verified=True
    )
    owner, helper, editor = resident(), resident(), resident()
    for person in (owner, editor):
        Membership.objects.create(organisation=club, user=person, role="editor")
    offer = make_listing("Hjälp i trädgården", owner=owner, organisation=club)
    exchange_id = (
        client_for(helper)
        .post(EXCHANGES, {"listing": offer.pk, "message": "Hej!"}, format="json")
        .json()["id"]
    )
    first = Message.objects.get(exchange_id=exchange_id)
    report(owner, "message", first.pk)  # opens the thread to the municipality's moderators
    headers: dict[str, Any] = {}
    if who == "coordinator for the responder":
        viewer = _coordinator_for(helper)
        headers = {"HTTP_X_ON_BEHALF_OF": str(helper.pk)}
    else:
        viewer = {
            "owner": owner,
            "responder": helper,
            "organisation editor": editor,
            "outsider": resident(),
            "moderator here": moderator("1283"),
            "moderator elsewhere": moderator("1284"),
            "superuser": verified_user(SuperuserFactory),
        }[who]
    client = client_for(viewer)
    url = f"{EXCHANGES}{exchange_id}/messages/"

    read = client.get(url, **headers)
    written = client.post(url, {"body": "Ett svar"}, format="json", **headers)

    assert (read.status_code == 200) is reads
    assert (written.status_code == 201) is writes
    if not reads:
        assert read.status_code == 404
    if reads and not writes:
        assert (written.status_code, written.json()["code"]) == (403, "not_a_party")


@pytest.mark.parametrize(
    ("who", "status"),
    [
        ("owner", 201),
        ("responder", 201),
        ("outsider", 404),
        ("moderator here", 404),  # nothing disputed or reported: not theirs to see
        ("superuser", 403),  # sees everything, but is no side of the exchange
        ("coordinator for the responder", 201),
    ],
)
def test_who_reviews_a_completed_exchange(who: str, status: int) -> None:
    from tests.factories import SuperuserFactory

    owner, helper, exchange_id = an_exchange("completed")
    headers: dict[str, Any] = {}
    if who == "coordinator for the responder":
        viewer = _coordinator_for(helper)
        headers = {"HTTP_X_ON_BEHALF_OF": str(helper.pk)}
    else:
        viewer = {
            "owner": owner,
            "responder": helper,
            "outsider": resident(),
            "moderator here": moderator("1283"),
            "superuser": verified_user(SuperuserFactory),
        }[who]

    made = client_for(viewer).post(
        f"{EXCHANGES}{exchange_id}/review/", {"rating": 5}, format="json", **headers
    )

    assert made.status_code == status
    if status == 201:
        expected_subject = helper if who == "owner" else owner
        assert made.json()["subject"]["id"] == expected_subject.pk
