"""The time bank: accounts, gifts of hours, holds, staff adjustments and the ledger's
invariants, through the API and the services."""

from decimal import Decimal
from typing import Any

import pytest
from django.db import IntegrityError, connection, transaction
from rest_framework.test import APIClient

from exchange import timebank
from exchange.models import Entry, Hold, TimeAccount, Transfer
from smartplatform.accounts import personal_data
from smartplatform.assistance.models import Act
from smartplatform.organisations.models import Membership, Organisation
from tests.factories import StaffFactory, client_for, verified_user

pytestmark = pytest.mark.django_db
ACCOUNT = "/api/v1/timebank/account/"
ENTRIES = "/api/v1/timebank/entries/"
TRANSFERS = "/api/v1/timebank/transfers/"


def give(giver: Any, to: Any, hours: str, key: str | None = None, **extra: Any) -> Any:
    headers: dict[str, Any] = {"HTTP_IDEMPOTENCY_KEY": key} if key else {}
    return client_for(giver).post(
        TRANSFERS, {"to": to.pk, "hours": hours, **extra}, format="json", **headers
    )


@pytest.fixture(autouse=True)
def _sound_ledger() -> Any:
    """Whatever a test does, the ledger is sound afterwards."""
    yield
    assert timebank.ledger_problems() == []


# --- Accounts -------------------------------------------------------------------------------


def test_a_new_member_starts_at_zero() -> None:
    member = verified_user(display_name="Birgitta")

    body = client_for(member).get(ACCOUNT).json()

    assert body == {
        "holder": {"kind": "member", "id": member.pk, "name": "Birgitta"},
        "balance": "0.00",
        "held": "0.00",
        "available": "0.00",
        "floor": "-10.00",
    }


def test_anonymous_visitors_have_no_account() -> None:
    assert APIClient().get(ACCOUNT).status_code in (401, 403)
    assert APIClient().get(ENTRIES).status_code in (401, 403)
    assert APIClient().post(TRANSFERS, {}, format="json").status_code in (401, 403)


# --- Gifts of hours -------------------------------------------------------------------------


def test_a_gift_moves_hours_and_both_statements_show_it() -> None:
    birgitta = verified_user(display_name="Birgitta")
    omar = verified_user(display_name="Omar")

    given = give(birgitta, omar, "1.50", note="Tack för hjälpen med cykeln!")

    assert given.status_code == 201
    assert given.json() == {
        "id": given.json()["id"],
        "kind": {"value": "gift", "label": "Gift of hours"},
        "hours": "1.50",
        "sender": {"kind": "member", "id": birgitta.pk, "name": "Birgitta"},
        "recipient": {"kind": "member", "id": omar.pk, "name": "Omar"},
        "note": "Tack för hjälpen med cykeln!",
        "created_at": given.json()["created_at"],
    }
    assert client_for(birgitta).get(ACCOUNT).json()["balance"] == "-1.50"
    assert client_for(omar).get(ACCOUNT).json()["available"] == "1.50"
    [line] = client_for(omar, "sv").get(ENTRIES).json()["results"]
    assert line == {
        "id": line["id"],
        "hours": "1.50",
        "kind": {"value": "gift", "label": "Gåva av timmar"},
        "note": "Tack för hjälpen med cykeln!",
        "counterparty": {"kind": "member", "id": birgitta.pk, "name": "Birgitta"},
        "transfer": given.json()["id"],
        "created_at": line["created_at"],
    }


def test_the_credit_floor_stops_the_eleventh_hour() -> None:
    giver, receiver = verified_user(), verified_user()

    answers = [give(giver, receiver, "1") for _ in range(11)]

    assert [a.status_code for a in answers] == [201] * 10 + [409]
    assert answers[-1].json()["code"] == "credit_floor_reached"
    assert client_for(giver).get(ACCOUNT).json()["available"] == "-10.00"
    assert Transfer.objects.count() == 10


def test_a_gift_with_an_idempotency_key_is_given_once() -> None:
    giver, receiver = verified_user(), verified_user()

    first = give(giver, receiver, "2", key="gift-1")
    again = give(giver, receiver, "2", key="gift-1")

    assert (first.status_code, again.status_code) == (201, 201)
    assert again.json() == first.json()
    assert Transfer.objects.count() == 1


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"hours": "0"}, "hours"),
        ({"hours": "-1"}, "hours"),
        ({"hours": "1.234"}, "hours"),
        ({"hours": "NaN"}, "hours"),
        ({"hours": "ett"}, "hours"),
        ({"hours": "100000"}, "hours"),
        ({"to": None}, "to"),
        ({"to": "någon"}, "to"),
        ({"to": 0}, "to"),
    ],
)
def test_bad_gifts_are_a_400_naming_the_field(body: dict[str, Any], field: str) -> None:
    giver, receiver = verified_user(), verified_user()

    answer = client_for(giver).post(
        TRANSFERS, {"to": receiver.pk, "hours": "1", **body}, format="json"
    )

    assert answer.status_code == 400
    assert field in answer.json()["fields"]


def test_nobody_deleted_or_oneself_cannot_receive_hours() -> None:
    giver, gone = verified_user(), verified_user()
    personal_data.delete_account(user=gone)
    client = client_for(giver)

    missing = client.post(TRANSFERS, {"hours": "1"}, format="json")
    unknown = client.post(TRANSFERS, {"to": 999_999, "hours": "1"}, format="json")
    deleted = client.post(TRANSFERS, {"to": gone.pk, "hours": "1"}, format="json")
    oneself = client.post(TRANSFERS, {"to": giver.pk, "hours": "1"}, format="json")

    assert (missing.status_code, list(missing.json()["fields"])) == (400, ["to"])
    assert (unknown.status_code, unknown.json()["code"]) == (400, "recipient_unavailable")
    assert (deleted.status_code, deleted.json()["code"]) == (400, "recipient_unavailable")
    assert (oneself.status_code, oneself.json()["code"]) == (400, "cannot_transfer_to_oneself")
    assert Transfer.objects.count() == 0


def test_the_statement_costs_the_same_for_few_and_many(assert_constant_queries: Any) -> None:
    member = verified_user()

    def make_rows(n: int) -> None:
        for _ in range(n):
            give(verified_user(), member, "0.5")

    assert_constant_queries(client_for(member), ENTRIES, make_rows)


# --- Organisations and coordinators ---------------------------------------------------------


def test_an_organisations_account_is_seen_by_its_editors_only() -> None:
    club = Organisation.objects.create(name="Grannhjälpen", slug="grannhjalpen", kind="association")
    editor, member, outsider = verified_user(), verified_user(), verified_user()
    Membership.objects.create(organisation=club, user=editor, role="editor")
    Membership.objects.create(organisation=club, user=member, role="member")
    url = f"{ACCOUNT}?organisation=grannhjalpen"

    seen = client_for(editor).get(url)

    assert seen.status_code == 200
    assert seen.json()["holder"] == {"kind": "organisation", "id": club.pk, "name": "Grannhjälpen"}
    assert client_for(member).get(url).status_code == 403
    assert client_for(outsider).get(url).status_code == 403
    assert client_for(outsider).get(f"{ENTRIES}?organisation=grannhjalpen").status_code == 403
    assert client_for(editor).get(f"{ACCOUNT}?organisation=finns-inte").status_code == 404


def test_a_coordinator_gives_hours_for_a_resident_and_it_is_recorded() -> None:
    place = Organisation.objects.create(
        name="Träffpunkten", slug="traffpunkten", kind="association", is_verified=True
    )
    coordinator = verified_user(display_name="Kerstin")
    Membership.objects.create(organisation=place, user=coordinator, is_coordinator=True)
    resident = client_for(coordinator).post(
        f"/api/v1/organisations/{place.slug}/residents/",
        {
            "display_name": "Elsa",
            "home_municipality": "1277",
            "consent_statement": "Jag vill att personalen hjälper mig med tidbanken.",
        },
        format="json",
    )
    elsa = resident.json()["resident"]["id"]
    neighbour = verified_user()
    helper = client_for(coordinator)

    given = helper.post(
        TRANSFERS,
        {"to": neighbour.pk, "hours": "1"},
        format="json",
        HTTP_X_ON_BEHALF_OF=str(elsa),
    )
    account = helper.get(ACCOUNT, HTTP_X_ON_BEHALF_OF=str(elsa)).json()

    assert given.status_code == 201
    assert given.json()["sender"]["id"] == elsa
    assert account["holder"]["id"] == elsa
    assert account["balance"] == "-1.00"
    assert client_for(coordinator).get(ACCOUNT).json()["balance"] == "0.00"
    act = Act.objects.get(action="timebank.gift")
    assert (act.resident_id, act.coordinator_id) == (elsa, coordinator.pk)
    assert act.details == {"transfer": given.json()["id"]}
    # Someone who is not her coordinator cannot act for her.
    stranger = client_for(verified_user()).get(ACCOUNT, HTTP_X_ON_BEHALF_OF=str(elsa))
    assert stranger.status_code in (403, 404)


# --- Holds, adjustments, reversals ----------------------------------------------------------


def test_a_hold_counts_against_the_floor_until_settled_or_released() -> None:
    payer = timebank.account_of_user(verified_user())
    provider = timebank.account_of_user(verified_user())

    with transaction.atomic():
        first = timebank.reserve(account=payer, hours="6")
    with pytest.raises(timebank.NotEnoughHours), transaction.atomic():
        timebank.reserve(account=payer, hours="4.01")
    with transaction.atomic():
        second = timebank.reserve(account=payer, hours="4")
    payer.refresh_from_db()
    assert (payer.balance, payer.held, payer.available) == (0, 10, -10)

    with transaction.atomic():
        timebank.settle(hold=first, to=provider, created_by=None)
        timebank.release(hold=second)
    with pytest.raises(timebank.HoldNotActive), transaction.atomic():
        timebank.release(hold=first)

    payer.refresh_from_db()
    provider.refresh_from_db()
    assert (payer.balance, payer.held) == (-6, 0)
    assert provider.balance == 6
    assert list(Hold.objects.order_by("pk").values_list("state", flat=True)) == [
        "settled",
        "released",
    ]


def test_staff_adjust_against_the_system_account_with_a_reason_and_can_reverse() -> None:
    staff: Any = StaffFactory()
    account = timebank.account_of_user(verified_user())

    timebank.adjust(staff=staff, account=account, hours="15", note="Startgåva")
    debit = timebank.adjust(staff=staff, account=account, hours="-20", note="Rättelse")
    with pytest.raises(timebank.NotEnoughHours):  # -5 less 6 is below the floor
        timebank.adjust(staff=staff, account=account, hours="-6", note="För mycket")
    with pytest.raises(timebank.NoteRequired):
        timebank.adjust(staff=staff, account=account, hours="1", note=" ")
    timebank.reverse(staff=staff, transfer=debit, note="Rättelsen var fel")
    with pytest.raises(timebank.TransferNotReversible):
        timebank.reverse(staff=staff, transfer=debit, note="Igen")

    account.refresh_from_db()
    system = timebank.system_account()
    system.refresh_from_db()
    assert account.balance == Decimal("15")
    assert system.balance == Decimal("-15")  # the system account is not bound by the floor
    assert [t.kind for t in Transfer.objects.order_by("pk")] == [
        "adjustment",
        "adjustment",
        "reversal",
    ]


def test_every_member_and_organisation_has_an_account_from_the_start() -> None:
    member = verified_user()
    club = Organisation.objects.create(name="Boulebanan", slug="boule", kind="association")

    assert TimeAccount.objects.filter(user=member, kind="member").count() == 1
    assert TimeAccount.objects.filter(organisation=club, kind="organisation").count() == 1
    assert timebank.account_of_user(member).pk == timebank.account_of_user(member).pk
    assert TimeAccount.objects.filter(user=member).count() == 1


# --- The database's own guards (PostgreSQL) -------------------------------------------------


@pytest.mark.postgres
def test_postgresql_refuses_to_change_or_delete_an_entry() -> None:
    giver, receiver = verified_user(), verified_user()
    give(giver, receiver, "1")
    entry = Entry.objects.first()
    assert entry is not None

    with pytest.raises(IntegrityError), transaction.atomic():
        Entry.objects.filter(pk=entry.pk).update(hours=Decimal("5"))
    with pytest.raises(IntegrityError), transaction.atomic():
        Entry.objects.filter(pk=entry.pk).delete()
    with pytest.raises(IntegrityError), transaction.atomic():
        Transfer.objects.filter(pk=entry.transfer_id).update(note="ändrad")


@pytest.mark.postgres
def test_postgresql_refuses_a_transfer_that_does_not_balance() -> None:
    account = timebank.account_of_user(verified_user())

    with pytest.raises(IntegrityError), transaction.atomic():
        transfer = Transfer.objects.create(kind="gift")
        Entry.objects.create(transfer=transfer, account=account, hours=Decimal("3"))
        with connection.cursor() as cursor:  # the check runs at commit; force it now
            cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")

    assert Transfer.objects.count() == 0


# --- The admin ------------------------------------------------------------------------------


def admin_client(user: Any) -> Any:
    from django.test import Client

    client = Client(HTTP_ACCEPT_LANGUAGE="en")
    client.force_login(user)
    return client


def test_a_superuser_adjusts_a_balance_in_the_admin_and_staff_only_look() -> None:
    from tests.factories import SuperuserFactory

    member = verified_user(display_name="Gunvor")
    account = timebank.account_of_user(member)
    url = f"/admin/exchange/timeaccount/{account.pk}/adjust/"
    staff = admin_client(StaffFactory())
    boss = admin_client(SuperuserFactory())

    refused = staff.post(url, {"hours": "5", "note": "Välkommen"})
    empty = boss.post(url, {"hours": "0", "note": "Noll"})
    done = boss.post(url, {"hours": "5", "note": "Välkommen till tidbanken"})
    listed = staff.get("/admin/exchange/timeaccount/").content.decode()

    assert refused.status_code == 403
    assert empty.status_code == 200
    assert done.status_code == 302
    account.refresh_from_db()
    assert account.balance == 5
    assert Transfer.objects.get().note == "Välkommen till tidbanken"
    assert "Gunvor" in listed
    assert staff.get(f"/admin/exchange/entry/{Entry.objects.first().pk}/change/").status_code == 200  # type: ignore[union-attr]
    assert staff.post("/admin/exchange/transfer/add/", {}).status_code == 403


def test_a_superuser_reverses_a_gift_from_the_admin_with_a_note() -> None:
    from tests.factories import SuperuserFactory

    giver, receiver = verified_user(), verified_user()
    gift = give(giver, receiver, "2").json()["id"]
    boss = admin_client(SuperuserFactory())
    url = "/admin/exchange/transfer/"

    asked = boss.post(url, {"action": "reverse_transfers", "_selected_action": [gift]})
    done = boss.post(
        url,
        {
            "action": "reverse_transfers",
            "_selected_action": [gift],
            "apply": "1",
            "note": "Gåvan gick till fel person",
        },
    )

    assert asked.status_code == 200
    assert done.status_code == 302
    reversal = Transfer.objects.get(kind="reversal")
    assert reversal.reverses_id == gift
    assert timebank.account_of_user(giver).balance == 0
