"""Idempotency-Key for POSTs that move credits or create bookings.

A client that retries a request with the same ``Idempotency-Key`` header gets the first
response again and nothing happens twice. Keys are scoped to user + method + path and kept
24 hours. The same key with a different body is refused (422); a key whose first request is
still running is refused (409) until that request's lease expires, so a request that died
mid-flight does not hold its key for ever.

How "never twice" holds: the key is claimed in a short transaction of its own (the unique
constraint decides between concurrent claims). The handler then runs in a second transaction
that also writes the response into the record, but only while this request still holds the
lease (``lease_token``). If the lease was taken over by a retry after it expired, that update
matches nothing and the whole transaction, the effect included, rolls back. So at most one
effect ever commits per key.

Only successful (2xx) answers are kept; after an error the key is released, so the client
can correct the request and send it again with the same key. Anonymous requests are not
deduplicated (a key needs a user to belong to); the endpoints that move credits or book
require a login.

Usage on a DRF view handler::

    @idempotent
    def post(self, request): ...
"""

import functools
import hashlib
import json
import secrets
from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from django.conf import settings
from django.core.serializers.json import DjangoJSONEncoder
from django.db import IntegrityError, connection, transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from rest_framework.renderers import JSONRenderer
from rest_framework.request import Request
from rest_framework.response import Response

from smartplatform.core.errors import ConflictError, DomainError
from smartplatform.core.models import IdempotencyRecord

HEADER = "Idempotency-Key"
MAX_KEY_LENGTH = 255
# Response headers worth replaying; the rest are recomputed.
_KEPT_HEADERS = ("Location",)


class InvalidIdempotencyKey(DomainError):
    status_code = 400
    code = "invalid_idempotency_key"
    default_message = _("The Idempotency-Key must be 1 to 255 printable ASCII characters.")


class IdempotencyKeyReused(DomainError):
    status_code = 422
    code = "idempotency_key_reused"
    default_message = _(
        "This Idempotency-Key was already used with a different request body. "
        "Use a new key for a new request."
    )


class IdempotentRequestInFlight(ConflictError):
    code = "idempotency_request_in_flight"
    default_message = _(
        "A request with this Idempotency-Key is still being processed. Try again shortly."
    )


class IdempotencyLeaseExpired(ConflictError):
    code = "idempotency_lease_expired"
    default_message = _(
        "This request outlived its Idempotency-Key lease and was undone; a retry has taken "
        "the key. Send it again with the same key to get that answer."
    )


@dataclass(frozen=True)
class Claim:
    record_id: int
    lease_token: str
    replay: IdempotencyRecord | None = None


def fingerprint(body: Any) -> str:
    """A hash of the canonical JSON of a request body: key order and spacing do not count."""
    canonical = json.dumps(
        body, sort_keys=True, separators=(",", ":"), ensure_ascii=False, cls=DjangoJSONEncoder
    )
    return hashlib.sha256(canonical.encode("utf-8")).hexdigest()


def validate_key(key: str) -> str:
    if not 1 <= len(key) <= MAX_KEY_LENGTH or not all(" " <= ch <= "~" for ch in key):
        raise InvalidIdempotencyKey()
    return key


def _in_caller_transaction() -> bool:
    # Test cases wrap each test in transactions of their own; those do not count.
    return any(not getattr(block, "_from_testcase", False) for block in connection.atomic_blocks)


def claim(*, user_id: int, method: str, path: str, key: str, request_hash: str) -> Claim:
    """Claim ``key`` for this request, or say why not (replay, 409, 422).

    Runs outside any transaction (refused otherwise): the claim must be committed at once so
    that concurrent requests with the same key see it, and the lease means something.
    """
    if _in_caller_transaction():
        raise RuntimeError(
            "Idempotency-Key handling cannot run inside a transaction (ATOMIC_REQUESTS or an "
            "outer atomic block): the key's claim must commit on its own."
        )
    path_hash = hashlib.sha256(path.encode("utf-8")).hexdigest()
    for _attempt in range(3):
        now = timezone.now()
        token = secrets.token_hex(16)
        lease_expires_at = now + timedelta(seconds=settings.IDEMPOTENCY_LEASE_SECONDS)
        try:
            with transaction.atomic():
                record = IdempotencyRecord.objects.create(
                    user_id=user_id,
                    method=method,
                    path=path,
                    path_hash=path_hash,
                    key=key,
                    request_hash=request_hash,
                    lease_token=token,
                    lease_expires_at=lease_expires_at,
                    created_at=now,
                )
            return Claim(record_id=record.pk, lease_token=token)
        except IntegrityError:
            pass
        with transaction.atomic():
            existing = (
                IdempotencyRecord.objects.select_for_update()
                .filter(user_id=user_id, method=method, path_hash=path_hash, key=key)
                .first()
            )
            if existing is None:
                continue  # released between our insert and our read: claim again
            expired = existing.created_at < now - timedelta(
                seconds=settings.IDEMPOTENCY_KEY_TTL_SECONDS
            )
            if expired:
                existing.delete()
                continue
            if existing.request_hash != request_hash:
                raise IdempotencyKeyReused()
            if existing.response_status is not None:
                return Claim(record_id=existing.pk, lease_token="", replay=existing)
            if existing.lease_expires_at > now:
                raise IdempotentRequestInFlight()
            # The first request died mid-flight: its lease is over, this one takes the key.
            existing.lease_token = token
            existing.lease_expires_at = lease_expires_at
            existing.save(update_fields=["lease_token", "lease_expires_at"])
            return Claim(record_id=existing.pk, lease_token=token)
    raise IdempotentRequestInFlight()


def complete(claim: Claim, response: Response) -> None:
    """Store the response, in the handler's transaction, if this request still holds the key."""
    body = json.loads(JSONRenderer().render(response.data)) if response.data is not None else None
    headers = {name: response[name] for name in _KEPT_HEADERS if response.has_header(name)}
    stored = IdempotencyRecord.objects.filter(
        pk=claim.record_id, lease_token=claim.lease_token, response_status__isnull=True
    ).update(response_status=response.status_code, response_body=body, response_headers=headers)
    if stored != 1:
        raise IdempotencyLeaseExpired()


def release(claim: Claim) -> None:
    """Free the key after a failed attempt, unless another request has taken it over."""
    IdempotencyRecord.objects.filter(
        pk=claim.record_id, lease_token=claim.lease_token, response_status__isnull=True
    ).delete()


def replay(record: IdempotencyRecord) -> Response:
    response = Response(record.response_body, status=record.response_status)
    for name, value in (record.response_headers or {}).items():
        response[name] = value
    response["Idempotent-Replayed"] = "true"
    return response


def purge_expired() -> int:
    cutoff = timezone.now() - timedelta(seconds=settings.IDEMPOTENCY_KEY_TTL_SECONDS)
    deleted, _by_model = IdempotencyRecord.objects.filter(created_at__lt=cutoff).delete()
    return deleted


class _NotKept(Exception):
    """Carries a non-2xx response out of the handler's transaction, rolling it back."""

    def __init__(self, response: Response) -> None:
        self.response = response


Handler = Callable[..., Response]


def idempotent(handler: Handler) -> Handler:
    """Make a DRF view handler honour the Idempotency-Key header (see the module docstring)."""

    @functools.wraps(handler)
    def wrapper(view: Any, request: Request, *args: Any, **kwargs: Any) -> Response:
        key = request.headers.get(HEADER)
        if key is None or not request.user.is_authenticated:
            return handler(view, request, *args, **kwargs)
        current = claim(
            user_id=request.user.pk,
            method=request.method or "POST",
            path=request.path,
            key=validate_key(key),
            request_hash=fingerprint(request.data),
        )
        if current.replay is not None:
            return replay(current.replay)
        try:
            with transaction.atomic():
                response = handler(view, request, *args, **kwargs)
                if not 200 <= response.status_code < 300:
                    raise _NotKept(response)
                complete(current, response)
        except _NotKept as not_kept:
            release(current)
            return not_kept.response
        except IdempotencyLeaseExpired:
            raise  # a retry holds the key now: leave it alone
        except BaseException:
            release(current)
            raise
        return response

    wrapper.idempotent = True  # type: ignore[attr-defined]
    wrapper.documented_errors = [  # type: ignore[attr-defined]
        *getattr(handler, "documented_errors", []),
        InvalidIdempotencyKey,
        IdempotencyKeyReused,
        IdempotentRequestInFlight,
        IdempotencyLeaseExpired,
    ]
    return wrapper
