"""The time bank under concurrency, on PostgreSQL with real threads through the API: the
credit floor and the Idempotency-Key hold whatever arrives at once, and the ledger stays
sound."""

import functools
import itertools
import threading
from typing import Any

import pytest
from rest_framework.test import APIClient

from exchange import timebank
from exchange.models import Transfer
from tests.factories import verified_user
from tests.races import MAX_THREADS, run_together

pytestmark = [pytest.mark.postgres, pytest.mark.serial, pytest.mark.django_db(transaction=True)]
TRANSFERS = "/api/v1/timebank/transfers/"


def sender(user: Any) -> Any:
    """A function that gives one hour to ``to`` with its own Idempotency-Key, from a client
    of its own (threads share nothing)."""
    keys = itertools.count()

    def send(to: Any, key: str | None = None) -> Any:
        client = APIClient()
        client.force_authenticate(user)
        return client.post(
            TRANSFERS,
            {"to": to.pk, "hours": "1"},
            format="json",
            HTTP_IDEMPOTENCY_KEY=key or f"gift-{next(keys)}",
        )

    return send


def test_a_hundred_racing_gifts_from_an_account_that_can_afford_ten() -> None:
    giver = verified_user()
    receivers = [verified_user() for _ in range(4)]
    send = sender(giver)
    statuses: list[int] = []
    codes: list[str] = []

    tried = 0
    while tried < 100:
        batch = min(MAX_THREADS, 100 - tried)
        answers = run_together(batch, functools.partial(send, receivers[tried % 4]))
        tried += batch
        statuses += [answer.status_code for answer in answers]
        codes += [answer.json()["code"] for answer in answers if answer.status_code != 201]

    assert len(statuses) == 100
    assert statuses.count(201) == 10
    assert statuses.count(409) == 90
    assert set(codes) == {"credit_floor_reached"}
    assert Transfer.objects.count() == 10
    account = timebank.account_of_user(giver)
    account.refresh_from_db()
    assert account.available == -10
    assert timebank.ledger_problems() == []


def test_one_key_sent_twenty_times_at_once_gives_once() -> None:
    giver, receiver = verified_user(), verified_user()
    send = sender(giver)

    answers = run_together(20, lambda: send(receiver, key="en-gava"))

    statuses = [answer.status_code for answer in answers]
    bodies = [answer.json() for answer in answers if answer.status_code == 201]
    assert len(statuses) == 20
    assert set(statuses) <= {201, 409}
    assert bodies
    assert all(body == bodies[0] for body in bodies)  # replays of the first
    assert Transfer.objects.count() == 1
    assert timebank.ledger_problems() == []


def test_gifts_both_ways_at_once_neither_deadlock_nor_break_the_ledger() -> None:
    alice, bob = verified_user(), verified_user()
    to_bob, to_alice = sender(alice), sender(bob)
    turns = itertools.count()

    def either_way() -> Any:
        return to_bob(bob) if next(turns) % 2 else to_alice(alice)

    answers = run_together(MAX_THREADS, either_way)

    assert [answer.status_code for answer in answers] == [201] * MAX_THREADS
    assert timebank.ledger_problems() == []


def test_forty_exchanges_accepted_at_once_by_a_receiver_at_zero() -> None:
    """A request paid in time credits: its owner receives the service and pays. At 0 with a
    floor of -10 hours, ten one-hour exchanges can be accepted, whatever arrives at once."""
    from exchange import exchanges
    from tests.exchange.factories import make_listing, resident

    receiver = resident()
    request = make_listing(
        "Söker hjälp med gräsmattan",
        owner=receiver,
        kind="request",
        compensation="time_credits",
        hours=1,
    )
    proposals = [
        exchanges.propose(actor=resident(), listing=request, message="Jag kan!")
        for _ in range(MAX_THREADS)
    ]
    queue = list(proposals)
    lock = threading.Lock()

    def accept_one() -> Any:
        with lock:
            exchange = queue.pop()
        client = APIClient()
        client.force_authenticate(receiver)
        return client.post(f"/api/v1/exchanges/{exchange.pk}/accept/")

    answers = run_together(MAX_THREADS, accept_one)

    statuses = [answer.status_code for answer in answers]
    assert statuses.count(200) == 10
    assert statuses.count(409) == 30
    assert {answer.json()["code"] for answer in answers if answer.status_code == 409} == {
        "credit_floor_reached"
    }
    states = [p.state for p in type(proposals[0]).objects.filter(listing=request)]
    assert states.count("accepted") == 10
    assert states.count("proposed") == 30
    account = timebank.account_of_user(receiver)
    assert (account.balance, account.held, account.available) == (0, 10, -10)
    assert timebank.ledger_problems() == []
