"""Idempotency-Key: a retry replays the first answer and nothing happens twice."""

import threading
from datetime import timedelta

import pytest
from django.db import connection, transaction
from django.utils import timezone
from rest_framework.response import Response
from rest_framework.test import APIClient

from smartplatform.core import idempotency
from smartplatform.core.models import Event, IdempotencyRecord
from tests.factories import UserFactory

pytestmark = pytest.mark.urls("tests.core.probe")

URL = "/api/v1/test-probe/"
BODY = {"name": "Trädgårdshjälp", "hours": 2}


def post(client, body=BODY, key="key-1", **extra):
    headers = {"HTTP_IDEMPOTENCY_KEY": key} if key is not None else {}
    return client.post(URL, body, format="json", **headers, **extra)


def effects() -> int:
    return Event.objects.filter(event_type="probe.created").count()


@pytest.mark.django_db
def test_a_retry_replays_the_first_answer_and_does_nothing_twice(user_client):
    first = post(user_client)
    second = post(user_client)

    assert first.status_code == second.status_code == 201
    assert second.json() == first.json()
    assert second["Location"] == first["Location"]
    assert second["Idempotent-Replayed"] == "true"
    assert not first.has_header("Idempotent-Replayed")
    assert effects() == 1


@pytest.mark.django_db
def test_the_body_is_compared_as_canonical_json(user_client):
    post(user_client, {"name": "Trädgårdshjälp", "hours": 2})
    replay = user_client.post(
        URL,
        data='{ "hours": 2,   "name": "Trädgårdshjälp" }',
        content_type="application/json",
        HTTP_IDEMPOTENCY_KEY="key-1",
    )

    assert replay.status_code == 201
    assert replay["Idempotent-Replayed"] == "true"
    assert effects() == 1


@pytest.mark.django_db
def test_the_same_key_with_a_different_body_is_422(user_client):
    post(user_client)
    response = post(user_client, {"name": "Något annat", "hours": 2})

    assert response.status_code == 422
    assert response.json() == {
        "code": "idempotency_key_reused",
        "message": response.json()["message"],
        "fields": {},
    }
    assert effects() == 1


@pytest.mark.django_db
def test_without_a_key_every_request_acts(user_client):
    post(user_client, key=None)
    post(user_client, key=None)

    assert effects() == 2


@pytest.mark.django_db
def test_keys_are_scoped_to_the_user(user_client):
    other = APIClient()
    other.force_login(UserFactory.create())

    assert post(user_client).status_code == 201
    assert post(other).status_code == 201
    assert effects() == 2


@pytest.mark.django_db
@pytest.mark.parametrize("key", ["", "x" * 256, "nyckel-å", "tab\there"])
def test_a_malformed_key_is_400(user_client, key):
    response = post(user_client, key=key)

    assert response.status_code == 400
    assert response.json()["code"] == "invalid_idempotency_key"
    assert effects() == 0


@pytest.mark.django_db
def test_an_error_is_not_kept_so_the_corrected_request_can_reuse_the_key(user_client):
    invalid = post(user_client, {"name": "Trädgårdshjälp", "hours": 99})
    conflict = post(user_client, {"name": "taken", "hours": 1})
    corrected = post(user_client)

    assert invalid.status_code == 400
    assert invalid.json()["fields"] == {"hours": [invalid.json()["fields"]["hours"][0]]}
    assert conflict.status_code == 409
    assert conflict.json()["code"] == "probe_taken"
    assert corrected.status_code == 201
    assert effects() == 1
    assert IdempotencyRecord.objects.get().response_status == 201


@pytest.mark.django_db
def test_a_key_whose_first_request_is_in_flight_is_409(user, user_client):
    in_flight = idempotency.claim(
        user_id=user.pk,
        method="POST",
        path=URL,
        key="key-1",
        request_hash=idempotency.fingerprint(BODY),
    )
    assert in_flight.replay is None

    response = post(user_client)

    assert response.status_code == 409
    assert response.json()["code"] == "idempotency_request_in_flight"
    assert effects() == 0


@pytest.mark.django_db
def test_a_request_that_died_mid_flight_frees_its_key_when_the_lease_ends(user, user_client):
    idempotency.claim(
        user_id=user.pk,
        method="POST",
        path=URL,
        key="key-1",
        request_hash=idempotency.fingerprint(BODY),
    )
    assert post(user_client).status_code == 409

    IdempotencyRecord.objects.update(lease_expires_at=timezone.now() - timedelta(seconds=1))
    response = post(user_client)

    assert response.status_code == 201
    assert effects() == 1
    assert post(user_client)["Idempotent-Replayed"] == "true"


@pytest.mark.django_db
def test_a_request_whose_lease_was_taken_over_cannot_commit_its_effect(user):
    first = idempotency.claim(user_id=user.pk, method="POST", path=URL, key="k", request_hash="h")
    IdempotencyRecord.objects.update(lease_expires_at=timezone.now() - timedelta(seconds=1))
    second = idempotency.claim(user_id=user.pk, method="POST", path=URL, key="k", request_hash="h")
    assert second.lease_token != first.lease_token

    with pytest.raises(idempotency.IdempotencyLeaseExpired), transaction.atomic():
        Event.objects.create(event_type="probe.created")
        idempotency.complete(first, Response({"late": True}, status=201))

    assert effects() == 0  # the late request's effect rolled back with its transaction
    with transaction.atomic():
        idempotency.complete(second, Response({"ok": True}, status=201))
    assert IdempotencyRecord.objects.get().response_body == {"ok": True}


@pytest.mark.django_db
def test_keys_expire_after_24_hours(user_client):
    post(user_client)
    IdempotencyRecord.objects.update(created_at=timezone.now() - timedelta(hours=24, seconds=1))

    again = post(user_client)

    assert again.status_code == 201
    assert not again.has_header("Idempotent-Replayed")
    assert effects() == 2


@pytest.mark.django_db
def test_purge_removes_only_expired_keys(user_client):
    post(user_client, key="old")
    post(user_client, key="new")
    IdempotencyRecord.objects.filter(key="old").update(
        created_at=timezone.now() - timedelta(hours=25)
    )

    assert idempotency.purge_expired() == 1
    assert list(IdempotencyRecord.objects.values_list("key", flat=True)) == ["new"]


@pytest.mark.serial
@pytest.mark.django_db(transaction=True)
def test_twenty_concurrent_requests_with_one_key_have_one_effect():
    user = UserFactory.create()
    barrier = threading.Barrier(20)
    statuses: list[int] = []
    bodies: list[dict] = []
    lock = threading.Lock()

    def send() -> None:
        client = APIClient()
        client.force_authenticate(user)
        try:
            barrier.wait(timeout=30)
            response = client.post(
                URL + "?delay=0.2", BODY, format="json", HTTP_IDEMPOTENCY_KEY="race"
            )
            with lock:
                statuses.append(response.status_code)
                if response.status_code == 201:
                    bodies.append(response.json())
        finally:
            connection.close()

    threads = [threading.Thread(target=send) for _ in range(20)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)

    assert len(statuses) == 20
    assert set(statuses) <= {201, 409}
    assert statuses.count(201) >= 1
    assert effects() == 1
    assert all(body == bodies[0] for body in bodies)  # replays carry the first answer


@pytest.mark.django_db
def test_a_long_path_is_scoped_by_its_hash(user):
    long_path = "/api/v1/things/" + "x" * 3000 + "/book/"
    first = idempotency.claim(
        user_id=user.pk, method="POST", path=long_path, key="k", request_hash="h"
    )
    other = idempotency.claim(
        user_id=user.pk, method="POST", path=long_path + "2", key="k", request_hash="h"
    )

    assert first.record_id != other.record_id
    assert IdempotencyRecord.objects.get(pk=first.record_id).path == long_path


@pytest.mark.django_db
def test_an_anonymous_request_never_claims_a_key(api_client):
    response = post(api_client)

    assert (
        response.status_code == 401
    )  # the probe, like every credit or booking POST, needs a login
    assert IdempotencyRecord.objects.count() == 0


@pytest.mark.django_db
def test_claiming_inside_a_callers_transaction_is_refused(user):
    with pytest.raises(RuntimeError, match="inside a transaction"), transaction.atomic():
        idempotency.claim(user_id=user.pk, method="POST", path=URL, key="k", request_hash="h")


@pytest.mark.serial
@pytest.mark.django_db(transaction=True)
def test_a_slow_first_request_past_its_lease_cannot_add_a_second_effect(settings):
    """The first request is still running when its lease ends and a retry takes the key:
    whichever order the database allows, exactly one effect commits and every success
    carries the same answer."""
    import time

    settings.IDEMPOTENCY_LEASE_SECONDS = 1
    user = UserFactory.create()
    results: dict[str, tuple[int, dict]] = {}

    def send(name: str, delay: float) -> None:
        client = APIClient()
        client.force_authenticate(user)
        try:
            response = client.post(
                f"{URL}?delay={delay}", BODY, format="json", HTTP_IDEMPOTENCY_KEY="slow"
            )
            results[name] = (response.status_code, response.json())
        finally:
            connection.close()

    slow = threading.Thread(target=send, args=("slow", 2.5))
    slow.start()
    time.sleep(1.5)  # the slow request's lease has ended; it is still working
    retry = threading.Thread(target=send, args=("retry", 0))
    retry.start()
    slow.join(timeout=60)
    retry.join(timeout=60)

    assert effects() == 1
    statuses = {name: status for name, (status, _body) in results.items()}
    if connection.vendor == "postgresql":
        # Row locks let the retry take over and finish first; the slow one is undone.
        assert statuses == {"slow": 409, "retry": 201}
        assert results["slow"][1]["code"] == "idempotency_lease_expired"
    else:
        # SQLite serialises writers: the retry waits for the slow one and replays it.
        assert statuses == {"slow": 201, "retry": 201}
    winner = next(body for status, body in results.values() if status == 201)
    replay = APIClient()
    replay.force_authenticate(user)
    again = replay.post(URL, BODY, format="json", HTTP_IDEMPOTENCY_KEY="slow")
    assert again.status_code == 201
    assert again.json() == winner
