"""Webhooks: an organisation's admins register an https address; the organisation's
notifications reach it as JSON signed with HMAC-SHA256; internal addresses are refused."""

import hashlib
import hmac
import json
import threading
import time
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import pytest
from django.utils import timezone

from notifications import tasks, webhooks
from notifications.models import WebhookDelivery
from smartplatform.organisations.models import Membership, Organisation, Role
from tests.exchange.factories import make_listing, resident
from tests.factories import client_for, verified_user

pytestmark = pytest.mark.django_db


class Receiver:
    """A local HTTP server standing in for an organisation's system: it records what it is
    sent and answers with the statuses it is given, then 200."""

    def __init__(self) -> None:
        self.received: list[dict[str, Any]] = []
        self.answers: list[int] = []
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                body = self.rfile.read(int(self.headers["Content-Length"]))
                receiver.received.append(
                    {"path": self.path, "headers": dict(self.headers), "body": body}
                )
                self.send_response(receiver.answers.pop(0) if receiver.answers else 200)
                self.end_headers()

            def log_message(self, *args: Any) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.port = self.server.server_address[1]
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    @property
    def url(self) -> str:
        return f"http://hooks.example.se:{self.port}/smart?source=platform"


@pytest.fixture
def receiver(monkeypatch: pytest.MonkeyPatch, settings: Any) -> Iterator[Receiver]:
    settings.WEBHOOK_ALLOW_HTTP = True
    # The injectable resolver: hooks.example.se is this machine's local receiver here.
    monkeypatch.setattr(webhooks, "resolver", lambda host, port: ["127.0.0.1"])
    server = Receiver()
    yield server
    server.server.shutdown()


@pytest.fixture
def club() -> Organisation:
    return Organisation.objects.create(
        name="Brf Solgläntan", slug="solglantan", kind="association", is_verified=True
    )


@pytest.fixture
def club_admin(club: Organisation) -> Any:
    user = verified_user(display_name="Agnes")
    Membership.objects.create(organisation=club, user=user, role=Role.ADMIN)
    return user


def url(club: Organisation, rest: str = "") -> str:
    return f"/api/v1/organisations/{club.slug}/webhooks/{rest}"


def test_an_organisations_notifications_arrive_signed_once(
    receiver: Receiver, club: Organisation, club_admin: Any, relay: Any
) -> None:
    made = client_for(club_admin).post(
        url(club), {"url": receiver.url, "description": "Vårt ärendesystem"}, format="json"
    )
    secret = made.json()["secret"]
    offer = make_listing("Lokal för föreningsmöten", owner=club_admin, organisation=club)
    omar = resident(display_name="Omar")
    client_for(omar).post(
        "/api/v1/exchanges/", {"listing": offer.pk, "message": "Kan vi låna den?"}, format="json"
    )

    relay()
    tasks.send_webhooks(list(WebhookDelivery.objects.values_list("pk", flat=True)))  # again

    assert made.status_code == 201
    assert secret.startswith("whsec_")
    [call] = receiver.received
    headers, body = call["headers"], call["body"]
    timestamp = headers["X-Smartsamhalle-Timestamp"]
    expected = hmac.new(secret.encode(), f"{timestamp}.".encode() + body, hashlib.sha256)
    assert headers["X-Smartsamhalle-Signature"] == f"v1={expected.hexdigest()}"
    assert abs(int(timestamp) - time.time()) < 60
    assert webhooks.verify(secret, timestamp, body, headers["X-Smartsamhalle-Signature"])
    assert not webhooks.verify("whsec_wrong", timestamp, body, headers["X-Smartsamhalle-Signature"])
    assert not webhooks.verify(secret, timestamp, body + b" ", headers["X-Smartsamhalle-Signature"])
    payload = json.loads(body)
    delivery = WebhookDelivery.objects.get()
    assert headers["X-Smartsamhalle-Delivery"] == str(delivery.pk)
    assert call["path"] == "/smart?source=platform"
    assert headers["Host"] == f"hooks.example.se:{receiver.port}"
    assert payload == {
        "delivery": delivery.pk,
        "type": "exchange_proposed",
        "organisation": club.pk,
        "title": "Nytt svar på Lokal för föreningsmöten",
        "body": "Omar svarade på din annons Lokal för föreningsmöten.",
        "language": "sv",
        "subject": {"kind": "exchange", "id": payload["subject"]["id"]},
        "link": f"/api/v1/exchanges/{payload['subject']['id']}/",
        "data": {"listing": "Lokal för föreningsmöten", "person": "Omar", "person_id": omar.pk},
        "created_at": payload["created_at"],
    }
    assert (delivery.status, delivery.attempts, delivery.response_status) == ("sent", 1, 200)


def test_a_failing_receiver_is_retried_and_a_refusal_ends_it(
    receiver: Receiver, club: Organisation, club_admin: Any, relay: Any
) -> None:
    client_for(club_admin).post(url(club), {"url": receiver.url}, format="json")
    receiver.answers = [503]
    offer = make_listing(owner=club_admin, organisation=club)
    client_for(resident()).post(
        "/api/v1/exchanges/", {"listing": offer.pk, "message": "Hej"}, format="json"
    )
    relay()
    retried = WebhookDelivery.objects.get()
    assert (retried.status, retried.attempts, retried.last_error) == ("pending", 1, "HTTP 503")

    tasks.send_webhooks([retried.pk])  # too early: the back-off holds it
    assert len(receiver.received) == 1
    WebhookDelivery.objects.update(next_attempt_at=timezone.now())
    tasks.send_webhooks([retried.pk])
    receiver.answers = [410]
    client_for(resident()).post(
        "/api/v1/exchanges/", {"listing": offer.pk, "message": "Hej igen"}, format="json"
    )
    relay()

    retried.refresh_from_db()
    refused = WebhookDelivery.objects.exclude(pk=retried.pk).get()
    assert (retried.status, retried.attempts) == ("sent", 2)
    assert (refused.status, refused.response_status) == ("failed", 410)
    assert len(receiver.received) == 3


@pytest.mark.parametrize(
    ("address", "code"),
    [
        ("https://127.0.0.1/hook", "webhook_address_not_allowed"),
        ("https://localhost/hook", "webhook_address_not_allowed"),
        ("https://10.1.2.3/hook", "webhook_address_not_allowed"),
        ("https://192.168.0.10/hook", "webhook_address_not_allowed"),
        ("https://169.254.169.254/latest/meta-data/", "webhook_address_not_allowed"),
        ("https://[::1]/hook", "webhook_address_not_allowed"),
        ("https://[::ffff:127.0.0.1]/hook", "webhook_address_not_allowed"),
        ("https://[fd00::1]/hook", "webhook_address_not_allowed"),
        ("http://93.184.216.34/hook", "invalid_webhook_address"),
        ("https://user:pass@93.184.216.34/hook", "invalid_webhook_address"),
        ("ftp://93.184.216.34/hook", "invalid_webhook_address"),
    ],
)
def test_internal_and_non_https_addresses_are_refused(
    club: Organisation, club_admin: Any, address: str, code: str
) -> None:
    refused = client_for(club_admin).post(url(club), {"url": address}, format="json")

    assert refused.status_code == 400
    assert refused.json()["code"] == code


def test_the_guard_itself_allows_public_addresses_only() -> None:
    assert webhooks.resolve_public("93.184.216.34", 443) == ["93.184.216.34"]
    assert webhooks.resolve_public("2606:2800:220:1:248:1893:25c8:1946", 443)
    internal_ones = (
        "127.0.0.1",
        "0.0.0.0",  # noqa: S104
        "100.64.0.1",
        "224.0.0.1",
        "::",
        "64:ff9b::a9fe:a9fe",  # NAT64 of 169.254.169.254
        "64:ff9b::7f00:1",  # NAT64 of 127.0.0.1
        "2002:a00:1::1",  # 6to4 of 10.0.0.1
        "::7f00:1",  # IPv4-compatible 127.0.0.1
        "fe80::1%eth0",
    )
    for internal in internal_ones:
        with pytest.raises(webhooks.WebhookAddressNotAllowed):
            webhooks.resolve_public(internal, 443)
    assert webhooks.resolve_public("64:ff9b::5db8:d822", 443)  # NAT64 of a public address


def test_an_address_that_turned_internal_since_registration_is_not_called(
    receiver: Receiver,
    club: Organisation,
    club_admin: Any,
    relay: Any,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    client_for(club_admin).post(url(club), {"url": receiver.url}, format="json")
    monkeypatch.setattr(webhooks, "resolver", webhooks.resolve_public)  # real DNS answer now
    monkeypatch.setattr(
        "socket.getaddrinfo", lambda *args, **kwargs: [(2, 1, 6, "", ("127.0.0.1", 0))]
    )
    offer = make_listing(owner=club_admin, organisation=club)
    client_for(resident()).post(
        "/api/v1/exchanges/", {"listing": offer.pk, "message": "Hej"}, format="json"
    )

    relay()

    delivery = WebhookDelivery.objects.get()
    assert delivery.status == "failed"
    assert "internal network" in delivery.last_error or "interna" in delivery.last_error
    assert receiver.received == []


def test_only_the_organisations_admins_manage_its_webhooks(
    receiver: Receiver, club: Organisation, club_admin: Any
) -> None:
    editor, outsider = verified_user(), verified_user()
    Membership.objects.create(organisation=club, user=editor, role=Role.EDITOR)
    made = client_for(club_admin).post(url(club), {"url": receiver.url}, format="json").json()

    listed = client_for(club_admin).get(url(club))
    as_editor = client_for(editor).get(url(club))
    as_outsider = client_for(outsider).post(url(club), {"url": receiver.url}, format="json")
    outsider_delete = client_for(outsider).delete(url(club, f"{made['id']}/"))
    rotated = client_for(club_admin).post(url(club, f"{made['id']}/rotate-secret/"))
    twice = client_for(club_admin).post(url(club), {"url": receiver.url}, format="json")
    sneaky = client_for(club_admin).post(
        url(club), {"url": receiver.url + "2", "secret": "mine", "is_active": False}, format="json"
    )
    removed = client_for(club_admin).delete(url(club, f"{made['id']}/"))

    assert listed.status_code == 200
    assert listed.json()["results"] == [
        {
            "id": made["id"],
            "url": receiver.url,
            "description": "",
            "is_active": True,
            "created_at": made["created_at"],
        }
    ]
    assert as_editor.status_code == as_outsider.status_code == outsider_delete.status_code == 403
    assert rotated.json()["secret"] not in ("", made["secret"])
    assert twice.status_code == 409
    assert sneaky.status_code == 400
    assert set(sneaky.json()["fields"]) == {"secret", "is_active"}
    assert removed.status_code == 204
    assert client_for(club_admin).get(url(club)).json()["results"] == []


def test_a_name_that_does_not_resolve_is_refused_like_an_internal_one(
    club: Organisation, club_admin: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    import socket

    def no_answer(*args: Any, **kwargs: Any) -> Any:
        raise socket.gaierror(socket.EAI_NONAME, "Name or service not known")

    monkeypatch.setattr("socket.getaddrinfo", no_answer)
    refused = client_for(club_admin).post(
        url(club), {"url": "https://intranet.kommun.internal/hook"}, format="json"
    )

    assert refused.status_code == 400
    assert refused.json()["code"] == "webhook_address_not_allowed"


def test_a_passing_dns_failure_at_send_time_is_retried(
    receiver: Receiver,
    club: Organisation,
    club_admin: Any,
    relay: Any,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    import socket

    client_for(club_admin).post(url(club), {"url": receiver.url}, format="json")

    def try_again_later(*args: Any, **kwargs: Any) -> Any:
        raise socket.gaierror(socket.EAI_AGAIN, "Temporary failure in name resolution")

    monkeypatch.setattr(webhooks, "resolver", webhooks.resolve_public)
    monkeypatch.setattr("socket.getaddrinfo", try_again_later)
    offer = make_listing(owner=club_admin, organisation=club)
    client_for(resident()).post(
        "/api/v1/exchanges/", {"listing": offer.pk, "message": "Hej"}, format="json"
    )

    relay()

    delivery = WebhookDelivery.objects.get()
    assert (delivery.status, delivery.attempts) == ("pending", 1)
    assert delivery.last_error == "The host name did not resolve."
