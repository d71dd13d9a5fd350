"""Webhooks: an organisation's notifications, as signed JSON, to an HTTPS address of its own.

Signature (documented in docs/webhooks.md): each POST carries

- ``X-Smartsamhalle-Delivery``: the delivery's id (the same on every retry: deduplicate on it),
- ``X-Smartsamhalle-Timestamp``: Unix seconds when this attempt was signed,
- ``X-Smartsamhalle-Signature``: ``v1=`` and the hex HMAC-SHA256, keyed with the endpoint's
  secret, of ``<timestamp>.<body>`` (the raw body bytes). The receiver recomputes it, compares
  in constant time, and refuses timestamps more than five minutes old (replays).

An address must be HTTPS and resolve only to public addresses: a webhook must not become a
way to reach the platform's own network (loopback, private ranges, link-local cloud metadata).
The check runs when the endpoint is registered and again at every send, against the address
actually connected to, so a DNS answer changed in between gains nothing. The resolver is a
module attribute (``resolver``) so tests can point a webhook at a local receiver.
"""

import hashlib
import hmac
import ipaddress
import json
import logging
import secrets
import socket
import time
from collections.abc import Callable, Iterable
from datetime import timedelta
from typing import Any
from urllib.parse import urlsplit

import urllib3
from celery.exceptions import SoftTimeLimitExceeded
from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from notifications.delivery import Outcome, backoff, claim, release
from notifications.models import DeliveryStatus, WebhookDelivery, WebhookEndpoint
from smartplatform.accounts.models import User
from smartplatform.core.errors import DomainError
from smartplatform.core.jobs import enqueue_on_commit
from smartplatform.organisations.models import Organisation

logger = logging.getLogger(__name__)

SIGNATURE_HEADER = "X-Smartsamhalle-Signature"
TIMESTAMP_HEADER = "X-Smartsamhalle-Timestamp"
DELIVERY_HEADER = "X-Smartsamhalle-Delivery"
# Connecting, then each read, and the whole request at most.
TIMEOUT = urllib3.Timeout(total=15, connect=5, read=10)


class InvalidWebhookAddress(DomainError):
    code = "invalid_webhook_address"
    default_message = _("A webhook needs an https:// address on the public internet.")


class WebhookAddressNotAllowed(DomainError):
    """The host is internal, or does not resolve: one answer for both, so registering
    webhooks tells nobody which internal names exist."""

    code = "webhook_address_not_allowed"
    default_message = _(
        "That address does not lead to the public internet (it is private, loopback or "
        "otherwise internal, or its name does not resolve); webhooks may only reach public "
        "addresses."
    )


class _Unresolvable(Exception):
    """The host name has no answer now (it may later: at send time this is retried)."""


class WebhookAlreadyRegistered(DomainError):
    status_code = 409
    code = "webhook_already_registered"
    default_message = _("This organisation already has a webhook at that address.")


# --- Addresses --------------------------------------------------------------------------------


# IPv6 ranges that carry an IPv4 address a gateway may forward to: judged by that address.
_NAT64 = ipaddress.ip_network("64:ff9b::/96")
_NAT64_LOCAL = ipaddress.ip_network("64:ff9b:1::/48")
_IPV4_COMPATIBLE = ipaddress.ip_network("::/96")


def _public(address: str) -> bool:
    ip = ipaddress.ip_address(address.split("%", 1)[0])
    if isinstance(ip, ipaddress.IPv6Address):
        if ip in _NAT64_LOCAL:
            return False
        embedded = (
            ip.ipv4_mapped
            or ip.sixtofour
            or (ipaddress.IPv4Address(int(ip) & 0xFFFFFFFF) if ip in _NAT64 else None)
            or (ipaddress.IPv4Address(int(ip)) if ip in _IPV4_COMPATIBLE else None)
        )
        if embedded is not None:
            ip = embedded
    return ip.is_global and not ip.is_multicast


def resolve_public(host: str, port: int) -> list[str]:
    """The addresses ``host`` resolves to, all of them public, or WebhookAddressNotAllowed
    (one internal address among them is enough to refuse: which one a connection takes is
    not ours to choose)."""
    try:
        found = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except (socket.gaierror, UnicodeError) as exc:
        raise _Unresolvable(host) from exc
    addresses = sorted({str(info[4][0]) for info in found})
    if not addresses or not all(_public(address) for address in addresses):
        raise WebhookAddressNotAllowed
    return addresses


# Tests replace this with a resolver that allows their local receiver.
resolver: Callable[[str, int], list[str]] = resolve_public


def _parts(url: str) -> tuple[str, str, int]:
    parts = urlsplit(url)
    allowed = ("https", "http") if settings.WEBHOOK_ALLOW_HTTP else ("https",)
    if parts.scheme not in allowed or not parts.hostname or parts.username or parts.password:
        raise InvalidWebhookAddress
    try:
        port = parts.port or (443 if parts.scheme == "https" else 80)
    except ValueError as exc:
        raise InvalidWebhookAddress from exc
    return parts.scheme, parts.hostname, port


# --- Endpoints --------------------------------------------------------------------------------


def new_secret() -> str:
    return f"whsec_{secrets.token_urlsafe(32)}"


def register(
    *, organisation: Organisation, url: str, description: str, actor: User
) -> WebhookEndpoint:
    _scheme, host, port = _parts(url)
    try:
        resolver(host, port)
    except _Unresolvable as exc:
        raise WebhookAddressNotAllowed from exc
    if WebhookEndpoint.objects.filter(organisation=organisation, url=url).exists():
        raise WebhookAlreadyRegistered
    return WebhookEndpoint.objects.create(
        organisation=organisation,
        url=url,
        description=description.strip(),
        secret=new_secret(),
        created_by=actor,
    )


def rotate_secret(endpoint: WebhookEndpoint) -> WebhookEndpoint:
    endpoint.secret = new_secret()
    endpoint.save(update_fields=["secret"])
    return endpoint


# --- Signing ----------------------------------------------------------------------------------


def signature(secret: str, timestamp: int, body: bytes) -> str:
    digest = hmac.new(secret.encode(), f"{timestamp}.".encode() + body, hashlib.sha256)
    return f"v1={digest.hexdigest()}"


def verify(secret: str, timestamp: str, body: bytes, header: str, *, tolerance: int = 300) -> bool:
    """What a receiver does (and the tests, to prove the documented algorithm)."""
    try:
        sent_at = int(timestamp)
    except ValueError:
        return False
    if abs(time.time() - sent_at) > tolerance:
        return False
    return hmac.compare_digest(signature(secret, sent_at, body), header)


# --- Fan-out and sending ----------------------------------------------------------------------


def queue_for_organisation(
    organisation_id: int, *, type_name: str, dedupe_key: str, payload: dict[str, Any]
) -> None:
    """One delivery per active endpoint of the organisation for this event (a second call
    with the same key adds nothing), sent after the commit."""
    endpoints = list(
        WebhookEndpoint.objects.filter(organisation_id=organisation_id, is_active=True).values_list(
            "pk", flat=True
        )
    )
    if not endpoints:
        return
    WebhookDelivery.objects.bulk_create(
        [
            WebhookDelivery(
                endpoint_id=endpoint_id, dedupe_key=dedupe_key, type=type_name, payload=payload
            )
            for endpoint_id in endpoints
        ],
        ignore_conflicts=True,
    )
    queue(
        WebhookDelivery.objects.filter(
            endpoint_id__in=endpoints, dedupe_key=dedupe_key, status=DeliveryStatus.PENDING
        ).values_list("pk", flat=True)
    )


def queue(delivery_ids: Iterable[int]) -> None:
    from notifications.tasks import send_webhooks

    ids = list(delivery_ids)
    if ids:
        enqueue_on_commit(send_webhooks, ids)


def _post(url: str, body: bytes, headers: dict[str, str]) -> int:
    """POST to the address the guard allowed, with the host name kept for TLS and Host."""
    scheme, host, port = _parts(url)
    address = resolver(host, port)[0]
    parts = urlsplit(url)
    path = (parts.path or "/") + (f"?{parts.query}" if parts.query else "")
    pool: urllib3.HTTPConnectionPool
    if scheme == "https":
        pool = urllib3.HTTPSConnectionPool(
            address,
            port,
            server_hostname=host,
            assert_hostname=host,
            cert_reqs="CERT_REQUIRED",
            timeout=TIMEOUT,
            retries=False,
        )
    else:
        pool = urllib3.HTTPConnectionPool(address, port, timeout=TIMEOUT, retries=False)
    with pool:
        response = pool.urlopen(
            "POST",
            path,
            body=body,
            headers={**headers, "Host": host if port in (80, 443) else f"{host}:{port}"},
            redirect=False,
            # Only the status matters: the answer's body is never read, however large.
            preload_content=False,
        )
        status = int(response.status)
        response.close()
    return status


def _transient(status: int) -> bool:
    return status >= 500 or status in (408, 425, 429)


def send_deliveries(delivery_ids: list[int]) -> dict[int, tuple[Outcome, float]]:
    """Claim these webhook deliveries (an attempt counted, a lease taken: see
    ``notifications.delivery``), then POST each."""
    results: dict[int, tuple[Outcome, float]] = dict.fromkeys(delivery_ids, (Outcome.SKIPPED, 0))
    claimed = claim(WebhookDelivery, delivery_ids, max_attempts=settings.WEBHOOK_MAX_ATTEMPTS)
    for n, pk in enumerate(claimed):
        try:
            results[pk] = send_one(pk)
        except SoftTimeLimitExceeded:
            release(WebhookDelivery, claimed[n + 1 :])
            _retry_or_fail(pk, "The receiver did not answer in time.", None)
            raise
    return results


def send_one(delivery_id: int) -> tuple[Outcome, float]:
    """POST one claimed delivery, holding its row lock until it is marked. 2xx is delivered;
    a 5xx, 408, 425, 429, a network failure or a host name without an answer is retried with
    back-off; any other answer, or an address now internal, fails."""
    with transaction.atomic():
        delivery = (
            WebhookDelivery.objects.select_for_update(of=("self",))
            .select_related("endpoint")
            .filter(pk=delivery_id, status=DeliveryStatus.PENDING)
            .first()
        )
        if delivery is None:
            return Outcome.SKIPPED, 0
        endpoint = delivery.endpoint
        if not endpoint.is_active:
            return _finish(delivery.pk, DeliveryStatus.FAILED, "The webhook was switched off.")
        body = json.dumps(
            {"delivery": delivery.pk, **delivery.payload}, ensure_ascii=False, sort_keys=True
        ).encode()
        timestamp = int(time.time())
        headers = {
            "Content-Type": "application/json; charset=utf-8",
            "User-Agent": "Smartsamhalle-Webhooks/1",
            DELIVERY_HEADER: str(delivery.pk),
            TIMESTAMP_HEADER: str(timestamp),
            SIGNATURE_HEADER: signature(endpoint.secret, timestamp, body),
        }
        try:
            status = _post(endpoint.url, body, headers)
        except (InvalidWebhookAddress, WebhookAddressNotAllowed) as exc:
            return _finish(delivery.pk, DeliveryStatus.FAILED, str(exc.default_message))
        except _Unresolvable:
            return _retry_or_fail(delivery.pk, "The host name did not resolve.", None)
        except (urllib3.exceptions.HTTPError, OSError) as exc:
            return _retry_or_fail(delivery.pk, f"{type(exc).__name__}: {exc}", None)
        if 200 <= status < 300:
            return _finish(delivery.pk, DeliveryStatus.SENT, "", status)
        if _transient(status):
            return _retry_or_fail(delivery.pk, f"HTTP {status}", status)
        return _finish(delivery.pk, DeliveryStatus.FAILED, f"HTTP {status}", status)


def _finish(
    pk: int, status: str, error: str, response_status: int | None = None
) -> tuple[Outcome, float]:
    WebhookDelivery.objects.filter(pk=pk).update(
        status=status,
        last_error=error[:2000],
        response_status=response_status,
        sent_at=timezone.now() if status == DeliveryStatus.SENT else None,
    )
    return (Outcome.SENT if status == DeliveryStatus.SENT else Outcome.FAILED), 0


def _retry_or_fail(pk: int, error: str, response_status: int | None) -> tuple[Outcome, float]:
    attempts = WebhookDelivery.objects.values_list("attempts", flat=True).get(pk=pk)
    if attempts >= settings.WEBHOOK_MAX_ATTEMPTS:
        return _finish(pk, DeliveryStatus.FAILED, error, response_status)
    delay = backoff(attempts)
    WebhookDelivery.objects.filter(pk=pk).update(
        last_error=error[:2000],
        response_status=response_status,
        next_attempt_at=timezone.now() + timedelta(seconds=delay),
    )
    logger.warning("webhook delivery %s: attempt %s failed: %s", pk, attempts, error)
    return Outcome.RETRY, delay
